// garita-lane: the lane-controller program. Runs on a lane board next to a
// serial/USB reader module (or beside an LLRP reader): reader -> lane
// pipeline -> local journal -> mTLS uplink to garitad. Stops cleanly on
// SIGTERM/SIGINT with every decided crossing journaled.
//
//   garita-lane --config FILE [--debug] [--ready-file PATH]
//   garita-lane --check-config FILE
// Exit status: 0 ok, 1 runtime failure, 2 bad configuration or arguments.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>

#include "LaneController.hpp"
#include "LaneControllerConfig.hpp"
#include "garita/common/Log.hpp"
#include "garita/common/ProgramMain.hpp"
#include "uplink/UplinkTls.hpp"

namespace {

using garita::program::kExitConfig;
using garita::program::kExitRuntime;
constexpr std::string_view kLog = "garita-lane";

// Everything that can be checked without the network: the file, the reader
// URI, the key's mode, and that CA, certificate and key load and match.
bool load_and_check(const std::string& path, garita::firmware::LaneControllerConfig& config,
                    std::string& error) {
  if (garita::firmware::load_lane_controller_config(path, config, error)) return false;
  std::error_code ec;
  auto context = garita::firmware::make_uplink_tls_context(
      {config.uplink.ca_file, config.uplink.cert_file, config.uplink.key_file}, ec, error);
  if (!context) {
    error = path + ": uplink: " + error;
    return false;
  }
  return true;
}

int run(int argc, char** argv) {
  CLI::App app{"garita-lane: one lane's reader -> lane pipeline -> journal -> uplink to garitad"};
  app.set_version_flag("--version", GARITA_VERSION);
  std::string config_path;
  std::string check_path;
  std::string ready_file;
  bool debug = false;
  auto* config_opt = app.add_option("-c,--config", config_path, "Configuration file");
  auto* check_opt =
      app.add_option("--check-config", check_path, "Check a configuration file and exit");
  config_opt->excludes(check_opt);
  app.add_option("--ready-file", ready_file,
                 "Create this file once running (removed on stop); for supervisors and tests");
  app.add_flag("--debug", debug, "Log debug lines too (may include card numbers: bench use only)");
  if (auto status = garita::program::parse_command_line(app, argc, argv, kLog, [&] {
        if (config_path.empty() && check_path.empty()) {
          throw CLI::RequiredError("--config or --check-config");
        }
      })) {
    return *status;
  }
  if (debug) garita::log::set_threshold(garita::log::Severity::debug);

  garita::firmware::LaneControllerConfig config;
  std::string error;
  if (!check_path.empty()) {
    if (!load_and_check(check_path, config, error)) {
      std::cerr << error << "\n";
      return kExitConfig;
    }
    std::cout << check_path << ": ok (lane " << config.lane_id << ", reader " << config.reader.uri
              << ", uplink " << config.uplink.url << ")\n";
    return 0;
  }
  if (!load_and_check(config_path, config, error)) {
    std::cerr << error << "\n";
    return kExitConfig;
  }

  boost::asio::io_context io(1);
  garita::firmware::ControllerOptions options;
  options.ready_file = ready_file;
  options.controller = std::string("garita-lane ") + GARITA_VERSION;
  garita::firmware::LaneController controller(io, std::move(config), options);
  if (auto ec = controller.start(error)) {
    garita::log::error(kLog, error);
    return kExitRuntime;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  garita::program::stop_on_signal(signals, kLog, [&] { controller.stop([&io] { io.stop(); }); });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return garita::program::run_main(kLog, [&] { return run(argc, argv); });
}
