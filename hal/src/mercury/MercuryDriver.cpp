// The Mercury reader driver: the session sequence is in MercuryDriver.hpp.
//
// Everything runs on strand_. Completions carry the session id they were
// started for and do nothing once it has moved on, so a late read from an old
// (unplugged) link can never touch the current one. A Mercury module answers
// one command at a time, so at most one command is pending; while streaming,
// tag/keep-alive/stats frames (opcode 0x22) interleave with the answer to a
// GPO command (0x96) and are told apart by opcode.
#include "garita/hal/mercury/MercuryDriver.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <random>

#include "garita/common/HostClock.hpp"
#include "garita/hal/DriverErrc.hpp"
#include "garita/hal/ReconnectBackoff.hpp"
#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/MercuryFrameLexer.hpp"
#include "garita/hal/mercury/ModuleStatus.hpp"
#include "garita/hal/mercury/Opcode.hpp"
#include "garita/hal/mercury/Responses.hpp"
#include "garita/hal/mercury/StreamMessages.hpp"
#include "garita/hal/usb/UsbByteStream.hpp"

namespace garita::hal::mercury {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// GPIO lines of M6e, M6e Micro and M6e Nano / M7e modules (Embedded Module
// User Guide, "GPIO"): four, numbered 1-4.
constexpr std::uint16_t kGpoCount = 4;
// Silence after which buffered bytes are treated as a frame that will not
// complete (or, auto-detecting, a CRC-less one that did).
constexpr milliseconds kIdleFlushGap{50};

std::int64_t now_utc_us() { return host_now().utc_us; }

// The settings a URI and DriverOptions give a Mercury session.
struct SessionConfig {
  std::optional<Region> region;
  std::optional<std::uint16_t> read_power_cdbm;
  std::vector<std::uint8_t> antennas;
  ContinuousReadPlan plan;
  MercuryFrameLexer::CrcMode crc = MercuryFrameLexer::CrcMode::required;
};

bool make_config(const ReaderUri& uri, const DriverOptions& options, SessionConfig& out,
                 std::string& why) {
  if (!uri.region.empty()) {
    Region r{};
    if (!parse_region(uri.region, r)) {
      why = "unknown region '" + uri.region + "' (expected one of " + std::string(region_names()) +
            ")";
      return false;
    }
    out.region = r;
  }
  out.read_power_cdbm = uri.read_power_cdbm;
  const std::vector<std::uint16_t>& ants = !uri.antennas.empty() ? uri.antennas : options.antennas;
  for (std::uint16_t a : ants) {
    if (a == 0 || a > 64) {
      why = "antenna " + std::to_string(a) + " is not a Mercury antenna port (1..64)";
      return false;
    }
    out.antennas.push_back(static_cast<std::uint8_t>(a));
  }
  // Every Mercury module has port 1; more must be asked for.
  if (out.antennas.empty()) out.antennas.push_back(1);
  if (options.read_tid) {
    if (options.tid_words == 0 || options.tid_words > 32) {
      why = "tid_words " + std::to_string(options.tid_words) + " must be 1..32";
      return false;
    }
    out.plan.tid_words = static_cast<std::uint8_t>(options.tid_words);
  } else {
    out.plan.tid_words = 0;
  }
  // The module sends its keep-alive (status 0x0400) once per search cycle
  // when it saw no tag: cycles of at most 1 s (Mercury API's default async
  // on-time is 250 ms) keep that well inside the dead-link limit.
  const auto cycle = std::clamp<std::int64_t>(options.keepalive_period.count(), 50, 1000);
  out.plan.cycle_timeout_ms = static_cast<std::uint16_t>(cycle);
  // Native USB links of some modules leave the CRC off; detect it there.
  out.crc = uri.scheme == ReaderScheme::usb ? MercuryFrameLexer::CrcMode::auto_detect
                                            : MercuryFrameLexer::CrcMode::required;
  return true;
}

class MercuryDriver final : public ReaderDriver,
                            public std::enable_shared_from_this<MercuryDriver> {
 public:
  MercuryDriver(asio::io_context& io, const ReaderUri& uri, ReaderSink& sink,
                const DriverOptions& options, SessionConfig config, ByteStreamOpener opener)
      : io_(io),
        strand_(asio::make_strand(io)),
        uri_(uri),
        uri_text_(uri.to_string()),
        sink_(sink),
        options_(options),
        config_(std::move(config)),
        opener_(std::move(opener)),
        lexer_(MercuryFrameLexer::Direction::reader_responses, config_.crc),
        backoff_(options.backoff_initial, options.backoff_max,
                 options.backoff_seed ? *options.backoff_seed : std::random_device{}()),
        backoff_timer_(strand_),
        watchdog_(strand_) {
    dead_after_ = options_.keepalive_period * std::max(1U, options_.dead_after_keepalives);
    tick_ = std::clamp<milliseconds>(options_.response_timeout / 10, milliseconds(5),
                                     milliseconds(250));
    status_.uri = uri_text_;
    status_.health = ReaderHealth{};
    for (std::uint8_t a : config_.antennas) ensure_antenna(a);
  }

  void start() override {
    asio::post(strand_, [self = shared_from_this()] { self->do_start(); });
  }

  void stop(std::function<void()> on_stopped) override {
    asio::post(strand_, [self = shared_from_this(), h = std::move(on_stopped)]() mutable {
      self->do_stop(std::move(h));
    });
  }

  ReaderStatus status() const override {
    std::lock_guard lock(status_mutex_);
    return status_;
  }

  void set_output(std::uint16_t port, bool on, std::function<void(std::error_code)> done) override {
    asio::post(strand_, [self = shared_from_this(), port, on, d = std::move(done)]() mutable {
      self->do_set_output(port, on, std::move(d));
    });
  }

  // A hotplug decision for a usb:// reader (UsbDeviceSelector.hpp).
  void on_hotplug(usb::HotplugAction action) {
    asio::post(strand_, [self = shared_from_this(), action] {
      if (action == usb::HotplugAction::connect_now && self->phase_ == Phase::backing_off) {
        self->log(Severity::info, "USB device arrived; connecting now");
        self->backoff_timer_.cancel();
        {
          std::lock_guard lock(self->status_mutex_);
          self->status_.next_attempt_utc_us.reset();
        }
        self->do_open();
      } else if (action == usb::HotplugAction::link_lost && self->stream_) {
        self->fail_session(std::make_error_code(std::errc::no_such_device),
                           "USB device unplugged (the driver reconnects when it is back)");
      }
    });
  }

 private:
  enum class Phase : std::uint8_t {
    idle,
    configuring,
    running,
    saying_goodbye,
    backing_off,
    stopped
  };

  // Every command of the session, in the order of the set-up sequence.
  enum class Step : std::uint8_t {
    stop_stale_read,  // a module left streaming by an earlier run must stop first
    version,
    current_program,
    boot_firmware,
    version_after_boot,
    get_region,
    set_region,
    set_protocol,
    set_antennas,
    set_power,
    return_loss,
    temperature,
    start_read,
    set_gpo,    // running: a lane light
    stop_read,  // stop(): goodbye
  };

  struct Pending {
    Step step;
    Opcode opcode;
    Clock::time_point deadline;
  };

  struct Command {
    std::uint8_t pin;
    bool high;
    std::function<void(std::error_code)> done;
  };

  static std::string_view step_name(Step s) noexcept {
    switch (s) {
      case Step::stop_stale_read: return "stop continuous read (stale)";
      case Step::version: return "VERSION";
      case Step::current_program: return "GET_CURRENT_PROGRAM";
      case Step::boot_firmware: return "BOOT_FIRMWARE";
      case Step::version_after_boot: return "VERSION (after boot)";
      case Step::get_region: return "GET_REGION";
      case Step::set_region: return "SET_REGION";
      case Step::set_protocol: return "SET_TAG_PROTOCOL Gen2";
      case Step::set_antennas: return "SET_ANTENNA_PORT";
      case Step::set_power: return "SET_READ_TX_POWER";
      case Step::return_loss: return "GET_ANTENNA_PORT return loss";
      case Step::temperature: return "GET_TEMPERATURE";
      case Step::start_read: return "start continuous read";
      case Step::set_gpo: return "SET_USER_GPIO_OUTPUTS";
      case Step::stop_read: return "stop continuous read";
    }
    return "?";
  }

  // Steps whose failure or silence does not end the session: they only
  // improve the status page, or clean up after someone else.
  static bool optional_step(Step s) noexcept {
    return s == Step::stop_stale_read || s == Step::return_loss || s == Step::temperature;
  }

  // ---------------------------------------------------------------- life

  void do_start() {
    if (phase_ != Phase::idle) return;
    do_watchdog();
    do_open();
  }

  void do_open() {
    ++session_;
    set_state(DriverState::connecting);
    std::error_code ec;
    std::string why;
    std::unique_ptr<ByteStream> stream = opener_ ? opener_(io_, ec, why) : nullptr;
    if (!stream) {
      if (!ec) ec = DriverErrc::scheme_not_supported;
      if (why.empty()) why = "cannot open " + uri_text_;
      fail_session(ec, why);
      return;
    }
    stream_ = std::move(stream);
    lexer_.reset();
    writes_.clear();
    writing_ = false;
    pending_.reset();
    last_received_ = Clock::now();
    last_bytes_ = last_received_;
    phase_ = Phase::configuring;
    {
      std::lock_guard lock(status_mutex_);
      status_.peer = stream_->describe();
      status_.health->link = status_.peer;
      status_.connected_since_utc_us = now_utc_us();
    }
    set_state(DriverState::configuring);
    log(Severity::info, "opened " + stream_->describe());
    do_read(session_);
    send_step(Step::stop_stale_read);
  }

  void fail_session(std::error_code ec, const std::string& why) {
    record_error(ec, why, Severity::warning);
    close_stream();
    fail_commands(DriverErrc::not_running);
    if (stop_requested_) {
      finish_stop();
      return;
    }
    do_backoff();
  }

  void close_stream() {
    ++session_;  // outstanding completions of this link now do nothing
    pending_.reset();
    if (stream_) stream_->close();
    // Completions still queued hold the session id only; the stream object
    // may go now (ByteStream::close() cancels its operations, whose handlers
    // still run later with operation_aborted and are ignored).
    closed_streams_.push_back(std::move(stream_));
    if (closed_streams_.size() > 4) closed_streams_.pop_front();
    std::lock_guard lock(status_mutex_);
    status_.peer.clear();
    status_.connected_since_utc_us.reset();
    status_.running_since_utc_us.reset();
  }

  void do_backoff() {
    phase_ = Phase::backing_off;
    const milliseconds wait = backoff_.next();
    {
      std::lock_guard lock(status_mutex_);
      status_.next_attempt_utc_us = now_utc_us() + wait.count() * 1000;
      ++status_.reconnect_count;
    }
    set_state(DriverState::backing_off);
    backoff_timer_.expires_after(wait);
    backoff_timer_.async_wait(
        [self = shared_from_this(), s = session_](boost::system::error_code ec) {
          if (ec || s != self->session_ || self->phase_ != Phase::backing_off) return;
          {
            std::lock_guard lock(self->status_mutex_);
            self->status_.next_attempt_utc_us.reset();
          }
          self->do_open();
        });
  }

  void do_watchdog() {
    watchdog_.expires_after(tick_);
    watchdog_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->phase_ == Phase::stopped) return;
      self->on_watchdog();
      self->do_watchdog();
    });
  }

  void on_watchdog() {
    const auto now = Clock::now();
    if (!stream_) return;
    if (lexer_.buffered_bytes() > 0 && now - last_bytes_ >= kIdleFlushGap) {
      lexer_.flush([this](const MercuryFrameLexer::Frame& f) { on_frame(f); });
      if (!stream_) return;  // on_frame may have ended the session
      publish_link_counters();
    }
    if (pending_ && now >= pending_->deadline) {
      const Step step = pending_->step;
      pending_.reset();
      if (optional_step(step)) {
        log(Severity::debug,
            std::string("no answer to ") + std::string(step_name(step)) + "; carrying on");
        after_step(step);
        return;
      }
      if (step == Step::stop_read) {
        log(Severity::warning, "the module did not confirm the stop; closing anyway");
        close_stream();
        finish_stop();
        return;
      }
      if (step == Step::set_gpo) {
        complete_command(DriverErrc::response_timeout);
        fail_session(DriverErrc::response_timeout,
                     "the module did not answer SET_USER_GPIO_OUTPUTS within " +
                         std::to_string(options_.response_timeout.count()) + " ms");
        return;
      }
      const auto& c = lexer_.counters();
      std::string why = "no answer to " + std::string(step_name(step)) + " within " +
                        std::to_string(options_.response_timeout.count()) + " ms";
      if (c.bad_crc > 0 || c.junk_bytes > 0) {
        why += " (" + std::to_string(c.bad_crc) + " bad CRCs, " + std::to_string(c.junk_bytes) +
               " junk bytes: wrong baud rate or not a Mercury module?)";
      } else if (c.frames == 0) {
        why += " (nothing at all came back: module powered? right port?)";
      }
      fail_session(DriverErrc::response_timeout, why);
      return;
    }
    if (phase_ == Phase::running && now - last_received_ > dead_after_) {
      fail_session(DriverErrc::link_dead,
                   "nothing from the module for " +
                       std::to_string(
                           std::chrono::duration_cast<milliseconds>(now - last_received_).count()) +
                       " ms while reading (no keep-alive): link dead, reopening");
    }
  }

  void do_stop(std::function<void()> on_stopped) {
    if (on_stopped) stop_handlers_.push_back(std::move(on_stopped));
    if (phase_ == Phase::stopped) {
      finish_stop();
      return;
    }
    if (stop_requested_) return;  // already on its way
    stop_requested_ = true;
    set_state(DriverState::stopping);
    backoff_timer_.cancel();
    fail_commands(DriverErrc::stopped);
    if (phase_ == Phase::running && stream_) {
      // Mercury API TMR_stopReading: 0x2F option 0x02, then the module
      // answers 0x2F once its current cycle ends.
      phase_ = Phase::saying_goodbye;
      pending_.reset();
      send_step(Step::stop_read);
      return;
    }
    close_stream();
    finish_stop();
  }

  void finish_stop() {
    if (phase_ != Phase::stopped) {
      phase_ = Phase::stopped;
      watchdog_.cancel();
      backoff_timer_.cancel();
      if (stream_) close_stream();
      set_state(DriverState::stopped);
    }
    for (auto& h : stop_handlers_) {
      asio::post(strand_, [h = std::move(h)] {
        try {
          h();
        } catch (...) {
        }
      });
    }
    stop_handlers_.clear();
    sink_detached_ = true;
  }

  // ---------------------------------------------------------------- I/O

  void do_read(std::uint64_t session) {
    stream_->async_read_some(
        read_buffer_, [self = shared_from_this(), session](std::error_code ec, std::size_t n) {
          asio::post(self->strand_, [self, session, ec, n] { self->on_read(session, ec, n); });
        });
  }

  void on_read(std::uint64_t session, std::error_code ec, std::size_t n) {
    if (session != session_ || !stream_) return;
    if (ec) {
      fail_session(ec, "link to " + stream_->describe() + " lost: " + ec.message() +
                           " (unplugged? the driver retries until it is back)");
      return;
    }
    last_bytes_ = Clock::now();
    lexer_.feed(std::span<const std::uint8_t>(read_buffer_.data(), n),
                [this, session](const MercuryFrameLexer::Frame& f) {
                  if (session == session_) on_frame(f);
                });
    if (session != session_ || !stream_) return;
    publish_link_counters();
    do_read(session);
  }

  void send_frame(std::vector<std::uint8_t> frame) {
    if (writes_.size() >= options_.max_queued_writes) {
      fail_session(DriverErrc::write_queue_full,
                   "the module is not taking what garita sends (write queue full)");
      return;
    }
    writes_.push_back(std::move(frame));
    if (!writing_) do_write(session_);
  }

  void do_write(std::uint64_t session) {
    if (writes_.empty() || !stream_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    const auto& front = writes_.front();
    stream_->async_write_some(
        std::span<const std::uint8_t>(front.data() + write_offset_, front.size() - write_offset_),
        [self = shared_from_this(), session](std::error_code ec, std::size_t n) {
          asio::post(self->strand_, [self, session, ec, n] { self->on_write(session, ec, n); });
        });
  }

  void on_write(std::uint64_t session, std::error_code ec, std::size_t n) {
    if (session != session_ || !stream_) return;
    if (ec) {
      fail_session(ec, "writing to " + stream_->describe() + " failed: " + ec.message());
      return;
    }
    write_offset_ += n;
    if (write_offset_ >= writes_.front().size()) {
      writes_.pop_front();
      write_offset_ = 0;
    }
    do_write(session);
  }

  // ---------------------------------------------------------------- protocol

  HostCommand command_for(Step step) const {
    switch (step) {
      case Step::stop_stale_read:
      case Step::stop_read: return make_stop_continuous_read_command();
      case Step::version:
      case Step::version_after_boot: return make_version_command();
      case Step::current_program: return make_get_current_program_command();
      case Step::boot_firmware: return make_boot_firmware_command();
      case Step::get_region: return make_get_region_command();
      case Step::set_region: return make_set_region_command(*config_.region);
      case Step::set_protocol: return make_set_tag_protocol_command(TagProtocol::gen2);
      case Step::set_antennas: return make_set_antenna_ports_command(config_.antennas);
      case Step::set_power: return make_set_read_tx_power_command(*config_.read_power_cdbm);
      case Step::return_loss: return make_get_return_loss_command();
      case Step::temperature: return make_get_temperature_command();
      case Step::start_read: return make_start_continuous_read_command(config_.plan);
      case Step::set_gpo:
        return make_set_gpo_command(current_command_->pin, current_command_->high);
    }
    return make_version_command();
  }

  void send_step(Step step) {
    const HostCommand c = command_for(step);
    // Booting the application takes the module up to a few seconds.
    const auto limit =
        step == Step::boot_firmware ? options_.response_timeout * 2 : options_.response_timeout;
    pending_ = Pending{step, c.opcode, Clock::now() + limit};
    log(Severity::debug, "sending " + std::string(step_name(step)));
    send_frame(to_frame(c));
  }

  void on_frame(const MercuryFrameLexer::Frame& f) {
    last_received_ = Clock::now();
    {
      std::lock_guard lock(status_mutex_);
      status_.last_message_utc_us = now_utc_us();
    }
    const ReaderFrame frame{f.opcode, f.status, f.data, f.had_crc};
    if (pending_ && f.opcode == static_cast<std::uint8_t>(pending_->opcode)) {
      const Step step = pending_->step;
      pending_.reset();
      on_response(step, frame);
      return;
    }
    if (f.opcode == static_cast<std::uint8_t>(Opcode::read_tag_id_multiple)) {
      on_stream_frame(frame);
      return;
    }
    log(Severity::debug, "ignoring an unexpected " +
                             std::string(to_string(static_cast<Opcode>(f.opcode))) + " frame");
  }

  void on_response(Step step, const ReaderFrame& frame) {
    if (frame.status != 0) {
      const std::error_code status = make_module_status_error(frame.status);
      if (step == Step::current_program &&
          frame.status == static_cast<std::uint16_t>(ModuleStatus::invalid_opcode)) {
        // Firmware without GET_CURRENT_PROGRAM answers VERSION only from the
        // application; carry on as if it said so.
        after_step(step);
        return;
      }
      if (optional_step(step) || step == Step::stop_read) {
        log(Severity::debug, std::string(step_name(step)) + ": " + status.message());
        after_step(step);
        return;
      }
      if (step == Step::set_gpo) {
        complete_command(status);
        send_next_command();
        return;
      }
      if (step == Step::start_read &&
          (config_.plan.search_flags & search_flag::stats_report_streaming) != 0) {
        // Firmware without stats streaming refuses the whole search; read
        // without it (temperature then comes from GET_TEMPERATURE at each
        // session start and throttling from the 0x0504 stream statuses).
        config_.plan.search_flags = static_cast<std::uint16_t>(
            config_.plan.search_flags & ~search_flag::stats_report_streaming);
        log(Severity::warning,
            "the module refused stats streaming (" + status.message() + "); reading without it");
        send_step(Step::start_read);
        return;
      }
      fail_session(DriverErrc::reader_status_error,
                   std::string(step_name(step)) + " failed: " + status.message());
      return;
    }
    std::error_code ec;
    switch (step) {
      case Step::version:
      case Step::version_after_boot: {
        VersionInfo v;
        ec = decode_version_response(frame, v);
        if (!ec) apply_version(v);
        break;
      }
      case Step::current_program: ec = decode_current_program_response(frame, program_); break;
      case Step::get_region: ec = decode_region_response(frame, module_region_); break;
      case Step::return_loss: {
        std::vector<PortReturnLoss> loss;
        if (!decode_return_loss_response(frame, loss)) apply_return_loss(loss);
        break;
      }
      case Step::temperature: {
        std::int8_t t = 0;
        if (!decode_temperature_response(frame, t)) note_temperature(t);
        break;
      }
      case Step::set_gpo:
        complete_command({});
        send_next_command();
        return;
      default: break;
    }
    if (ec) {
      fail_session(DriverErrc::protocol_violation, "the module's answer to " +
                                                       std::string(step_name(step)) +
                                                       " is malformed: " + ec.message());
      return;
    }
    after_step(step);
  }

  // The set-up sequence: what follows `done`.
  void after_step(Step done) {
    switch (done) {
      case Step::stop_stale_read: send_step(Step::version); return;
      case Step::version: send_step(Step::current_program); return;
      case Step::current_program:
        if (program_ == RunningProgram::bootloader) {
          log(Severity::info, "module is in its bootloader; starting the application firmware");
          program_ = RunningProgram::application;
          send_step(Step::boot_firmware);
        } else {
          send_step(Step::get_region);
        }
        return;
      case Step::boot_firmware: send_step(Step::version_after_boot); return;
      case Step::version_after_boot: send_step(Step::get_region); return;
      case Step::get_region:
        if (config_.region) {
          if (static_cast<std::uint8_t>(*config_.region) != module_region_) {
            send_step(Step::set_region);
          } else {
            send_step(Step::set_protocol);
          }
          return;
        }
        if (module_region_ == static_cast<std::uint8_t>(Region::none)) {
          fail_session(DriverErrc::bad_options,
                       "the module has no regulatory region set; add region=NAME to the reader "
                       "URI (e.g. region=NA2; one of " +
                           std::string(region_names()) + ")");
          return;
        }
        send_step(Step::set_protocol);
        return;
      case Step::set_region: send_step(Step::set_protocol); return;
      case Step::set_protocol: send_step(Step::set_antennas); return;
      case Step::set_antennas:
        send_step(config_.read_power_cdbm ? Step::set_power : Step::return_loss);
        return;
      case Step::set_power: send_step(Step::return_loss); return;
      case Step::return_loss: send_step(Step::temperature); return;
      case Step::temperature: send_step(Step::start_read); return;
      case Step::start_read: enter_running(); return;
      case Step::set_gpo: return;
      case Step::stop_read:
        close_stream();
        finish_stop();
        return;
    }
  }

  void enter_running() {
    phase_ = Phase::running;
    backoff_.reset();
    stream_anchor_mono_us_ = host_now().mono_us;
    {
      std::lock_guard lock(status_mutex_);
      status_.running_since_utc_us = now_utc_us();
      status_.clock.kind = ReaderClockKind::uptime_only;
    }
    set_state(DriverState::running);
    log(Severity::info, "reading continuously on antenna(s) " + antenna_list_text());
    send_next_command();
  }

  void on_stream_frame(const ReaderFrame& frame) {
    switch (classify_stream_frame(frame)) {
      case StreamFrameKind::tag_read: {
        StreamTagRead r;
        if (const auto ec = decode_stream_tag_read(frame, r)) {
          ++malformed_reads_;
          log(Severity::warning, "dropped a malformed tag record: " + ec.message());
          return;
        }
        deliver(r);
        return;
      }
      case StreamFrameKind::keep_alive:
        // One search cycle is over; the module's timestamps restart from here.
        stream_anchor_mono_us_ = host_now().mono_us;
        if (throttled_) {
          throttled_ = false;
          std::lock_guard lock(status_mutex_);
          status_.health->throttled = false;
        }
        return;
      case StreamFrameKind::status: on_stream_status(frame.status); return;
      case StreamFrameKind::stats_report: {
        ModuleStats s;
        if (!decode_stats_report(frame, s) && s.temperature_c) note_temperature(*s.temperature_c);
        return;
      }
      case StreamFrameKind::end:
        if (phase_ == Phase::running) {
          fail_session(DriverErrc::protocol_violation,
                       "the module ended continuous reading on its own; restarting it");
        }
        return;
      case StreamFrameKind::other: return;
    }
  }

  void on_stream_status(std::uint16_t status) {
    const std::error_code ec = make_module_status_error(status);
    if (status == static_cast<std::uint16_t>(ModuleStatus::temperature_exceed_limits)) {
      const bool first = !throttled_;
      throttled_ = true;
      {
        std::lock_guard lock(status_mutex_);
        status_.health->throttled = true;
        ++status_.health->throttle_events;
      }
      if (first) {
        record_error(ec,
                     "module too hot: it throttles its transmitter and reads fewer cards "
                     "(check ventilation / sun on the enclosure)",
                     Severity::warning);
      }
      return;
    }
    if (status == static_cast<std::uint16_t>(ModuleStatus::high_return_loss)) {
      {
        std::lock_guard lock(status_mutex_);
        ++status_.health->return_loss_events;
      }
      record_error(ec, "high return loss on an antenna port: check the antenna cable and connector",
                   Severity::warning);
      return;
    }
    record_error(ec, "module reported " + ec.message() + " while reading", Severity::warning);
  }

  // ---------------------------------------------------------------- reads

  void deliver(const StreamTagRead& r) {
    if (sink_detached_) return;
    const HostTime now = host_now();
    read_ = TagRead{};
    read_.reader_id = options_.reader_id;
    read_.antenna = r.antenna_number().value_or(config_.antennas.front());
    if (!r.protocol || *r.protocol == static_cast<std::uint8_t>(TagProtocol::gen2)) read_.pc = r.pc;
    read_.epc = r.epc;
    if (!r.data.empty()) {
      // TidBytes holds 32 bytes; a longer embedded read keeps its start
      // (class, maker, model and serial live there).
      const auto tid = r.data.view();
      read_.tid.assign(tid.first(std::min(tid.size(), TidBytes::capacity)));
    }
    if (r.rssi_dbm) read_.peak_rssi_cdbm = static_cast<std::int16_t>(*r.rssi_dbm * 100);
    if (r.timestamp_ms) {
      // The module's timer counts ms from the start of the search (reset at
      // each keep-alive); anchored to the host's monotonic clock at that
      // point it gives a reader-side time in the uptime field. Should the
      // timer restart without a keep-alive (firmware differ), re-anchor so
      // the reader clock never runs backwards for the pipeline.
      const std::int64_t offset = std::int64_t{*r.timestamp_ms} * 1000;
      std::int64_t t = stream_anchor_mono_us_ + offset;
      if (t < last_reader_time_us_) {
        stream_anchor_mono_us_ = now.mono_us - offset;
        t = std::max(now.mono_us, last_reader_time_us_);
      }
      last_reader_time_us_ = t;
      if (t > 0) read_.reader_first_seen_uptime_us = static_cast<std::uint64_t>(t);
    }
    read_.host_utc_us = now.utc_us;
    read_.host_mono_us = now.mono_us;
    read_.seen_count = r.read_count.value_or(1);
    {
      std::lock_guard lock(status_mutex_);
      ++status_.read_count;
      ensure_antenna_locked(read_.antenna);
      auto& a = status_.antennas[read_.antenna - 1U];
      ++a.read_count;
      a.state = AntennaState::connected;
      if (read_.reader_first_seen_uptime_us) {
        status_.clock.reader_uptime_us = read_.reader_first_seen_uptime_us;
        status_.clock.measured_at_utc_us = now.utc_us;
      }
    }
    try {
      sink_.on_tag_read(read_);
    } catch (...) {
      log(Severity::error, "the sink threw on a tag read; dropped");
    }
  }

  // ---------------------------------------------------------------- GPO

  void do_set_output(std::uint16_t port, bool on, std::function<void(std::error_code)> done) {
    if (phase_ != Phase::running || stop_requested_) {
      complete(done, DriverErrc::not_running);
      return;
    }
    if (port == 0 || port > kGpoCount) {
      complete(done, DriverErrc::bad_argument);
      return;
    }
    if (commands_.size() >= options_.max_queued_commands) {
      complete(done, DriverErrc::busy);
      return;
    }
    commands_.push_back(Command{static_cast<std::uint8_t>(port), on, std::move(done)});
    send_next_command();
  }

  void send_next_command() {
    if (phase_ != Phase::running || pending_ || commands_.empty()) return;
    current_command_ = std::move(commands_.front());
    commands_.pop_front();
    send_step(Step::set_gpo);
  }

  void complete_command(std::error_code ec) {
    if (!current_command_) return;
    auto done = std::move(current_command_->done);
    current_command_.reset();
    complete(done, ec);
  }

  void fail_commands(std::error_code ec) {
    complete_command(ec);
    while (!commands_.empty()) {
      auto done = std::move(commands_.front().done);
      commands_.pop_front();
      complete(done, ec);
    }
  }

  void complete(std::function<void(std::error_code)>& done, std::error_code ec) {
    if (!done) return;
    asio::post(strand_, [d = std::move(done), ec] {
      try {
        d(ec);
      } catch (...) {
      }
    });
  }

  // ---------------------------------------------------------------- status

  void apply_version(const VersionInfo& v) {
    ReaderIdentity id;
    id.manufacturer_name = "ThingMagic (JADAK)";
    id.model = v.hardware[0];
    id.firmware_version = model_name(v) + " firmware " + firmware_text(v);
    id.antenna_count = static_cast<std::uint16_t>(config_.antennas.size());
    id.gpo_count = kGpoCount;
    id.gpi_count = kGpoCount;
    id.has_utc_clock = false;
    log(Severity::info, "module " + id.firmware_version);
    std::lock_guard lock(status_mutex_);
    status_.identity = id;
  }

  void apply_return_loss(const std::vector<PortReturnLoss>& loss) {
    std::lock_guard lock(status_mutex_);
    auto& rl = status_.health->return_loss_db;
    rl.clear();
    for (const auto& p : loss) {
      if (rl.size() < p.port) rl.resize(p.port);
      rl[p.port - 1U] = p.return_loss_db;
      // An open connector reflects nearly everything (return loss ~0-2 dB);
      // a matched antenna 15-25 dB. Only antennas garita reads are shown.
      if (p.port <= status_.antennas.size()) {
        auto& a = status_.antennas[p.port - 1U];
        if (p.return_loss_db < 3) {
          a.state = AntennaState::disconnected;
        } else if (p.return_loss_db >= 10) {
          a.state = AntennaState::connected;
        }
      }
    }
  }

  void note_temperature(std::int8_t celsius) {
    std::lock_guard lock(status_mutex_);
    status_.health->temperature_c = celsius;
    status_.health->temperature_at_utc_us = now_utc_us();
  }

  void publish_link_counters() {
    const auto& c = lexer_.counters();
    std::lock_guard lock(status_mutex_);
    auto& h = *status_.health;
    h.frames = c.frames;
    h.junk_bytes = c.junk_bytes;
    h.bad_crc = c.bad_crc;
    h.truncated = c.truncated;
  }

  void ensure_antenna(std::uint16_t id) {
    std::lock_guard lock(status_mutex_);
    ensure_antenna_locked(id);
  }
  void ensure_antenna_locked(std::uint16_t id) {
    if (id == 0) return;
    while (status_.antennas.size() < id) {
      AntennaStatus a;
      a.id = static_cast<std::uint16_t>(status_.antennas.size() + 1);
      status_.antennas.push_back(a);
    }
  }

  std::string antenna_list_text() const {
    std::string s;
    for (std::uint8_t a : config_.antennas) {
      if (!s.empty()) s += ',';
      s += std::to_string(a);
    }
    return s;
  }

  void set_state(DriverState state) {
    ReaderStatus copy;
    {
      std::lock_guard lock(status_mutex_);
      if (status_.state == state) return;
      status_.state = state;
      copy = status_;
    }
    publish(copy);
  }

  void record_error(std::error_code ec, const std::string& why, Severity severity) {
    ReaderStatus copy;
    {
      std::lock_guard lock(status_mutex_);
      status_.last_error = why;
      status_.last_error_code = ec;
      status_.last_error_utc_us = now_utc_us();
      ++status_.error_count;
      copy = status_;
    }
    log(severity, why);
    publish(copy);
  }

  void publish(const ReaderStatus& copy) {
    if (sink_detached_) return;
    try {
      sink_.on_status(copy);
    } catch (...) {
      log(Severity::error, "the sink threw on a status update");
    }
  }

  void log(Severity severity, std::string_view text) const {
    if (!options_.log) return;
    try {
      options_.log(severity, text);
    } catch (...) {
    }
  }

  // Construction-time constants.
  asio::io_context& io_;
  asio::strand<asio::io_context::executor_type> strand_;
  ReaderUri uri_;
  std::string uri_text_;
  ReaderSink& sink_;
  DriverOptions options_;
  SessionConfig config_;
  ByteStreamOpener opener_;
  milliseconds dead_after_{};
  milliseconds tick_{};

  // The link's life.
  Phase phase_ = Phase::idle;
  std::uint64_t session_ = 0;
  bool stop_requested_ = false;
  bool sink_detached_ = false;
  std::unique_ptr<ByteStream> stream_;
  std::deque<std::unique_ptr<ByteStream>> closed_streams_;
  MercuryFrameLexer lexer_;
  std::array<std::uint8_t, 512> read_buffer_{};
  std::deque<std::vector<std::uint8_t>> writes_;
  std::size_t write_offset_ = 0;
  bool writing_ = false;
  ReconnectBackoff backoff_;
  asio::steady_timer backoff_timer_;
  asio::steady_timer watchdog_;
  std::vector<std::function<void()>> stop_handlers_;

  // One session's protocol state.
  std::optional<Pending> pending_;
  Clock::time_point last_received_{};
  Clock::time_point last_bytes_{};
  RunningProgram program_ = RunningProgram::application;
  std::uint8_t module_region_ = 0;
  std::int64_t stream_anchor_mono_us_ = 0;
  std::int64_t last_reader_time_us_ = 0;
  bool throttled_ = false;
  std::uint64_t malformed_reads_ = 0;
  std::deque<Command> commands_;
  std::optional<Command> current_command_;
  TagRead read_;

  mutable std::mutex status_mutex_;
  ReaderStatus status_;
};

}  // namespace

std::shared_ptr<ReaderDriver> make_mercury_driver(const ReaderUri& uri, asio::io_context& io,
                                                  ReaderSink& sink, const DriverOptions& options,
                                                  ByteStreamOpener opener, std::error_code& ec,
                                                  std::string& why) {
  ec.clear();
  why.clear();
  SessionConfig config;
  if (!make_config(uri, options, config, why)) {
    ec = DriverErrc::bad_options;
    return nullptr;
  }
  return std::make_shared<MercuryDriver>(io, uri, sink, options, std::move(config),
                                         std::move(opener));
}

std::shared_ptr<ReaderDriver> make_mercury_driver(const ReaderUri& uri, asio::io_context& io,
                                                  ReaderSink& sink, const DriverOptions& options,
                                                  std::error_code& ec, std::string& why) {
  ByteStreamOpener opener;
  switch (uri.scheme) {
    case ReaderScheme::serial:
      opener = [device = uri.device, baud = uri.baud](asio::io_context& ctx, std::error_code& e,
                                                      std::string& w) {
        return open_serial_byte_stream(ctx, device, baud, e, w);
      };
      break;
    case ReaderScheme::usb: {
      // One USB context per driver, created on the first open (never at
      // static init: libusb_init can hang under qemu user emulation).
      auto usb = std::make_shared<usb::UsbOpener>(uri.vid, uri.pid, uri.usb_serial);
      opener = [usb](asio::io_context& ctx, std::error_code& e, std::string& w) {
        return usb->open(ctx, e, w);
      };
      auto driver = make_mercury_driver(uri, io, sink, options, std::move(opener), ec, why);
      if (driver) {
        std::weak_ptr<MercuryDriver> weak = std::static_pointer_cast<MercuryDriver>(driver);
        usb->set_hotplug_handler([weak](usb::HotplugAction action) {
          if (auto d = weak.lock()) d->on_hotplug(action);
        });
      }
      return driver;
    }
    default:
      ec = DriverErrc::scheme_not_supported;
      why = "the Mercury driver takes serial:// and usb:// readers only";
      return nullptr;
  }
  return make_mercury_driver(uri, io, sink, options, std::move(opener), ec, why);
}

}  // namespace garita::hal::mercury
