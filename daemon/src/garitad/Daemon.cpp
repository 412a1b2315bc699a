#include "garita/daemon/Daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <random>
#include <vector>

#include "garita/common/Errc.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/Log.hpp"
#include "garita/common/lane/LanePipeline.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/GroupCommitter.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"
#include "garita/daemon/RetentionJob.hpp"
#include "garita/daemon/SystemdNotifier.hpp"
#include "garita/daemon/http/HttpServer.hpp"
#include "garita/daemon/uplink/UplinkService.hpp"
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
    // The daily retention purge (docs/operations.md): its own thread, store
    // steps on the committer's writer thread.
    retention_job = std::make_unique<RetentionJob>(site, *committer);
    retention_job->start();
    if (auto ec = build_pipeline(error)) {
      stop_store();
      return ec;
    }
    if (auto ec = make_drivers(error)) {
      drivers.clear();
      stop_store();
      return ec;
    }
    if (auto ec = start_uplink(error)) {
      drivers.clear();
      stop_store();
      return ec;
    }
    for (auto& driver : drivers) driver->start();
    if (pipeline) pipeline->set_host_clock_synchronized(host_clock_synchronized());
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
    if (auto ec = load_recent_crossings(store, error)) return ec;

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

  // Crossings stored shortly before this start, so that a card still in its
  // lane after a crash or restart extends its stored crossing (rearm rule)
  // instead of being stored twice.
  std::error_code load_recent_crossings(store::CrossingStore& store, std::string& error) {
    double max_rearm_s = 0;
    for (const config::LaneSettings& l : site.lanes) {
      max_rearm_s = std::max(max_rearm_s, l.debounce.rearm_s);
    }
    // A crossing may have begun a while before its last read (a lingerer).
    constexpr std::int64_t kLongestPassUs = 15LL * 60 * 1'000'000;
    store::CrossingFilter filter;
    filter.since_utc_us = host_now().utc_us - seconds_to_us(max_rearm_s) - kLongestPassUs;
    filter.limit = 10'000;
    for (;;) {
      store::CrossingPage page;
      if (auto ec = store.list_crossings(filter, page)) {
        error = "database " + site.store.path.string() + ": " + store.last_error();
        return ec;
      }
      for (auto& row : page.rows) recent_crossings.push_back(std::move(row.crossing));
      if (!page.next) break;
      filter.after = page.next;
    }
    return {};
  }

  void restore_recent_crossings() {
    const HostTime now = host_now();
    std::size_t restored = 0;
    for (const Crossing& c : recent_crossings) {
      if (pipeline->restore_crossing(c, now.mono_us, now.utc_us)) ++restored;
    }
    recent_crossings.clear();
    recent_crossings.shrink_to_fit();
    if (restored > 0) {
      log::info(kLog, "restart: " + std::to_string(restored) +
                          " recent crossing(s) restored; cards still in their lane extend them");
    }
  }

  std::error_code build_pipeline(std::string& error) {
    lane::PipelineConfig pc;
    pc.issuers = std::make_shared<const IssuerTable>(site.issuers);
    pc.hash_seed = std::random_device{}();  // nobody can plan colliding EPCs
    for (const config::LaneSettings& l : site.lanes) {
      if (l.controller) continue;  // its garita-lane runs the pipeline (docs/uplink.md)
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
    if (pc.lanes.empty()) return {};  // every lane has a lane controller: no pipeline here
    if (auto ec = lane::validate(pc, error)) return ec;
    try {
      pipeline = std::make_unique<lane::LanePipeline>(std::move(pc), *this);
    } catch (const std::exception& e) {
      error = std::string("lane pipeline: ") + e.what();
      return garita::Errc::config_bad_value;
    }
    restore_recent_crossings();
    return {};
  }

  // ------------------------------------------------------------- uplink

  std::error_code start_uplink(std::string& error) {
    const config::UplinkSettings& u = site.uplink;
    if (!u.listener.enabled) return {};
    std::vector<std::string> controller_lanes;
    for (const config::LaneSettings& l : site.lanes) {
      if (l.controller) controller_lanes.push_back(l.id);
    }
    uplink_service = std::make_unique<uplink::UplinkService>(
        controller_lanes, u.max_batch,
        [this](Crossing c, store::GroupCommitter::OnCommitted done, std::string* why) {
          return submit_from_uplink(std::move(c), std::move(done), why);
        });
    http::ListenerOptions o;
    o.address = u.listener.address;
    o.port = u.listener.port;
    o.cert_file = u.listener.cert_file;
    o.key_file = u.listener.key_file;
    o.client_ca_file = u.listener.client_ca_file;
    o.tls13_only = true;  // contracts.md A
    o.max_body_bytes = garita::uplink::kMaxBodyBytes;
    o.max_connections = std::max<std::size_t>(16, 4 * controller_lanes.size());
    o.max_websockets = 0;
    uplink_server = std::make_unique<http::HttpServer>(io, o, *uplink_service, "uplink");
    if (auto ec = uplink_server->start(error)) {
      uplink_server.reset();
      uplink_service.reset();
      return ec;
    }
    return {};
  }

  // A crossing from a lane controller: stored with the lane's own sequence,
  // counted and announced like the pipeline's once committed. `done` runs on
  // the writer thread right after the COMMIT (it answers the lane).
  std::error_code submit_from_uplink(Crossing crossing, store::GroupCommitter::OnCommitted done,
                                     std::string* why) {
    if (stopping_drivers_done) return store::Errc::not_running;
    const std::string lane_id = crossing.lane_id;
    const std::uint64_t sequence = crossing.sequence;
    auto listened = commit_listener ? std::make_shared<const Crossing>(crossing) : nullptr;
    auto on_committed = [this, done = std::move(done), lane_id, sequence,
                         listened](std::error_code ec) {
      if (done) done(ec);
      asio::post(io, [this, ec, lane_id, sequence, listened] {
        if (ec && ec != store::Errc::sequence_conflict)
          return;  // the lane keeps or dead-letters it
        committed.fetch_add(1, std::memory_order_relaxed);
        if (!ec && listened && commit_listener) commit_listener(*listened);
        if (options.log_commits) {
          log::info("store", "crossing committed lane=" + lane_id +
                                 " seq=" + std::to_string(sequence) + " via uplink" +
                                 (ec ? " (conflict kept)" : ""));
        }
      });
    };
    return committer->submit(std::move(crossing), std::move(on_committed), why);
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
    if (stopping_drivers_done || !pipeline) return;  // late report after the pipeline was flushed
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
    // The API's live feed gets the whole crossing (issue 6); copied only
    // when someone listens.
    auto listened = commit_listener ? std::make_shared<const Crossing>(event.crossing) : nullptr;
    auto on_committed = [this, lane_id, sequence, document, reads, extended,
                         listened](std::error_code ec) {
      // Writer thread: hand the news to the io thread.
      asio::post(io, [this, ec, lane_id, sequence, document, reads, extended, listened] {
        if (ec) {
          log::error("store", "crossing " + lane_id + ":" + std::to_string(sequence) +
                                  " NOT stored: " + ec.message());
          return;
        }
        committed.fetch_add(1, std::memory_order_relaxed);
        if (listened && commit_listener) commit_listener(*listened);
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
    if (pipeline) pipeline->advance(now.mono_us);
    drain_retry();
    flush_raw_reads();
    if (now.mono_us - last_sync_check_us > 10'000'000) {
      last_sync_check_us = now.mono_us;
      if (pipeline) pipeline->set_host_clock_synchronized(host_clock_synchronized());
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
    for (std::size_t i = 0; pipeline && i < pipeline->lane_count(); ++i) {
      const lane::LaneMetrics m = pipeline->lane_metrics(i);
      s += " " + pipeline->lane_config(i).lane_id + ":" + std::to_string(m.crossings);
    }
    if (uplink_service) {
      for (const uplink::LaneUplinkStatus& u : uplink_service->snapshot()) {
        s += " " + u.lane_id + ":uplink(" + std::to_string(u.acked) + " acked, backlog " +
             std::to_string(u.backlog) + ")";
      }
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
    // Lane controllers first: what they sent before is committed below; what
    // they could not send stays in their journals.
    if (uplink_server) uplink_server->stop();
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
    if (pipeline) pipeline->flush();  // every open session is decided now
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
    if (retention_job) retention_job->stop();  // before the writer it posts to
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
  std::unique_ptr<RetentionJob> retention_job;   // after committer: destroyed first
  std::unique_ptr<lane::LanePipeline> pipeline;  // null when every lane has a lane controller
  std::unique_ptr<uplink::UplinkService> uplink_service;  // [uplink] (docs/uplink.md)
  std::unique_ptr<http::HttpServer> uplink_server;
  std::vector<std::shared_ptr<hal::ReaderDriver>> drivers;
  std::vector<std::string> driver_uris;  // canonical, as ReaderStatus::uri gives it
  std::vector<hal::DriverState> last_state;
  std::vector<bool> down_announced;  // "down" logged since the reader was last up
  std::map<std::string, std::uint64_t> last_sequence;
  std::vector<Crossing> recent_crossings;  // from the store, until the pipeline has them
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
  std::function<void(const Crossing&)> commit_listener;  // the API's live feed (issue 6)
};

Daemon::Daemon(asio::io_context& io, config::SiteConfig site, DaemonOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(site), options)) {}

Daemon::~Daemon() = default;

std::error_code Daemon::start(std::string& error) { return impl_->start(error); }

void Daemon::stop(std::function<void()> done) { impl_->stop(std::move(done)); }

std::uint64_t Daemon::committed() const noexcept { return impl_->committed.load(); }

// ------------------------------------------------------------- the uplink's view (issue 5)

uplink::UplinkStatus Daemon::uplink_status() const {
  uplink::UplinkStatus s;
  const Impl& d = *impl_;
  // Set in start() and reset only at destruction: safe to read from any thread.
  if (!d.uplink_service || !d.uplink_server) return s;
  s.enabled = true;
  s.listen = d.site.uplink.listener.address + ":" + std::to_string(d.uplink_server->port());
  s.lanes = d.uplink_service->snapshot();
  s.tls_failures = d.uplink_server->counters().tls_failures;
  s.connections = d.uplink_server->open_connections();
  return s;
}

// ------------------------------------------------------------- the API's view (issue 6)

void Daemon::set_commit_listener(std::function<void(const Crossing&)> listener) {
  impl_->commit_listener = std::move(listener);
}

store::StoreAccess Daemon::store_access() {
  store::GroupCommitter* committer = impl_->committer.get();
  return [committer](
             const std::function<std::error_code(store::CrossingStore&)>& work) -> std::error_code {
    if (committer == nullptr) return make_error_code(store::Errc::not_running);
    auto done = std::make_shared<std::promise<std::error_code>>();
    auto result = done->get_future();
    if (auto ec = committer->post([done, &work](store::CrossingStore& s) {
          try {
            done->set_value(work(s));
          } catch (...) {  // nothing may throw on the writer thread
            done->set_value(make_error_code(store::Errc::out_of_memory));
          }
        })) {
      return ec;
    }
    try {
      // No timeout: the job refers to `work`, so it must have run (or been
      // dropped with the committer) before we return (as RetentionJob).
      return result.get();
    } catch (const std::future_error&) {
      return make_error_code(store::Errc::not_running);
    }
  };
}

api::DaemonStatus Daemon::status_snapshot() const {
  const Impl& d = *impl_;
  api::DaemonStatus s;
  const HostTime now = host_now();
  s.taken_utc_us = now.utc_us;
  s.taken_mono_us = now.mono_us;
  s.port_code = d.site.port_code;
  s.host_clock_synchronized = host_clock_synchronized();
  for (std::size_t i = 0; i < d.drivers.size(); ++i) {
    const hal::ReaderStatus rs = d.drivers[i]->status();
    api::ReaderView r;
    r.id = d.site.readers[i].id;
    r.state = std::string(hal::to_string(rs.state));
    r.connected = rs.state == hal::DriverState::running;
    for (const config::LaneSettings& l : d.site.lanes) {
      for (const config::LaneAntenna& a : l.antennas) {
        if (a.reader == r.id) {
          r.lanes.push_back(l.id);
          break;
        }
      }
    }
    r.read_count = rs.read_count;
    r.reconnects = rs.reconnect_count;
    r.last_message_utc_us = rs.last_message_utc_us;
    r.clock_offset_us = rs.clock.reader_minus_host_us;
    r.clock_kind = std::string(hal::to_string(rs.clock.kind));
    r.last_error = rs.last_error;
    s.readers.push_back(std::move(r));
  }
  if (d.pipeline) {
    for (std::size_t i = 0; i < d.pipeline->lane_count(); ++i) {
      const lane::LaneMetrics m = d.pipeline->lane_metrics(i);
      api::LaneView l;
      l.id = d.pipeline->lane_config(i).lane_id;
      l.crossings = m.crossings;
      l.reads = m.reads_in;
      l.open_sessions = m.open_sessions;
      l.reading = true;
      bool any_reader = false;
      for (const api::ReaderView& r : s.readers) {
        for (const std::string& lane : r.lanes) {
          if (lane != l.id) continue;
          any_reader = true;
          l.reading = l.reading && r.connected;
        }
      }
      l.reading = l.reading && any_reader;
      s.lanes.push_back(std::move(l));
    }
  }
  // Controller lanes (docs/uplink.md): what their garita-lane last said.
  if (d.uplink_service) {
    for (const uplink::LaneUplinkStatus& u : d.uplink_service->snapshot()) {
      api::LaneView l;
      l.id = u.lane_id;
      l.controller = true;
      l.crossings = u.acked;
      l.uplink_backlog = u.backlog;
      l.uplink_last_contact_utc_us = u.last_request_utc_us;
      // HTTPS is request by request: "connected" means heard from lately
      // (garita-lane says hello every 10 s when it has nothing to send).
      l.uplink_connected =
          u.last_request_utc_us && s.taken_utc_us - *u.last_request_utc_us < 60'000'000;
      l.reading = l.uplink_connected && u.reader_state == "connected";
      s.lanes.push_back(std::move(l));
    }
  }
  if (d.committer) {
    const store::CommitterMetrics cm = d.committer->metrics();
    s.store.committed = d.committed.load();
    s.store.queue_depth = cm.queue_depth;
    s.store.queue_capacity = cm.queue_capacity;
    s.store.commit_errors = cm.commit_errors;
    s.store.commits = cm.commits;
    s.store.commit_latency_p50_us = cm.commit_latency_us.percentile(50);
    s.store.commit_latency_p99_us = cm.commit_latency_us.percentile(99);
    s.store.commit_latency_count = cm.commit_latency_us.count();
    s.store.commit_latency_sum_us = static_cast<std::uint64_t>(
        cm.commit_latency_us.mean() * static_cast<double>(cm.commit_latency_us.count()));
    s.store.writer_running = d.committer->running();
  }
  s.store.held_for_retry = d.retry.size();
  return s;
}

}  // namespace garita::daemon
