#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "SecurityTestSupport.hpp"
#include "garita/daemon/security/ApiToken.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"
#include "garita/daemon/security/UserStore.hpp"

using namespace garita::security;
using garita::security::test::raw_int;
using garita::security::test::TempDir;
using std::chrono::hours;

namespace {
constexpr std::int64_t kNow = 1'795'000'000'000'000;  // 2026-11-18
constexpr std::int64_t kHourUs = 3'600'000'000;
}  // namespace

TEST_CASE("User names are short and plain", "[users]") {
  CHECK(is_valid_user_name("ana.garcia"));
  CHECK(is_valid_user_name("o7"));
  CHECK(is_valid_user_name(std::string(32, 'a')));
  CHECK_FALSE(is_valid_user_name(std::string(33, 'a')));
  CHECK_FALSE(is_valid_user_name(""));
  CHECK_FALSE(is_valid_user_name("Ana"));
  CHECK_FALSE(is_valid_user_name(".ana"));
  CHECK_FALSE(is_valid_user_name("ana garcia"));
  CHECK_FALSE(is_valid_user_name("ana\n"));
  CHECK_FALSE(is_valid_user_name("josé"));
}

TEST_CASE("A token authenticates its user until it expires", "[users]") {
  TempDir dir;
  UserStore store;
  REQUIRE_FALSE(store.open(dir / "users.db"));
  User u;
  REQUIRE_FALSE(store.add_user("ofc.lopez", Role::officer, kNow, u));
  IssuedToken t;
  REQUIRE_FALSE(store.issue_token("ofc.lopez", hours(12), kNow, t));
  REQUIRE(is_well_formed_token(t.token));
  CHECK(t.info.expires_utc_us == kNow + 12 * kHourUs);

  Authenticated a;
  REQUIRE_FALSE(store.authenticate(t.token, kNow + 1, a));
  CHECK(a.user.name == "ofc.lopez");
  CHECK(a.user.role == Role::officer);
  CHECK(a.token_id == t.info.id);

  CHECK(store.authenticate(t.token, kNow + 12 * kHourUs, a) == Errc::token_expired);
  CHECK(store.last_error().find(t.token) == std::string::npos);
  CHECK(store.last_error().find("ofc.lopez") == std::string::npos);
}

TEST_CASE("Unknown, malformed, revoked tokens and disabled users are refused", "[users]") {
  TempDir dir;
  UserStore store;
  REQUIRE_FALSE(store.open(dir / "users.db"));
  User u;
  REQUIRE_FALSE(store.add_user("tec1", Role::technician, kNow, u));
  IssuedToken t1, t2;
  REQUIRE_FALSE(store.issue_token("tec1", hours(1), kNow, t1));
  REQUIRE_FALSE(store.issue_token("tec1", hours(1), kNow, t2));
  Authenticated a;

  std::string other;
  REQUIRE_FALSE(generate_token(other));
  CHECK(store.authenticate(other, kNow, a) == Errc::token_unknown);
  CHECK(store.authenticate("gar_short", kNow, a) == Errc::token_malformed);
  CHECK(store.authenticate("", kNow, a) == Errc::token_malformed);

  // Revoke one token by id: the other still works.
  std::string owner;
  REQUIRE_FALSE(store.revoke_token(t1.info.id, kNow + 5, owner));
  CHECK(owner == "tec1");
  CHECK(store.authenticate(t1.token, kNow + 10, a) == Errc::token_revoked);
  CHECK(a.user.name == "tec1");  // filled for the login.failed audit row
  REQUIRE_FALSE(store.authenticate(t2.token, kNow + 10, a));
  CHECK(store.revoke_token(9999, kNow, owner) == Errc::token_unknown);

  // Disabling the user stops every token at once; enabling restores it.
  REQUIRE_FALSE(store.set_disabled("tec1", true, kNow + 20));
  CHECK(store.authenticate(t2.token, kNow + 30, a) == Errc::user_disabled);
  IssuedToken t3;
  CHECK(store.issue_token("tec1", hours(1), kNow + 30, t3) == Errc::user_disabled);
  REQUIRE_FALSE(store.set_disabled("tec1", false, kNow + 40));
  REQUIRE_FALSE(store.authenticate(t2.token, kNow + 50, a));

  // Revoke all of a user's tokens.
  std::size_t n = 0;
  REQUIRE_FALSE(store.revoke_user_tokens("tec1", kNow + 60, n));
  CHECK(n == 1);  // t1 was already revoked
  CHECK(store.authenticate(t2.token, kNow + 70, a) == Errc::token_revoked);
}

TEST_CASE("Only SHA-256 hashes of tokens are stored", "[users]") {
  TempDir dir;
  const auto db = dir / "users.db";
  std::string token;
  {
    UserStore store;
    REQUIRE_FALSE(store.open(db));
    User u;
    REQUIRE_FALSE(store.add_user("adm", Role::admin, kNow, u));
    IssuedToken t;
    REQUIRE_FALSE(store.issue_token("adm", hours(1), kNow, t));
    token = t.token;
  }
  CHECK(raw_int(db, "SELECT count(*) FROM tokens WHERE sha256_hex = '" + token_hash_hex(token) +
                        "'") == 1);
  // The token text appears nowhere in the file (or its WAL).
  for (const auto* suffix : {"", "-wal"}) {
    std::ifstream in(db.string() + suffix, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find(token.substr(4)) == std::string::npos);
  }
  struct stat st {};
  REQUIRE(::stat(db.c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
}

TEST_CASE("User store refuses bad names, duplicates, and bad lifetimes", "[users]") {
  TempDir dir;
  UserStore store;
  REQUIRE_FALSE(store.open(dir / "users.db"));
  User u;
  CHECK(store.add_user("Bad Name", Role::admin, kNow, u) == Errc::bad_user_name);
  REQUIRE_FALSE(store.add_user("sup", Role::supervisor, kNow, u));
  CHECK(store.add_user("sup", Role::officer, kNow, u) == Errc::user_exists);
  IssuedToken t;
  CHECK(store.issue_token("sup", std::chrono::seconds(30), kNow, t) == Errc::bad_lifetime);
  CHECK(store.issue_token("sup", hours(24 * 90 + 1), kNow, t) == Errc::bad_lifetime);
  REQUIRE_FALSE(store.issue_token("sup", hours(24 * 90), kNow, t));
  CHECK(store.issue_token("nobody", hours(1), kNow, t) == Errc::unknown_user);

  std::vector<User> users;
  REQUIRE_FALSE(store.list_users(users));
  REQUIRE(users.size() == 1);
  CHECK(users[0].role == Role::supervisor);
  std::vector<TokenInfo> tokens;
  REQUIRE_FALSE(store.list_tokens("sup", tokens));
  CHECK(tokens.size() == 1);
}

TEST_CASE("User store refuses another kind of SQLite file", "[users]") {
  TempDir dir;
  const auto db = dir / "other.db";
  garita::security::test::raw_sql(db, "CREATE TABLE t(x); PRAGMA application_id = 42;");
  UserStore store;
  CHECK(store.open(db) == Errc::not_a_garita_db);
  UserStoreOptions ro;
  ro.read_only = true;
  UserStore missing;
  CHECK(missing.open(dir / "missing.db", ro) == Errc::open_failed);
}
