#include "LaneController.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <fstream>
#include <random>

#include "LaneErrc.hpp"
#include "LaneJournal.hpp"
#include "garita/common/Errc.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/Log.hpp"
#include "garita/common/lane/LanePipeline.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/hal/DriverTable.hpp"
#include "garita/hal/ReaderUri.hpp"
#include "light/GpioLight.hpp"
#include "light/GpoLight.hpp"
#include "light/LightPolicy.hpp"
#include "uplink/UplinkClient.hpp"

namespace garita::firmware {
namespace asio = boost::asio;

namespace {

log::Severity to_log(hal::Severity s) {
  switch (s) {
    case hal::Severity::debug: return log::Severity::debug;
    case hal::Severity::info: return log::Severity::info;
    case hal::Severity::warning: return log::Severity::warning;
    case hal::Severity::error: return log::Severity::error;
  }
  return log::Severity::info;
}

std::int64_t mono_us() { return host_now().mono_us; }

}  // namespace

struct LaneController::Impl final : hal::ReaderSink, lane::LaneSink {
  Impl(asio::io_context& io_in, LaneControllerConfig config_in, ControllerOptions options_in)
      : io(io_in),
        config(std::move(config_in)),
        options(std::move(options_in)),
        tick_timer(io_in),
        summary_timer(io_in),
        policy(static_cast<std::int64_t>(config.light.pulse.count()) * 1000) {}

  // ------------------------------------------------------------- start

  std::error_code start(std::string& error) {
    JournalOptions jo;
    jo.max_size_bytes = config.journal.max_size_bytes;
    if (auto ec = journal.open(config.journal.path, jo)) {
      error = journal.last_error();
      return ec;
    }
    std::uint64_t last = 0;
    if (auto ec = journal.last_sequence(config.lane_id, last)) {
      error = journal.last_error();
      return ec;
    }
    lane::PipelineConfig pc = make_pipeline_config(config, last);
    pc.hash_seed = std::random_device{}();  // nobody can plan colliding EPCs
    if (auto ec = lane::validate(pc, error)) return ec;
    try {
      pipeline = std::make_unique<lane::LanePipeline>(std::move(pc), *this);
    } catch (const std::exception& e) {
      error = std::string("lane pipeline: ") + e.what();
      return Errc::config_bad_value;
    }
    if (auto ec = make_driver(error)) return ec;
    if (auto ec = make_light(error)) return ec;
    std::uint64_t backlog = 0;
    (void)journal.backlog(config.lane_id, backlog);
    std::uint64_t dead = 0;
    (void)journal.dead_letter_count(dead);
    if (dead != 0) {
      log::warning("journal", std::to_string(dead) +
                                  " crossing(s) garitad rejected are kept in the journal's "
                                  "dead letters (see docs/lane-controller.md)");
    }

    UplinkOptions uo;
    uo.url = config.uplink.url;
    uo.host = config.uplink.host;
    uo.port = config.uplink.port;
    uo.tls = {config.uplink.ca_file, config.uplink.cert_file, config.uplink.key_file};
    uo.lane_id = config.lane_id;
    uo.controller = options.controller;
    uo.batch_size = config.uplink.batch_size;
    uo.connect_timeout = config.uplink.connect_timeout;
    uo.request_timeout = config.uplink.request_timeout;
    uo.backoff_initial = config.uplink.backoff_initial;
    uo.backoff_max = config.uplink.backoff_max;
    uo.idle_poll = config.uplink.idle_poll;
    uplink = UplinkClient::create(
        io, uo, journal, [this] { return reader_state(); }, [this](bool) { update_light(); });

    driver->start();
    uplink->start();
    pipeline->set_host_clock_synchronized(host_clock_synchronized());
    last_sync_check_us = mono_us();
    update_light();
    do_tick();
    do_summary();
    log::info("garita-lane", "started: lane " + config.lane_id + " (port " + config.port_code +
                                 "), reader " + reader_uri + ", journal " +
                                 config.journal.path.string() + " (" + std::to_string(backlog) +
                                 " waiting, next seq " + std::to_string(last + 1) + "), uplink " +
                                 config.uplink.url);
    if (!options.ready_file.empty()) {
      std::ofstream(options.ready_file) << "ready\n";
    }
    return {};
  }

  std::error_code make_driver(std::string& error) {
    hal::ReaderUri uri;
    std::string why;
    if (auto ec = hal::parse_reader_uri(config.reader.uri, uri, why)) {
      error = "reader: " + why;
      return ec;
    }
    reader_uri = uri.to_string();
    reader_scheme = std::string(hal::to_string(uri.scheme));
    hal::DriverOptions opt;
    opt.reader_id = 0;
    opt.tls = config.reader.tls;
    opt.read_tid = config.reader.read_tid;
    opt.reset_to_factory_defaults = config.reader.reset_to_factory_defaults;
    for (const LaneAntennaSetting& a : config.antennas) opt.antennas.push_back(a.antenna);
    opt.log = [](hal::Severity s, std::string_view message) {
      log::write(to_log(s), "reader", message);
    };
    std::error_code ec;
    driver = hal::make_reader_driver(uri, io, *this, opt, ec, why);
    if (ec || !driver) {
      error = "reader " + config.reader.uri + ": " + why;
      return ec ? ec : make_error_code(Errc::config_bad_value);
    }
    return {};
  }

  std::error_code make_light(std::string& error) {
    switch (config.light.kind) {
      case LightKind::none: light = std::make_unique<NullLight>(); break;
      case LightKind::gpo: {
        auto gpo =
            std::make_unique<GpoLight>(driver, config.light.green_port, config.light.red_port);
        gpo_light = gpo.get();
        light = std::move(gpo);
        break;
      }
      case LightKind::gpio: {
        std::error_code ec;
        std::string why;
        auto lines = request_gpio_outputs(config.light.chip,
                                          {config.light.green_line, config.light.red_line},
                                          config.light.active_low, "garita-lane", ec, why);
        if (!lines) {
          error = "light: " + why;
          return ec;
        }
        light = std::make_unique<GpioLight>(std::move(lines));
        break;
      }
    }
    return {};
  }

  uplink::ReaderState reader_state() const {
    uplink::ReaderState s;
    const hal::DriverState st = driver ? driver->status().state : hal::DriverState::disconnected;
    s.state = st == hal::DriverState::running ? "connected" : std::string(hal::to_string(st));
    s.uri_scheme = reader_scheme;
    return s;
  }

  // ------------------------------------------------------------- reader

  void on_tag_read(const TagRead& read) override {
    if (flushed) return;  // a late report after the final flush
    pipeline->on_read(read, read.host_mono_us);
  }

  void on_status(const hal::ReaderStatus& status) override {
    const bool up = status.state == hal::DriverState::running;
    if (up == reader_up) return;
    reader_up = up;
    if (stopping) return;
    if (up) {
      log::info("reader", "up: lane " + config.lane_id + " is reading");
      if (gpo_light != nullptr) gpo_light->resend();
    } else {
      log::warning("reader", "down: lane " + config.lane_id + " is not reading" +
                                 (status.last_error.empty() ? "" : " (" + status.last_error + ")"));
    }
    update_light();
  }

  // ------------------------------------------------------------- pipeline

  void on_crossing(const lane::CrossingEvent& event) override {
    ++emitted;
    // Order matters (an extension must not be overtaken by an older copy):
    // while anything is held, new crossings queue behind it.
    if (!held.empty()) {
      held.push_back(event);
      return;
    }
    if (!store(event)) held.push_back(event);
  }

  bool store(const lane::CrossingEvent& event) {
    const Crossing& c = event.crossing;
    if (auto ec = journal.store(c)) {
      if (ec == LaneErrc::journal_full) {
        if (!full_announced) {
          full_announced = true;
          log::error("journal",
                     "FULL (" + std::to_string(config.journal.max_size_bytes >> 20) +
                         " MiB): crossings are held in memory until garitad acknowledges "
                         "stored ones and frees space; the lane light is red. Nothing stored is "
                         "dropped. Restore the uplink or raise journal.max_size_mib.");
        }
      } else if (!error_announced) {
        error_announced = true;
        log::error("journal", journal.last_error() + "; crossings are held in memory and retried");
      }
      update_light();
      return false;
    }
    if (full_announced || error_announced) {
      log::info("journal", "storing again; " + std::to_string(held.size()) +
                               " held crossing(s) being written");
      full_announced = false;
      error_announced = false;
    }
    ++stored;
    // garitad would refuse a crossing its store cannot hold with a 400 for
    // the whole batch, blocking the lane's queue: such a crossing is kept
    // here, as a dead letter with the reason, and never sent.
    if (std::string why; store::validate_crossing(c, why)) {
      if (auto ec = journal.dead_letter(c.lane_id, c.sequence, "invalid crossing: " + why)) {
        log::error("journal", journal.last_error());
      }
      log::error("journal", "crossing lane=" + c.lane_id + " seq=" + std::to_string(c.sequence) +
                                " kept as a dead letter, not sent: " + why);
    }
    // Lane and sequence only: the EPC is personal data (debug at most).
    log::info("journal", "crossing stored lane=" + c.lane_id +
                             " seq=" + std::to_string(c.sequence) +
                             " document=" + std::string(to_string(c.document)) +
                             " reads=" + std::to_string(c.read_count) +
                             (event.kind == lane::CrossingEventKind::extended ? " extended" : ""));
    if (event.kind == lane::CrossingEventKind::created) policy.on_crossing(mono_us());
    if (uplink) uplink->notify();
    update_light();
    return true;
  }

  void drain_held() {
    while (!held.empty()) {
      if (!store(held.front())) return;
      held.pop_front();
    }
  }

  void on_event(const lane::PipelineEvent& event) override {
    const std::string text = lane::describe(event);
    if (event.kind == lane::PipelineEventKind::arbitration_lost ||
        event.kind == lane::PipelineEventKind::arbitration_timeout) {
      log::debug("lane", text);  // names a card
    } else {
      log::warning("lane", text);
    }
  }

  // ------------------------------------------------------------- light

  void update_light() {
    if (!light) return;
    LaneHealth h;
    h.reader_up = reader_up;
    h.uplink_up = uplink && uplink->connected();
    h.journal_full = journal.full() || !held.empty();
    light->show(stopping ? LightColor::off : policy.color(h, mono_us()));
  }

  // ------------------------------------------------------------- timers

  void do_tick() {
    tick_timer.expires_after(options.tick);
    tick_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      const std::int64_t now = mono_us();
      pipeline->advance(now);
      drain_held();
      if (now - last_sync_check_us > 10'000'000) {
        last_sync_check_us = now;
        pipeline->set_host_clock_synchronized(host_clock_synchronized());
      }
      update_light();
      do_tick();
    });
  }

  void do_summary() {
    summary_timer.expires_after(options.summary_every);
    summary_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      std::uint64_t backlog = 0;
      (void)journal.backlog(config.lane_id, backlog);
      const UplinkCounters uc = uplink->counters();
      log::info("garita-lane",
                "lane " + config.lane_id + ": " + std::to_string(stored) +
                    " crossing(s) journaled this run, " + std::to_string(uc.acked) +
                    " acked, backlog " + std::to_string(backlog) + "; reader " +
                    std::string(hal::to_string(driver->status().state)) + "; uplink " +
                    (uplink->connected() ? "connected" : "down") +
                    (held.empty() ? "" : "; " + std::to_string(held.size()) + " held in memory"));
      do_summary();
    });
  }

  // ------------------------------------------------------------- stop

  void stop(std::function<void()> done) {
    if (done) waiters.push_back(std::move(done));
    if (stopping) return;
    stopping = true;
    log::info("garita-lane", "stopping: closing the reader, flushing the lane into the journal");
    tick_timer.cancel();
    summary_timer.cancel();
    driver->stop([this] { asio::post(io, [this] { finish_stop(); }); });
  }

  void finish_stop() {
    flushed = true;
    pipeline->flush();  // every open session is decided and journaled now
    drain_held();
    if (uplink) uplink->stop();
    if (light) light->show(LightColor::off);
    std::uint64_t backlog = 0;
    (void)journal.backlog(config.lane_id, backlog);
    if (!held.empty()) {
      log::error("garita-lane",
                 std::to_string(held.size()) +
                     " crossing(s) could not be journaled before exit: " + journal.last_error());
    }
    log::info("garita-lane", "stopped: " + std::to_string(stored) +
                                 " crossing event(s) journaled this run, " +
                                 std::to_string(backlog) + " waiting for garitad");
    journal.close();
    if (!options.ready_file.empty()) {
      std::error_code ignored;
      std::filesystem::remove(options.ready_file, ignored);
    }
    auto w = std::move(waiters);
    for (auto& f : w) f();
  }

  asio::io_context& io;
  LaneControllerConfig config;
  ControllerOptions options;
  LaneJournal journal;
  std::unique_ptr<lane::LanePipeline> pipeline;
  std::shared_ptr<hal::ReaderDriver> driver;
  std::string reader_uri;
  std::string reader_scheme;
  std::unique_ptr<LaneLight> light;
  GpoLight* gpo_light = nullptr;
  std::shared_ptr<UplinkClient> uplink;
  asio::steady_timer tick_timer;
  asio::steady_timer summary_timer;
  LightPolicy policy;
  std::deque<lane::CrossingEvent> held;
  std::uint64_t emitted = 0;
  std::uint64_t stored = 0;
  std::int64_t last_sync_check_us = 0;
  bool reader_up = false;
  bool stopping = false;
  bool flushed = false;
  bool full_announced = false;
  bool error_announced = false;
  std::vector<std::function<void()>> waiters;
};

LaneController::LaneController(asio::io_context& io, LaneControllerConfig config,
                               ControllerOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(config), std::move(options))) {}

LaneController::~LaneController() {
  if (impl_->uplink) impl_->uplink->stop();
}

std::error_code LaneController::start(std::string& error) { return impl_->start(error); }

void LaneController::stop(std::function<void()> done) { impl_->stop(std::move(done)); }

}  // namespace garita::firmware
