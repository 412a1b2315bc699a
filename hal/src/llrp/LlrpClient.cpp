// The LLRP client's connection life: open, watchdog, backoff, stop, status,
// and the factory the DriverTable calls. The LLRP conversation itself is in
// LlrpClientSession.cpp.
#include "garita/hal/llrp/LlrpClient.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <limits>
#include <random>

#include "LlrpClientImpl.hpp"
#include "LlrpClientText.hpp"
#include "LlrpClientTls.hpp"
#include "garita/hal/DriverErrc.hpp"

namespace garita::hal::llrp {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxAntennas = 256;  // LLRP allows 65535; no reader has more than a few dozen

std::int64_t utc_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t pick_seed(const DriverOptions& options) {
  if (options.backoff_seed) return *options.backoff_seed;
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

// How often the watchdog looks at deadlines: a quarter of the shortest one,
// so a timeout fires at most 25% late, within sane bounds.
std::chrono::milliseconds watchdog_tick(const DriverOptions& options,
                                        std::chrono::milliseconds dead_after) {
  const auto shortest = std::min(options.response_timeout, dead_after);
  return std::clamp(shortest / 4, std::chrono::milliseconds{5}, std::chrono::milliseconds{1'000});
}

LaneSetup lane_setup(const DriverOptions& options) {
  LaneSetup setup;
  setup.antennas = options.antennas;
  setup.report_every_n_tags = options.report_every_n_tags;
  setup.read_tid = options.read_tid;
  setup.tid_words = options.tid_words;
  setup.keepalive_period = options.keepalive_period;
  return setup;
}

std::error_code bad_options(std::string& why, std::string text) {
  why = std::move(text);
  return DriverErrc::bad_options;
}

std::error_code check_options(const ReaderUri& uri, const DriverOptions& o, std::string& why) {
  using std::chrono::milliseconds;
  if (uri.scheme != ReaderScheme::llrp && uri.scheme != ReaderScheme::llrps) {
    return bad_options(why, "the LLRP driver only takes llrp:// and llrps:// URIs");
  }
  if (uri.listen && uri.scheme == ReaderScheme::llrps) {
    return bad_options(
        why,
        "listen mode over TLS (llrps://...?listen=1) is not supported yet by this build; "
        "have garita dial the reader, or use llrp:// on a closed lane network");
  }
  if (uri.scheme == ReaderScheme::llrp && !o.tls.empty()) {
    return bad_options(why,
                       "TLS files given for " + uri.to_string() +
                           ", which is plain TCP: use llrps:// for TLS, or drop the TLS files");
  }
  if (o.connect_timeout < milliseconds{1} || o.response_timeout < milliseconds{1} ||
      o.keepalive_period < milliseconds{1} || o.backoff_initial < milliseconds{1} ||
      o.backoff_max < o.backoff_initial) {
    return bad_options(
        why, "timeouts and backoff times must be positive, and backoff_max >= backoff_initial");
  }
  if (o.keepalive_period > milliseconds{3'600'000}) {
    return bad_options(
        why, "keepalive period " + format_duration(o.keepalive_period) + " is over an hour");
  }
  if (o.dead_after_keepalives < 2) {
    return bad_options(
        why, "dead_after_keepalives must be at least 2 (one late keepalive is not a dead link)");
  }
  for (std::uint16_t antenna : o.antennas) {
    if (antenna == 0)
      return bad_options(why, "antenna ids start at 1 (leave the list empty for all antennas)");
  }
  if (o.report_every_n_tags == 0) return bad_options(why, "report_every_n_tags must be at least 1");
  if (o.read_tid && (o.tid_words == 0 || o.tid_words > TidBytes::capacity / 2)) {
    return bad_options(why, "tid_words must be 1 to " + std::to_string(TidBytes::capacity / 2));
  }
  if (o.max_message_size < 4096)
    return bad_options(why, "max_message_size below 4096 bytes cannot hold a report");
  if (o.max_queued_writes < 4) return bad_options(why, "max_queued_writes must be at least 4");
  return {};
}

}  // namespace

// ---------------------------------------------------------------- factory

std::shared_ptr<ReaderDriver> make_llrp_client(const ReaderUri& uri, boost::asio::io_context& io,
                                               ReaderSink& sink, const DriverOptions& options,
                                               std::error_code& ec, std::string& why) {
  why.clear();
  ec = check_options(uri, options, why);
  if (ec) return nullptr;
  if (uri.scheme == ReaderScheme::llrps) {
    // Fail now on a bad path; the files are loaded again for every connection.
    if (!make_tls_client_context(options.tls, ec, why)) return nullptr;
  }
  return std::make_shared<LlrpClient>(io, uri, sink, options);
}

// ---------------------------------------------------------------- life

LlrpClient::LlrpClient(boost::asio::io_context& io, const ReaderUri& uri, ReaderSink& sink,
                       const DriverOptions& options)
    : strand_(asio::make_strand(io)),
      uri_(uri),
      uri_text_(uri.to_string()),
      sink_(sink),
      options_(options),
      setup_(lane_setup(options)),
      dead_after_(options.keepalive_period * options.dead_after_keepalives),
      watchdog_tick_(watchdog_tick(options, dead_after_)),
      backoff_(options.backoff_initial, options.backoff_max, pick_seed(options)),
      backoff_timer_(strand_),
      watchdog_(strand_) {
  limits_.max_message_size = options.max_message_size;
  limits_.max_queued_writes = options.max_queued_writes;
  limits_.graceful_close_timeout =
      std::min(options.response_timeout, std::chrono::milliseconds{2'000});
  status_.uri = uri_text_;
}

void LlrpClient::start() {
  asio::post(strand_, [self = shared_from_this()] { self->do_start(); });
}

void LlrpClient::stop(std::function<void()> on_stopped) {
  asio::post(strand_, [self = shared_from_this(), on_stopped = std::move(on_stopped)]() mutable {
    self->do_stop(std::move(on_stopped));
  });
}

ReaderStatus LlrpClient::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void LlrpClient::set_output(std::uint16_t port, bool on,
                            std::function<void(std::error_code)> done) {
  asio::post(strand_, [self = shared_from_this(), port, on, done = std::move(done)]() mutable {
    self->do_set_output(port, on, std::move(done));
  });
}

void LlrpClient::do_start() {
  if (phase_ != Phase::idle || stop_requested_) return;
  if (uri_.listen) {
    connector_ = make_listener(strand_, uri_.host, uri_.port, limits_);
  } else {
    std::optional<TlsFiles> tls;
    if (uri_.scheme == ReaderScheme::llrps) tls = options_.tls;
    connector_ = make_dialer(strand_, uri_.host, uri_.port, options_.connect_timeout, limits_,
                             std::move(tls));
  }
  do_open();
}

void LlrpClient::do_open() {
  phase_ = Phase::opening;
  const std::uint64_t session = ++session_;
  {
    std::lock_guard lock(status_mutex_);
    status_.state = DriverState::connecting;
    status_.next_attempt_utc_us.reset();
  }
  log(Severity::info, connector_->describe());
  publish_status();
  // Callbacks stored in objects the client owns (connector, link) hold it
  // weakly: a strong reference there would be a cycle that outlives a
  // destroyed io_context.
  connector_->async_open([weak = weak_from_this(), session](std::error_code ec,
                                                            const std::string& why,
                                                            std::shared_ptr<LlrpLink> link) {
    if (auto self = weak.lock()) {
      self->on_open(session, ec, why, std::move(link));
    } else if (link) {
      link->close(false);
    }
  });
}

void LlrpClient::on_open(std::uint64_t session, std::error_code ec, const std::string& why,
                         std::shared_ptr<LlrpLink> link) {
  if (session != session_ || phase_ != Phase::opening) {
    if (link) link->close(false);
    return;
  }
  if (ec) {
    fail_session(ec, why);
    return;
  }
  link_ = std::move(link);
  pending_.reset();
  impinj_ = false;
  rospec_added_ = false;
  have_previous_tag_ = false;
  const auto now = Clock::now();
  last_received_ = now;
  connection_event_deadline_ = now + options_.response_timeout;
  phase_ = Phase::awaiting_connection_event;
  {
    std::lock_guard lock(status_mutex_);
    status_.peer = link_->peer();
    status_.connected_since_utc_us = utc_now_us();
    for (AntennaStatus& antenna : status_.antennas) antenna.state = AntennaState::unknown;
  }
  log(Severity::info,
      "connected to " + link_->peer() + "; waiting for the reader's ConnectionAttemptEvent");
  link_->start(
      [weak = weak_from_this(), session](const MessageView& message) {
        if (auto self = weak.lock()) self->on_message(session, message);
      },
      [weak = weak_from_this(), session](std::error_code closed_ec, const std::string& closed_why) {
        if (auto self = weak.lock()) self->on_link_closed(session, closed_ec, closed_why);
      });
  do_watchdog();
  publish_status();
}

void LlrpClient::on_link_closed(std::uint64_t session, std::error_code ec, const std::string& why) {
  if (session != session_) return;
  if (phase_ == Phase::saying_goodbye) {
    // The reader hung up first (readers close right after answering
    // CLOSE_CONNECTION); that is the goodbye done.
    end_session(false);
    finish_stop();
    return;
  }
  fail_session(ec, why);
}

void LlrpClient::fail_session(std::error_code ec, const std::string& why) {
  const bool was_running = phase_ == Phase::running;
  end_session(false);
  if (stop_requested_) {
    log(Severity::info, "while stopping: " + why);
    finish_stop();
    return;
  }
  record_error(ec, was_running ? "lost the reader: " + why : why, Severity::warning);
  do_backoff();
}

void LlrpClient::end_session(bool graceful) {
  ++session_;  // late handlers of this connection now do nothing
  if (link_) {
    link_->close(graceful);
    link_.reset();
  }
  pending_.reset();
  watchdog_.cancel();
  fail_commands(DriverErrc::not_running);
  std::lock_guard lock(status_mutex_);
  status_.peer.clear();
  status_.connected_since_utc_us.reset();
  status_.running_since_utc_us.reset();
  for (AntennaStatus& antenna : status_.antennas) antenna.state = AntennaState::unknown;
}

void LlrpClient::do_backoff() {
  phase_ = Phase::backing_off;
  const std::chrono::milliseconds delay = backoff_.next();
  {
    std::lock_guard lock(status_mutex_);
    status_.state = DriverState::backing_off;
    status_.next_attempt_utc_us =
        utc_now_us() + std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
  }
  log(Severity::info, "next attempt in " + format_duration(delay));
  publish_status();
  backoff_timer_.expires_after(delay);
  backoff_timer_.async_wait(
      [self = shared_from_this(), session = session_](const boost::system::error_code& ec) {
        self->on_backoff(session, ec);
      });
}

void LlrpClient::on_backoff(std::uint64_t session, const boost::system::error_code& ec) {
  if (ec || session != session_ || phase_ != Phase::backing_off) return;
  {
    std::lock_guard lock(status_mutex_);
    ++status_.reconnect_count;
  }
  do_open();
}

// One timer checks every deadline of a connection: the first message, the
// pending request, and the link's liveness. A timer per request would do
// the same with more cancellation traffic; one per message far more.
void LlrpClient::do_watchdog() {
  watchdog_.expires_after(watchdog_tick_);
  watchdog_.async_wait(
      [self = shared_from_this(), session = session_](const boost::system::error_code& ec) {
        self->on_watchdog(session, ec);
      });
}

void LlrpClient::on_watchdog(std::uint64_t session, const boost::system::error_code& ec) {
  if (ec || session != session_ || !link_) return;
  const auto now = Clock::now();
  if (phase_ == Phase::awaiting_connection_event && now >= connection_event_deadline_) {
    fail_session(DriverErrc::response_timeout,
                 "connected to " + link_->peer() + ", but no ConnectionAttemptEvent came within " +
                     format_duration(options_.response_timeout) +
                     " (is this port an LLRP reader? is it still booting?)");
    return;
  }
  if (pending_ && now >= pending_->deadline) {
    const Request request = pending_->request;
    if (phase_ == Phase::saying_goodbye) {
      // A reader that will not answer a goodbye still gets one: move on.
      pending_.reset();
      log(Severity::info, "no answer to " + std::string(request_name(request)) + " while stopping");
      if (request == Request::disable_rospec) {
        send_request(Request::close_connection);
      } else {
        end_session(false);
        finish_stop();
        return;
      }
    } else {
      fail_session(DriverErrc::response_timeout,
                   "the reader did not answer " + std::string(request_name(request)) + " within " +
                       format_duration(options_.response_timeout));
      return;
    }
  }
  if (phase_ == Phase::running && now - last_received_ >= dead_after_) {
    fail_session(DriverErrc::link_dead,
                 "nothing from the reader for " + format_duration(dead_after_) +
                     ", not even a keepalive (one is due every " +
                     format_duration(options_.keepalive_period) + "): the link is dead");
    return;
  }
  if (link_) do_watchdog();
}

void LlrpClient::do_stop(std::function<void()> on_stopped) {
  if (on_stopped) stop_handlers_.push_back(std::move(on_stopped));
  if (phase_ == Phase::stopped) {
    finish_stop();  // already quiet: just run the new completion
    return;
  }
  if (stop_requested_) return;  // the goodbye under way will run it
  stop_requested_ = true;
  backoff_timer_.cancel();
  if (connector_) connector_->cancel();
  fail_commands(DriverErrc::stopped);
  if (link_ && (phase_ == Phase::configuring || phase_ == Phase::running)) {
    // LLRP's goodbye: stop inventorying (no RF, no reports piling up in the
    // reader), then CLOSE_CONNECTION (§13.1.5). A request of the set-up
    // still unanswered is abandoned; its late answer will not match.
    phase_ = Phase::saying_goodbye;
    pending_.reset();
    set_state(DriverState::stopping);
    log(Severity::info, "stopping");
    publish_status();
    send_request(rospec_added_ ? Request::disable_rospec : Request::close_connection);
    return;
  }
  end_session(false);
  finish_stop();
}

void LlrpClient::finish_stop() {
  if (phase_ != Phase::stopped) {
    end_session(false);
    backoff_timer_.cancel();
    if (connector_) {
      connector_->cancel();
      connector_.reset();
    }
    phase_ = Phase::stopped;
    {
      std::lock_guard lock(status_mutex_);
      status_.state = DriverState::stopped;
      status_.next_attempt_utc_us.reset();
    }
    log(Severity::info, "stopped");
    publish_status();
    sink_detached_ = true;
  }
  std::vector<std::function<void()>> handlers;
  handlers.swap(stop_handlers_);
  for (auto& handler : handlers) {
    try {
      handler();
    } catch (...) {
      // A completion that throws must not take the io_context down with it.
    }
  }
}

void LlrpClient::do_set_output(std::uint16_t port, bool on,
                               std::function<void(std::error_code)> done) {
  if (phase_ != Phase::running) {
    complete(done, DriverErrc::not_running);
    return;
  }
  std::uint16_t gpo_count = 0;
  {
    std::lock_guard lock(status_mutex_);
    if (status_.identity) gpo_count = status_.identity->gpo_count;
  }
  if (port == 0 || port > gpo_count) {
    log(Severity::warning, "GPO " + std::to_string(port) + " asked for, but the reader has " +
                               std::to_string(gpo_count) + " GPOs");
    complete(done, DriverErrc::bad_argument);
    return;
  }
  if (commands_.size() >= options_.max_queued_commands) {
    complete(done, DriverErrc::busy);
    return;
  }
  commands_.push_back(Command{GpoWriteData{port, on}, std::move(done)});
  send_next_command();
}

void LlrpClient::fail_commands(std::error_code ec) {
  if (current_command_) {
    complete(current_command_->done, ec);
    current_command_.reset();
  }
  while (!commands_.empty()) {
    Command command = std::move(commands_.front());
    commands_.pop_front();
    complete(command.done, ec);
  }
}

void LlrpClient::complete(std::function<void(std::error_code)>& done, std::error_code ec) {
  if (!done) return;
  auto handler = std::move(done);
  done = nullptr;
  try {
    handler(ec);
  } catch (...) {
    log(Severity::error, "a command completion threw; ignored");
  }
}

// ---------------------------------------------------------------- status

void LlrpClient::set_state(DriverState state) {
  std::lock_guard lock(status_mutex_);
  status_.state = state;
}

void LlrpClient::record_error(std::error_code ec, const std::string& why, Severity severity) {
  {
    std::lock_guard lock(status_mutex_);
    status_.last_error = why;
    status_.last_error_code = ec;
    status_.last_error_utc_us = utc_now_us();
    ++status_.error_count;
  }
  log(severity, why);
}

void LlrpClient::publish_status() {
  if (sink_detached_) return;
  const ReaderStatus snapshot = status();
  try {
    sink_.on_status(snapshot);
  } catch (...) {
    log(Severity::error, "the status sink threw; ignored");
  }
}

void LlrpClient::deliver(const TagRead& read) {
  if (sink_detached_) return;
  try {
    sink_.on_tag_read(read);
  } catch (...) {
    log(Severity::error, "the read sink threw; one read dropped");
  }
}

void LlrpClient::note_reader_time(std::optional<std::uint64_t> utc_us,
                                  std::optional<std::uint64_t> uptime_us,
                                  std::int64_t host_utc_us) {
  if (!utc_us && !uptime_us) return;
  std::lock_guard lock(status_mutex_);
  ReaderClock& clock = status_.clock;
  if (utc_us && *utc_us <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    clock.kind = ReaderClockKind::utc;
    clock.reader_minus_host_us = static_cast<std::int64_t>(*utc_us) - host_utc_us;
  } else if (uptime_us) {
    clock.kind = ReaderClockKind::uptime_only;
    clock.reader_minus_host_us.reset();
    clock.reader_uptime_us = uptime_us;
  }
  clock.measured_at_utc_us = host_utc_us;
}

// Call with status_mutex_ held.
void LlrpClient::ensure_antenna(std::uint16_t id) {
  if (id == 0 || id > kMaxAntennas) return;
  while (status_.antennas.size() < id) {
    AntennaStatus antenna;
    antenna.id = static_cast<std::uint16_t>(status_.antennas.size() + 1);
    status_.antennas.push_back(antenna);
  }
  if (antenna_reads_.size() < id) antenna_reads_.resize(id, 0);
}

void LlrpClient::log(Severity severity, std::string_view text) const {
  if (!options_.log) return;
  std::string line = uri_text_;
  line += ": ";
  line += text;
  try {
    options_.log(severity, line);
  } catch (...) {
    // A log hook that throws loses its line, nothing else.
  }
}

}  // namespace garita::hal::llrp
