#pragma once
// One HTTPS connection: TLS handshake, then requests one at a time
// (keep-alive), each handed to the Handler and answered through a
// Responder; or an upgrade to a WebSocket, which hands the stream over to a
// WebSocketSession. Paired do_x/on_x steps on the connection's strand.
//
// Timeouts (beast::tcp_stream expiry): the handshake and a request (from its
// first byte to its last) must each finish within request_timeout; between
// requests the connection may sit idle for idle_timeout. Writing a response
// gets request_timeout too.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>

#include "ServerCore.hpp"

namespace garita::daemon::http {

struct Responder::State {
  explicit State(std::shared_ptr<HttpSession> s) : session(std::move(s)) {}
  ~State();  // unanswered: 500
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  std::shared_ptr<HttpSession> session;
  std::atomic<bool> sent{false};
};

class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // `overloaded`: the server is past max_connections; every request on this
  // connection is answered 503 and the connection closed.
  HttpSession(std::shared_ptr<HttpServer::Core> core, boost::asio::ip::tcp::socket socket,
              bool overloaded);
  ~HttpSession() override;

  void run();
  void abort() override;
  // From any thread: answers the request in hand (once).
  void post_response(Response response);

 private:
  void do_handshake();
  void on_handshake(const boost::system::error_code& ec);
  void do_read_request();
  void on_read_some(const boost::system::error_code& ec);
  void do_read_rest();
  void on_read(const boost::system::error_code& ec);
  void fail_read(const boost::system::error_code& ec);
  void handle_request();
  void upgrade_to_websocket(Request&& req);
  void write_response(Response&& response, bool close_after);
  void on_write(const boost::system::error_code& ec, bool keep_alive);
  void do_close();
  void close_now();

  std::shared_ptr<HttpServer::Core> core_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::unique_ptr<Response> response_;
  Peer peer_;
  std::uint64_t id_ = 0;
  bool overloaded_;
  bool handed_over_ = false;  // the stream now belongs to a WebSocketSession
  bool closed_ = false;
  bool awaiting_response_ = false;
  unsigned request_version_ = 11;
  bool request_keep_alive_ = false;
};

}  // namespace garita::daemon::http
