#include "WebSocketSession.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "garita/common/Log.hpp"

namespace garita::daemon::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

}  // namespace

WebSocketSession::WebSocketSession(std::shared_ptr<HttpServer::Core> core,
                                   beast::ssl_stream<beast::tcp_stream>&& stream, Peer peer)
    : core_(std::move(core)), ws_(std::move(stream)), peer_(std::move(peer)) {}

WebSocketSession::~WebSocketSession() {
  if (!finished_.exchange(true)) {
    --core_->ws_open;
    core_->remove(id_);
  }
}

void WebSocketSession::run(Request&& upgrade) {
  id_ = core_->add(shared_from_this());
  upgrade_ = std::move(upgrade);
  // The websocket stream keeps its own timers (RFC 6455 §5.5.2 pings).
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = core_->options.request_timeout;
  timeouts.idle_timeout = core_->options.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(kMaxClientMessage);
  asio::dispatch(ws_.get_executor(), [self = shared_from_this()] {
    self->ws_.async_accept(self->upgrade_, [self](const error_code& ec) { self->on_accept(ec); });
  });
}

void WebSocketSession::on_accept(const error_code& ec) {
  if (ec || core_->stopped) return finish();
  open_ = true;
  try {
    core_->handler.on_websocket_open(shared_from_this());
  } catch (...) {
    log::error(core_->name, "live-feed handler failed on a new client");
    open_ = false;
    return finish();
  }
  do_read();
}

void WebSocketSession::do_read() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->on_read(ec);
  });
}

void WebSocketSession::on_read(const error_code& ec) {
  if (ec) return finish();
  // Client messages carry nothing the server needs: drop them.
  read_buffer_.consume(read_buffer_.size());
  do_read();
}

bool WebSocketSession::send(std::string text) {
  std::unique_lock lock(mutex_);
  if (!open_) return false;
  if (queue_.size() >= core_->options.websocket_queue_messages) {
    open_ = false;
    lock.unlock();
    log::warning(core_->name, "live-feed client " + endpoint_text(peer_.remote) + " dropped: " +
                                  std::to_string(core_->options.websocket_queue_messages) +
                                  " messages waiting (a slow or stalled client)");
    abort();
    return false;
  }
  queue_.push_back(std::move(text));
  if (!writing_) {
    writing_ = true;
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->do_write(); });
  }
  return true;
}

void WebSocketSession::do_write() {
  const std::string* front = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty() || closing_) {
      writing_ = false;
      return;
    }
    // std::deque::push_back keeps references to existing elements valid.
    front = &queue_.front();
  }
  ws_.text(true);
  ws_.async_write(
      asio::buffer(*front),
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_write(ec); });
}

void WebSocketSession::on_write(const error_code& ec) {
  {
    std::lock_guard lock(mutex_);
    queue_.pop_front();
  }
  if (ec) {
    std::lock_guard lock(mutex_);
    writing_ = false;
    open_ = false;
    return;  // the read side sees the failure too and finishes
  }
  do_write();
}

void WebSocketSession::close() {
  open_ = false;
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closing_) return;
    self->closing_ = true;
    // RFC 6455 §7.1.2: a close frame, then the peer's; the stream's
    // handshake timeout bounds the wait.
    self->ws_.async_close(websocket::close_code::normal, [self](const error_code&) {
      error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  });
}

void WebSocketSession::abort() {
  open_ = false;
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                         ignored);
    beast::get_lowest_layer(self->ws_).close();
  });
}

void WebSocketSession::finish() {
  open_ = false;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  // The slot is free now, even while the handler still holds this client.
  if (!finished_.exchange(true)) {
    --core_->ws_open;
    core_->remove(id_);
  }
}

}  // namespace garita::daemon::http
