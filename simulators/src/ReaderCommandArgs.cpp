#include "ReaderCommandArgs.hpp"

namespace garita::sim::cli {

void add_traffic_options(CLI::App& cmd, ReaderCommandArgs& args, ReaderSimulationOptions& options) {
  args.rate_option = cmd.add_option("--rate", args.rate,
                                    "Travellers per minute per lane (default: the model's, 3)");
  cmd.add_option("--seed", options.seed, "Traffic model seed (same seed, same reads)")
      ->capture_default_str();
  args.duration_option = cmd.add_option(
      "--duration", args.duration_s,
      "Simulated seconds of arrivals; exits when the last traveller has left (default: "
      "run until SIGINT/SIGTERM)");
  cmd.add_option("--speed", options.speed,
                 "Simulated time runs this many times faster than real time")
      ->capture_default_str();
  cmd.add_option("--preset", args.preset, "Traffic: default (realistic faults) or clean (none)")
      ->check(CLI::IsMember({"default", "clean"}))
      ->capture_default_str();
}

void add_output_file_options(CLI::App& cmd, ReaderCommandArgs& args) {
  cmd.add_option("--truth", args.truth_file, "Write the ground truth CSV here");
  cmd.add_option("--sent-log", args.sent_log_file, "Write the sent log CSV here (see below)");
}

void add_fault_option(CLI::App& cmd, ReaderCommandArgs& args) {
  cmd.add_option("--fault", args.faults,
                 "Inject a fault, KIND@TIME[+DURATION][:lane=N] (repeatable; see below)");
}

void add_quiet_flag(CLI::App& cmd, ReaderSimulationOptions& options) {
  cmd.add_flag("--quiet", options.quiet,
               "No per-event lines on stderr (the exit summary is still printed)");
}

void apply_reader_args(const ReaderCommandArgs& args, ReaderSimulationOptions& options) {
  if (args.duration_option != nullptr && args.duration_option->count() > 0)
    options.duration_s = args.duration_s;
  if (args.rate_option != nullptr && args.rate_option->count() > 0)
    options.travelers_per_min = args.rate;
  options.preset = args.preset == "clean" ? TrafficPreset::clean : TrafficPreset::realistic;
  options.truth_file = args.truth_file;
  options.sent_log_file = args.sent_log_file;
  options.ready_file = args.ready_file;
}

}  // namespace garita::sim::cli
