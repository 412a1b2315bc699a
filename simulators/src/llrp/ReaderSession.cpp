#include "garita/sim/llrp/ReaderSession.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

#include "garita/hal/llrp/BigEndian.hpp"

namespace garita::sim::llrp {
namespace asio = boost::asio;
namespace codec = garita::hal::llrp;

ReaderSession::ReaderSession(asio::ip::tcp::socket socket, SessionHost& host, std::string peer,
                             std::uint32_t connection)
    : socket_(std::move(socket)),
      host_(host),
      peer_(std::move(peer)),
      connection_(connection),
      stall_timer_(socket_.get_executor()),
      linger_timer_(socket_.get_executor()) {}

void ReaderSession::start() {
  // LLRP messages are small and latency matters more than packet count
  // (a KEEPALIVE_ACK or a one-tag report should not wait for Nagle).
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  do_read();
  pump();
}

// --- reading ---------------------------------------------------------------

void ReaderSession::do_read() {
  if (reading_ || stalled_ || socket_closed_) return;
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(read_buffer_),
      [self = shared_from_this()](boost::system::error_code ec, std::size_t bytes) {
        self->on_read(ec, bytes);
      });
}

void ReaderSession::on_read(boost::system::error_code ec, std::size_t bytes) {
  reading_ = false;
  if (stalled_ && !closing_) {
    // A hung reader does not look at its socket: keep the outcome (data or
    // the client's hang-up) until the stall ends.
    deferred_read_.emplace(ec, bytes);
    return;
  }
  handle_read(ec, bytes);
}

void ReaderSession::handle_read(boost::system::error_code ec, std::size_t bytes) {
  if (closing_) {
    // Draining after our FIN: the client's EOF (or any error) ends it.
    if (ec) {
      close_socket();
    } else {
      do_read();
    }
    return;
  }
  if (ec) {
    end(ec == asio::error::eof ? "client closed the connection" : "read failed: " + ec.message());
    close_socket();
    return;
  }
  const std::span<const std::uint8_t> chunk(read_buffer_.data(), bytes);
  const std::error_code framing = lexer_.feed(chunk, [this](const codec::MessageView& message) {
    if (!ended_) host_.on_session_message(*this, message);
  });
  if (framing) {
    // LLRP's length field is its only delimiter (§17.1.1): once it is
    // wrong the stream cannot be resynchronised, so the reader hangs up.
    close_gracefully("unframeable input from the client: " + framing.message());
    return;
  }
  if (ended_) return;  // the host closed the session while handling a message
  do_read();
  pump();
}

// --- writing ---------------------------------------------------------------

void ReaderSession::pump() {
  if (writing_ || stalled_ || closing_ || socket_closed_ || ended_) return;
  if (garble_pending_) {
    garble_pending_ = false;
    // A KEEPALIVE header (version 1, type 62) whose length field says 3:
    // less than the header itself, so no client can frame what follows.
    garbage_.fill(0);
    codec::store_be16(garbage_.data(), static_cast<std::uint16_t>((1u << 10) | 62u));
    codec::store_be32(garbage_.data() + 2, 3);
    codec::store_be32(garbage_.data() + 6, 0xDEADBEEF);
    writing_ = true;
    writing_garbage_ = true;
    asio::async_write(socket_, asio::buffer(garbage_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t bytes) {
                        self->on_write(ec, bytes);
                      });
    return;
  }
  if (silenced_) return;
  in_flight_ = host_.take_outgoing(*this);
  if (!in_flight_) {
    if (close_when_drained_) close_gracefully(drain_reason_);
    return;
  }
  do_write();
}

void ReaderSession::do_write() {
  writing_ = true;
  asio::async_write(socket_, asio::buffer(in_flight_->bytes),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t bytes) {
                      self->on_write(ec, bytes);
                    });
}

void ReaderSession::on_write(boost::system::error_code ec, std::size_t /*bytes*/) {
  writing_ = false;
  if (writing_garbage_) {
    writing_garbage_ = false;
    silenced_ = true;
  } else if (in_flight_) {
    OutgoingMessage message = std::move(*in_flight_);
    in_flight_.reset();
    if (ec) {
      host_.on_session_unsent(*this, std::move(message));
    } else {
      ++messages_written_;
      host_.on_session_wrote(*this, message);
    }
  }
  if (closing_) {
    if (!socket_closed_) shutdown_send();
    return;
  }
  if (ec) {
    end("write failed: " + ec.message());
    close_socket();
    return;
  }
  pump();
}

// --- faults ----------------------------------------------------------------

void ReaderSession::stall(Steady::duration duration) {
  if (ended_ || stalled_) return;
  stalled_ = true;
  stall_timer_.expires_after(duration);
  stall_timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_stall_end(ec); });
}

void ReaderSession::on_stall_end(boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted && !stalled_) return;
  stalled_ = false;
  if (socket_closed_) return;
  if (deferred_read_) {
    const auto [read_ec, bytes] = *deferred_read_;
    deferred_read_.reset();
    handle_read(read_ec, bytes);
  } else {
    do_read();
  }
  pump();
}

void ReaderSession::garble() {
  if (ended_) return;
  garble_pending_ = true;
  pump();
}

// --- closing ---------------------------------------------------------------

void ReaderSession::close_when_drained(std::string why) {
  if (ended_) return;
  close_when_drained_ = true;
  drain_reason_ = std::move(why);
  stalled_ = false;
  pump();
}

void ReaderSession::close_gracefully(std::string_view why) {
  if (socket_closed_) return;
  end(why);
  if (closing_) return;
  closing_ = true;
  stalled_ = false;
  stall_timer_.cancel();
  // A write in progress finishes first; on_write then sends the FIN.
  if (!writing_) shutdown_send();
  linger_timer_.expires_after(kLingerTimeout);
  linger_timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_linger_timeout(ec); });
  if (deferred_read_) {
    deferred_read_.reset();
    close_socket();
    return;
  }
  do_read();
}

void ReaderSession::shutdown_send() {
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void ReaderSession::on_linger_timeout(boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted) return;
  close_socket();
}

void ReaderSession::abort(std::string_view why) {
  end(why);
  close_socket();
}

void ReaderSession::close_socket() {
  if (socket_closed_) return;
  socket_closed_ = true;
  stalled_ = false;
  boost::system::error_code ignored;
  stall_timer_.cancel();
  linger_timer_.cancel();
  // Closing a socket with unread input makes the kernel send RST instead of
  // FIN (RFC 2525 §2.17), and a RST can destroy reports still in flight to
  // the client. Read away what is there first, then send the FIN.
  socket_.non_blocking(true, ignored);
  std::array<std::uint8_t, 4096> discard{};
  for (int i = 0; i < 256; ++i) {
    boost::system::error_code read_ec;
    socket_.read_some(asio::buffer(discard), read_ec);
    if (read_ec) break;
  }
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
  deferred_read_.reset();
}

void ReaderSession::end(std::string_view why) {
  if (ended_) return;
  ended_ = true;
  host_.on_session_ended(*this, why);
}

}  // namespace garita::sim::llrp
