#pragma once
// `garita-sim llrp`: the command-line face of the LLRP reader simulator
// (garita/sim/llrp/LlrpSimulator.hpp). Registers the subcommand with CLI11
// and runs it.
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "ReaderCommandArgs.hpp"
#include "garita/sim/llrp/LlrpSimulator.hpp"

namespace garita::sim::cli {

struct LlrpCommandArgs : ReaderCommandArgs {
  llrp::LlrpSimulatorOptions options;
  std::string vendor = "generic";
  std::string clock = "utc";
};

// Adds the `llrp` subcommand to `app`; its values land in `args`.
CLI::App* add_llrp_command(CLI::App& app, LlrpCommandArgs& args);

// Runs it once parsed: 0 after a clean exit, 2 for bad options, 1 for
// runtime failures (a port in use, a file that cannot be written).
int run_llrp_command(LlrpCommandArgs& args, std::ostream& out, std::ostream& err);

}  // namespace garita::sim::cli
