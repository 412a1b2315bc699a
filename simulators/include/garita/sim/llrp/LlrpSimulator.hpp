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
#include <ostream>
#include <string>
#include <vector>

#include "garita/sim/ReaderSimulation.hpp"
#include "garita/sim/llrp/FaultSpec.hpp"
#include "garita/sim/llrp/ReaderProfile.hpp"

namespace garita::sim::llrp {

// The shared options (ReaderSimulationOptions: lanes, traffic, time, files)
// and the LLRP reader's own.
struct LlrpSimulatorOptions : ReaderSimulationOptions {
  LlrpSimulatorOptions() noexcept { lanes = 4; }

  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 5084;  // the IANA LLRP port
  ReaderVendor vendor = ReaderVendor::generic;
  ReaderClock clock = ReaderClock::utc;
  std::vector<FaultSpec> faults;
};

// Checks the options; on failure returns false with `error` saying what.
bool check_options(const LlrpSimulatorOptions& options, std::string& error);

// Runs the simulator until a signal or the end of --duration (exit statuses:
// garita::sim::kExit*). `out` gets the listening ports, `log` the event log
// and the summary.
int run_llrp_simulator(const LlrpSimulatorOptions& options, std::ostream& out, std::ostream& log);

}  // namespace garita::sim::llrp
