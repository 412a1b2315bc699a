#pragma once
// garitad's HTTPS server core (contracts.md B), shared by the lane uplink
// listener and the people-facing API listener. Boost.Beast over
// asio::ssl::stream: HTTPS only (there is no plain-HTTP mode), TLS 1.2+ (1.3
// only with tls13_only), optional client-certificate verification.
//
// What it guarantees, whatever the peer sends:
//   - every error answer is JSON {"error":"code","message":"one line"};
//   - header too large -> 431, body too large -> 413, malformed -> 400, then
//     the connection closes; too many connections -> 503;
//   - a connection idle longer than idle_timeout, or a request (first byte
//     to last) slower than request_timeout, is closed;
//   - a TLS handshake failure (wrong CA, expired certificate, plain TCP or
//     HTTP to the TLS port, ...) is logged as one line with OpenSSL's reason
//     and the peer address, never with anything read from the peer;
//   - nothing throws out of a handler into Asio; a throwing handler gets 500.
//
// Threads: the server runs on the io_context it is given (each connection on
// its own strand). A handler is called on that connection's strand and may
// answer later from any thread through its Responder.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace garita::daemon::http {

struct ListenerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                     // 0 = ephemeral (tests)
  std::filesystem::path cert_file, key_file;  // server certificate chain + key (key 0600)
  std::filesystem::path client_ca_file;       // set => clients must present a cert from it
  bool tls13_only = false;                    // uplink: true
  std::size_t max_header_bytes = std::size_t{8} * 1024, max_body_bytes = 1 << 20;
  std::chrono::seconds idle_timeout{30}, request_timeout{10};
  std::size_t max_connections = 256, max_websockets = 32;
  std::size_t websocket_queue_messages = 256;  // per client; a slow client is dropped
};

// Who is on the other end of a connection. The CN is a lane id on the
// uplink; on the API listener it may name a person: never log it there.
struct Peer {
  boost::asio::ip::tcp::endpoint remote;
  std::optional<std::string> cert_cn;  // subject CN of a verified client certificate
  std::string cert_sha256;             // hex (upper case) of the DER; empty without a cert
};

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

class HttpSession;

// Completes one request exactly once, from any thread (it posts to the
// session's strand). Copies share the request: the first send() wins, later
// ones are ignored. When the last copy goes away unanswered, 500 is sent.
// This is what lets a handler answer after an asynchronous COMMIT.
class Responder {
 public:
  Responder() = default;
  void send(Response response) const;
  // True once send() was called (by any copy).
  bool sent() const noexcept;

  struct State;  // internal

 private:
  friend class HttpSession;
  explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// One WebSocket client after a successful upgrade. Thread-safe. It owns a
// socket of the server's io_context: drop every reference before that
// io_context is destroyed (a closed client is only a flag and a few bytes).
class WebSocketClient {
 public:
  virtual ~WebSocketClient() = default;
  // Queues a text message. false: the client is closed, or its queue was
  // full (a slow client: it is then closed and must be forgotten).
  virtual bool send(std::string text) = 0;
  virtual void close() = 0;
  // false once the client is closed or being closed.
  virtual bool is_open() const noexcept = 0;
  virtual const Peer& peer() const noexcept = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  virtual void on_request(Request&& req, const Peer& peer, Responder respond) = 0;
  // Return true to accept an upgrade for this request (checked auth etc.);
  // then on_websocket_open is called with the client. `refusal` starts as a
  // 404 JSON error; set it to answer something else. Messages from clients
  // are read (bounded, 4 KiB) and ignored.
  virtual bool accept_websocket(const Request& /*req*/, const Peer& /*peer*/,
                                Response& /*refusal*/) {
    return false;
  }
  // By value on purpose: a sink, overrides keep the client (the default ignores it).
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  virtual void on_websocket_open(std::shared_ptr<WebSocketClient> /*client*/) {}
};

class HttpServer {
 public:
  // `name` starts every log line ("uplink", "api").
  HttpServer(boost::asio::io_context& io, ListenerOptions options, Handler& handler,
             std::string name);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS files (refusing a key readable by group/other), binds and
  // listens. On failure returns an http::Errc and sets `error` to one line
  // naming the file or address; nothing is left listening.
  std::error_code start(std::string& error);
  // Closes the listener and every session (HTTP and WebSocket). Idempotent;
  // safe from any thread (SIGTERM handler on the io thread included).
  void stop();
  std::uint16_t port() const;  // the bound port (after start)

  struct Counters {
    std::uint64_t accepted = 0;           // TCP connections accepted
    std::uint64_t tls_failures = 0;       // handshakes that failed
    std::uint64_t requests = 0;           // complete requests read
    std::uint64_t bad_requests = 0;       // answered 400/413/431
    std::uint64_t rejected_overload = 0;  // answered 503 or closed for max_connections/websockets
    std::uint64_t websockets = 0;         // upgrades accepted
  };
  Counters counters() const;
  // Connections open now (HTTP sessions and WebSockets).
  std::size_t open_connections() const;
  std::size_t open_websockets() const;

  struct Core;  // internal

 private:
  std::shared_ptr<Core> core_;
};

// A JSON response (Content-Type application/json, Cache-Control no-store).
Response json_response(boost::beast::http::status status, const boost::json::value& body);
// {"error":"code","message":"one line"}; the message is cut to one line.
Response error_response(boost::beast::http::status status, std::string_view code,
                        std::string_view message);

}  // namespace garita::daemon::http
