#pragma once
// LLRPStatus (LLRP 1.1 §15.2.2): the outcome every response and
// ERROR_MESSAGE carries, with the optional FieldError / ParameterError that
// point at the culprit. Status codes are those of LLRP 1.1 §15.2.1.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace garita::hal::llrp {

class MessageWriter;

// Names follow LLRP: M_ = message scope, P_ = parameter, A_ = field, R_ = device.
enum class StatusCode : std::uint16_t {
  m_success = 0,
  m_parameter_error = 100,
  m_field_error = 101,
  m_unexpected_parameter = 102,
  m_missing_parameter = 103,
  m_duplicate_parameter = 104,
  m_overflow_parameter = 105,
  m_overflow_field = 106,
  m_unknown_parameter = 107,
  m_unknown_field = 108,
  m_unsupported_message = 109,
  m_unsupported_version = 110,
  m_unsupported_parameter = 111,
  m_unexpected_message = 112,  // LLRP 1.1 (e.g. SET_PROTOCOL_VERSION out of order)
  p_parameter_error = 200,
  p_field_error = 201,
  p_unexpected_parameter = 202,
  p_missing_parameter = 203,
  p_duplicate_parameter = 204,
  p_overflow_parameter = 205,
  p_overflow_field = 206,
  p_unknown_parameter = 207,
  p_unknown_field = 208,
  p_unsupported_parameter = 209,
  a_invalid = 300,
  a_out_of_range = 301,
  r_device_error = 401,
};

// The LLRP name ("M_Success", "P_FieldError", ...), or "unknown" for codes
// LLRP 1.1 does not define.
std::string_view to_string(StatusCode code) noexcept;

struct FieldError {
  std::uint16_t field_number = 0;  // position of the field in its message/parameter, from 0
  StatusCode error_code = StatusCode::m_success;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

struct ParameterError {
  std::uint16_t parameter_type = 0;  // a ParameterType number
  StatusCode error_code = StatusCode::m_success;
  std::optional<FieldError> field_error;

  friend bool operator==(const ParameterError&, const ParameterError&) = default;
};

// A ParameterError may contain a ParameterError for the culprit's
// sub-parameter, and so on; readers nest them only a few levels deep.
inline constexpr std::size_t kMaxParameterErrorDepth = 16;

struct LlrpStatus {
  StatusCode code = StatusCode::m_success;
  std::string error_description;  // UTF-8 from the reader, may be empty
  std::optional<FieldError> field_error;
  // The ParameterError chain, outermost first: parameter_errors[i+1] is the
  // ParameterError nested in parameter_errors[i].
  std::vector<ParameterError> parameter_errors;

  bool ok() const noexcept { return code == StatusCode::m_success; }

  // One line for logs: "P_FieldError: bad antenna (parameter 183: P_FieldError;
  // field 0: A_OutOfRange)".
  std::string describe() const;

  friend bool operator==(const LlrpStatus&, const LlrpStatus&) = default;
};

// Decodes the body of an LLRPStatus parameter (after its TLV header).
std::error_code read_llrp_status(std::span<const std::uint8_t> body, LlrpStatus& out);

// Finds the mandatory LLRPStatus among `parameters` (a response body) and
// decodes it; Errc::missing_parameter if there is none.
std::error_code find_llrp_status(std::span<const std::uint8_t> parameters, LlrpStatus& out);

// Appends an LLRPStatus parameter.
void write_llrp_status(MessageWriter& writer, const LlrpStatus& status);

}  // namespace garita::hal::llrp
