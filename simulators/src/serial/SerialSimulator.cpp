#include "garita/sim/serial/SerialSimulator.hpp"

#include <chrono>
#include <fstream>
#include <memory>

#include "garita/sim/ReaderSimulation.hpp"
#include "garita/sim/serial/ModulePort.hpp"

namespace garita::sim::serial {

namespace {

constexpr std::string_view kLanePlaceholder = "{lane}";

// The '#' lines of the sent log: the same columns as garita-sim llrp's, two
// of them meaning what a serial line has instead (SentLogWriter adds the
// header line).
constexpr std::string_view kSentLogPreamble =
    "# garita-sim serial sent log: what each simulated Mercury module did with every read the\n"
    "# traffic model gave it. One row per streamed tag record written to the pty, or per read\n"
    "# not delivered. Same columns as garita-sim llrp's sent log.\n"
    "# time_us: model time (µs since the Unix epoch) of the outcome (sent: the write "
    "completed)\n"
    "# lane: lane number = the module (one pty per lane)\n"
    "# antenna: module antenna port (1 = entry, 2 = exit)\n"
    "# epc: EPC, upper-case hex\n"
    "# first_seen_us, last_seen_us: model time of the read (one read per record)\n"
    "# seen_count: reads in the record (the read-count metadata), always 1 here\n"
    "# peak_rssi_dbm: the RSSI metadata; channel: hop channel 1..50 (frequency metadata\n"
    "#   902750 + 500 * (channel - 1) kHz)\n"
    "# tid: TID returned by the embedded TID read, empty if none was asked or it failed\n"
    "# outcome: sent | not_read (the module was not streaming) | lost (inside the module or\n"
    "#   damaged on the line by a fault)\n"
    "# detail: not_streaming, module_booting (bootloader, resetting, unplugged),\n"
    "#   module_rebooted, unplugged (written but not read by the host before the hang-up),\n"
    "#   bad_crc, truncated_frame, no_crc, record_buffer_full, simulator_exit; empty when sent\n"
    "# connection: pty generation (1, then 2 after the first replug, ...) (sent rows)\n"
    "# message_id: the module's frame number of the record (sent rows)\n";

constexpr ReaderSimulationTraits kTraits{
    .name = "garita-sim serial",
    // Lets the host read what is already on the line before the ptys close.
    .shutdown_grace = std::chrono::milliseconds{200},
    .sent_log_preamble = kSentLogPreamble,
};

// One ModulePort (a Mercury module on its own pty) per simulated lane.
class SerialSimulation final : public ReaderSimulation<ModulePort, SerialFault> {
 public:
  SerialSimulation(const SerialSimulatorOptions& options, std::ostream& out, std::ostream& log)
      : ReaderSimulation(options, options.faults, kTraits, out, log), options_(options) {}

 private:
  int set_up_lanes() override {
    for (unsigned lane = 1; lane <= options_.lanes; ++lane) {
      if (options_.only_lane != 0 && lane != options_.only_lane) continue;
      ModulePort::Options o;
      o.lane = static_cast<LaneId>(lane);
      o.link = link_for_lane(options_.link, lane);
      o.module.model = options_.model;
      o.module.tid_readable = options_.tid_readable;
      o.module.seed = options_.seed;
      o.quiet = options_.quiet;
      auto port = std::make_unique<ModulePort>(
          io(), clock(), o, tag_log(), log_, [this] { catch_up(); }, [this] { on_replugged(); });
      std::string error;
      if (port->open(error)) {
        log_ << "garita-sim serial: lane " << lane << ": " << error << '\n';
        return kExitRuntimeError;
      }
      add_lane(std::move(port));
    }
    return kExitOk;
  }

  bool announce_ready() override {
    for (const auto& p : lanes()) {
      out_ << "garita-sim serial: lane " << p->lane() << " module on " << p->device();
      if (!p->link().empty()) out_ << " (link " << p->link().string() << ")";
      out_ << '\n';
    }
    out_ << "garita-sim serial: ready (" << lanes().size() << " module(s), "
         << to_string(options_.model) << ", speed " << options_.speed << "x, seed " << options_.seed
         << ")\n";
    out_.flush();
    return write_ready_file();
  }

  // "LANE DEVICE [LINK]" per module, written atomically (FILE.tmp, rename).
  bool write_ready_file() {
    if (options_.ready_file.empty()) return true;
    std::filesystem::path tmp = options_.ready_file;
    tmp += ".tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      for (const auto& p : lanes()) {
        f << p->lane() << ' ' << (p->device().empty() ? "-" : p->device());
        if (!p->link().empty()) f << ' ' << p->link().string();
        f << '\n';
      }
      f.flush();
      if (!f) {
        log_ << "garita-sim serial: cannot write " << tmp.string() << '\n';
        return false;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, options_.ready_file, ec);
    if (ec) {
      log_ << "garita-sim serial: cannot rename " << tmp.string() << ": " << ec.message() << '\n';
      return false;
    }
    return true;
  }

  void on_replugged() {
    for (const auto& p : lanes()) {
      if (!p->device().empty()) {
        out_ << "garita-sim serial: lane " << p->lane() << " module on " << p->device() << '\n';
      }
    }
    out_.flush();
    (void)write_ready_file();
  }

  void log_summary(const ModulePort& p) override {
    const ModuleCounters& c = p.module().counters();
    log_ << "garita-sim serial: lane " << p.lane() << ": reads " << c.reads_seen << ", not read "
         << c.reads_not_read << ", tag records " << c.records_queued << " (sent " << c.records_sent
         << ", lost " << c.records_lost << "), keep-alives " << c.keep_alives << ", stats "
         << c.stats_reports << ", commands " << c.commands << " (error responses "
         << c.error_responses << ", bad CRC " << c.host_bad_crc << "), boots " << c.boots
         << ", resets " << c.resets << ", ptys " << p.generation() << '\n';
  }

  const SerialSimulatorOptions& options_;
};

}  // namespace

std::filesystem::path link_for_lane(const std::string& pattern, unsigned lane) {
  if (pattern.empty()) return {};
  std::string out = pattern;
  for (std::size_t at = out.find(kLanePlaceholder); at != std::string::npos;
       at = out.find(kLanePlaceholder, at)) {
    out.replace(at, kLanePlaceholder.size(), std::to_string(lane));
  }
  return out;
}

bool check_options(const SerialSimulatorOptions& o, std::string& error) {
  if (!check_lane_count(o, error)) return false;
  if (o.only_lane > o.lanes) {
    error = "--lane " + std::to_string(o.only_lane) + " but the model has " +
            std::to_string(o.lanes) + " lane(s) (--lanes)";
    return false;
  }
  const unsigned modules = o.only_lane != 0 ? 1 : o.lanes;
  if (modules > 1 && !o.link.empty() && o.link.find(kLanePlaceholder) == std::string::npos) {
    error = "--link '" + o.link + "' names one path for " + std::to_string(modules) +
            " modules; put {lane} in it (e.g. /tmp/garita-mercury-{lane}) or use --lane N";
    return false;
  }
  if (!o.link.empty()) {
    const std::filesystem::path first = link_for_lane(o.link, o.only_lane != 0 ? o.only_lane : 1);
    const std::filesystem::path dir = first.parent_path().empty() ? "." : first.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      error = "--link '" + o.link + "': directory " + dir.string() + " does not exist";
      return false;
    }
  }
  return check_timing_options(o, error) && check_fault_lanes(o.faults, o.lanes, error);
}

int run_serial_simulator(const SerialSimulatorOptions& options, std::ostream& out,
                         std::ostream& log) {
  return run_reader_simulation<SerialSimulation>(kTraits.name, options, out, log);
}

}  // namespace garita::sim::serial
