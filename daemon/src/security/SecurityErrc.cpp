#include "garita/daemon/security/SecurityErrc.hpp"

#include <string>

namespace garita::security {
namespace {

class SecurityCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "security"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_argument: return "invalid argument";
      case Errc::bad_user_name: return "bad user name";
      case Errc::unknown_user: return "unknown user";
      case Errc::user_exists: return "user already exists";
      case Errc::user_disabled: return "user is disabled";
      case Errc::token_malformed: return "token is malformed";
      case Errc::token_unknown: return "token is unknown";
      case Errc::token_expired: return "token has expired";
      case Errc::token_revoked: return "token was revoked";
      case Errc::bad_lifetime: return "token lifetime out of range";
      case Errc::not_permitted: return "not permitted for this role";
      case Errc::open_failed: return "database could not be opened";
      case Errc::not_a_garita_db: return "not a garita database of this kind";
      case Errc::schema_too_new: return "database schema is newer than this program";
      case Errc::database_error: return "database error";
      case Errc::key_unreadable: return "key file unreadable";
      case Errc::key_unsafe_permissions: return "key file has unsafe permissions";
      case Errc::key_invalid: return "key or certificate is invalid";
      case Errc::crypto_failed: return "cryptographic operation failed";
      case Errc::audit_tampered: return "audit log fails verification";
    }
    return "unknown security error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& security_category() noexcept {
  static const SecurityCategory category;
  return category;
}

}  // namespace garita::security
