#include "garita/daemon/security/UserStore.hpp"

#include <openssl/crypto.h>

#include "SqliteFile.hpp"
#include "garita/daemon/security/ApiToken.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::security {
namespace {

using detail::Statement;

// PRAGMA application_id 'GARU': a users file is never mistaken for another.
constexpr std::int32_t kUsersApplicationId = 0x47415255;
constexpr int kUsersSchemaVersion = 1;
constexpr std::string_view kUsersSchema = R"sql(
CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  name            TEXT    NOT NULL UNIQUE,
  role            TEXT    NOT NULL,
  created_utc_us  INTEGER NOT NULL,
  disabled_utc_us INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tokens (
  id              INTEGER PRIMARY KEY,
  user_id         INTEGER NOT NULL REFERENCES users(id),
  sha256_hex      TEXT    NOT NULL UNIQUE,   -- SHA-256 of the token text; never the token
  issued_utc_us   INTEGER NOT NULL,
  expires_utc_us  INTEGER NOT NULL,
  revoked_utc_us  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_user ON tokens(user_id);
)sql";

constexpr detail::SqliteFileSpec kSpec{"users database", kUsersApplicationId, kUsersSchemaVersion,
                                       kUsersSchema};

}  // namespace

bool is_valid_user_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > kMaxUserNameLength) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

UserStore::UserStore() = default;
UserStore::~UserStore() { close(); }

std::error_code UserStore::fail(std::error_code ec, std::string message) {
  last_error_ = std::move(message);
  return ec;
}

std::error_code UserStore::sqlite_fail(std::string_view what) {
  return fail(Errc::database_error,
              path_.string() + ": " + std::string(what) + ": " + detail::sqlite_message(db_));
}

std::error_code UserStore::open(const std::filesystem::path& path,
                                const UserStoreOptions& options) {
  std::lock_guard lock(mutex_);
  if (db_ != nullptr) return fail(Errc::invalid_argument, "users database is already open");
  path_ = path;
  std::string error;
  if (auto ec =
          detail::open_sqlite_file(path, options.read_only, options.create, kSpec, db_, error)) {
    return fail(ec, error);
  }
  return {};
}

void UserStore::close() {
  std::lock_guard lock(mutex_);
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

bool UserStore::is_open() const {
  std::lock_guard lock(mutex_);
  return db_ != nullptr;
}

namespace {

bool read_user(const Statement& s, int first, User& out) {
  out.id = s.int64(first);
  out.name = s.text(first + 1);
  const auto role = parse_role(s.text(first + 2));
  if (!role) return false;
  out.role = *role;
  out.created_utc_us = s.int64(first + 3);
  out.disabled_utc_us = s.int64(first + 4);
  out.disabled = out.disabled_utc_us != 0;
  return true;
}

}  // namespace

std::error_code UserStore::find_user_locked(std::string_view name, User& out) {
  if (db_ == nullptr) return fail(Errc::invalid_argument, "users database is not open");
  if (!is_valid_user_name(name)) {
    return fail(Errc::bad_user_name,
                "user name must be 1 to 32 of a-z 0-9 . _ - "
                "starting with a letter or digit");
  }
  Statement s(db_,
              "SELECT id, name, role, created_utc_us, disabled_utc_us FROM users WHERE name = ?");
  s.bind(1, name);
  const int rc = s.step();
  if (rc == SQLITE_DONE) {
    return fail(Errc::unknown_user, "no user named '" + std::string(name) + "'");
  }
  if (rc != SQLITE_ROW) return sqlite_fail("reading a user");
  if (!read_user(s, 0, out)) {
    return fail(Errc::database_error, path_.string() + ": user '" + std::string(name) +
                                          "' has an unknown role (file damaged or newer)");
  }
  return {};
}

std::error_code UserStore::find_user(std::string_view name, User& out) {
  std::lock_guard lock(mutex_);
  return find_user_locked(name, out);
}

std::error_code UserStore::add_user(std::string_view name, Role role, std::int64_t now_utc_us,
                                    User& out) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return fail(Errc::invalid_argument, "users database is not open");
  if (!is_valid_user_name(name)) {
    return fail(Errc::bad_user_name, "user name '" + std::string(name.substr(0, 40)) +
                                         "' must be 1 to 32 of a-z 0-9 . _ - starting with a "
                                         "letter or digit");
  }
  Statement s(db_, "INSERT INTO users(name, role, created_utc_us) VALUES(?, ?, ?)");
  s.bind(1, name).bind(2, to_string(role)).bind(3, now_utc_us);
  const int rc = s.step();
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    return fail(Errc::user_exists, "a user named '" + std::string(name) + "' already exists");
  }
  if (rc != SQLITE_DONE) return sqlite_fail("adding a user");
  out = User{};
  out.id = sqlite3_last_insert_rowid(db_);
  out.name = std::string(name);
  out.role = role;
  out.created_utc_us = now_utc_us;
  return {};
}

std::error_code UserStore::list_users(std::vector<User>& out) {
  std::lock_guard lock(mutex_);
  out.clear();
  if (db_ == nullptr) return fail(Errc::invalid_argument, "users database is not open");
  Statement s(db_,
              "SELECT id, name, role, created_utc_us, disabled_utc_us FROM users ORDER BY name");
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    User u;
    if (!read_user(s, 0, u)) {
      return fail(Errc::database_error, path_.string() + ": a user has an unknown role");
    }
    out.push_back(std::move(u));
  }
  if (rc != SQLITE_DONE) return sqlite_fail("listing users");
  return {};
}

std::error_code UserStore::set_disabled(std::string_view name, bool disabled,
                                        std::int64_t now_utc_us) {
  std::lock_guard lock(mutex_);
  User user;
  if (auto ec = find_user_locked(name, user)) return ec;
  Statement s(db_, "UPDATE users SET disabled_utc_us = ? WHERE id = ?");
  s.bind(1, disabled ? std::max<std::int64_t>(now_utc_us, 1) : 0).bind(2, user.id);
  if (s.step() != SQLITE_DONE) return sqlite_fail("changing a user");
  return {};
}

std::error_code UserStore::issue_token(std::string_view name, std::chrono::seconds lifetime,
                                       std::int64_t now_utc_us, IssuedToken& out) {
  std::lock_guard lock(mutex_);
  if (lifetime < kMinTokenLifetime || lifetime > kMaxTokenLifetime) {
    return fail(Errc::bad_lifetime, "a token lives from 1 minute to 90 days (asked: " +
                                        std::to_string(lifetime.count()) + " s)");
  }
  User user;
  if (auto ec = find_user_locked(name, user)) return ec;
  if (user.disabled) {
    return fail(Errc::user_disabled, "user '" + user.name + "' is disabled: no new token");
  }
  std::string token;
  if (auto ec = generate_token(token)) {
    return fail(ec, "the system random generator failed (RAND_bytes): no token issued");
  }
  const std::int64_t expires = now_utc_us + lifetime.count() * 1'000'000;
  Statement s(db_,
              "INSERT INTO tokens(user_id, sha256_hex, issued_utc_us, expires_utc_us) "
              "VALUES(?, ?, ?, ?)");
  s.bind(1, user.id).bind(2, token_hash_hex(token)).bind(3, now_utc_us).bind(4, expires);
  if (s.step() != SQLITE_DONE) {
    OPENSSL_cleanse(token.data(), token.size());
    return sqlite_fail("storing a token");
  }
  out.token = std::move(token);
  out.info = TokenInfo{sqlite3_last_insert_rowid(db_), user.name, now_utc_us, expires, 0};
  return {};
}

std::error_code UserStore::revoke_user_tokens(std::string_view name, std::int64_t now_utc_us,
                                              std::size_t& count) {
  std::lock_guard lock(mutex_);
  count = 0;
  User user;
  if (auto ec = find_user_locked(name, user)) return ec;
  Statement s(db_, "UPDATE tokens SET revoked_utc_us = ? WHERE user_id = ? AND revoked_utc_us = 0");
  s.bind(1, std::max<std::int64_t>(now_utc_us, 1)).bind(2, user.id);
  if (s.step() != SQLITE_DONE) return sqlite_fail("revoking tokens");
  count = static_cast<std::size_t>(sqlite3_changes(db_));
  return {};
}

std::error_code UserStore::revoke_token(std::int64_t token_id, std::int64_t now_utc_us,
                                        std::string& user) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return fail(Errc::invalid_argument, "users database is not open");
  Statement find(db_,
                 "SELECT u.name FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?");
  find.bind(1, token_id);
  const int rc = find.step();
  if (rc == SQLITE_DONE) {
    return fail(Errc::token_unknown, "no token with id " + std::to_string(token_id));
  }
  if (rc != SQLITE_ROW) return sqlite_fail("finding a token");
  user = find.text(0);
  Statement s(db_, "UPDATE tokens SET revoked_utc_us = ? WHERE id = ? AND revoked_utc_us = 0");
  s.bind(1, std::max<std::int64_t>(now_utc_us, 1)).bind(2, token_id);
  if (s.step() != SQLITE_DONE) return sqlite_fail("revoking a token");
  return {};
}

std::error_code UserStore::list_tokens(std::string_view name, std::vector<TokenInfo>& out) {
  std::lock_guard lock(mutex_);
  out.clear();
  if (db_ == nullptr) return fail(Errc::invalid_argument, "users database is not open");
  std::int64_t user_id = 0;
  if (!name.empty()) {
    User user;
    if (auto ec = find_user_locked(name, user)) return ec;
    user_id = user.id;
  }
  Statement s(db_,
              "SELECT t.id, u.name, t.issued_utc_us, t.expires_utc_us, t.revoked_utc_us "
              "FROM tokens t JOIN users u ON u.id = t.user_id "
              "WHERE ?1 = 0 OR t.user_id = ?1 ORDER BY t.id DESC");
  s.bind(1, user_id);
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(TokenInfo{s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4)});
  }
  if (rc != SQLITE_DONE) return sqlite_fail("listing tokens");
  return {};
}

std::error_code UserStore::authenticate(std::string_view token, std::int64_t now_utc_us,
                                        Authenticated& out) {
  // Messages here name neither the token, its hash nor the user: a
  // handler may log them.
  std::lock_guard lock(mutex_);
  if (!is_well_formed_token(token)) {
    return fail(Errc::token_malformed, "the token is not of the form gar_ + 43 characters");
  }
  const std::string hash = token_hash_hex(token);
  if (db_ == nullptr) return fail(Errc::invalid_argument, "users database is not open");
  Statement s(db_,
              "SELECT t.id, t.sha256_hex, t.expires_utc_us, t.revoked_utc_us, "
              "u.id, u.name, u.role, u.created_utc_us, u.disabled_utc_us "
              "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.sha256_hex = ?");
  s.bind(1, hash);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return fail(Errc::token_unknown, "unknown token");
  if (rc != SQLITE_ROW) return sqlite_fail("checking a token");
  // The index lookup found the row; compare the hashes again in constant
  // time so no decision below depends on a data-dependent early exit.
  const std::string stored = s.text(1);
  if (stored.size() != hash.size() || CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) != 0) {
    return fail(Errc::token_unknown, "unknown token");
  }
  Authenticated result;
  result.token_id = s.int64(0);
  result.expires_utc_us = s.int64(2);
  const std::int64_t revoked = s.int64(3);
  if (!read_user(s, 4, result.user)) {
    return fail(Errc::database_error, path_.string() + ": a user has an unknown role");
  }
  // On the three refusals below `out` still names the user and token, so
  // the handler's "login.failed" audit row can say whose token it was.
  out = result;
  if (now_utc_us >= result.expires_utc_us) {
    return fail(Errc::token_expired, "token " + std::to_string(result.token_id) + " has expired");
  }
  if (revoked != 0) {
    return fail(Errc::token_revoked, "token " + std::to_string(result.token_id) + " was revoked");
  }
  if (result.user.disabled) {
    return fail(Errc::user_disabled,
                "the user of token " + std::to_string(result.token_id) + " is disabled");
  }
  return {};
}

}  // namespace garita::security
