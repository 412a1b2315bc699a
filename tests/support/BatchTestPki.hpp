#pragma once
// A throwaway PKI for the tests of the partner exchange: scripts/test-pki.sh
// (EC P-256: ca, signing = the workstation, partner-ca, partner, wrong-ca,
// ...) run once per test program into a temp folder removed at exit, and the
// batch library's key/certificate/trust-store objects loaded from it.
// Header-only; needs Catch2 and GARITA_SOURCE_DIR (the repository root).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

#include "garita/daemon/batch/BatchCredentials.hpp"

namespace garita::test {

// `s` quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

class BatchTestPki {
 public:
  BatchTestPki() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("garita-test-pki-" + std::to_string(rd()));
    const std::string cmd = shell_quote(GARITA_SOURCE_DIR "/scripts/test-pki.sh") + " " +
                            shell_quote(dir_.string()) + " >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~BatchTestPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  BatchTestPki(const BatchTestPki&) = delete;
  BatchTestPki& operator=(const BatchTestPki&) = delete;

  std::filesystem::path operator/(const std::string& name) const { return dir_ / name; }
  // NAME.key + NAME.pem
  batch::BatchKeyPair pair(const std::string& name) const {
    batch::BatchKeyPair p;
    std::string error;
    INFO(error);
    REQUIRE_FALSE(
        batch::BatchKeyPair::load(dir_ / (name + ".key"), dir_ / (name + ".pem"), p, error));
    return p;
  }
  batch::BatchCertificate cert(const std::string& name) const {
    batch::BatchCertificate c;
    std::string error;
    INFO(error);
    REQUIRE_FALSE(batch::BatchCertificate::load(dir_ / (name + ".pem"), c, error));
    return c;
  }
  batch::BatchTrustStore store(const std::string& name) const {
    batch::BatchTrustStore s;
    std::string error;
    INFO(error);
    REQUIRE_FALSE(batch::BatchTrustStore::load(dir_ / (name + ".pem"), s, error));
    return s;
  }

 private:
  std::filesystem::path dir_;
};

// The one PKI of this test program.
inline const BatchTestPki& batch_test_pki() {
  static const BatchTestPki instance;
  return instance;
}

}  // namespace garita::test
