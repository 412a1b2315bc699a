#pragma once
// Support for the API integration tests: garitad (fed by garita-sim llrp)
// with its [api] listener on a free loopback port and a test PKI
// (scripts/test-pki.sh), users made with `garita user add`, token files
// written 0600, and `garita search|status|tail` run as a person would.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ProcessRunner.hpp"
#include "test_garitad_support.hpp"

namespace garita::test::api {

using gd::ScratchDir;
namespace fs = std::filesystem;

// The "gar_..." token in `garita user add|token` output.
std::string token_in(const std::string& output);

class ApiSite {
 public:
  // `lanes` simulated lanes at `rate` travellers/min each; `extra_config`
  // TOML tables appended to the configuration (e.g. [exchange]).
  ApiSite(const ScratchDir& dir, unsigned lanes = 2, unsigned rate = 60,
          const std::string& extra_config = "");
  ~ApiSite();

  // `garita user add NAME --role ROLE`: the token it printed (once).
  std::string add_user(const std::string& name, const std::string& role);
  // `garita user ARGS... --config CONFIG`.
  ProcessResult user_command(std::vector<std::string> args);
  // A token file (0600) holding `token`; returns its path.
  fs::path token_file(const std::string& name, const std::string& token, int mode = 0600);
  // `garita COMMAND --url ... --ca ... --token-file FILE ARGS...`.
  ProcessResult cli(const std::string& command, const fs::path& token_file,
                    std::vector<std::string> args = {},
                    std::chrono::milliseconds limit = std::chrono::seconds(30));

  // SIGTERM garitad and wait: a clean stop exits 0 (and under ASan, a
  // memory error would show here as a non-zero exit).
  ProcessResult stop();

  std::string url() const;
  std::uint16_t api_port() const { return api_port_; }
  const fs::path& ca() const { return ca_; }
  const fs::path& config() const { return config_; }
  gd::Garitad& daemon() { return *daemon_; }

 private:
  const ScratchDir& dir_;
  std::unique_ptr<gd::Simulator> sim_;
  std::unique_ptr<gd::Garitad> daemon_;
  fs::path config_;
  fs::path ca_;
  std::uint16_t api_port_ = 0;
};

}  // namespace garita::test::api
