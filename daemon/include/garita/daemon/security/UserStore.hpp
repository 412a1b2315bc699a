#pragma once
// The people who may use garitad's API, their roles and their tokens, in an
// SQLite file of their own (WAL, synchronous=FULL, secure_delete so that a
// removed row's bytes are overwritten on disk). Tokens are stored only as
// SHA-256 hex (ApiToken.hpp); the token text is returned once by
// issue_token() and never again. Thread-safe: one connection behind a mutex,
// so API handlers may call authenticate() from any thread.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "garita/daemon/security/Role.hpp"

struct sqlite3;

namespace garita::security {

// Token lifetimes: people get hours (config [security] token_lifetime_hours,
// default 12); nothing lives longer than 90 days.
inline constexpr std::chrono::minutes kMinTokenLifetime{1};
inline constexpr std::chrono::hours kMaxTokenLifetime{24 * 90};
inline constexpr std::size_t kMaxUserNameLength = 32;

// 1..32 characters of [a-z0-9._-], the first a letter or digit. User names
// end up in audit rows and log lines: keep them plain.
bool is_valid_user_name(std::string_view name) noexcept;

struct User {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::technician;
  std::int64_t created_utc_us = 0;
  bool disabled = false;
  std::int64_t disabled_utc_us = 0;  // 0 while enabled
};

struct TokenInfo {
  std::int64_t id = 0;  // shown by `garita user list`, used by `revoke --token-id`
  std::string user;
  std::int64_t issued_utc_us = 0;
  std::int64_t expires_utc_us = 0;
  std::int64_t revoked_utc_us = 0;  // 0 while not revoked
};

struct IssuedToken {
  std::string token;  // "gar_..." -- show once, never log, never store
  TokenInfo info;
};

// What authenticate() gives a handler on success.
struct Authenticated {
  User user;
  std::int64_t token_id = 0;
  std::int64_t expires_utc_us = 0;
};

struct UserStoreOptions {
  bool read_only = false;
  bool create = true;  // create the file (0600) and schema when missing
};

class UserStore {
 public:
  UserStore();
  ~UserStore();
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  std::error_code open(const std::filesystem::path& path, const UserStoreOptions& options = {});
  void close();
  bool is_open() const;

  std::error_code add_user(std::string_view name, Role role, std::int64_t now_utc_us, User& out);
  std::error_code find_user(std::string_view name, User& out);
  std::error_code list_users(std::vector<User>& out);
  // Disabling a user makes every token of theirs fail with user_disabled at once.
  std::error_code set_disabled(std::string_view name, bool disabled, std::int64_t now_utc_us);

  // A new token for `name`, valid for `lifetime` (kMinTokenLifetime ..
  // kMaxTokenLifetime, else bad_lifetime). Disabled users get no token.
  std::error_code issue_token(std::string_view name, std::chrono::seconds lifetime,
                              std::int64_t now_utc_us, IssuedToken& out);
  // Revokes every unrevoked token of `name`; `count` says how many.
  std::error_code revoke_user_tokens(std::string_view name, std::int64_t now_utc_us,
                                     std::size_t& count);
  // Revokes one token by id (token_unknown when there is none); `user` gets its owner.
  std::error_code revoke_token(std::int64_t token_id, std::int64_t now_utc_us, std::string& user);
  // Tokens of one user (or all when `name` is empty), newest first; never the hashes.
  std::error_code list_tokens(std::string_view name, std::vector<TokenInfo>& out);

  // Checks a token text. Errors: token_malformed, token_unknown,
  // token_expired, token_revoked, user_disabled (in that order of checks).
  // The token row is found by its hash (indexed); the stored hash is then
  // compared with CRYPTO_memcmp so the comparison itself leaks no timing.
  // On token_expired, token_revoked and user_disabled `out` is still filled
  // (whose token it was, for the audit row); on other errors it is untouched.
  // last_error() then names the token id only, never the user or the token.
  std::error_code authenticate(std::string_view token, std::int64_t now_utc_us, Authenticated& out);

  // One line for a person about the last failure (never a token or hash).
  const std::string& last_error() const { return last_error_; }

 private:
  std::error_code fail(std::error_code ec, std::string message);
  std::error_code sqlite_fail(std::string_view what);
  std::error_code find_user_locked(std::string_view name, User& out);

  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  std::string last_error_;
};

}  // namespace garita::security
