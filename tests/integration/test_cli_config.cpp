// `garita config check` as a technician runs it on a real file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "ProcessRunner.hpp"

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/garita-config-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string config_text(const std::filesystem::path& dir, std::string_view uri) {
  return "[site]\nport_code = \"SYS\"\ntime_zone = \"UTC\"\n[database]\npath = \"" +
         (dir / "crossings.db").string() + "\"\n[[reader]]\nid = \"r1\"\nuri = \"" +
         std::string(uri) + "\"\n[[lane]]\nid = \"P01\"\n[[lane.antenna]]\nreader = \"r1\"\n" +
         "antenna = 1\nrole = \"entry\"\n";
}

garita::test::ProcessResult check(const std::filesystem::path& file) {
  auto r = garita::test::run_process({GARITA_CLI, "config", "check", file.string()},
                                     std::chrono::seconds(20));
  REQUIRE_FALSE(r.timed_out);
  return r;
}

}  // namespace

TEST_CASE("config check accepts a good file and says what it understood") {
  TempDir dir;
  const auto file = dir.path / "garitad.toml";
  std::ofstream(file) << config_text(dir.path, "llrp://127.0.0.1");
  const auto r = check(file);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(": OK") != std::string::npos);
  CHECK(r.out.find("reader r1: llrp://127.0.0.1") != std::string::npos);
  CHECK(r.out.find("lane P01: gap 2 s, min 2 reads") != std::string::npos);
  CHECK(r.out.find("r1#1(entry)") != std::string::npos);
}

TEST_CASE("config check names the line of a bad reader URI") {
  TempDir dir;
  const auto file = dir.path / "garitad.toml";
  std::ofstream(file) << config_text(dir.path, "llrpx://127.0.0.1");
  const auto r = check(file);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "garita: " + file.string() +
                     ":8: reader[1].uri: unknown reader scheme 'llrpx' (expected llrp, llrps, "
                     "serial, usb)\n");
}

TEST_CASE("config check refuses a database folder that does not exist") {
  TempDir dir;
  const auto file = dir.path / "garitad.toml";
  std::ofstream(file) << config_text(dir.path / "missing", "llrp://127.0.0.1");
  const auto r = check(file);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("does not exist") != std::string::npos);
}

TEST_CASE("config check of a missing file says so") {
  const auto r = check("/nonexistent/garitad.toml");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/nonexistent/garitad.toml: cannot open") != std::string::npos);
}

TEST_CASE("config check shows the partner exchange settings") {
  TempDir dir;
  const auto file = dir.path / "garitad.toml";
  std::ofstream(file) << config_text(dir.path, "llrp://127.0.0.1")
                      << "[exchange]\nkey_file = \"keys/exchange.key\"\n"
                         "cert_file = \"keys/exchange.pem\"\npartner_certificate = "
                         "\"keys/partner.pem\"\npartner_ca_file = \"keys/partner-ca.pem\"\n"
                         "partner_signers = [\""
                      << std::string(64, 'A') << "\"]\n";
  auto r = check(file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("exchange: sender INM-SYS, key " + (dir.path / "keys/exchange.key").string()) !=
        std::string::npos);
  CHECK(r.out.find("exchange: exports encrypted to " + (dir.path / "keys/partner.pem").string() +
                   "; returns from sender CBP signed under " +
                   (dir.path / "keys/partner-ca.pem").string() +
                   " by 1 listed signer certificate(s)") != std::string::npos);
  // A typo is refused with its line.
  std::ofstream(file, std::ios::app) << "exprot_dir = \"/media\"\n";
  r = check(file);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("exchange.exprot_dir: unknown key 'exprot_dir' (did you mean 'export_dir'?)") !=
        std::string::npos);
}
