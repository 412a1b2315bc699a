#pragma once
// Error codes of users, tokens and the audit log (category "security"). The
// classes that return them also leave a one-line message for a person in
// last_error() (file, what was being done, what failed) that never contains
// a token, a token hash or search terms.
#include <system_error>

namespace garita::security {

enum class Errc {
  invalid_argument = 1,    // bad call (empty path, out of order, bad limit)
  bad_user_name,           // not 1..32 of [a-z0-9._-] starting with a letter or digit
  unknown_user,            // no such user
  user_exists,             // add_user with a name already taken
  user_disabled,           // the token's user is disabled
  token_malformed,         // not "gar_" + 43 base64url characters
  token_unknown,           // no token with that hash
  token_expired,           // past its expiry
  token_revoked,           // revoked
  bad_lifetime,            // token lifetime outside 1 minute .. 90 days
  not_permitted,           // the role may not do this (e.g. read the audit log)
  open_failed,             // the database could not be opened or created
  not_a_garita_db,         // an SQLite file of something else: left untouched
  schema_too_new,          // written by a newer garita
  database_error,          // any other SQLite failure (see last_error())
  key_unreadable,          // key/cert file missing or unreadable
  key_unsafe_permissions,  // private key readable by group/other, or not a regular file
  key_invalid,             // not a PEM private key / certificate / public key
  crypto_failed,           // an OpenSSL call failed (RAND_bytes, sign, digest)
  audit_tampered,          // verify found a bad row or signature (see the report)
};

const std::error_category& security_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), security_category()};
}

}  // namespace garita::security

template <>
struct std::is_error_code_enum<garita::security::Errc> : std::true_type {};
