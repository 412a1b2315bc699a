#pragma once
// What HttpServer shares with its sessions: options, TLS context, handler,
// counters and the registry of open connections (so stop() can close them).
// Sessions hold it by shared_ptr, so it outlives a stopped HttpServer while
// their last handlers drain.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "garita/daemon/http/HttpServer.hpp"

namespace garita::daemon::http {

// Anything stop() must be able to close.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the connection at once (from any thread: posts to its strand).
  virtual void abort() = 0;
};

struct HttpServer::Core : std::enable_shared_from_this<HttpServer::Core> {
  Core(boost::asio::io_context& io_context, ListenerOptions opts, Handler& h, std::string n)
      : io(io_context),
        options(std::move(opts)),
        handler(h),
        name(std::move(n)),
        strand(boost::asio::make_strand(io_context)),
        accept_retry(strand) {}

  boost::asio::io_context& io;
  const ListenerOptions options;
  Handler& handler;
  const std::string name;
  std::shared_ptr<boost::asio::ssl::context> tls;
  boost::asio::strand<boost::asio::io_context::executor_type> strand;  // acceptor's
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;
  boost::asio::steady_timer accept_retry;
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
  std::atomic<std::uint16_t> bound_port{0};

  std::atomic<std::uint64_t> accepted{0}, tls_failures{0}, requests{0}, bad_requests{0},
      rejected_overload{0}, websockets{0};
  std::atomic<std::size_t> http_open{0}, overload_open{0}, ws_open{0};

  // A few sessions beyond max_connections are kept to answer 503 (so the
  // client learns why); past that, connections are closed at once.
  static constexpr std::size_t kMaxOverloadSessions = 16;

  void do_accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  void stop();

  std::uint64_t add(const std::shared_ptr<Connection>& connection);
  void remove(std::uint64_t id);

  // One line per failed handshake; the same peer address failing the same
  // way again within a minute is counted, not repeated, so a misconfigured
  // lane retrying does not flood the journal.
  void log_tls_failure(const boost::asio::ip::tcp::endpoint& remote, const std::string& reason);

 private:
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  struct FailureLog {
    std::chrono::steady_clock::time_point last;
    std::uint64_t suppressed = 0;
  };
  std::map<std::string, FailureLog> failures_;
};

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace garita::daemon::http
