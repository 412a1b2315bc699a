#pragma once
// `garita-sim llrp`: one simulated LLRP reader per lane over the shared
// pedestrian traffic model. Reader L (lanes are numbered 1..N) listens on
// --port + L - 1, or on its own ephemeral port with --port 0; the ports are
// printed (and written to --ready-file) once every reader listens.
//
// Time: the model and every reader run on a SimClock started at the host's
// wall-clock time and running --speed times faster. A 5 ms host tick moves
// the model forward and hands each read to its lane's reader, interleaved
// with the readers' own timers in time order; a client message first
// brings every reader up to the present, so commands and reads are ordered
// as they would be in a real reader.
//
// Exit: on SIGINT/SIGTERM, or once --duration seconds of simulated arrivals
// are over and the last traveller has left the lanes. Each reader sends
// ConnectionCloseEvent and closes; the truth and sent logs are flushed.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "garita/sim/llrp/FaultSpec.hpp"
#include "garita/sim/llrp/ReaderProfile.hpp"

namespace garita::sim::llrp {

enum class TrafficPreset : std::uint8_t {
  realistic,  // TrafficConfig::defaults() (--preset default)
  clean,      // TrafficConfig::clean()
};

struct LlrpSimulatorOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 5084;  // the IANA LLRP port
  unsigned lanes = 4;
  std::optional<double> travelers_per_min;  // per lane; default: the model's
  std::uint64_t seed = 1;
  std::optional<double> duration_s;  // simulated seconds of arrivals
  double speed = 1.0;
  TrafficPreset preset = TrafficPreset::realistic;
  std::filesystem::path truth_file;
  std::filesystem::path sent_log_file;
  std::filesystem::path ready_file;
  ReaderVendor vendor = ReaderVendor::generic;
  ReaderClock clock = ReaderClock::utc;
  std::vector<FaultSpec> faults;
  bool quiet = false;
};

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // cannot listen, cannot write a file
inline constexpr int kExitBadInput = 2;      // options that make no sense

// Checks the options; on failure returns false with `error` saying what.
bool check_options(const LlrpSimulatorOptions& options, std::string& error);

// Runs the simulator until a signal or the end of --duration. `out` gets the
// listening ports, `log` the event log and the summary.
int run_llrp_simulator(const LlrpSimulatorOptions& options, std::ostream& out, std::ostream& log);

}  // namespace garita::sim::llrp
