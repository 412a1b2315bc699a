#pragma once
// What `garita-sim llrp` (llrp/LlrpSimulator) and `garita-sim serial`
// (serial/SerialSimulator) share: the options every reader simulator takes,
// their checks, and the run loop that drives one simulated reader per lane
// from the traffic model. Kept in one place so both simulators tick, stop,
// flush their logs and report failures the same way; each simulator only
// says how its lanes are set up, announced and summarised.
//
// The loop: the model and every lane run on a SimClock started at the host's
// wall-clock time and running --speed times faster. A 5 ms host tick moves
// the model forward and hands each read to its lane, interleaved with the
// lanes' own timers in time order; a lane can ask for the same catch-up
// before it handles host input, so commands and reads are ordered as on a
// real reader. Faults fire when their simulated time is due. It stops on
// SIGINT/SIGTERM, or once --duration seconds of arrivals are over and the
// last traveller has left; the lanes get a bounded grace to say goodbye,
// then the truth file and the sent log are closed and each lane's counters
// are logged.
#include <algorithm>
#include <chrono>
#include <concepts>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "garita/sim/GroundTruth.hpp"
#include "garita/sim/SentLogWriter.hpp"
#include "garita/sim/TagObservation.hpp"
#include "garita/sim/TrafficConfig.hpp"
#include "garita/sim/TrafficModel.hpp"
#include "garita/sim/llrp/SimClock.hpp"

namespace garita::sim {

enum class TrafficPreset : std::uint8_t {
  realistic,  // TrafficConfig::defaults() (--preset default)
  clean,      // TrafficConfig::clean()
};

// The options of every reader simulator (LlrpSimulatorOptions and
// SerialSimulatorOptions add their own).
struct ReaderSimulationOptions {
  unsigned lanes = 1;                       // lanes in the model, reader L = lane L
  std::optional<double> travelers_per_min;  // per lane; default: the model's
  std::uint64_t seed = 1;
  std::optional<double> duration_s;  // simulated seconds of arrivals
  double speed = 1.0;
  TrafficPreset preset = TrafficPreset::realistic;
  std::filesystem::path truth_file;
  std::filesystem::path sent_log_file;
  std::filesystem::path ready_file;
  bool quiet = false;
};

// Exit statuses of both simulators.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // cannot listen, cannot write a file
inline constexpr int kExitBadInput = 2;      // options that make no sense

// The checks both simulators make, split so each can put its own checks
// between them (the first error found is the one reported): --lanes, then
// --speed, --duration and --rate. Each returns false with `error` set.
bool check_lane_count(const ReaderSimulationOptions& options, std::string& error);
bool check_timing_options(const ReaderSimulationOptions& options, std::string& error);

// Refuses a fault that names a lane the model does not have.
template <typename Fault>
bool check_fault_lanes(const std::vector<Fault>& faults, unsigned lanes, std::string& error) {
  for (const Fault& f : faults) {
    if (f.lane > lanes) {
      error = "fault '" + to_string(f) + "' names lane " + std::to_string(f.lane) +
              " but there are " + std::to_string(lanes) + " lane(s)";
      return false;
    }
  }
  return true;
}

// The traffic model's configuration for `options`, arrivals starting at
// `start_us` (reader_per_lane layout, lanes 1..N, records not retained).
TrafficConfig make_traffic_config(const ReaderSimulationOptions& options, std::int64_t start_us);

// The host's wall clock in µs since the Unix epoch (where SimClock starts).
std::int64_t wall_clock_us();

// What differs between the simulators in the shared loop.
struct ReaderSimulationTraits {
  std::string_view name;  // "garita-sim llrp": the prefix of every line it prints
  // How long the lanes may take to say goodbye after the loop stopped.
  std::chrono::milliseconds shutdown_grace;
  std::string_view sent_log_preamble;  // SentLogWriter::open
};

// What the loop needs of a simulated reader (llrp::ReaderServer,
// serial::ModulePort) and of its faults (llrp::FaultSpec,
// serial::SerialFault: at_us since the start, lane 0 = every lane).
template <typename Lane, typename Fault>
concept SimulatedLane = requires(Lane& lane, const Lane& const_lane, const TagObservation& read,
                                 std::int64_t now_us, const Fault& fault) {
  { const_lane.lane() } -> std::convertible_to<LaneId>;
  { const_lane.next_deadline() } -> std::same_as<std::optional<std::int64_t>>;
  lane.on_observation(read);  // a read of this lane's reader
  lane.advance_to(now_us);    // fire the lane's own timers up to now_us
  lane.kick();                // write what the lane queued
  lane.apply_fault(fault);
  lane.shutdown();  // say goodbye; the loop then runs for the grace period
  lane.finish();    // after the loop: account for what was never sent
  { fault.at_us } -> std::convertible_to<std::int64_t>;
  { fault.lane } -> std::convertible_to<LaneId>;
};

// The run loop over lanes of type `Lane` with faults of type `Fault`.
template <typename Lane, typename Fault>
requires SimulatedLane<Lane, Fault>
class ReaderSimulation {
 public:
  virtual ~ReaderSimulation() = default;
  ReaderSimulation(const ReaderSimulation&) = delete;
  ReaderSimulation& operator=(const ReaderSimulation&) = delete;

  // Sets everything up, runs until stopped, returns the exit status.
  int run() {
    if (int status = set_up_model(); status != kExitOk) return status;
    if (int status = set_up_files(); status != kExitOk) return status;
    if (int status = set_up_lanes(); status != kExitOk) return status;
    signals_.async_wait(
        [this](boost::system::error_code ec, int signal) { on_signal(ec, signal); });
    schedule_tick();
    if (!announce_ready()) return kExitRuntimeError;
    io_.run();
    // Shutdown began inside run(): let the goodbyes finish, within bounds.
    io_.restart();
    io_.run_for(traits_.shutdown_grace);
    return finish();
  }

 protected:
  ReaderSimulation(const ReaderSimulationOptions& options, std::vector<Fault> faults,
                   const ReaderSimulationTraits& traits, std::ostream& out, std::ostream& log)
      : out_(out),
        log_(log),
        options_(options),
        traits_(traits),
        clock_(wall_clock_us(), options.speed),
        tick_timer_(io_),
        signals_(io_, SIGINT, SIGTERM),
        by_reader_(options.lanes, nullptr),
        faults_(std::move(faults)) {
    std::stable_sort(faults_.begin(), faults_.end(),
                     [](const Fault& a, const Fault& b) { return a.at_us < b.at_us; });
  }

  // Creates the lanes (add_lane), logging why one cannot start.
  virtual int set_up_lanes() = 0;
  // Prints where the lanes are and writes --ready-file; false if that failed.
  virtual bool announce_ready() = 0;
  // Logs one lane's counters at exit.
  virtual void log_summary(const Lane& lane) = 0;

  // Lane L gets reader index L - 1's reads (reader_per_lane layout).
  void add_lane(std::unique_ptr<Lane> lane) {
    const std::size_t reader = static_cast<std::size_t>(lane->lane()) - 1;
    if (reader < by_reader_.size()) by_reader_[reader] = lane.get();
    lanes_.push_back(std::move(lane));
  }
  const std::vector<std::unique_ptr<Lane>>& lanes() const noexcept { return lanes_; }

  // Brings the model and every lane up to now (a lane calls this before it
  // handles host input).
  void catch_up() { advance_world(clock_.now_us()); }

  boost::asio::io_context& io() noexcept { return io_; }
  const llrp::SimClock& clock() const noexcept { return clock_; }
  llrp::TagLog& tag_log() noexcept { return sent_log_; }

  std::ostream& out_;
  std::ostream& log_;

 private:
  static constexpr std::chrono::milliseconds kTick{5};
  static constexpr std::chrono::seconds kSentLogFlushPeriod{1};

  int set_up_model() {
    const TrafficConfig config = make_traffic_config(options_, clock_.start_us());
    std::string error;
    if (validate(config, error)) {
      log_ << traits_.name << ": traffic model: " << error << '\n';
      return kExitBadInput;
    }
    model_ = std::make_unique<TrafficModel>(config);
    return kExitOk;
  }

  int set_up_files() {
    if (!options_.truth_file.empty()) {
      if (truth_.open(options_.truth_file)) {
        log_ << traits_.name << ": cannot write the truth file " << options_.truth_file.string()
             << '\n';
        return kExitRuntimeError;
      }
      model_->set_truth_sink([this](const GroundTruthRecord& record) {
        if (truth_.write(record) && !truth_failed_) {
          truth_failed_ = true;
          log_ << traits_.name << ": writing the truth file failed\n";
        }
      });
    }
    if (!options_.sent_log_file.empty() &&
        sent_log_.open(options_.sent_log_file, traits_.sent_log_preamble)) {
      log_ << traits_.name << ": cannot write the sent log " << options_.sent_log_file.string()
           << '\n';
      return kExitRuntimeError;
    }
    return kExitOk;
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
        log_ << traits_.name << ": writing the sent log failed\n";
      }
    }
    schedule_tick();
  }

  // Moves the model and every lane to `now_us`, handing out reads and firing
  // the lanes' timers in time order.
  void advance_world(std::int64_t now_us) {
    if (advancing_) return;
    advancing_ = true;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      std::int64_t target = now_us;
      for (const auto& lane : lanes_) {
        if (const auto d = lane->next_deadline()) target = std::min(target, *d);
      }
      target = std::max(target, model_->now_us());
      TagObservation read;
      while (model_->next_until(target, read)) {
        // Lanes not simulated (serial --lane N) still see their reads
        // generated, so the neighbours' bleed is as real.
        if (read.reader < by_reader_.size() && by_reader_[read.reader] != nullptr)
          by_reader_[read.reader]->on_observation(read);
      }
      for (const auto& lane : lanes_) lane->advance_to(target);
      if (target >= now_us) break;
    }
    for (const auto& lane : lanes_) lane->kick();
    advancing_ = false;
  }

  void fire_due_faults() {
    const std::int64_t elapsed = clock_.elapsed_us();
    while (next_fault_ < faults_.size() && faults_[next_fault_].at_us <= elapsed) {
      const Fault& fault = faults_[next_fault_++];
      for (const auto& lane : lanes_) {
        if (fault.lane == 0 || fault.lane == lane->lane()) lane->apply_fault(fault);
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
    log_ << traits_.name << ": stopping (" << why << ")\n";
    tick_timer_.cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    for (const auto& lane : lanes_) lane->shutdown();
    io_.stop();
  }

  int finish() {
    for (const auto& lane : lanes_) lane->finish();
    int status = kExitOk;
    if (truth_.close() || truth_failed_) {
      log_ << traits_.name << ": the truth file is incomplete\n";
      status = kExitRuntimeError;
    }
    if (sent_log_.close() || sent_log_failed_) {
      log_ << traits_.name << ": the sent log is incomplete\n";
      status = kExitRuntimeError;
    }
    for (const auto& lane : lanes_) log_summary(*lane);
    return status;
  }

  const ReaderSimulationOptions& options_;
  const ReaderSimulationTraits traits_;
  // Declared before the lanes, which hold references to them, so the lanes
  // are destroyed first.
  boost::asio::io_context io_;
  llrp::SimClock clock_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::signal_set signals_;
  std::unique_ptr<TrafficModel> model_;
  GroundTruthCsvWriter truth_;
  bool truth_failed_ = false;
  SentLogWriter sent_log_;
  bool sent_log_failed_ = false;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<Lane*> by_reader_;  // reader index -> lane, nullptr: not simulated
  std::vector<Fault> faults_;     // by at_us
  std::size_t next_fault_ = 0;
  bool advancing_ = false;
  bool shutting_down_ = false;
};

// Checks `options` (check_options, found by ADL) and runs a `Simulation`
// built from them; what both run_*_simulator functions do.
template <typename Simulation, typename Options>
int run_reader_simulation(std::string_view name, const Options& options, std::ostream& out,
                          std::ostream& log) {
  std::string error;
  if (!check_options(options, error)) {
    log << name << ": " << error << '\n';
    return kExitBadInput;
  }
  try {
    Simulation simulation(options, out, log);
    return simulation.run();
  } catch (const std::invalid_argument& e) {
    log << name << ": " << e.what() << '\n';
    return kExitBadInput;
  }
}

}  // namespace garita::sim
