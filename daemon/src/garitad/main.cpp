// garitad: the workstation daemon. Reads its configuration, runs one reader
// driver per reader and the lane pipeline, stores every crossing, and stops
// cleanly on SIGTERM/SIGINT (systemd's stop) with nothing left uncommitted.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <memory>

#include "garita/common/Log.hpp"
#include "garita/common/ProgramMain.hpp"
#include "garita/daemon/Daemon.hpp"
#include "garita/daemon/SiteCheck.hpp"
#include "garita/daemon/api/ApiRuntime.hpp"
#include "garita/daemon/exchange/BatchExchange.hpp"

namespace {

using garita::program::kExitConfig;
using garita::program::kExitRuntime;

int run(int argc, char** argv) {
  CLI::App app{"garitad: the garita workstation daemon (readers -> lanes -> crossings database)"};
  app.set_version_flag("--version", GARITA_VERSION);
  std::string config_path = "/etc/garita/garitad.toml";
  app.add_option("-c,--config", config_path, "Configuration file")->capture_default_str();
  bool debug = false;
  app.add_flag("--debug", debug, "Log debug lines too (may include card numbers: bench use only)");
  bool quiet_commits = false;
  app.add_flag("--no-commit-log", quiet_commits, "Do not log a line for each committed crossing");
  if (auto status = garita::program::parse_command_line(app, argc, argv, "garitad")) {
    return *status;
  }
  if (debug) garita::log::set_threshold(garita::log::Severity::debug);

  garita::config::SiteConfig site;
  std::string error;
  if (garita::daemon::load_and_check_site(config_path, site, error)) {
    garita::log::error("garitad", error);
    return kExitConfig;
  }

  // The people-facing API (issue 6), when [api] is configured.
  const bool api_enabled = site.api.enabled;
  garita::daemon::api::ApiRuntimeSettings api_settings =
      garita::daemon::api::api_runtime_settings(site);
  // [exchange] (issue 7): keys and certificates loaded once, now. A
  // misconfigured exchange (missing file, key readable by others) stops the
  // start like any other configuration error, instead of failing the first
  // export a supervisor asks for days later.
  if (site.exchange.enabled) {
    auto exchange = std::make_shared<garita::exchange::ExchangeContext>();
    if (garita::exchange::ExchangeContext::load(site, *exchange, error)) {
      garita::log::error("garitad", site.source.string() + ": " + error);
      return kExitConfig;
    }
    api_settings.service.exchange = std::move(exchange);
  }

  boost::asio::io_context io(1);
  garita::daemon::DaemonOptions options;
  options.log_commits = !quiet_commits;
  garita::daemon::Daemon daemon(io, std::move(site), options);
  if (auto ec = daemon.start(error)) {
    garita::log::error("garitad", error);
    return kExitRuntime;
  }
  std::unique_ptr<garita::daemon::api::ApiRuntime> api;
  if (api_enabled) {
    api = std::make_unique<garita::daemon::api::ApiRuntime>(io, daemon, api_settings);
    if (auto ec = api->start(error)) {
      garita::log::error("garitad", error);
      api.reset();
      daemon.stop({});  // nothing half-started is left behind
      io.run();
      return kExitRuntime;
    }
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  garita::program::stop_on_signal(signals, "garitad", [&] {
    if (api) api->stop();  // no request is half-answered while the store closes
    daemon.stop([&signals] {
      boost::system::error_code ignored;
      signals.cancel(ignored);
    });
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return garita::program::run_main("garitad", [&] { return run(argc, argv); });
}
