#include "HttpSession.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "TlsServerContext.hpp"
#include "WebSocketSession.hpp"
#include "garita/common/Log.hpp"

namespace garita::daemon::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

// The peer went away or we closed it: nothing to answer, nothing to log.
bool is_disconnect(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::bad_descriptor || ec == beast::error::timeout;
}

}  // namespace

Responder::State::~State() {
  if (!sent.exchange(true) && session) {
    try {
      session->post_response(error_response(bhttp::status::internal_server_error, "internal_error",
                                            "the request was dropped without an answer"));
    } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
    }
  }
}

void Responder::send(Response response) const {
  if (!state_ || state_->sent.exchange(true)) return;
  state_->session->post_response(std::move(response));
}

bool Responder::sent() const noexcept { return state_ && state_->sent.load(); }

HttpSession::HttpSession(std::shared_ptr<HttpServer::Core> core, asio::ip::tcp::socket socket,
                         bool overloaded)
    : core_(std::move(core)), stream_(std::move(socket), *core_->tls), overloaded_(overloaded) {
  error_code ec;
  peer_.remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
  ++(overloaded_ ? core_->overload_open : core_->http_open);
}

HttpSession::~HttpSession() {
  --(overloaded_ ? core_->overload_open : core_->http_open);
  core_->remove(id_);
}

void HttpSession::run() {
  id_ = core_->add(shared_from_this());
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_handshake(); });
}

void HttpSession::abort() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->handed_over_) return;
    self->close_now();
  });
}

void HttpSession::close_now() {
  closed_ = true;
  error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).close();
}

// ---------------------------------------------------------------- TLS

void HttpSession::do_handshake() {
  if (core_->stopped) return close_now();
  beast::get_lowest_layer(stream_).expires_after(core_->options.request_timeout);
  stream_.async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this()](const error_code& ec) { self->on_handshake(ec); });
}

void HttpSession::on_handshake(const error_code& ec) {
  if (ec) {
    if (closed_ || ec == asio::error::operation_aborted) return close_now();
    ++core_->tls_failures;
    std::string reason;
    if (ec == beast::error::timeout) {
      reason = "no TLS handshake within " + std::to_string(core_->options.request_timeout.count()) +
               " s (an idle TCP connection, or not a TLS client)";
    } else {
      reason = describe_handshake_failure(ec, stream_.native_handle());
    }
    core_->log_tls_failure(peer_.remote, reason);
    return close_now();
  }
  read_peer_certificate(stream_.native_handle(), peer_);
  do_read_request();
}

// ---------------------------------------------------------------- reading

void HttpSession::do_read_request() {
  if (core_->stopped || closed_) return close_now();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(core_->options.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(core_->options.max_body_bytes);
  if (buffer_.size() > 0) return do_read_rest();  // a pipelined request already began
  // Waiting for a request to begin: the idle timeout.
  beast::get_lowest_layer(stream_).expires_after(core_->options.idle_timeout);
  bhttp::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_read_some(ec); });
}

void HttpSession::on_read_some(const error_code& ec) {
  if (ec) return fail_read(ec);
  if (parser_->is_done()) return handle_request();
  do_read_rest();
}

void HttpSession::do_read_rest() {
  // The request has begun: it must be complete within request_timeout.
  beast::get_lowest_layer(stream_).expires_after(core_->options.request_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(const error_code& ec) {
  if (ec) return fail_read(ec);
  handle_request();
}

void HttpSession::fail_read(const error_code& ec) {
  if (closed_ || is_disconnect(ec)) {
    if (ec == beast::error::timeout && !closed_) {
      log::debug(core_->name, "closing connection from " + endpoint_text(peer_.remote) +
                                  ": idle or request timeout");
    }
    return close_now();
  }
  ++core_->bad_requests;
  awaiting_response_ = true;
  request_keep_alive_ = false;
  if (ec == bhttp::error::header_limit) {
    return write_response(
        error_response(bhttp::status::request_header_fields_too_large, "header_too_large",
                       "request header is larger than " +
                           std::to_string(core_->options.max_header_bytes) + " bytes"),
        true);
  }
  if (ec == bhttp::error::body_limit) {
    return write_response(
        error_response(bhttp::status::payload_too_large, "body_too_large",
                       "request body is larger than " +
                           std::to_string(core_->options.max_body_bytes) + " bytes"),
        true);
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return write_response(error_response(bhttp::status::bad_request, "bad_request",
                                         "malformed HTTP request: " + ec.message()),
                          true);
  }
  // Anything else (an I/O or TLS error mid-request): nothing useful to say.
  awaiting_response_ = false;
  close_now();
}

void HttpSession::handle_request() {
  ++core_->requests;
  Request req = parser_->release();
  request_version_ = req.version();
  request_keep_alive_ = req.keep_alive();
  awaiting_response_ = true;
  // No timer runs while the handler works (it may wait for a COMMIT).
  beast::get_lowest_layer(stream_).expires_never();

  if (overloaded_ || core_->stopped) {
    return write_response(error_response(bhttp::status::service_unavailable, "overloaded",
                                         "too many connections; retry later"),
                          true);
  }
  if (beast::websocket::is_upgrade(req)) return upgrade_to_websocket(std::move(req));

  Responder respond(std::make_shared<Responder::State>(shared_from_this()));
  try {
    core_->handler.on_request(std::move(req), peer_, respond);
  } catch (const std::exception& e) {
    log::error(core_->name, std::string("request handler failed: ") + e.what());
    respond.send(error_response(bhttp::status::internal_server_error, "internal_error",
                                "the server failed to handle the request"));
  } catch (...) {
    log::error(core_->name, "request handler failed with an unknown exception");
    respond.send(error_response(bhttp::status::internal_server_error, "internal_error",
                                "the server failed to handle the request"));
  }
}

void HttpSession::upgrade_to_websocket(Request&& req) {
  Response refusal =
      error_response(bhttp::status::not_found, "not_found", "no WebSocket endpoint at this path");
  bool accepted = false;
  try {
    accepted = core_->handler.accept_websocket(req, peer_, refusal);
  } catch (...) {
    accepted = false;
    refusal = error_response(bhttp::status::internal_server_error, "internal_error",
                             "the server failed to handle the upgrade");
  }
  if (!accepted) return write_response(std::move(refusal), false);
  if (core_->ws_open.fetch_add(1) >= core_->options.max_websockets) {
    --core_->ws_open;
    ++core_->rejected_overload;
    return write_response(error_response(bhttp::status::service_unavailable, "overloaded",
                                         "too many live-feed clients; retry later"),
                          true);
  }
  ++core_->websockets;
  awaiting_response_ = false;
  handed_over_ = true;
  auto ws = std::make_shared<WebSocketSession>(core_, std::move(stream_), peer_);
  ws->run(std::move(req));
}

// ---------------------------------------------------------------- writing

void HttpSession::post_response(Response response) {
  auto shared = std::make_shared<Response>(std::move(response));
  asio::post(stream_.get_executor(), [self = shared_from_this(), shared]() mutable {
    self->write_response(std::move(*shared), false);
  });
}

void HttpSession::write_response(Response&& response, bool close_after) {
  if (closed_ || handed_over_ || !awaiting_response_) return;
  awaiting_response_ = false;
  response_ = std::make_unique<Response>(std::move(response));
  const bool keep_alive =
      request_keep_alive_ && response_->keep_alive() && !close_after && !core_->stopped;
  response_->version(request_version_);
  response_->keep_alive(keep_alive);
  if (response_->find(bhttp::field::cache_control) == response_->end()) {
    response_->set(bhttp::field::cache_control, "no-store");
  }
  response_->prepare_payload();
  beast::get_lowest_layer(stream_).expires_after(core_->options.request_timeout);
  bhttp::async_write(stream_, *response_,
                     [self = shared_from_this(), keep_alive](const error_code& ec, std::size_t) {
                       self->on_write(ec, keep_alive);
                     });
}

void HttpSession::on_write(const error_code& ec, bool keep_alive) {
  response_.reset();
  if (ec) return close_now();
  if (!keep_alive) return do_close();
  do_read_request();
}

void HttpSession::do_close() {
  // RFC 8446 §6.1: close_notify before closing; bounded, the peer may not answer.
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](const error_code&) { self->close_now(); });
}

}  // namespace garita::daemon::http
