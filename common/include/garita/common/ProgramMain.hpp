#pragma once
// The start-up and stop frame of garita's long-running programs (garitad,
// garita-lane): their exit statuses, command-line errors, the stop on
// SIGINT/SIGTERM (systemd's stop) and a last-resort catch, so an exception
// that escapes is logged as one line instead of a silent abort. Header-only:
// the programs link CLI11 and Asio; garita_common itself does not need them.
#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "garita/common/Log.hpp"

// --version prints this; the build sets it to the project's version.
#ifndef GARITA_VERSION
#define GARITA_VERSION "unknown"
#endif

namespace garita::program {

// Exit statuses: 0 ok, 1 runtime failure, 2 bad configuration or arguments.
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitConfig = 2;

// Parses the command line, then runs `check` (which may throw a
// CLI::ParseError for rules CLI11 cannot say). Returns nothing when the
// program goes on, else the status to exit with: 0 after --help or
// --version, kExitConfig after "PROGRAM: what (try --help)" on stderr.
template <typename Check>
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                      std::string_view program, Check&& check) {
  try {
    app.parse(argc, argv);
    std::forward<Check>(check)();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << program << ": " << e.what() << " (try --help)\n";
    return kExitConfig;
  }
  return std::nullopt;
}

inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                             std::string_view program) {
  return parse_command_line(app, argc, argv, program, [] {});
}

// On the first SIGINT or SIGTERM in `signals`, logs which one (info) and
// calls `stop`, which must end io_context::run() once everything is flushed.
template <typename Stop>
void stop_on_signal(boost::asio::signal_set& signals, std::string_view program, Stop stop) {
  signals.async_wait([program = std::string(program), stop = std::move(stop)](
                         const boost::system::error_code& ec, int signal) mutable {
    if (ec) return;
    log::info(program, std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT"));
    stop();
  });
}

// main()'s body: `run()`'s status, or kExitRuntime after logging
// "fatal: what" for an exception nothing else caught.
template <typename Run>
int run_main(std::string_view program, Run&& run) noexcept {
  try {
    return std::forward<Run>(run)();
  } catch (const std::exception& e) {
    log::error(program, std::string("fatal: ") + e.what());
  } catch (...) {
    log::error(program, "fatal: unknown exception");
  }
  return kExitRuntime;
}

}  // namespace garita::program
