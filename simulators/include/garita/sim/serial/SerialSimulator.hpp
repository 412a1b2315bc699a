#pragma once
// `garita-sim serial`: simulated ThingMagic/JADAK Mercury embedded modules
// (M6e / M7e) on pseudo-terminals, one per lane of the shared pedestrian
// traffic model (the model `garita-sim llrp` uses, reader_per_lane layout:
// antenna 1 = entry, 2 = exit). With --lane N only lane N's module runs (the
// model still simulates every lane, so bleed from neighbours is as real).
//
// Each module's slave device is printed on stdout and written to
// --ready-file ("LANE DEVICE [LINK]" lines, atomically, rewritten after
// every replug); --link keeps a stable symlink to it, like
// /dev/serial/by-id/..., so a driver can reopen the same path after an
// unplug. Time is simulated like the LLRP simulator's (SimClock, --speed).
//
// Exit: on SIGINT/SIGTERM, or once --duration seconds of arrivals are over
// and the last traveller has left. The truth and sent logs are flushed.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "garita/sim/ReaderSimulation.hpp"
#include "garita/sim/serial/SerialFault.hpp"
#include "garita/sim/serial/SerialModule.hpp"

namespace garita::sim::serial {

// The shared options (ReaderSimulationOptions: lanes, traffic, time, files)
// and the serial modules' own.
struct SerialSimulatorOptions : ReaderSimulationOptions {
  unsigned only_lane = 0;  // 0: one module per lane; N: only lane N's
  ModuleModel model = ModuleModel::m6e;
  bool tid_readable = true;
  // Symlink path; with several modules it must contain "{lane}".
  std::string link;
  std::vector<SerialFault> faults;
};

bool check_options(const SerialSimulatorOptions& options, std::string& error);

// The link path of lane `lane` ("{lane}" replaced), empty without --link.
std::filesystem::path link_for_lane(const std::string& pattern, unsigned lane);

// Exit statuses: garita::sim::kExit*.
int run_serial_simulator(const SerialSimulatorOptions& options, std::ostream& out,
                         std::ostream& log);

}  // namespace garita::sim::serial
