#include "garita/daemon/Daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <vector>

#include "garita/common/Errc.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/Log.hpp"
#include "garita/common/lane/LanePipeline.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/GroupCommitter.hpp"
#include "garita/daemon/SystemdNotifier.hpp"
#include "garita/hal/DriverTable.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace garita::daemon {
namespace asio = boost::asio;

namespace {

constexpr std::string_view kLog = "garitad";

lane::AntennaRole to_lane_role(config::AntennaRole role) {
  switch (role) {
    case config::AntennaRole::entry: return lane::AntennaRole::entry;
    case config::AntennaRole::exit: return lane::AntennaRole::exit;
    case config::AntennaRole::both: return lane::AntennaRole::both;
  }
  return lane::AntennaRole::both;
}

log::Severity to_log(hal::Severity s) {
  switch (s) {
    case hal::Severity::debug: return log::Severity::debug;
    case hal::Severity::info: return log::Severity::info;
    case hal::Severity::warning: return log::Severity::warning;
    case hal::Severity::error: return log::Severity::error;
  }
  return log::Severity::info;
}

std::int64_t seconds_to_us(double s) { return static_cast<std::int64_t>(s * 1'000'000.0); }

// Arbitration events name the card (its EPC): personal data stays at debug.
bool names_a_card(lane::PipelineEventKind kind) {
  return kind == lane::PipelineEventKind::arbitration_lost ||
         kind == lane::PipelineEventKind::arbitration_timeout;
}

}  // namespace

struct Daemon::Impl final : hal::ReaderSink, lane::LaneSink {
  Impl(asio::io_context& io_in, config::SiteConfig site_in, DaemonOptions options_in)
      : io(io_in),
        site(std::move(site_in)),
        options(options_in),
        tick_timer(io_in),
        summary_timer(io_in),
        watchdog_timer(io_in) {}

  // ------------------------------------------------------------- start

  std::error_code start(std::string& error) {
    if (auto ec = open_store(error)) return ec;
    if (auto ec = build_pipeline(error)) {
      stop_store();
      return ec;
    }
    if (auto ec = make_drivers(error)) {
      drivers.clear();
      stop_store();
      return ec;
    }
    for (auto& driver : drivers) driver->start();
    pipeline->set_host_clock_synchronized(host_clock_synchronized());
    do_tick();
    do_summary();
    if (auto interval = SystemdNotifier::watchdog_interval()) {
      watchdog_every = *interval / 2;
      do_watchdog();
    }
    log::info(kLog, "started: port " + site.port_code + ", " + std::to_string(site.lanes.size()) +
                        " lane(s), " + std::to_string(drivers.size()) + " reader(s), database " +
                        site.store.path.string());
    systemd.ready();
    systemd.status("running");
    return {};
  }

  std::error_code open_store(std::string& error) {
    store::StoreOptions so;
    so.raw_capture.enabled = site.store.raw_reads;
    so.raw_capture.retention = std::chrono::seconds(
        static_cast<std::int64_t>(site.store.raw_reads_retention_hours * 3600.0));
    store::CrossingStore store;
    if (auto ec = store.open(site.store.path, so)) {
      error = "database " + site.store.path.string() + ": " + store.last_error();
      return ec;
    }
    std::vector<store::LaneSequence> sequences;
    if (auto ec = store.lane_sequences(sequences)) {
      error = "database " + site.store.path.string() + ": " + store.last_error();
      return ec;
    }
    for (const auto& s : sequences) last_sequence[s.lane_id] = s.max_sequence;

    store::CommitterOptions co;
    co.gather_window =
        std::chrono::microseconds(static_cast<std::int64_t>(site.store.group_commit_ms * 1000.0));
    co.on_error = [](std::error_code, std::string_view message) {
      log::error("store", message);  // thread-safe: one write(2) per line
    };
    committer = std::make_unique<store::GroupCommitter>(co);
    if (auto ec = committer->start(std::move(store))) {
      error = "database " + site.store.path.string() + ": could not start the writer (" +
              ec.message() + ")";
      committer.reset();
      return ec;
    }
    return {};
  }

  std::error_code build_pipeline(std::string& error) {
    lane::PipelineConfig pc;
    pc.issuers = std::make_shared<const IssuerTable>(site.issuers);
    pc.hash_seed = std::random_device{}();  // nobody can plan colliding EPCs
    for (const config::LaneSettings& l : site.lanes) {
      lane::LaneConfig lc;
      lc.lane_id = l.id;
      lc.port_code = site.port_code;
      for (const config::LaneAntenna& a : l.antennas) {
        lc.antennas.push_back({reader_index(a.reader), a.antenna, to_lane_role(a.role)});
      }
      lc.gap_us = seconds_to_us(l.debounce.gap_s);
      lc.min_reads = l.debounce.min_reads;
      lc.min_rssi_cdbm = static_cast<std::int16_t>(l.debounce.min_rssi_dbm * 100.0);
      lc.rearm_us = seconds_to_us(l.debounce.rearm_s);
      lc.max_open_sessions = l.debounce.max_open_sessions;
      if (auto it = last_sequence.find(l.id); it != last_sequence.end()) {
        lc.last_sequence = it->second;
      }
      pc.lanes.push_back(std::move(lc));
    }
    // The arbitration slack may not exceed the smallest gap + grace; the
    // config accepts gap_s down to 0.1 s, so shrink the slack with it
    // rather than refuse a configuration `garita config check` passed.
    for (const lane::LaneConfig& lc : pc.lanes) {
      pc.arbitration.overlap_slack_us =
          std::min(pc.arbitration.overlap_slack_us, lc.gap_us + pc.close_grace_us);
    }
    if (auto ec = lane::validate(pc, error)) return ec;
    try {
      pipeline = std::make_unique<lane::LanePipeline>(std::move(pc), *this);
    } catch (const std::exception& e) {
      error = std::string("lane pipeline: ") + e.what();
      return garita::Errc::config_bad_value;
    }
    return {};
  }

  std::error_code make_drivers(std::string& error) {
    for (std::size_t i = 0; i < site.readers.size(); ++i) {
      const config::ReaderSettings& rs = site.readers[i];
      hal::ReaderUri uri;
      std::string why;
      if (auto ec = hal::parse_reader_uri(rs.uri, uri, why)) {
        error = "reader " + rs.id + ": " + why;
        return ec;
      }
      hal::DriverOptions opt;
      opt.reader_id = static_cast<std::uint32_t>(i);
      opt.tls.ca_file = rs.tls_ca;
      opt.tls.cert_file = rs.tls_cert;
      opt.tls.key_file = rs.tls_key;
      // Ask the reader to inventory only the antennas that belong to a lane.
      for (const config::LaneSettings& l : site.lanes) {
        for (const config::LaneAntenna& a : l.antennas) {
          if (a.reader == rs.id) opt.antennas.push_back(a.antenna);
        }
      }
      const std::string component = "reader " + rs.id;
      opt.log = [component](hal::Severity s, std::string_view message) {
        log::write(to_log(s), component, message);
      };
      std::error_code ec;
      auto driver = hal::make_reader_driver(uri, io, *this, opt, ec, why);
      if (ec || !driver) {
        error = "reader " + rs.id + " (" + rs.uri + "): " + why;
        return ec ? ec : make_error_code(garita::Errc::config_bad_value);
      }
      drivers.push_back(std::move(driver));
      driver_uris.push_back(uri.to_string());
      last_state.push_back(hal::DriverState::disconnected);
      down_announced.push_back(false);
    }
    return {};
  }

  std::uint32_t reader_index(const std::string& id) const {
    for (std::size_t i = 0; i < site.readers.size(); ++i) {
      if (site.readers[i].id == id) return static_cast<std::uint32_t>(i);
    }
    return 0;  // the config parser already refused unknown reader ids
  }

  // ------------------------------------------------------------- readers

  void on_tag_read(const TagRead& read) override {
    if (stopping_drivers_done) return;  // late report after the pipeline was flushed
    pipeline->on_read(read, read.host_mono_us);
    if (site.store.raw_reads) raw_reads.push_back(read);
  }

  void on_status(const hal::ReaderStatus& status) override {
    // The driver logs its own state changes; what only the daemon knows is
    // which lanes a reader serves, so say when lanes lose or regain theirs.
    for (std::size_t i = 0; i < driver_uris.size(); ++i) {
      if (driver_uris[i] != status.uri) continue;
      const bool was_up = last_state[i] == hal::DriverState::running;
      const bool is_up = status.state == hal::DriverState::running;
      last_state[i] = status.state;
      if (stopping) return;
      // A reader that fails before it ever came up (powered off at start)
      // is announced too, once, at its first failed attempt.
      const bool first_failure =
          !is_up && !down_announced[i] && status.state == hal::DriverState::backing_off;
      if (was_up == is_up && !first_failure) return;
      const std::string lanes = lanes_of(site.readers[i].id);
      if (is_up) {
        down_announced[i] = false;
        log::info("reader " + site.readers[i].id, "up: lanes " + lanes + " are reading");
      } else {
        down_announced[i] = true;
        log::warning("reader " + site.readers[i].id,
                     "down: lanes " + lanes + " are not reading" +
                         (status.last_error.empty() ? "" : " (" + status.last_error + ")"));
      }
      return;
    }
  }

  std::string lanes_of(const std::string& reader_id) const {
    std::string out;
    for (const config::LaneSettings& l : site.lanes) {
      for (const config::LaneAntenna& a : l.antennas) {
        if (a.reader != reader_id) continue;
        if (!out.empty()) out += ",";
        out += l.id;
        break;
      }
    }
    return out;
  }

  // ------------------------------------------------------------- pipeline

  void on_crossing(const lane::CrossingEvent& event) override {
    ++emitted;
    submit(event);
  }

  void submit(const lane::CrossingEvent& event) {
    std::string why;
    const std::string lane_id = event.crossing.lane_id;
    const std::uint64_t sequence = event.crossing.sequence;
    const std::string document(to_string(event.crossing.document));
    const std::uint32_t reads = event.crossing.read_count;
    const bool extended = event.kind == lane::CrossingEventKind::extended;
    auto on_committed = [this, lane_id, sequence, document, reads, extended](std::error_code ec) {
      // Writer thread: hand the news to the io thread.
      asio::post(io, [this, ec, lane_id, sequence, document, reads, extended] {
        if (ec) {
          log::error("store", "crossing " + lane_id + ":" + std::to_string(sequence) +
                                  " NOT stored: " + ec.message());
          return;
        }
        committed.fetch_add(1, std::memory_order_relaxed);
        if (options.log_commits) {
          log::info("store", std::string("crossing committed lane=") + lane_id +
                                 " seq=" + std::to_string(sequence) + " document=" + document +
                                 " reads=" + std::to_string(reads) + (extended ? " extended" : ""));
        }
      });
    };
    if (auto ec = committer->submit(event, std::move(on_committed), &why)) {
      // The writer is saturated or failing: keep the crossing and try again
      // on the next tick. Nothing is dropped.
      retry.push_back(event);
      log::warning("store", "crossing " + lane_id + ":" + std::to_string(sequence) +
                                " held for retry: " + (why.empty() ? ec.message() : why));
    }
  }

  void on_event(const lane::PipelineEvent& event) override {
    const std::string text = lane::describe(event);
    if (names_a_card(event.kind)) {
      log::debug("lanes", text);
    } else {
      log::warning("lanes", text);
    }
  }

  // ------------------------------------------------------------- timers

  void do_tick() {
    tick_timer.expires_after(std::chrono::microseconds(options.tick_us));
    tick_timer.async_wait([this](boost::system::error_code ec) { on_tick(ec); });
  }

  void on_tick(boost::system::error_code ec) {
    if (ec) return;  // cancelled: stopping
    const HostTime now = host_now();
    pipeline->advance(now.mono_us);
    drain_retry();
    flush_raw_reads();
    if (now.mono_us - last_sync_check_us > 10'000'000) {
      last_sync_check_us = now.mono_us;
      pipeline->set_host_clock_synchronized(host_clock_synchronized());
    }
    do_tick();
  }

  void drain_retry() {
    std::size_t n = retry.size();
    while (n-- > 0) {
      lane::CrossingEvent event = std::move(retry.front());
      retry.pop_front();
      submit(event);  // goes back on the queue if still refused
    }
  }

  void flush_raw_reads() {
    if (raw_reads.empty()) return;
    committer->submit_reads(raw_reads);
    raw_reads.clear();
  }

  void do_summary() {
    summary_timer.expires_after(std::chrono::microseconds(options.summary_every_us));
    summary_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      const std::string line = summary();
      log::info(kLog, line);
      systemd.status(line);
      do_summary();
    });
  }

  std::string summary() const {
    std::string s = "committed " + std::to_string(committed.load()) + "; lanes";
    for (std::size_t i = 0; i < pipeline->lane_count(); ++i) {
      const lane::LaneMetrics m = pipeline->lane_metrics(i);
      s += " " + pipeline->lane_config(i).lane_id + ":" + std::to_string(m.crossings);
    }
    s += "; readers";
    for (std::size_t i = 0; i < drivers.size(); ++i) {
      s += " " + site.readers[i].id + ":" + std::string(hal::to_string(drivers[i]->status().state));
    }
    const store::CommitterMetrics cm = committer->metrics();
    s += "; store queue " + std::to_string(cm.queue_depth);
    if (!retry.empty()) s += ", " + std::to_string(retry.size()) + " held";
    return s;
  }

  void do_watchdog() {
    watchdog_timer.expires_after(watchdog_every);
    watchdog_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      // Only a daemon whose store writer is alive is healthy: otherwise let
      // systemd restart us rather than pretend.
      if (committer && committer->running()) systemd.watchdog();
      do_watchdog();
    });
  }

  // ------------------------------------------------------------- stop

  void stop(std::function<void()> done) {
    if (done) stop_waiters.push_back(std::move(done));
    if (stopping) return;
    stopping = true;
    systemd.stopping();
    log::info(kLog, "stopping: closing reader connections");
    tick_timer.cancel();
    summary_timer.cancel();
    watchdog_timer.cancel();
    if (drivers.empty()) {
      finish_stop();
      return;
    }
    auto remaining = std::make_shared<std::size_t>(drivers.size());
    for (auto& driver : drivers) {
      driver->stop([this, remaining] {
        if (--*remaining == 0) asio::post(io, [this] { finish_stop(); });
      });
    }
  }

  void finish_stop() {
    stopping_drivers_done = true;
    pipeline->flush();  // every open session is decided now
    drain_retry();
    flush_raw_reads();
    const std::uint64_t held = retry.size();
    stop_store();
    if (held != 0) {
      log::error(kLog, std::to_string(held) + " crossing(s) could not be handed to the store");
    }
    // The writer posted its last commit reports before stop() returned; this
    // runs after them (one io thread, handlers in order).
    asio::post(io, [this] {
      log::info(kLog, "stopped: " + std::to_string(emitted) + " crossing event(s) this run, " +
                          std::to_string(committed.load()) + " committed");
      auto waiters = std::move(stop_waiters);
      for (auto& w : waiters) w();
    });
  }

  void stop_store() {  // NOLINT(readability-make-member-function-const): stops the writer
    if (!committer) return;
    // Everything submitted is committed (or reported) before the writer stops.
    (void)committer->flush(std::chrono::seconds(30));
    (void)committer->stop();
    // The writer posted its last on_committed callbacks; they run before
    // io_context::run() returns.
  }

  asio::io_context& io;
  config::SiteConfig site;
  DaemonOptions options;
  std::unique_ptr<store::GroupCommitter> committer;
  std::unique_ptr<lane::LanePipeline> pipeline;
  std::vector<std::shared_ptr<hal::ReaderDriver>> drivers;
  std::vector<std::string> driver_uris;  // canonical, as ReaderStatus::uri gives it
  std::vector<hal::DriverState> last_state;
  std::vector<bool> down_announced;  // "down" logged since the reader was last up
  std::map<std::string, std::uint64_t> last_sequence;
  std::deque<lane::CrossingEvent> retry;
  std::vector<TagRead> raw_reads;
  asio::steady_timer tick_timer;
  asio::steady_timer summary_timer;
  asio::steady_timer watchdog_timer;
  std::chrono::microseconds watchdog_every{0};
  SystemdNotifier systemd;
  std::atomic<std::uint64_t> committed{0};
  std::uint64_t emitted = 0;
  std::int64_t last_sync_check_us = 0;
  bool stopping = false;
  bool stopping_drivers_done = false;
  std::vector<std::function<void()>> stop_waiters;
};

Daemon::Daemon(asio::io_context& io, config::SiteConfig site, DaemonOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(site), options)) {}

Daemon::~Daemon() = default;

std::error_code Daemon::start(std::string& error) { return impl_->start(error); }

void Daemon::stop(std::function<void()> done) { impl_->stop(std::move(done)); }

std::uint64_t Daemon::committed() const noexcept { return impl_->committed.load(); }

}  // namespace garita::daemon
