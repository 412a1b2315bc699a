#pragma once
// `garita-sim serial`: the command-line face of the Mercury serial module
// simulator (garita/sim/serial/SerialSimulator.hpp).
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "ReaderCommandArgs.hpp"
#include "garita/sim/serial/SerialSimulator.hpp"

namespace garita::sim::cli {

struct SerialCommandArgs : ReaderCommandArgs {
  serial::SerialSimulatorOptions options;
  std::string model = "m6e";
  std::string tid = "yes";
};

CLI::App* add_serial_command(CLI::App& app, SerialCommandArgs& args);

// 0 after a clean exit, 2 for bad options, 1 for runtime failures.
int run_serial_command(SerialCommandArgs& args, std::ostream& out, std::ostream& err);

}  // namespace garita::sim::cli
