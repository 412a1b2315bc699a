#include "garita/daemon/http/HttpServer.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include "HttpSession.hpp"
#include "ServerCore.hpp"
#include "TlsServerContext.hpp"
#include "garita/common/Log.hpp"
#include "garita/daemon/http/HttpErrc.hpp"

namespace garita::daemon::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

constexpr auto kFailureLogInterval = std::chrono::seconds(60);
constexpr std::size_t kMaxFailureLogEntries = 1024;

}  // namespace

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string text = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return text + ":" + std::to_string(endpoint.port());
}

// ---------------------------------------------------------------- Core

std::uint64_t HttpServer::Core::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  connections_.emplace(id, connection);
  return id;
}

void HttpServer::Core::remove(std::uint64_t id) {
  if (id == 0) return;
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

void HttpServer::Core::log_tls_failure(const asio::ip::tcp::endpoint& remote,
                                       const std::string& reason) {
  const auto now = std::chrono::steady_clock::now();
  const std::string key = remote.address().to_string() + "|" + reason;
  std::uint64_t suppressed = 0;
  {
    std::lock_guard lock(mutex_);
    if (failures_.size() >= kMaxFailureLogEntries) {
      std::erase_if(failures_,
                    [&](const auto& kv) { return now - kv.second.last >= kFailureLogInterval; });
      if (failures_.size() >= kMaxFailureLogEntries) failures_.clear();
    }
    auto [it, fresh] = failures_.try_emplace(key);
    if (!fresh && now - it->second.last < kFailureLogInterval) {
      ++it->second.suppressed;
      return;
    }
    suppressed = it->second.suppressed;
    it->second = FailureLog{now, 0};
  }
  std::string line = "TLS handshake from " + endpoint_text(remote) + " failed: " + reason;
  if (suppressed > 0) {
    line +=
        " [" + std::to_string(suppressed) + " more like it from this address in the last minute]";
  }
  log::warning(name, line);
}

void HttpServer::Core::do_accept() {
  if (stopped || !acceptor) return;
  acceptor->async_accept(
      asio::make_strand(io),
      [self = shared_from_this()](const error_code& ec, asio::ip::tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void HttpServer::Core::on_accept(const error_code& ec, asio::ip::tcp::socket socket) {
  if (stopped || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors (EMFILE/ENFILE) and the like: wait a little
    // instead of spinning, and keep listening.
    log::warning(name, "accepting a connection failed: " + ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([self = shared_from_this()](const error_code& wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  ++accepted;
  error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  bool overloaded = false;
  if (http_open.load() >= options.max_connections) {
    ++rejected_overload;
    if (overload_open.load() >= kMaxOverloadSessions) {
      socket.close(ignored);  // too many even to say so
      return do_accept();
    }
    overloaded = true;
  }
  try {
    std::make_shared<HttpSession>(shared_from_this(), std::move(socket), overloaded)->run();
  } catch (const std::exception& e) {
    log::error(name, std::string("cannot start a session: ") + e.what());
  }
  do_accept();
}

void HttpServer::Core::stop() {
  if (stopped.exchange(true)) return;
  asio::post(strand, [self = shared_from_this()] {
    error_code ignored;
    if (self->acceptor) self->acceptor->close(ignored);
    self->accept_retry.cancel();
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  for (auto& c : open) c->abort();
}

// ---------------------------------------------------------------- HttpServer

HttpServer::HttpServer(asio::io_context& io, ListenerOptions options, Handler& handler,
                       std::string name)
    : core_(std::make_shared<Core>(io, std::move(options), handler, std::move(name))) {}

HttpServer::~HttpServer() {
  // A destructor must not throw (it would terminate); stop() only closes
  // sockets and timers, and nothing is left to do if one of those throws.
  try {
    stop();
  } catch (...) {
  }
}

std::error_code HttpServer::start(std::string& error) {
  error.clear();
  Core& c = *core_;
  if (c.started.exchange(true)) {
    error = c.name + ": already started";
    return Errc::already_started;
  }
  std::error_code ec;
  std::string why;
  c.tls = make_tls_server_context(c.options, ec, why);
  if (ec) {
    error = c.name + ": " + why;
    c.started = false;
    return ec;
  }
  error_code bec;
  const auto address = asio::ip::make_address(c.options.address, bec);
  if (bec) {
    error = c.name + ": listen address '" + c.options.address + "' is not an IP address";
    c.started = false;
    return Errc::bad_address;
  }
  const asio::ip::tcp::endpoint endpoint(address, c.options.port);
  c.acceptor.emplace(c.strand);
  auto fail = [&](std::string_view step) {
    error = c.name + ": cannot listen on " + endpoint_text(endpoint) + ": " + std::string(step) +
            ": " + bec.message();
    c.acceptor.reset();
    c.started = false;
    return make_error_code(Errc::listen_failed);
  };
  if (c.acceptor->open(endpoint.protocol(), bec)) return fail("open");
  if (c.acceptor->set_option(asio::socket_base::reuse_address(true), bec)) return fail("option");
  if (c.acceptor->bind(endpoint, bec)) return fail("bind");
  if (c.acceptor->listen(asio::socket_base::max_listen_connections, bec)) return fail("listen");
  c.bound_port = c.acceptor->local_endpoint(bec).port();

  std::string line = "listening on https://" +
                     endpoint_text(asio::ip::tcp::endpoint(address, c.bound_port)) +
                     (c.options.tls13_only ? " (TLS 1.3" : " (TLS 1.2+");
  line += c.options.client_ca_file.empty()
              ? ")"
              : ", client certificates from " + c.options.client_ca_file.string() + ")";
  log::info(c.name, line);
  asio::post(c.strand, [core = core_] { core->do_accept(); });
  return {};
}

void HttpServer::stop() {
  if (core_) core_->stop();
}

std::uint16_t HttpServer::port() const { return core_->bound_port.load(); }

HttpServer::Counters HttpServer::counters() const {
  const Core& c = *core_;
  return Counters{c.accepted.load(),     c.tls_failures.load(),      c.requests.load(),
                  c.bad_requests.load(), c.rejected_overload.load(), c.websockets.load()};
}

std::size_t HttpServer::open_connections() const {
  return core_->http_open.load() + core_->overload_open.load() + core_->ws_open.load();
}

std::size_t HttpServer::open_websockets() const { return core_->ws_open.load(); }

// ---------------------------------------------------------------- responses

Response json_response(bhttp::status status, const boost::json::value& body) {
  Response response{status, 11};
  response.set(bhttp::field::content_type, "application/json");
  response.set(bhttp::field::cache_control, "no-store");
  response.body() = boost::json::serialize(body);
  response.prepare_payload();
  return response;
}

Response error_response(bhttp::status status, std::string_view code, std::string_view message) {
  // One printable line, bounded: messages may quote what a client sent.
  std::string line;
  line.reserve(std::min<std::size_t>(message.size(), 512));
  for (char ch : message) {
    if (line.size() >= 512) {
      // Do not leave half a UTF-8 sequence at the end.
      while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80)
        line.pop_back();
      if (!line.empty() && static_cast<unsigned char>(line.back()) >= 0xC0) line.pop_back();
      break;
    }
    const auto u = static_cast<unsigned char>(ch);
    line.push_back(u < 0x20 || u == 0x7F ? ' ' : ch);
  }
  boost::json::object body;
  body["error"] = code;
  body["message"] = line;
  return json_response(status, body);
}

}  // namespace garita::daemon::http
