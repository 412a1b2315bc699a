#include "garita/sim/llrp/LlrpSimulator.hpp"

#include <chrono>
#include <fstream>
#include <memory>

#include <boost/asio/ip/address.hpp>

#include "garita/sim/ReaderSimulation.hpp"
#include "garita/sim/llrp/ReaderServer.hpp"

namespace garita::sim::llrp {
namespace asio = boost::asio;

namespace {

// The '#' lines of the sent log (SentLogWriter adds the header line).
constexpr std::string_view kSentLogPreamble =
    "# garita-sim llrp sent log: what each simulated reader did with every read the traffic "
    "model\n"
    "# gave it. One row per TagReportData written to a client, or per read not reported.\n"
    "# time_us: model time (µs since the Unix epoch) of the outcome (sent: the write "
    "completed)\n"
    "# lane: lane number = the reader (reader L listens on --port + L - 1)\n"
    "# antenna: reader antenna (1 = entry, 2 = exit)\n"
    "# epc: EPC, upper-case hex\n"
    "# first_seen_us, last_seen_us: model time of the first/last read aggregated in the row\n"
    "#   (what FirstSeenTimestampUTC carries with --clock utc)\n"
    "# seen_count: reads aggregated (TagSeenCount on the wire saturates at 65535)\n"
    "# peak_rssi_dbm: the highest PeakRSSI of those reads; channel: ChannelIndex of the first\n"
    "# tid: TID attached (C1G2ReadOpSpecResult of the TID bank or ImpinjSerializedTID), empty "
    "if none\n"
    "# outcome: sent | not_read (the reader was not inventorying) | lost (inside the reader)\n"
    "# detail: why not sent: no_active_rospec, antenna_not_in_aispec, reader_rebooting,\n"
    "#   reader_rebooted, report_buffer_full, simulator_exit; empty when sent\n"
    "# connection: 1-based number of the client connection on this reader (sent rows)\n"
    "# message_id: MessageID of the RO_ACCESS_REPORT (sent rows)\n";

constexpr ReaderSimulationTraits kTraits{
    .name = "garita-sim llrp",
    // How long the goodbye (ConnectionCloseEvent, FIN, client's FIN) may take.
    .shutdown_grace = std::chrono::seconds{3},
    .sent_log_preamble = kSentLogPreamble,
};

// Writes the ready file atomically (FILE.tmp, then rename), so a test that
// polls for it never reads half of it.
bool write_ready_file(const std::filesystem::path& path,
                      const std::vector<std::unique_ptr<ReaderServer>>& servers,
                      std::string& error) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    for (const auto& s : servers) f << s->lane() << ' ' << s->port() << '\n';
    f.flush();
    if (!f) {
      error = "cannot write " + tmp.string();
      return false;
    }
  }
  boost::system::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    error = "cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message();
    return false;
  }
  return true;
}

// One ReaderServer per lane, each listening on its own port.
class LlrpSimulation final : public ReaderSimulation<ReaderServer, FaultSpec> {
 public:
  LlrpSimulation(const LlrpSimulatorOptions& options, std::ostream& out, std::ostream& log)
      : ReaderSimulation(options, options.faults, kTraits, out, log), options_(options) {}

 private:
  int set_up_lanes() override {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.bind_address, ec);
    if (ec) {
      log_ << "garita-sim llrp: --bind '" << options_.bind_address << "' is not an IP address\n";
      return kExitBadInput;
    }
    const ReaderProfile profile = make_reader_profile(options_.vendor, options_.clock);
    for (unsigned i = 0; i < options_.lanes; ++i) {
      ReaderServer::Options o;
      o.lane = static_cast<LaneId>(i + 1);
      o.bind_address = address;
      o.port = options_.port == 0 ? 0 : static_cast<std::uint16_t>(options_.port + i);
      o.profile = profile;
      o.quiet = options_.quiet;
      auto server =
          std::make_unique<ReaderServer>(io(), clock(), o, tag_log(), log_, [this] { catch_up(); });
      if (auto listen_ec = server->listen()) {
        log_ << "garita-sim llrp: lane " << o.lane << ": cannot listen on " << options_.bind_address
             << ':' << o.port << ": " << listen_ec.message() << '\n';
        return kExitRuntimeError;
      }
      add_lane(std::move(server));
    }
    return kExitOk;
  }

  bool announce_ready() override {
    for (const auto& s : lanes()) {
      out_ << "garita-sim llrp: lane " << s->lane() << " reader listening on "
           << options_.bind_address << ':' << s->port() << '\n';
    }
    out_ << "garita-sim llrp: ready (" << lanes().size() << " reader(s), "
         << to_string(options_.vendor) << ", clock " << to_string(options_.clock) << ", speed "
         << options_.speed << "x, seed " << options_.seed << ")\n";
    out_.flush();
    if (!options_.ready_file.empty()) {
      std::string error;
      if (!write_ready_file(options_.ready_file, lanes(), error)) {
        log_ << "garita-sim llrp: " << error << '\n';
        return false;
      }
    }
    return true;
  }

  void log_summary(const ReaderServer& s) override {
    const ReaderCounters& c = s.engine().counters();
    log_ << "garita-sim llrp: lane " << s.lane() << ": reads " << c.reads_seen << ", not read "
         << c.reads_not_read << ", tag reports " << c.tags_reported << " (sent " << c.tags_sent
         << ", lost " << c.tags_lost << ") in " << c.reports_sent
         << " RO_ACCESS_REPORTs, keepalives " << c.keepalives_sent << " (acked " << c.keepalive_acks
         << "), connections " << c.connections << " (refused " << c.refused_connections
         << "), error responses " << c.error_responses << '\n';
  }

  const LlrpSimulatorOptions& options_;
};

}  // namespace

bool check_options(const LlrpSimulatorOptions& o, std::string& error) {
  if (!check_lane_count(o, error)) return false;
  if (o.port != 0 && static_cast<unsigned>(o.port) + o.lanes - 1 > 65535) {
    error = "--port " + std::to_string(o.port) + " with " + std::to_string(o.lanes) +
            " lanes needs ports beyond 65535 (reader L listens on port + L - 1)";
    return false;
  }
  return check_timing_options(o, error) && check_fault_lanes(o.faults, o.lanes, error);
}

int run_llrp_simulator(const LlrpSimulatorOptions& options, std::ostream& out, std::ostream& log) {
  return run_reader_simulation<LlrpSimulation>(kTraits.name, options, out, log);
}

}  // namespace garita::sim::llrp
