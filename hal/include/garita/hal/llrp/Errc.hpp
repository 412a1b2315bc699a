#pragma once
// Error codes of the LLRP codec (category "llrp"). Every codec function
// reports malformed input through these; nothing throws.
//
// Framing errors (message_length_too_small/too_large) are fatal for the TCP
// stream: LLRP has no sync marker, so once a length field cannot be trusted
// the next message boundary is unknowable and the connection must be dropped
// (LLRP 1.1 §17.1: the length is the only delimiter). Every other error
// concerns one message; the stream stays in sync and the driver may answer
// with an ERROR_MESSAGE and carry on.
#include <system_error>

namespace garita::hal::llrp {

enum class Errc {
  unsupported_version = 1,     // header version is not 1 (LLRP 1.0.1) or 2 (LLRP 1.1)
  message_length_too_small,    // header length < 10, the header's own size
  message_length_too_large,    // header length above the configured maximum
  message_length_mismatch,     // a buffer given as one message is not exactly its header length
  wrong_message_type,          // a decoder was handed a message of another type/vendor/subtype
  parameter_truncated,         // the bytes end inside a parameter header or a TV parameter
  parameter_overruns_parent,   // a TLV length reaches past its enclosing parameter or message
  parameter_length_too_small,  // a TLV length shorter than its own header (4, or 12 for Custom)
  reserved_parameter_type,     // a TLV with a type below 128 (those numbers belong to TV)
  unknown_tv_type,             // a TV type LLRP 1.1 does not define: its size is unknowable
  unexpected_parameter,        // a parameter where the spec allows none of its kind
  missing_parameter,           // a mandatory parameter is absent
  duplicate_parameter,         // a 0-1 / exactly-1 parameter that appears twice
  field_truncated,             // the fixed fields of a message or parameter are cut short
  value_too_large,             // a field exceeds what LLRP or this codec can hold
  nesting_too_deep,            // ParameterError chains nested beyond the codec's limit
};

const std::error_category& llrp_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), llrp_category()};
}

}  // namespace garita::hal::llrp

template <>
struct std::is_error_code_enum<garita::hal::llrp::Errc> : std::true_type {};
