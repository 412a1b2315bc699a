#include "LlrpClientConnector.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "LlrpClientText.hpp"
#include "LlrpClientTls.hpp"
#include "garita/hal/DriverErrc.hpp"

namespace garita::hal::llrp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<tcp::socket>;

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

std::string host_port(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// LLRP messages are small and latency matters (keepalive acks, requests):
// no Nagle. TCP keepalives help the OS notice a dead peer too.
void tune(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
}

// resolve -> connect -> (TLS handshake) -> link, under one deadline.
class Dialer final : public LlrpConnector, public std::enable_shared_from_this<Dialer> {
 public:
  Dialer(const ClientStrand& strand, std::string host, std::uint16_t port,
         std::chrono::milliseconds timeout, const LinkLimits& limits, std::optional<TlsFiles> tls)
      : strand_(strand),
        host_(std::move(host)),
        port_(port),
        target_(host_port(host_, port_)),
        timeout_(timeout),
        limits_(limits),
        tls_(std::move(tls)),
        resolver_(strand),
        timer_(strand) {}

  void async_open(Handler handler) override {
    const std::uint64_t attempt = ++attempt_;
    handler_ = std::move(handler);
    timed_out_ = false;
    timer_.expires_after(timeout_);
    timer_.async_wait([self = shared_from_this(), attempt](const boost::system::error_code& ec) {
      self->on_timeout(attempt, ec);
    });
    resolver_.async_resolve(
        host_, std::to_string(port_),
        [self = shared_from_this(), attempt](const boost::system::error_code& ec,
                                             const tcp::resolver::results_type& results) {
          self->on_resolve(attempt, ec, results);
        });
  }

  void cancel() override {
    ++attempt_;
    handler_ = nullptr;
    abort_io();
  }

  std::string describe() const override {
    return std::string(tls_ ? "dialling (TLS) " : "dialling ") + target_;
  }

 private:
  void abort_io() {
    boost::system::error_code ignored;
    timer_.cancel();
    resolver_.cancel();
    if (socket_) socket_->close(ignored);
    if (tls_stream_) tls_stream_->lowest_layer().close(ignored);
  }

  void on_timeout(std::uint64_t attempt, const boost::system::error_code& ec) {
    if (ec || attempt != attempt_) return;
    // Aborting makes the pending step complete with operation_aborted,
    // which finish_error() reports as a timeout.
    timed_out_ = true;
    boost::system::error_code ignored;
    resolver_.cancel();
    if (socket_) socket_->close(ignored);
    if (tls_stream_) tls_stream_->lowest_layer().close(ignored);
  }

  void on_resolve(std::uint64_t attempt, const boost::system::error_code& ec,
                  const tcp::resolver::results_type& results) {
    if (attempt != attempt_) return;
    if (ec) {
      finish_error(ec, "cannot find reader host '" + host_ + "': " + ec.message() +
                           " (check the name in the reader URI and this host's DNS)");
      return;
    }
    socket_.emplace(strand_);
    asio::async_connect(
        *socket_, results,
        [self = shared_from_this(), attempt](const boost::system::error_code& connect_ec,
                                             const tcp::endpoint& endpoint) {
          self->on_connect(attempt, connect_ec, endpoint);
        });
  }

  void on_connect(std::uint64_t attempt, const boost::system::error_code& ec,
                  const tcp::endpoint& endpoint) {
    if (attempt != attempt_) return;
    if (ec) {
      finish_error(ec, describe_connect_error(ec, target_));
      return;
    }
    tune(*socket_);
    peer_ = endpoint_text(endpoint);
    if (!tls_) {
      auto link = std::make_shared<StreamLink<tcp::socket>>(std::move(*socket_), peer_, limits_);
      socket_.reset();
      finish({}, {}, std::move(link));
      return;
    }
    std::error_code setup_ec;
    std::string why;
    tls_context_ = make_tls_client_context(*tls_, setup_ec, why);
    if (!tls_context_) {
      finish(setup_ec, why, nullptr);
      return;
    }
    tls_stream_.emplace(std::move(*socket_), *tls_context_);
    socket_.reset();
    if (auto name_ec = expect_peer_name(tls_stream_->native_handle(), host_, why)) {
      finish(name_ec, why, nullptr);
      return;
    }
    tls_stream_->async_handshake(
        asio::ssl::stream_base::client,
        [self = shared_from_this(), attempt](const boost::system::error_code& hs_ec) {
          self->on_handshake(attempt, hs_ec);
        });
  }

  void on_handshake(std::uint64_t attempt, const boost::system::error_code& ec) {
    if (attempt != attempt_) return;
    if (ec) {
      if (timed_out_) {
        finish_error(ec, "");
        return;
      }
      finish(DriverErrc::tls_handshake_failed,
             describe_tls_failure(ec, tls_stream_->native_handle(), peer_, host_, *tls_), nullptr);
      return;
    }
    auto link = std::make_shared<StreamLink<TlsStream>>(std::move(*tls_stream_), peer_, limits_,
                                                        tls_context_);
    tls_stream_.reset();
    tls_context_.reset();
    finish({}, {}, std::move(link));
  }

  void finish_error(const boost::system::error_code& ec, const std::string& why) {
    if (timed_out_) {
      finish(DriverErrc::connect_timeout,
             "no answer from " + target_ + " within " + format_duration(timeout_) +
                 " (is the reader on, and reachable from this host? a firewall may drop port " +
                 std::to_string(port_) + ")",
             nullptr);
      return;
    }
    finish(ec, why, nullptr);
  }

  void finish(std::error_code ec, const std::string& why, std::shared_ptr<LlrpLink> link) {
    boost::system::error_code ignored;
    timer_.cancel();
    if (ec) {
      // Nothing of a failed attempt is kept for the next one.
      if (socket_) socket_->close(ignored);
      socket_.reset();
      tls_stream_.reset();
      tls_context_.reset();
    }
    Handler handler = std::move(handler_);
    handler_ = nullptr;
    if (handler) handler(ec, why, std::move(link));
  }

  ClientStrand strand_;
  std::string host_;
  std::uint16_t port_;
  std::string target_;  // "host:port" as configured
  std::string peer_;    // "address:port" actually connected
  std::chrono::milliseconds timeout_;
  LinkLimits limits_;
  std::optional<TlsFiles> tls_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::optional<tcp::socket> socket_;
  std::shared_ptr<asio::ssl::context> tls_context_;
  std::optional<TlsStream> tls_stream_;
  Handler handler_;
  std::uint64_t attempt_ = 0;
  bool timed_out_ = false;
};

// Reader-initiated connections: one listening socket, one accept per attempt.
class Listener final : public LlrpConnector, public std::enable_shared_from_this<Listener> {
 public:
  Listener(const ClientStrand& strand, std::string address, std::uint16_t port,
           const LinkLimits& limits)
      : strand_(strand),
        address_(std::move(address)),
        port_(port),
        where_(host_port(address_, port_)),
        limits_(limits),
        acceptor_(strand) {}

  void async_open(Handler handler) override {
    const std::uint64_t attempt = ++attempt_;
    handler_ = std::move(handler);
    if (!acceptor_.is_open()) {
      std::string why;
      if (const boost::system::error_code ec = open_acceptor(why)) {
        // Never call the handler inside async_open.
        asio::post(strand_, [self = shared_from_this(), attempt, ec, why] {
          if (attempt == self->attempt_) self->finish(ec, why, nullptr);
        });
        return;
      }
    }
    acceptor_.async_accept([self = shared_from_this(), attempt](const boost::system::error_code& ec,
                                                                tcp::socket socket) {
      self->on_accept(attempt, ec, std::move(socket));
    });
  }

  void cancel() override {
    ++attempt_;
    handler_ = nullptr;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

  std::string describe() const override { return "waiting for the reader to connect to " + where_; }

 private:
  boost::system::error_code open_acceptor(std::string& why) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(address_, ec);
    if (ec) {
      why = "listen mode needs an IP address of this host in the URI (0.0.0.0 for all), not '" +
            address_ + "'";
      return ec;
    }
    const tcp::endpoint endpoint(address, port_);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      why = "cannot listen on " + where_ + ": " + ec.message();
      if (ec == asio::error::address_in_use)
        why += " (another program, or another garita, uses that port)";
      if (ec == asio::error::access_denied) why += " (ports below 1024 need privileges)";
    }
    return ec;
  }

  void on_accept(std::uint64_t attempt, const boost::system::error_code& ec, tcp::socket socket) {
    if (attempt != attempt_) return;
    if (ec) {
      finish(ec, "accepting a reader connection on " + where_ + " failed: " + ec.message(),
             nullptr);
      return;
    }
    tune(socket);
    boost::system::error_code peer_ec;
    const auto remote = socket.remote_endpoint(peer_ec);
    std::string peer = peer_ec ? std::string("unknown peer") : endpoint_text(remote);
    finish({}, {},
           std::make_shared<StreamLink<tcp::socket>>(std::move(socket), std::move(peer), limits_));
  }

  void finish(std::error_code ec, const std::string& why, std::shared_ptr<LlrpLink> link) {
    Handler handler = std::move(handler_);
    handler_ = nullptr;
    if (handler) handler(ec, why, std::move(link));
  }

  ClientStrand strand_;
  std::string address_;
  std::uint16_t port_;
  std::string where_;
  LinkLimits limits_;
  tcp::acceptor acceptor_;
  Handler handler_;
  std::uint64_t attempt_ = 0;
};

}  // namespace

std::shared_ptr<LlrpConnector> make_dialer(const ClientStrand& strand, std::string host,
                                           std::uint16_t port, std::chrono::milliseconds timeout,
                                           const LinkLimits& limits, std::optional<TlsFiles> tls) {
  return std::make_shared<Dialer>(strand, std::move(host), port, timeout, limits, std::move(tls));
}

std::shared_ptr<LlrpConnector> make_listener(const ClientStrand& strand, std::string address,
                                             std::uint16_t port, const LinkLimits& limits) {
  return std::make_shared<Listener>(strand, std::move(address), port, limits);
}

}  // namespace garita::hal::llrp
