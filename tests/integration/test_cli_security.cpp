// `garita user ...` and `garita audit ...` as an administrator and an
// auditor run them: the real binary, a real config, real key files.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "ProcessRunner.hpp"
#include "SelfSignedKey.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"
#include "garita/daemon/security/UserStore.hpp"

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/garita-security-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

void write_key_and_cert(const std::filesystem::path& key_file,
                        const std::filesystem::path& cert_file) {
  garita::test::write_self_signed_key(key_file, cert_file);
}

struct Site {
  TempDir dir;
  std::filesystem::path config = dir.path / "garitad.toml";
  std::filesystem::path key = dir.path / "audit.key";
  std::filesystem::path cert = dir.path / "audit.crt";

  Site() {
    write_key_and_cert(key, cert);
    std::ofstream(config) << "[site]\nport_code = \"SYS\"\ntime_zone = \"UTC\"\n"
                             "[database]\npath = \"crossings.db\"\n"
                             "[[reader]]\nid = \"r1\"\nuri = \"llrp://127.0.0.1\"\n"
                             "[[lane]]\nid = \"P01\"\n[[lane.antenna]]\nreader = \"r1\"\n"
                             "antenna = 1\n"
                             "[security]\nsigning_key = \"audit.key\"\n"
                             "signing_cert = \"audit.crt\"\naudit_sign_every_rows = 3\n";
  }

  garita::test::ProcessResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), GARITA_CLI);
    args.push_back("--config");
    args.push_back(config.string());
    auto r = garita::test::run_process(args, std::chrono::seconds(20));
    REQUIRE_FALSE(r.timed_out);
    return r;
  }
};

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

void raw_sql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  REQUIRE(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
}

}  // namespace

TEST_CASE("user add prints a working token once; list never shows tokens") {
  Site site;
  auto r = site.run({"user", "add", "ana", "--role", "officer"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  // Line 1: "# user ana added with role officer"; line 2: the token.
  const std::string rest = r.out.substr(r.out.find('\n') + 1);
  const std::string token = first_line(rest);
  REQUIRE(std::regex_match(token, std::regex("gar_[A-Za-z0-9_-]{43}")));

  // The printed token is the one garitad will accept.
  {
    garita::security::UserStore users;
    REQUIRE_FALSE(users.open(site.dir.path / "users.db"));
    garita::security::Authenticated a;
    REQUIRE_FALSE(users.authenticate(token, garita::host_now().utc_us, a));
    CHECK(a.user.name == "ana");
    CHECK(a.user.role == garita::security::Role::officer);
  }

  auto list = site.run({"user", "list"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("ana") != std::string::npos);
  CHECK(list.out.find("officer") != std::string::npos);
  CHECK(list.out.find("token 1:") != std::string::npos);
  CHECK(list.out.find("gar_") == std::string::npos);
  CHECK_FALSE(std::regex_search(list.out, std::regex("[0-9a-f]{64}")));

  auto again = site.run({"user", "token", "ana", "--expires-hours", "1"});
  REQUIRE(again.exit_code == 0);
  CHECK(first_line(again.out) != token);

  auto revoke = site.run({"user", "revoke", "ana"});
  REQUIRE(revoke.exit_code == 0);
  CHECK(revoke.out == "2 token(s) of ana revoked\n");
  {
    garita::security::UserStore users;
    REQUIRE_FALSE(users.open(site.dir.path / "users.db"));
    garita::security::Authenticated a;
    CHECK(users.authenticate(token, garita::host_now().utc_us, a) ==
          garita::security::Errc::token_revoked);
  }
}

TEST_CASE("user commands refuse bad input with exit 2 and one line") {
  Site site;
  auto r = site.run({"user", "add", "Ana Maria", "--role", "officer"});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("user name must be") != std::string::npos);
  r = site.run({"user", "add", "bob", "--role", "king"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("'king' is not a role") != std::string::npos);
  r = site.run({"user", "add", "bob", "--role", "admin", "--expires-hours", "3000"});
  CHECK(r.exit_code == 2);
  r = site.run({"user", "token", "nobody"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no user named 'nobody'") != std::string::npos);
  r = site.run({"user", "revoke", "--token-id", "42"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("a signing key readable by others is refused") {
  Site site;
  ::chmod(site.key.c_str(), 0644);
  auto r = site.run({"user", "add", "ana", "--role", "officer"});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("mode 0644") != std::string::npos);
  CHECK(r.err.find("chmod 600") != std::string::npos);
}

TEST_CASE("audit verify passes on the CLI's own rows and names a tampered row") {
  Site site;
  REQUIRE(site.run({"user", "add", "ana", "--role", "officer"}).exit_code == 0);
  REQUIRE(site.run({"user", "add", "aud", "--role", "auditor"}).exit_code == 0);
  REQUIRE(site.run({"user", "revoke", "ana"}).exit_code == 0);

  auto v = site.run({"audit", "verify"});
  INFO(v.out << v.err);
  REQUIRE(v.exit_code == 0);
  CHECK(v.out.find(": OK: 5 row(s) checked") != std::string::npos);
  CHECK(v.out.find("warning") == std::string::npos);  // every run signs its rows at close

  auto list = site.run({"audit", "list", "--json"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("\"action\":\"user.add\"") != std::string::npos);
  CHECK(list.out.find("\"action\":\"token.issue\"") != std::string::npos);
  CHECK(list.out.find("\"action\":\"user.revoke\"") != std::string::npos);
  CHECK(list.out.find("\"role\":\"admin\"") != std::string::npos);
  CHECK(list.out.find("gar_") == std::string::npos);
  auto filtered = site.run({"audit", "list", "--action", "user.revoke"});
  REQUIRE(filtered.exit_code == 0);
  CHECK(filtered.out.find("user.revoke") != std::string::npos);
  CHECK(filtered.out.find("user.add") == std::string::npos);

  raw_sql(site.dir.path / "audit.db", "UPDATE audit SET terms = '{\"name\":\"eve\"}' WHERE id = 3");
  v = site.run({"audit", "verify"});
  CHECK(v.exit_code == 1);
  CHECK(v.err.find("row 3: content edited") != std::string::npos);

  auto bad = site.run({"audit", "list", "--since", "yesterday"});
  CHECK(bad.exit_code == 2);

  // A tampered log is never purged (the evidence stays).
  auto purge = site.run({"audit", "purge"});
  CHECK(purge.exit_code == 1);
  CHECK(purge.err.find("not purged: row 3: content edited") != std::string::npos);
}

TEST_CASE("audit purge keeps rows younger than the retention") {
  Site site;
  REQUIRE(site.run({"user", "add", "ana", "--role", "officer"}).exit_code == 0);
  auto purge = site.run({"audit", "purge"});
  INFO(purge.err);
  CHECK(purge.exit_code == 0);
  CHECK(purge.out.find("nothing to purge") != std::string::npos);
  auto v = site.run({"audit", "verify"});
  CHECK(v.exit_code == 0);
}
