#include "test_api_support.hpp"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

namespace garita::test::api {

using namespace std::chrono_literals;

ApiSite::ApiSite(const ScratchDir& dir, unsigned lanes, unsigned rate,
                 const std::string& extra_config)
    : dir_(dir) {
  const fs::path pki = dir / "pki";
  const std::string command = "sh '" + std::string(GARITA_SOURCE_DIR) + "/scripts/test-pki.sh' '" +
                              pki.string() + "' >/dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("scripts/test-pki.sh failed");
  ca_ = pki / "ca.pem";
  sim_ = std::make_unique<gd::Simulator>(
      dir, std::vector<std::string>{"--lanes", std::to_string(lanes), "--seed", "2026", "--rate",
                                    std::to_string(rate), "--preset", "default"});
  api_port_ = gd::closed_port();
  const std::string extra =
      "[lane_defaults]\ngap_s = 0.5\n[api]\naddress = \"127.0.0.1\"\nport = " +
      std::to_string(api_port_) + "\ncert_file = \"" + (pki / "server.pem").string() +
      "\"\nkey_file = \"" + (pki / "server.key").string() + "\"\n" + extra_config;
  config_ = gd::write_config(dir, sim_->ports(), dir / "crossings.db", extra);
  daemon_ = std::make_unique<gd::Garitad>(dir, config_);
  if (!daemon_->wait_started(30s)) {
    throw std::runtime_error("garitad did not start:\n" + daemon_->log());
  }
  if (!daemon_->wait_log("api: listening on", 1, 10s)) {
    throw std::runtime_error("garitad's API did not start:\n" + daemon_->log());
  }
}

ApiSite::~ApiSite() {
  if (daemon_ && daemon_->process().running()) daemon_->process().stop(30s);
}

ProcessResult ApiSite::stop() { return daemon_->process().stop(60s); }

ProcessResult ApiSite::user_command(std::vector<std::string> args) {
  std::vector<std::string> argv{GARITA_CLI, "user"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--config");
  argv.push_back(config_.string());
  return run_process(argv, 30s);
}

std::string token_in(const std::string& output) {
  const std::size_t at = output.find("gar_");
  if (at == std::string::npos) throw std::runtime_error("no token in: " + output);
  return output.substr(at, output.find_first_of(" \n", at) - at);
}

std::string ApiSite::add_user(const std::string& name, const std::string& role) {
  const ProcessResult r = user_command({"add", name, "--role", role});
  if (r.exit_code != 0) throw std::runtime_error("garita user add failed: " + r.err);
  return token_in(r.out);
}

fs::path ApiSite::token_file(const std::string& name, const std::string& token, int mode) {
  const fs::path path = dir_ / (name + ".token");
  std::ofstream(path) << token << "\n";
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
  return path;
}

std::string ApiSite::url() const { return "https://127.0.0.1:" + std::to_string(api_port_); }

ProcessResult ApiSite::cli(const std::string& command, const fs::path& token_file,
                           std::vector<std::string> args, std::chrono::milliseconds limit) {
  std::vector<std::string> argv{GARITA_CLI, command,      "--url",        url(),
                                "--ca",     ca_.string(), "--token-file", token_file.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, limit);
}

}  // namespace garita::test::api
