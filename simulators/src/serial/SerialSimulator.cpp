#include "garita/sim/serial/SerialSimulator.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "garita/sim/GroundTruth.hpp"
#include "garita/sim/TrafficModel.hpp"
#include "garita/sim/llrp/SimClock.hpp"
#include "garita/sim/serial/ModulePort.hpp"
#include "garita/sim/serial/SerialSentLog.hpp"

namespace garita::sim::serial {
namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds kTick{5};
constexpr std::chrono::seconds kSentLogFlushPeriod{1};
// Lets the host read what is already on the line before the ptys close.
constexpr std::chrono::milliseconds kShutdownGrace{200};
constexpr double kMaxSpeed = 1000.0;
constexpr unsigned kMaxLanes = 64;
constexpr std::string_view kLanePlaceholder = "{lane}";

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Simulator {
 public:
  Simulator(const SerialSimulatorOptions& options, std::ostream& out, std::ostream& log)
      : options_(options),
        out_(out),
        log_(log),
        clock_(wall_clock_us(), options.speed),
        tick_timer_(io_),
        signals_(io_, SIGINT, SIGTERM) {}

  int run() {
    if (int status = set_up_model(); status != kExitOk) return status;
    if (int status = set_up_files(); status != kExitOk) return status;
    if (int status = set_up_modules(); status != kExitOk) return status;
    signals_.async_wait(
        [this](boost::system::error_code ec, int signal) { on_signal(ec, signal); });
    schedule_tick();
    announce_ready();
    if (ready_failed_) return kExitRuntimeError;
    io_.run();
    io_.restart();
    io_.run_for(kShutdownGrace);
    return finish();
  }

 private:
  int set_up_model() {
    TrafficConfig config =
        options_.clean_preset ? TrafficConfig::clean() : TrafficConfig::defaults();
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
      log_ << "garita-sim serial: traffic model: " << error << '\n';
      return kExitBadInput;
    }
    model_ = std::make_unique<TrafficModel>(config);
    return kExitOk;
  }

  int set_up_files() {
    if (!options_.truth_file.empty()) {
      if (truth_.open(options_.truth_file)) {
        log_ << "garita-sim serial: cannot write the truth file " << options_.truth_file.string()
             << '\n';
        return kExitRuntimeError;
      }
      model_->set_truth_sink([this](const GroundTruthRecord& record) {
        if (truth_.write(record) && !truth_failed_) {
          truth_failed_ = true;
          log_ << "garita-sim serial: writing the truth file failed\n";
        }
      });
    }
    if (!options_.sent_log_file.empty() && sent_log_.open(options_.sent_log_file)) {
      log_ << "garita-sim serial: cannot write the sent log " << options_.sent_log_file.string()
           << '\n';
      return kExitRuntimeError;
    }
    return kExitOk;
  }

  int set_up_modules() {
    by_reader_.assign(options_.lanes, nullptr);
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
          io_, clock_, o, sent_log_, log_, [this] { catch_up(); }, [this] { on_replugged(); });
      std::string error;
      if (port->open(error)) {
        log_ << "garita-sim serial: lane " << lane << ": " << error << '\n';
        return kExitRuntimeError;
      }
      // Reader index = lane index in the reader_per_lane layout.
      by_reader_[lane - 1] = port.get();
      ports_.push_back(std::move(port));
    }
    faults_ = options_.faults;
    std::stable_sort(faults_.begin(), faults_.end(),
                     [](const SerialFault& a, const SerialFault& b) { return a.at_us < b.at_us; });
    return kExitOk;
  }

  void announce_ready() {
    for (const auto& p : ports_) {
      out_ << "garita-sim serial: lane " << p->lane() << " module on " << p->device();
      if (!p->link().empty()) out_ << " (link " << p->link().string() << ")";
      out_ << '\n';
    }
    out_ << "garita-sim serial: ready (" << ports_.size() << " module(s), "
         << to_string(options_.model) << ", speed " << options_.speed << "x, seed " << options_.seed
         << ")\n";
    out_.flush();
    if (!write_ready_file()) ready_failed_ = true;
  }

  // "LANE DEVICE [LINK]" per module, written atomically (FILE.tmp, rename).
  bool write_ready_file() {
    if (options_.ready_file.empty()) return true;
    std::filesystem::path tmp = options_.ready_file;
    tmp += ".tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      for (const auto& p : ports_) {
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
    for (const auto& p : ports_) {
      if (!p->device().empty()) {
        out_ << "garita-sim serial: lane " << p->lane() << " module on " << p->device() << '\n';
      }
    }
    out_.flush();
    (void)write_ready_file();
  }

  // --- the time loop ---------------------------------------------------------

  void schedule_tick() {
    tick_timer_.expires_after(kTick);
    tick_timer_.async_wait([this](boost::system::error_code ec) { on_tick(ec); });
  }

  void on_tick(boost::system::error_code ec) {
    if (ec || shutting_down_) return;
    advance_world(clock_.now_us());
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
        log_ << "garita-sim serial: writing the sent log failed\n";
      }
    }
    schedule_tick();
  }

  void catch_up() { advance_world(clock_.now_us()); }

  // Moves the model and every module to `now_us`, reads and module timers
  // in time order.
  void advance_world(std::int64_t now_us) {
    if (advancing_) return;
    advancing_ = true;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      std::int64_t target = now_us;
      for (const auto& p : ports_) {
        if (const auto d = p->next_deadline()) target = std::min(target, *d);
      }
      target = std::max(target, model_->now_us());
      TagObservation read;
      while (model_->next_until(target, read)) {
        if (read.reader < by_reader_.size() && by_reader_[read.reader] != nullptr)
          by_reader_[read.reader]->on_observation(read);
      }
      for (const auto& p : ports_) p->advance_to(target);
      if (target >= now_us) break;
    }
    for (const auto& p : ports_) p->kick();
    advancing_ = false;
  }

  void fire_due_faults() {
    const std::int64_t elapsed = clock_.elapsed_us();
    while (next_fault_ < faults_.size() && faults_[next_fault_].at_us <= elapsed) {
      const SerialFault& fault = faults_[next_fault_++];
      for (const auto& p : ports_) {
        if (fault.lane == 0 || fault.lane == p->lane()) p->apply_fault(fault);
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
    log_ << "garita-sim serial: stopping (" << why << ")\n";
    tick_timer_.cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    for (const auto& p : ports_) p->shutdown();
    io_.stop();
  }

  int finish() {
    for (const auto& p : ports_) p->finish();
    int status = kExitOk;
    if (truth_.close() || truth_failed_) {
      log_ << "garita-sim serial: the truth file is incomplete\n";
      status = kExitRuntimeError;
    }
    if (sent_log_.close() || sent_log_failed_) {
      log_ << "garita-sim serial: the sent log is incomplete\n";
      status = kExitRuntimeError;
    }
    for (const auto& p : ports_) {
      const ModuleCounters& c = p->module().counters();
      log_ << "garita-sim serial: lane " << p->lane() << ": reads " << c.reads_seen << ", not read "
           << c.reads_not_read << ", tag records " << c.records_queued << " (sent "
           << c.records_sent << ", lost " << c.records_lost << "), keep-alives " << c.keep_alives
           << ", stats " << c.stats_reports << ", commands " << c.commands << " (error responses "
           << c.error_responses << ", bad CRC " << c.host_bad_crc << "), boots " << c.boots
           << ", resets " << c.resets << ", ptys " << p->generation() << '\n';
    }
    return status;
  }

  const SerialSimulatorOptions& options_;
  std::ostream& out_;
  std::ostream& log_;
  asio::io_context io_;
  llrp::SimClock clock_;
  asio::steady_timer tick_timer_;
  asio::signal_set signals_;
  std::unique_ptr<TrafficModel> model_;
  GroundTruthCsvWriter truth_;
  bool truth_failed_ = false;
  SerialSentLog sent_log_;
  bool sent_log_failed_ = false;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<ModulePort>> ports_;
  std::vector<ModulePort*> by_reader_;
  std::vector<SerialFault> faults_;
  std::size_t next_fault_ = 0;
  bool advancing_ = false;
  bool shutting_down_ = false;
  bool ready_failed_ = false;
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
  if (o.lanes == 0 || o.lanes > kMaxLanes) {
    error = "--lanes must be 1.." + std::to_string(kMaxLanes);
    return false;
  }
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
  for (const SerialFault& f : o.faults) {
    if (f.lane > o.lanes) {
      error = "fault '" + to_string(f) + "' names lane " + std::to_string(f.lane) +
              " but there are " + std::to_string(o.lanes) + " lane(s)";
      return false;
    }
  }
  return true;
}

int run_serial_simulator(const SerialSimulatorOptions& options, std::ostream& out,
                         std::ostream& log) {
  std::string error;
  if (!check_options(options, error)) {
    log << "garita-sim serial: " << error << '\n';
    return kExitBadInput;
  }
  try {
    Simulator simulator(options, out, log);
    return simulator.run();
  } catch (const std::invalid_argument& e) {
    log << "garita-sim serial: " << e.what() << '\n';
    return kExitBadInput;
  }
}

}  // namespace garita::sim::serial
