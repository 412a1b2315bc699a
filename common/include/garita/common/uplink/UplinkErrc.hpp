#pragma once
// Error codes of the uplink codec (category "uplink"). Every failing decode
// also gives a one-line message naming the JSON path that was wrong.
#include <system_error>

namespace garita::uplink {

enum class Errc {
  body_too_large = 1,  // more bytes than the protocol allows (kMaxBodyBytes)
  not_json,            // not valid JSON (or nested deeper than the protocol needs)
  wrong_type,          // a value has the wrong JSON type
  missing_field,       // a required field is absent
  unknown_field,       // a field the protocol does not define
  bad_value,           // a value outside its allowed range or set
};

const std::error_category& uplink_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), uplink_category()};
}

}  // namespace garita::uplink

template <>
struct std::is_error_code_enum<garita::uplink::Errc> : std::true_type {};
