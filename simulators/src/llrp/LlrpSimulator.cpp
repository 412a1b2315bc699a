#include "garita/sim/llrp/LlrpSimulator.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "garita/sim/GroundTruth.hpp"
#include "garita/sim/TrafficModel.hpp"
#include "garita/sim/llrp/ReaderServer.hpp"
#include "garita/sim/llrp/SentLogWriter.hpp"
#include "garita/sim/llrp/SimClock.hpp"

namespace garita::sim::llrp {
namespace asio = boost::asio;

namespace {

// Host-time step of the time loop; reads are timestamped with their exact
// model time whatever the step.
constexpr std::chrono::milliseconds kTick{5};
constexpr std::chrono::seconds kSentLogFlushPeriod{1};
// How long the goodbye (ConnectionCloseEvent, FIN, client's FIN) may take.
constexpr std::chrono::seconds kShutdownGrace{3};
constexpr double kMaxSpeed = 1000.0;
constexpr unsigned kMaxLanes = 64;

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

class Simulator {
 public:
  Simulator(const LlrpSimulatorOptions& options, std::ostream& out, std::ostream& log)
      : options_(options),
        out_(out),
        log_(log),
        clock_(wall_clock_us(), options.speed),
        tick_timer_(io_),
        signals_(io_, SIGINT, SIGTERM) {}

  int run() {
    if (int status = set_up_model(); status != kExitOk) return status;
    if (int status = set_up_files(); status != kExitOk) return status;
    if (int status = set_up_readers(); status != kExitOk) return status;
    signals_.async_wait(
        [this](boost::system::error_code ec, int signal) { on_signal(ec, signal); });
    schedule_tick();
    announce_ready();
    if (ready_failed_) return kExitRuntimeError;
    io_.run();
    // Shutdown began inside run(): let the goodbyes finish, within bounds.
    io_.restart();
    io_.run_for(kShutdownGrace);
    return finish();
  }

 private:
  int set_up_model() {
    TrafficConfig config = options_.preset == TrafficPreset::clean ? TrafficConfig::clean()
                                                                   : TrafficConfig::defaults();
    config.seed = options_.seed;
    config.lanes.lane_ids.clear();
    for (unsigned lane = 1; lane <= options_.lanes; ++lane)
      config.lanes.lane_ids.push_back(static_cast<LaneId>(lane));
    config.lanes.layout = ReaderLayout::reader_per_lane;
    if (options_.travelers_per_min)
      config.arrivals.travelers_per_min_per_lane = *options_.travelers_per_min;
    config.arrivals.start_time_us = clock_.start_us();
    if (options_.duration_s) {
      config.arrivals.end_time_us =
          clock_.start_us() + static_cast<std::int64_t>(*options_.duration_s * 1e6);
    }
    config.truth.retain_records = false;
    std::string error;
    if (validate(config, error)) {
      log_ << "garita-sim llrp: traffic model: " << error << '\n';
      return kExitBadInput;
    }
    model_ = std::make_unique<TrafficModel>(config);
    return kExitOk;
  }

  int set_up_files() {
    if (!options_.truth_file.empty()) {
      if (truth_.open(options_.truth_file)) {
        log_ << "garita-sim llrp: cannot write the truth file " << options_.truth_file.string()
             << '\n';
        return kExitRuntimeError;
      }
      model_->set_truth_sink([this](const GroundTruthRecord& record) {
        if (truth_.write(record) && !truth_failed_) {
          truth_failed_ = true;
          log_ << "garita-sim llrp: writing the truth file failed\n";
        }
      });
    }
    if (!options_.sent_log_file.empty() && sent_log_.open(options_.sent_log_file)) {
      log_ << "garita-sim llrp: cannot write the sent log " << options_.sent_log_file.string()
           << '\n';
      return kExitRuntimeError;
    }
    return kExitOk;
  }

  int set_up_readers() {
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
          std::make_unique<ReaderServer>(io_, clock_, o, sent_log_, log_, [this] { catch_up(); });
      if (auto listen_ec = server->listen()) {
        log_ << "garita-sim llrp: lane " << o.lane << ": cannot listen on " << options_.bind_address
             << ':' << o.port << ": " << listen_ec.message() << '\n';
        return kExitRuntimeError;
      }
      servers_.push_back(std::move(server));
    }
    faults_ = options_.faults;
    std::stable_sort(faults_.begin(), faults_.end(),
                     [](const FaultSpec& a, const FaultSpec& b) { return a.at_us < b.at_us; });
    return kExitOk;
  }

  void announce_ready() {
    for (const auto& s : servers_) {
      out_ << "garita-sim llrp: lane " << s->lane() << " reader listening on "
           << options_.bind_address << ':' << s->port() << '\n';
    }
    out_ << "garita-sim llrp: ready (" << servers_.size() << " reader(s), "
         << to_string(options_.vendor) << ", clock " << to_string(options_.clock) << ", speed "
         << options_.speed << "x, seed " << options_.seed << ")\n";
    out_.flush();
    if (!options_.ready_file.empty()) {
      std::string error;
      if (!write_ready_file(options_.ready_file, servers_, error)) {
        log_ << "garita-sim llrp: " << error << '\n';
        ready_failed_ = true;
      }
    }
  }

  // --- the time loop ---------------------------------------------------------

  void schedule_tick() {
    tick_timer_.expires_after(kTick);
    tick_timer_.async_wait([this](boost::system::error_code ec) { on_tick(ec); });
  }

  void on_tick(boost::system::error_code ec) {
    if (ec || shutting_down_) return;
    const std::int64_t now = clock_.now_us();
    advance_world(now);
    fire_due_faults();
    if (options_.duration_s &&
        clock_.elapsed_us() >= static_cast<std::int64_t>(*options_.duration_s * 1e6) &&
        model_->finished()) {
      begin_shutdown("--duration reached and every traveller has left");
      return;
    }
    if (std::chrono::steady_clock::now() - last_flush_ >= kSentLogFlushPeriod) {
      last_flush_ = std::chrono::steady_clock::now();
      if (sent_log_.flush() && !sent_log_failed_) {
        sent_log_failed_ = true;
        log_ << "garita-sim llrp: writing the sent log failed\n";
      }
    }
    schedule_tick();
  }

  void catch_up() { advance_world(clock_.now_us()); }

  // Moves the model and every reader to `now_us`, handing out reads and
  // firing reader timers in time order.
  void advance_world(std::int64_t now_us) {
    if (advancing_) return;
    advancing_ = true;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      std::int64_t target = now_us;
      for (const auto& s : servers_) {
        if (const auto d = s->next_deadline()) target = std::min(target, *d);
      }
      target = std::max(target, model_->now_us());
      TagObservation read;
      while (model_->next_until(target, read)) {
        if (read.reader < servers_.size()) servers_[read.reader]->on_observation(read);
      }
      for (const auto& s : servers_) s->advance_to(target);
      if (target >= now_us) break;
    }
    for (const auto& s : servers_) s->kick();
    advancing_ = false;
  }

  void fire_due_faults() {
    const std::int64_t elapsed = clock_.elapsed_us();
    while (next_fault_ < faults_.size() && faults_[next_fault_].at_us <= elapsed) {
      const FaultSpec& fault = faults_[next_fault_++];
      for (const auto& s : servers_) {
        if (fault.lane == 0 || fault.lane == s->lane()) s->apply_fault(fault);
      }
    }
  }

  // --- shutdown ----------------------------------------------------------------

  void on_signal(boost::system::error_code ec, int signal) {
    if (ec) return;
    begin_shutdown(signal == SIGINT ? "SIGINT" : "SIGTERM");
  }

  void begin_shutdown(const std::string& why) {
    if (shutting_down_) return;
    catch_up();
    shutting_down_ = true;
    log_ << "garita-sim llrp: stopping (" << why << ")\n";
    tick_timer_.cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    for (const auto& s : servers_) s->shutdown();
    io_.stop();
  }

  int finish() {
    for (const auto& s : servers_) s->finish();
    int status = kExitOk;
    if (truth_.close() || truth_failed_) {
      log_ << "garita-sim llrp: the truth file is incomplete\n";
      status = kExitRuntimeError;
    }
    if (sent_log_.close() || sent_log_failed_) {
      log_ << "garita-sim llrp: the sent log is incomplete\n";
      status = kExitRuntimeError;
    }
    for (const auto& s : servers_) {
      const ReaderCounters& c = s->engine().counters();
      log_ << "garita-sim llrp: lane " << s->lane() << ": reads " << c.reads_seen << ", not read "
           << c.reads_not_read << ", tag reports " << c.tags_reported << " (sent " << c.tags_sent
           << ", lost " << c.tags_lost << ") in " << c.reports_sent
           << " RO_ACCESS_REPORTs, keepalives " << c.keepalives_sent << " (acked "
           << c.keepalive_acks << "), connections " << c.connections << " (refused "
           << c.refused_connections << "), error responses " << c.error_responses << '\n';
    }
    return status;
  }

  const LlrpSimulatorOptions& options_;
  std::ostream& out_;
  std::ostream& log_;
  asio::io_context io_;
  SimClock clock_;
  asio::steady_timer tick_timer_;
  asio::signal_set signals_;
  std::unique_ptr<TrafficModel> model_;
  GroundTruthCsvWriter truth_;
  bool truth_failed_ = false;
  SentLogWriter sent_log_;
  bool sent_log_failed_ = false;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<ReaderServer>> servers_;
  std::vector<FaultSpec> faults_;
  std::size_t next_fault_ = 0;
  bool advancing_ = false;
  bool shutting_down_ = false;
  bool ready_failed_ = false;
};

}  // namespace

bool check_options(const LlrpSimulatorOptions& o, std::string& error) {
  if (o.lanes == 0 || o.lanes > kMaxLanes) {
    error = "--lanes must be 1.." + std::to_string(kMaxLanes);
    return false;
  }
  if (o.port != 0 && static_cast<unsigned>(o.port) + o.lanes - 1 > 65535) {
    error = "--port " + std::to_string(o.port) + " with " + std::to_string(o.lanes) +
            " lanes needs ports beyond 65535 (reader L listens on port + L - 1)";
    return false;
  }
  if (!(o.speed > 0.0) || o.speed > kMaxSpeed) {
    error = "--speed must be above 0 and at most " + std::to_string(static_cast<int>(kMaxSpeed));
    return false;
  }
  if (o.duration_s && !(*o.duration_s > 0.0 && *o.duration_s <= 86'400.0 * 365)) {
    error = "--duration must be a positive number of seconds";
    return false;
  }
  if (o.travelers_per_min && !(*o.travelers_per_min >= 0.0 && *o.travelers_per_min <= 600.0)) {
    error = "--rate must be 0..600 travellers per minute per lane";
    return false;
  }
  for (const FaultSpec& f : o.faults) {
    if (f.lane > o.lanes) {
      error = "fault '" + to_string(f) + "' names lane " + std::to_string(f.lane) +
              " but there are " + std::to_string(o.lanes) + " lane(s)";
      return false;
    }
  }
  return true;
}

int run_llrp_simulator(const LlrpSimulatorOptions& options, std::ostream& out, std::ostream& log) {
  std::string error;
  if (!check_options(options, error)) {
    log << "garita-sim llrp: " << error << '\n';
    return kExitBadInput;
  }
  try {
    Simulator simulator(options, out, log);
    return simulator.run();
  } catch (const std::invalid_argument& e) {
    log << "garita-sim llrp: " << e.what() << '\n';
    return kExitBadInput;
  }
}

}  // namespace garita::sim::llrp
