#include "garita/daemon/api/ApiErrc.hpp"

#include <string>

namespace garita::daemon::api {
namespace {

class ApiCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "api"; }
  std::string message(int ev) const override {
    switch (static_cast<ApiErrc>(ev)) {
      case ApiErrc::bad_target: return "malformed request target";
      case ApiErrc::bad_parameter: return "bad query parameter";
      case ApiErrc::unauthenticated: return "missing, unknown, expired or revoked token";
      case ApiErrc::forbidden: return "role may not do this";
      case ApiErrc::not_found: return "no such endpoint";
      case ApiErrc::method_not_allowed: return "method not allowed";
      case ApiErrc::rate_limited: return "too many requests";
      case ApiErrc::not_implemented: return "not implemented yet";
      case ApiErrc::unavailable: return "store unavailable";
    }
    return "unknown api error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& api_category() noexcept {
  static const ApiCategory category;
  return category;
}

}  // namespace garita::daemon::api
