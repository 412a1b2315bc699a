#pragma once
// A scripted LLRP reader for the driver tests: a TCP (or TLS) server on
// 127.0.0.1 that speaks through the real codec. Scripts are C++20 coroutines
// on the same io_context as the driver, so a test is single-threaded and
// reads top to bottom like the conversation it checks.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "garita/hal/ReaderDriver.hpp"
#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageType.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/ReaderConfigParameters.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/TagReport.hpp"

namespace garita::test {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using hal::llrp::MessageType;

// A message copied out of the stream, so scripts can keep it.
struct OwnedMessage {
  hal::llrp::MessageHeader header;
  std::vector<std::uint8_t> bytes;

  static OwnedMessage copy(const hal::llrp::MessageView& view);
  hal::llrp::MessageView view() const { return {header, bytes}; }
  MessageType type() const { return header.type; }
  bool is_impinj_enable_extensions() const;
};

std::vector<MessageType> types_of(const std::vector<OwnedMessage>& messages);
std::string names_of(const std::vector<OwnedMessage>& messages);  // "GET_READER_CAPABILITIES, ..."

// How the fake reader answers requests.
struct FakeReaderSpec {
  hal::llrp::ReaderCapabilities capabilities;             // status is set per answer
  std::vector<hal::llrp::AntennaProperties> antennas;     // GET_READER_CONFIG answer
  std::map<MessageType, hal::llrp::LlrpStatus> failures;  // request type -> status to answer with
  std::set<MessageType> error_message_for;                // answer these with ERROR_MESSAGE

  static FakeReaderSpec generic(
      std::uint16_t antenna_count = 4);  // a non-Impinj reader (Zebra-like PEN)
  static FakeReaderSpec impinj(std::uint16_t antenna_count = 4);
};

// The reader's answer to a request, or nothing (ENABLE_EVENTS_AND_REPORTS,
// KEEPALIVE_ACK have none).
std::vector<std::uint8_t> answer(const OwnedMessage& request, const FakeReaderSpec& spec);

// Reader -> client messages.
std::vector<std::uint8_t> connection_attempt_event(hal::llrp::ConnectionAttemptStatus status);
std::vector<std::uint8_t> connection_close_event();
std::vector<std::uint8_t> antenna_event(std::uint16_t antenna, bool connected);
std::vector<std::uint8_t> keepalive(std::uint32_t message_id);
std::vector<std::uint8_t> ro_access_report(const std::vector<hal::llrp::TagReport>& tags,
                                           std::uint32_t message_id = 0);
std::vector<std::uint8_t> error_message(std::uint32_t message_id,
                                        const hal::llrp::LlrpStatus& status);

// A tag as a reader reports it: 96-bit EPC `epc_hex`, with the given extras.
hal::llrp::TagReport tag(const std::string& epc_hex);
hal::llrp::TagReport& with_tid_read(hal::llrp::TagReport& tag, const std::string& tid_hex,
                                    std::uint16_t op_spec_id = 1);
hal::llrp::TagReport& with_impinj_tid(hal::llrp::TagReport& tag, const std::string& tid_hex);

hal::llrp::LlrpStatus failed_status(hal::llrp::StatusCode code, std::string description);

template <typename Stream>
class FakeConnection {
 public:
  explicit FakeConnection(Stream stream) : stream_(std::move(stream)) {}

  Stream& stream() { return stream_; }

  // The next message from the client, or nothing once it has closed the
  // connection (or it failed).
  awaitable<std::optional<OwnedMessage>> receive() {
    while (inbox_.empty()) {
      if (closed_) co_return std::nullopt;
      boost::system::error_code ec;
      const std::size_t n = co_await stream_.async_read_some(
          asio::buffer(buffer_), asio::redirect_error(use_awaitable, ec));
      if (ec) {
        closed_ = true;
        co_return std::nullopt;
      }
      const auto framing = lexer_.feed(
          std::span<const std::uint8_t>(buffer_.data(), n),
          [&](const hal::llrp::MessageView& m) { inbox_.push_back(OwnedMessage::copy(m)); });
      if (framing)
        throw std::runtime_error("the client sent a badly framed message: " + framing.message());
    }
    OwnedMessage message = std::move(inbox_.front());
    inbox_.pop_front();
    co_return message;
  }

  // The next message, which must be of `type` (KEEPALIVE_ACKs are skipped).
  awaitable<OwnedMessage> expect(MessageType type) {
    for (;;) {
      std::optional<OwnedMessage> received = co_await receive();
      if (!received) {
        throw std::runtime_error(
            "the client closed the connection while the fake reader expected " +
            std::string(hal::llrp::to_string(type)));
      }
      OwnedMessage m = std::move(*received);
      if (m.type() == MessageType::keepalive_ack && type != MessageType::keepalive_ack) continue;
      if (m.type() != type) {
        throw std::runtime_error("expected " + std::string(hal::llrp::to_string(type)) + ", got " +
                                 std::string(hal::llrp::to_string(m.type())));
      }
      co_return m;
    }
  }

  awaitable<void> send(std::vector<std::uint8_t> bytes) {
    co_await asio::async_write(stream_, asio::buffer(bytes), use_awaitable);
  }

  // Answers `request` per `spec` (if it has an answer).
  awaitable<void> answer_request(const OwnedMessage& request, const FakeReaderSpec& spec) {
    auto bytes = answer(request, spec);
    if (!bytes.empty()) co_await send(std::move(bytes));
  }

  // Plays the reader through the driver's start-up: ConnectionAttemptEvent
  // Success, then answers every request until ENABLE_EVENTS_AND_REPORTS (or
  // until the client hangs up). Returns the requests in order.
  awaitable<std::vector<OwnedMessage>> serve_startup(const FakeReaderSpec& spec) {
    std::vector<OwnedMessage> requests;
    co_await send(connection_attempt_event(hal::llrp::ConnectionAttemptStatus::success));
    // Until the client hangs up (a failure the test injected) or is running.
    // (co_await only in plain statements: GCC 12 miscompiles it in loop
    // conditions.)
    for (;;) {
      std::optional<OwnedMessage> m = co_await receive();
      if (!m) break;
      if (m->type() == MessageType::keepalive_ack) continue;
      requests.push_back(*m);
      if (m->type() == MessageType::enable_events_and_reports) break;
      co_await answer_request(*m, spec);
    }
    co_return requests;
  }

  // Answers every request per `spec` until the client closes; what came is
  // appended to `seen` (when given).
  awaitable<void> serve_until_closed(const FakeReaderSpec& spec,
                                     std::vector<OwnedMessage>* seen = nullptr) {
    for (;;) {
      std::optional<OwnedMessage> m = co_await receive();
      if (!m) break;
      if (seen != nullptr) seen->push_back(*m);
      co_await answer_request(*m, spec);
    }
  }

  // Reads (and drops) whatever comes until the client closes.
  awaitable<void> until_closed() {
    for (;;) {
      std::optional<OwnedMessage> m = co_await receive();
      if (!m) break;
    }
  }

 private:
  Stream stream_;
  hal::llrp::FrameLexer lexer_;
  std::deque<OwnedMessage> inbox_;
  std::array<std::uint8_t, 4096> buffer_{};
  bool closed_ = false;
};

using TcpConnection = FakeConnection<tcp::socket>;
using TlsConnection = FakeConnection<asio::ssl::stream<tcp::socket>>;

// Listens on 127.0.0.1 (port chosen by the OS).
class FakeReader {
 public:
  explicit FakeReader(asio::io_context& io);
  std::uint16_t port() const;
  std::string uri(std::string_view scheme = "llrp") const;  // "llrp://127.0.0.1:PORT"
  awaitable<TcpConnection> accept();
  // Nothing when the TLS handshake fails.
  awaitable<std::optional<TlsConnection>> accept_tls(asio::ssl::context& context);
  std::size_t accepted() const { return accepted_; }

 private:
  tcp::acceptor acceptor_;
  std::size_t accepted_ = 0;
};

awaitable<void> sleep_for(std::chrono::milliseconds duration);

// Records what a driver hands its sink, and flags calls after stop.
struct RecordingSink final : hal::ReaderSink {
  std::vector<TagRead> reads;
  std::vector<hal::ReaderStatus> statuses;
  bool stop_completed = false;
  int calls_after_stop = 0;

  void on_tag_read(const TagRead& read) override {
    if (stop_completed) ++calls_after_stop;
    reads.push_back(read);
  }
  void on_status(const hal::ReaderStatus& status) override {
    if (stop_completed) ++calls_after_stop;
    statuses.push_back(status);
  }
  bool saw_state(hal::DriverState state) const;
};

// Runs `io` until `done()` or `limit` (false then).
template <typename Done>
bool run_until(asio::io_context& io, Done done,
               std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Starts `script` on `io`; `finished` and `failure` say how it ended.
struct ScriptResult {
  bool finished = false;
  std::exception_ptr failure;
  void rethrow() const {
    if (failure) std::rethrow_exception(failure);
  }
};

template <typename Awaitable>
void spawn(asio::io_context& io, Awaitable script, ScriptResult& result) {
  asio::co_spawn(io, std::move(script), [&result](std::exception_ptr e) {
    result.finished = true;
    result.failure = e;
  });
}

// A throwaway PKI in a temp directory, made with the openssl CLI: a CA, a
// reader certificate for IP 127.0.0.1 and a client certificate; a second,
// unrelated CA; a reader certificate naming another host.
class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  void run(const std::string& command);
  std::filesystem::path dir_;
};

}  // namespace garita::test
