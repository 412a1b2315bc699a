#pragma once
// Error codes of the people-facing API ("api" category). Each maps to one
// HTTP status and a stable JSON "error" code (docs/api.md, "Errors").
#include <system_error>

namespace garita::daemon::api {

enum class ApiErrc {
  bad_target = 1,      // 400: request-target is not clean origin-form
  bad_parameter,       // 400: a query parameter is missing, unknown or malformed
  unauthenticated,     // 401: no, malformed, unknown, expired or revoked token
  forbidden,           // 403: the role may not do this
  not_found,           // 404: no such endpoint
  method_not_allowed,  // 405
  rate_limited,        // 429: the token's request budget is spent
  not_implemented,     // 501: the endpoint comes with a later issue
  unavailable,         // 503: a store could not be read
};

const std::error_category& api_category() noexcept;

inline std::error_code make_error_code(ApiErrc e) noexcept {
  return {static_cast<int>(e), api_category()};
}

}  // namespace garita::daemon::api

template <>
struct std::is_error_code_enum<garita::daemon::api::ApiErrc> : std::true_type {};
