#include "UplinkClient.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <cstdio>

#include "../LaneErrc.hpp"
#include "garita/common/Log.hpp"
#include "garita/hal/ReconnectBackoff.hpp"

namespace garita::firmware {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::string_view kLog = "uplink";
constexpr const char* kHelloTarget = "/v1/uplink/hello";
constexpr const char* kCrossingsTarget = "/v1/uplink/crossings";

std::string seconds_text(std::chrono::milliseconds d) {
  if (d < std::chrono::seconds(1)) return std::to_string(d.count()) + " ms";
  char buf[32];
  // Any int64 count of milliseconds fits in 32.
  static_cast<void>(
      std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0));
  return buf;
}

bool is_tls_error(const boost::system::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

struct UplinkClient::Impl : std::enable_shared_from_this<UplinkClient::Impl> {
  enum class Phase { idle, connecting, hello, sending, waiting, backing_off, stopped };

  Impl(asio::io_context& io_in, UplinkOptions options_in, LaneJournal& journal_in,
       ReaderStateFn reader_state_in, ConnectedHook hook_in)
      : io(io_in),
        options(std::move(options_in)),
        journal(journal_in),
        reader_state(std::move(reader_state_in)),
        hook(std::move(hook_in)),
        resolver(io_in),
        timer(io_in),
        backoff(options.backoff_initial, options.backoff_max,
                options.backoff_seed.value_or(std::random_device{}())),
        max_batch(std::max<std::uint32_t>(1, options.batch_size)) {}

  // ------------------------------------------------------------ connect

  void do_connect() {
    phase = Phase::connecting;
    std::error_code ec;
    std::string why;
    context = make_uplink_tls_context(options.tls, ec, why);
    if (!context) return fail(why);
    stream = std::make_unique<Stream>(io, *context);
    if (expect_server_name(stream->native_handle(), options.host, why)) return fail(why);
    buffer.clear();
    resolver.async_resolve(options.host, std::to_string(options.port),
                           [self = shared_from_this()](boost::system::error_code rec,
                                                       const tcp::resolver::results_type& r) {
                             self->on_resolve(rec, r);
                           });
  }

  std::string peer() const { return options.host + ":" + std::to_string(options.port); }

  void on_resolve(boost::system::error_code ec, const tcp::resolver::results_type& results) {
    if (phase == Phase::stopped) return;
    if (ec) return fail("cannot resolve " + options.host + ": " + ec.message());
    beast::get_lowest_layer(*stream).expires_after(options.connect_timeout);
    beast::get_lowest_layer(*stream).async_connect(
        results, [self = shared_from_this()](boost::system::error_code cec, const tcp::endpoint&) {
          self->on_connect(cec);
        });
  }

  void on_connect(boost::system::error_code ec) {
    if (phase == Phase::stopped) return;
    if (ec == beast::error::timeout) {
      return fail("cannot connect to " + peer() + ": no answer within " +
                  seconds_text(options.connect_timeout));
    }
    if (ec) return fail("cannot connect to " + peer() + ": " + ec.message());
    beast::get_lowest_layer(*stream).expires_after(options.connect_timeout);
    stream->async_handshake(
        asio::ssl::stream_base::client,
        [self = shared_from_this()](boost::system::error_code hec) { self->on_handshake(hec); });
  }

  void on_handshake(boost::system::error_code ec) {
    if (phase == Phase::stopped) return;
    if (ec == beast::error::timeout) {
      return fail("TLS handshake with " + peer() + " timed out after " +
                  seconds_text(options.connect_timeout));
    }
    if (ec) {
      return fail("TLS handshake with " + peer() +
                  " failed: " + describe_tls_failure(ec, stream->native_handle(), options.host));
    }
    keep_alive = true;
    send_hello();
  }

  // ------------------------------------------------------------ requests

  void send_hello() {
    uplink::Hello hello;
    hello.lane = options.lane_id;
    hello.controller = options.controller;
    hello.backlog = current_backlog();
    if (reader_state) hello.reader = reader_state();
    last_hello = std::chrono::steady_clock::now();
    send(kHelloTarget, uplink::encode(hello), Phase::hello);
  }

  void send(const char* target, std::string body, Phase next) {
    phase = next;
    request = {};
    request.method(http::verb::post);
    request.target(target);
    request.version(11);
    // RFC 9110 §7.2: an IPv6 literal goes in brackets.
    const std::string host =
        options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
    request.set(http::field::host,
                options.port == 443 ? host : host + ":" + std::to_string(options.port));
    request.set(http::field::user_agent, options.controller);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = std::move(body);
    request.prepare_payload();
    beast::get_lowest_layer(*stream).expires_after(options.request_timeout);
    http::async_write(*stream, request,
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(boost::system::error_code ec) {
    if (phase == Phase::stopped) return;
    if (ec) return fail_io(ec, "sending to");
    parser.emplace();
    parser->body_limit(uplink::kMaxBodyBytes);
    http::async_read(*stream, buffer, *parser,
                     [self = shared_from_this()](boost::system::error_code rec, std::size_t) {
                       self->on_read(rec);
                     });
  }

  void on_read(boost::system::error_code ec) {
    if (phase == Phase::stopped) return;
    if (ec) return fail_io(ec, "reading from");
    beast::get_lowest_layer(*stream).expires_never();
    http::response<http::string_body> response = parser->release();
    parser.reset();
    keep_alive = response.keep_alive();
    if (response.result() != http::status::ok) return fail_status(response);
    if (phase == Phase::hello) return on_hello(response.body());
    on_batch(response.body());
  }

  void fail_io(boost::system::error_code ec, std::string_view what) {
    if (ec == beast::error::timeout) {
      return fail("no answer from " + peer() + " within " + seconds_text(options.request_timeout));
    }
    if (is_tls_error(ec) && ec != asio::ssl::error::stream_truncated) {
      return fail(describe_tls_failure(ec, stream->native_handle(), options.host));
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
      // In TLS 1.3 a server that refuses our certificate may just close.
      return fail("garitad at " + peer() + " closed the connection" +
                  (connects_this_link ? "" : " before answering hello (certificate refused?)"));
    }
    fail(std::string(what) + " " + peer() + " failed: " + ec.message());
  }

  void fail_status(const http::response<http::string_body>& response) {
    const unsigned status = response.result_int();
    uplink::ErrorBody body;
    std::string why;
    std::string detail;
    if (!uplink::decode(response.body(), body, why)) {
      detail = body.error + ": " + body.message;
    } else {
      detail = std::string(response.reason());
    }
    std::string line = "garitad answered " + std::to_string(status) + " (" + detail + ")";
    if (status == 403) {
      line += ": it does not accept lane " + options.lane_id +
              " from this certificate (is the lane configured with controller = true, and is "
              "the certificate's CN the lane id?)";
    }
    fail(line);
  }

  void on_hello(const std::string& body) {
    uplink::HelloResponse hello;
    std::string why;
    if (auto ec = uplink::decode(body, hello, why)) {
      return fail("garitad's hello answer did not decode: " + why);
    }
    if (hello.lane != options.lane_id) {
      return fail("garitad's hello answer names lane " + hello.lane + ", not " + options.lane_id);
    }
    max_batch = std::clamp<std::uint32_t>(std::min(options.batch_size, hello.max_batch), 1,
                                          uplink::kMaxBatchLimit);
    if (!connected) {
      connected = true;
      connects_this_link = true;
      ++counters.connects;
      backoff.reset();
      last_logged_reason.clear();
      log::info(kLog, "connected to " + options.url + " as lane " + options.lane_id + " (backlog " +
                          std::to_string(current_backlog()) + ")");
      if (hook) hook(true);
      if (phase == Phase::stopped) return;  // the hook stopped us
    }
    next_step();
  }

  void on_batch(const std::string& body) {
    uplink::CrossingsResponse response;
    std::string why;
    if (auto ec = uplink::decode(body, response, why)) {
      return fail("garitad's crossings answer did not decode: " + why);
    }
    ++counters.batches;
    std::vector<AckedCrossing> acked;
    acked.reserve(response.acked.size());
    std::uint64_t through = 0;
    for (std::uint64_t seq : response.acked) {
      for (const JournalEntry& e : in_flight) {
        if (e.crossing.sequence == seq) {
          acked.push_back({seq, e.revision});
          through = std::max(through, seq);
          break;
        }
      }
    }
    std::uint64_t deleted = 0;
    if (auto ec = journal.acknowledge(options.lane_id, acked, deleted)) {
      // Not deleted: they will be sent again, which garitad absorbs.
      log::error("journal", journal.last_error());
    }
    counters.acked += deleted;
    if (!acked.empty()) {
      log::info(kLog, "acked " + std::to_string(acked.size()) + " crossings (through seq " +
                          std::to_string(through) + ")");
    }
    for (const uplink::Rejection& r : response.rejected) {
      const bool ours = std::any_of(in_flight.begin(), in_flight.end(), [&](const JournalEntry& e) {
        return e.crossing.sequence == r.sequence;
      });
      if (!ours) continue;
      if (auto ec = journal.dead_letter(options.lane_id, r.sequence, r.reason)) {
        log::error("journal", journal.last_error());
        continue;
      }
      ++counters.rejected;
      log::error(kLog, "garitad rejected crossing lane=" + options.lane_id +
                           " seq=" + std::to_string(r.sequence) + " (" + r.reason +
                           "); kept in the journal's dead letters, not resent");
    }
    const std::size_t answered = acked.size() + response.rejected.size();
    in_flight.clear();
    if (answered == 0) {
      // Sending the same batch again at once would loop; back off instead.
      return fail("garitad acknowledged none of the crossings sent");
    }
    next_step();
  }

  // ------------------------------------------------------------ the loop

  std::uint64_t current_backlog() {
    std::uint64_t n = 0;
    if (journal.backlog(options.lane_id, n)) log::error("journal", journal.last_error());
    return n;
  }

  void next_step() {
    if (phase == Phase::stopped) return;
    if (!keep_alive) {
      // garitad closes after this answer: a fresh connection, no backoff.
      close_stream();
      connected_link_reset();
      return do_connect();
    }
    if (auto ec = journal.pending(options.lane_id, max_batch, in_flight)) {
      log::error("journal", journal.last_error());
      return wait_idle();
    }
    if (in_flight.empty()) {
      if (std::chrono::steady_clock::now() - last_hello >= options.heartbeat) return send_hello();
      return wait_idle();
    }
    uplink::CrossingBatch batch;
    batch.lane = options.lane_id;
    const std::uint64_t total = current_backlog();
    batch.backlog = total > in_flight.size() ? total - in_flight.size() : 0;
    batch.crossings.reserve(in_flight.size());
    for (const JournalEntry& e : in_flight) batch.crossings.push_back(e.crossing);
    send(kCrossingsTarget, uplink::encode(batch), Phase::sending);
  }

  void wait_idle() {
    phase = Phase::waiting;
    timer.expires_after(options.idle_poll);
    timer.async_wait([self = shared_from_this()](boost::system::error_code) {
      // Cancelled by notify() or expired: look again. stop() sets the phase.
      if (self->phase == Phase::waiting) self->next_step();
    });
  }

  void connected_link_reset() { connects_this_link = false; }

  void fail(const std::string& reason) {
    if (phase == Phase::stopped) return;
    ++counters.failures;
    last_error = reason;
    in_flight.clear();
    close_stream();
    connects_this_link = false;
    const bool was_connected = connected;
    connected = false;
    const auto wait = backoff.next();
    // One line per failure reason; the same reason again (garitad down for
    // hours) only every 60th time, so the log stays readable.
    if (reason != last_logged_reason || ++repeats % 60 == 0) {
      if (reason != last_logged_reason) repeats = 0;
      last_logged_reason = reason;
      log::warning(kLog, reason + "; retrying in " + seconds_text(wait));
    } else {
      log::debug(kLog, reason + "; retrying in " + seconds_text(wait));
    }
    if (was_connected && hook) hook(false);
    if (phase == Phase::stopped) return;
    phase = Phase::backing_off;
    timer.expires_after(wait);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->phase != Phase::backing_off) return;
      self->do_connect();
    });
  }

  void close_stream() {
    if (!stream) return;
    boost::system::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
    // The stream object stays until its handlers ran (they hold `self`);
    // a new connection makes a new one.
    old_streams.push_back(std::move(stream));
    if (old_streams.size() > 2) old_streams.erase(old_streams.begin());
  }

  void stop() {
    if (phase == Phase::stopped) return;
    phase = Phase::stopped;
    timer.cancel();
    resolver.cancel();
    if (stream) {
      boost::system::error_code ignored;
      beast::get_lowest_layer(*stream).socket().close(ignored);
    }
    if (connected) {
      connected = false;
      if (hook) hook(false);
    }
  }

  asio::io_context& io;
  UplinkOptions options;
  LaneJournal& journal;
  ReaderStateFn reader_state;
  ConnectedHook hook;
  tcp::resolver resolver;
  asio::steady_timer timer;
  hal::ReconnectBackoff backoff;
  std::shared_ptr<asio::ssl::context> context;
  std::unique_ptr<Stream> stream;
  std::vector<std::unique_ptr<Stream>> old_streams;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;
  std::vector<JournalEntry> in_flight;
  std::uint32_t max_batch;
  std::chrono::steady_clock::time_point last_hello{};
  Phase phase = Phase::idle;
  bool connected = false;
  bool connects_this_link = false;
  bool keep_alive = true;
  UplinkCounters counters;
  std::string last_error;
  std::string last_logged_reason;
  unsigned repeats = 0;
};

std::shared_ptr<UplinkClient> UplinkClient::create(asio::io_context& io, UplinkOptions options,
                                                   LaneJournal& journal, ReaderStateFn reader_state,
                                                   ConnectedHook on_connected) {
  return std::shared_ptr<UplinkClient>(new UplinkClient(
      io, std::move(options), journal, std::move(reader_state), std::move(on_connected)));
}

UplinkClient::UplinkClient(asio::io_context& io, UplinkOptions options, LaneJournal& journal,
                           ReaderStateFn reader_state, ConnectedHook on_connected)
    : impl_(std::make_shared<Impl>(io, std::move(options), journal, std::move(reader_state),
                                   std::move(on_connected))) {}

UplinkClient::~UplinkClient() {
  // A destructor must not throw (it would terminate); stop() only cancels
  // sockets and timers, and nothing is left to do if one of those throws.
  try {
    if (impl_) impl_->stop();
  } catch (...) {
  }
}

void UplinkClient::start() {
  if (impl_->phase != Impl::Phase::idle) return;
  impl_->do_connect();
}

void UplinkClient::stop() { impl_->stop(); }

void UplinkClient::notify() {
  if (impl_->phase == Impl::Phase::waiting) impl_->timer.cancel();
}

bool UplinkClient::connected() const noexcept { return impl_->connected; }

UplinkCounters UplinkClient::counters() const noexcept { return impl_->counters; }

const std::string& UplinkClient::last_error() const noexcept { return impl_->last_error; }

}  // namespace garita::firmware
