#include "garita/sim/llrp/ErrorStatus.hpp"

#include "garita/hal/llrp/Errc.hpp"

namespace garita::sim::llrp {
namespace codec = garita::hal::llrp;

codec::LlrpStatus success_status() { return codec::LlrpStatus{}; }

codec::LlrpStatus message_status(codec::StatusCode code, std::string description) {
  codec::LlrpStatus s;
  s.code = code;
  s.error_description = std::move(description);
  return s;
}

codec::LlrpStatus message_field_error(std::uint16_t field_number, codec::StatusCode field_code,
                                      std::string description) {
  codec::LlrpStatus s = message_status(codec::StatusCode::m_field_error, std::move(description));
  s.field_error = codec::FieldError{field_number, field_code};
  return s;
}

codec::LlrpStatus parameter_error(std::initializer_list<codec::ParameterError> chain,
                                  std::string description) {
  codec::LlrpStatus s =
      message_status(codec::StatusCode::m_parameter_error, std::move(description));
  s.parameter_errors.assign(chain.begin(), chain.end());
  return s;
}

codec::ParameterError in_parameter(codec::ParameterType type) {
  return {static_cast<std::uint16_t>(type), codec::StatusCode::p_parameter_error, std::nullopt};
}

codec::ParameterError bad_field(codec::ParameterType type, std::uint16_t field_number,
                                codec::StatusCode field_code) {
  return {static_cast<std::uint16_t>(type), codec::StatusCode::p_field_error,
          codec::FieldError{field_number, field_code}};
}

codec::ParameterError bad_parameter(codec::ParameterType type, codec::StatusCode code) {
  return {static_cast<std::uint16_t>(type), code, std::nullopt};
}

codec::LlrpStatus status_for_decode_error(std::error_code ec) {
  using codec::Errc;
  using codec::StatusCode;
  StatusCode code = StatusCode::m_parameter_error;
  if (ec == Errc::missing_parameter) {
    code = StatusCode::m_missing_parameter;
  } else if (ec == Errc::duplicate_parameter) {
    code = StatusCode::m_duplicate_parameter;
  } else if (ec == Errc::unexpected_parameter || ec == Errc::reserved_parameter_type) {
    code = StatusCode::m_unexpected_parameter;
  } else if (ec == Errc::unknown_tv_type) {
    code = StatusCode::m_unknown_parameter;
  } else if (ec == Errc::field_truncated || ec == Errc::value_too_large) {
    code = StatusCode::m_field_error;
  } else if (ec == Errc::unsupported_version) {
    code = StatusCode::m_unsupported_version;
  }
  return message_status(code, "cannot decode message: " + ec.message());
}

}  // namespace garita::sim::llrp
