#pragma once
// garita's own error codes for the pure domain code in common/.
// Decoders never fail on well-formed bytes (they fall back to a raw form
// with a reason); these codes are for input that cannot even be read as
// bytes or as configuration.
#include <system_error>

namespace garita {

enum class Errc {
  hex_empty = 1,       // no hex digits at all
  hex_odd_length,      // an odd number of hex digits: not whole bytes
  hex_invalid_char,    // a character that is not a hex digit or separator
  hex_too_long,        // more bytes than the caller allows
  config_syntax,       // the file is not valid TOML
  config_missing_key,  // a required key is absent
  config_wrong_type,   // a key has the wrong TOML type
  config_bad_value,    // a key has a value outside its allowed set/range
  config_unknown_key,  // a key garita does not know (likely a typo)
  io_error,            // a file could not be opened or read
};

const std::error_category& garita_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), garita_category()};
}

}  // namespace garita

template <>
struct std::is_error_code_enum<garita::Errc> : std::true_type {};
