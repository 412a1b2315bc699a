#pragma once
// The command-line options `garita-sim llrp` and `garita-sim serial` share
// (traffic, time, output files, faults), defined once so both spell and
// explain them the same way. Each command adds its own options in between,
// so the groups are separate calls, in the order --help lists them;
// --ready-file is each command's own (what the file lists differs).
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include "garita/sim/ReaderSimulation.hpp"

namespace garita::sim::cli {

// Raw values of the shared options; apply_reader_args() turns them into
// ReaderSimulationOptions.
struct ReaderCommandArgs {
  double duration_s = 0;  // used only when --duration was given
  double rate = 0;        // used only when --rate was given
  CLI::Option* duration_option = nullptr;
  CLI::Option* rate_option = nullptr;
  std::string preset = "default";
  std::vector<std::string> faults;
  std::string truth_file;
  std::string sent_log_file;
  std::string ready_file;
};

// --rate, --seed, --duration, --speed, --preset.
void add_traffic_options(CLI::App& cmd, ReaderCommandArgs& args, ReaderSimulationOptions& options);
// --truth, --sent-log.
void add_output_file_options(CLI::App& cmd, ReaderCommandArgs& args);
// --fault (repeatable).
void add_fault_option(CLI::App& cmd, ReaderCommandArgs& args);
// --quiet.
void add_quiet_flag(CLI::App& cmd, ReaderSimulationOptions& options);

// Copies the parsed shared values into `options` (--duration and --rate only
// when given, so the model's defaults stay otherwise).
void apply_reader_args(const ReaderCommandArgs& args, ReaderSimulationOptions& options);

// Parses every --fault with `parse` (llrp::parse_fault_spec,
// serial::parse_serial_fault) into `out`. On the first bad one prints
// "NAME: what is wrong" on `err` and returns false.
template <typename Fault>
bool parse_fault_args(const std::vector<std::string>& texts,
                      std::error_code (*parse)(std::string_view, Fault&, std::string&),
                      std::string_view name, std::vector<Fault>& out, std::ostream& err) {
  out.clear();
  for (const std::string& text : texts) {
    Fault fault;
    std::string error;
    if (parse(text, fault, error)) {
      err << name << ": " << error << '\n';
      return false;
    }
    out.push_back(fault);
  }
  return true;
}

}  // namespace garita::sim::cli
