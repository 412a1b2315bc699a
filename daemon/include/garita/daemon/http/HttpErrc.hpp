#pragma once
// Error codes of garitad's HTTPS server core (category "http").
#include <system_error>

namespace garita::daemon::http {

enum class Errc {
  tls_setup_failed = 1,  // a certificate, key or CA file is missing or unusable
  key_permissions,       // the private key file is readable by group or others
  bad_address,           // the listen address is not an IP address
  listen_failed,         // the address/port could not be bound or listened on
  already_started,       // start() called twice
};

const std::error_category& http_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), http_category()};
}

}  // namespace garita::daemon::http

template <>
struct std::is_error_code_enum<garita::daemon::http::Errc> : std::true_type {};
