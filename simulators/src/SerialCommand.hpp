#pragma once
// `garita-sim serial`: the command-line face of the Mercury serial module
// simulator (garita/sim/serial/SerialSimulator.hpp).
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "garita/sim/serial/SerialSimulator.hpp"

namespace garita::sim::cli {

struct SerialCommandArgs {
  serial::SerialSimulatorOptions options;
  double duration_s = 0;
  double rate = 0;
  CLI::Option* duration_option = nullptr;
  CLI::Option* rate_option = nullptr;
  std::string preset = "default";
  std::string model = "m6e";
  std::string tid = "yes";
  std::vector<std::string> faults;
  std::string truth_file;
  std::string sent_log_file;
  std::string ready_file;
};

CLI::App* add_serial_command(CLI::App& app, SerialCommandArgs& args);

// 0 after a clean exit, 2 for bad options, 1 for runtime failures.
int run_serial_command(SerialCommandArgs& args, std::ostream& out, std::ostream& err);

}  // namespace garita::sim::cli
