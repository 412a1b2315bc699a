#pragma once
// One WebSocket client (RFC 6455) after an HTTPS upgrade. The server only
// pushes: messages from the client are read (to see pings and close
// frames) but ignored, and may be at most kMaxClientMessage bytes.
//
// Sending is bounded: each client has a queue of websocket_queue_messages;
// a client that lets it fill up (a slow or stalled reader) is dropped, so one
// bad client can never hold memory or slow the others. Keep-alive pings find
// dead peers after idle_timeout.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <mutex>

#include "ServerCore.hpp"

namespace garita::daemon::http {

class WebSocketSession final : public WebSocketClient,
                               public Connection,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  static constexpr std::size_t kMaxClientMessage = 4096;
  using Stream =
      boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  // The caller has counted this client in core->ws_open; it is given back
  // when the connection ends (not when the last reference goes).
  WebSocketSession(std::shared_ptr<HttpServer::Core> core,
                   boost::beast::ssl_stream<boost::beast::tcp_stream>&& stream, Peer peer);
  ~WebSocketSession() override;

  void run(Request&& upgrade);

  bool send(std::string text) override;
  void close() override;
  bool is_open() const noexcept override { return open_.load(); }
  const Peer& peer() const noexcept override { return peer_; }
  void abort() override;

 private:
  void on_accept(const boost::system::error_code& ec);
  void do_read();
  void on_read(const boost::system::error_code& ec);
  void do_write();
  void on_write(const boost::system::error_code& ec);
  void finish();

  std::shared_ptr<HttpServer::Core> core_;
  Stream ws_;
  Peer peer_;
  Request upgrade_;
  std::uint64_t id_ = 0;
  boost::beast::flat_buffer read_buffer_;
  std::atomic<bool> open_{false};
  std::atomic<bool> finished_{false};  // the connection is over and uncounted

  std::mutex mutex_;  // guards queue_, writing_
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closing_ = false;  // strand only
};

}  // namespace garita::daemon::http
