#pragma once
// One connected byte stream to a reader, carrying whole LLRP messages: the
// transport layer of the LLRP client. It only moves bytes and finds message
// boundaries (FrameLexer); what the messages mean is LlrpClient's business.
//
// StreamLink works on any Asio stream (tcp::socket, ssl::stream<tcp::socket>,
// a test stream) whose executor is the client's strand: every handler below
// runs on that strand.
#include <boost/asio/socket_base.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "LlrpClientText.hpp"
#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/MessageView.hpp"

namespace garita::hal::llrp {

struct LinkLimits {
  std::uint32_t max_message_size = FrameLexer::kDefaultMaxMessageSize;
  std::size_t max_queued_writes = 64;
  std::chrono::milliseconds graceful_close_timeout{1'000};  // flushing writes, TLS close_notify
};

class LlrpLink {
 public:
  // Called for each whole message; the view is valid only during the call.
  using MessageHandler = std::function<void(const MessageView&)>;
  // Called once when the link fails by itself (read/write error, the peer
  // closing, a framing error), with a one-line reason. Never after close().
  using ClosedHandler = std::function<void(std::error_code, const std::string&)>;

  virtual ~LlrpLink() = default;

  // Starts reading. Handlers run on the strand, never inside start().
  virtual void start(MessageHandler on_message, ClosedHandler on_closed) = 0;

  // Queues one whole encoded message. False (nothing queued) when the queue
  // is full: the peer has stopped reading and the link should be dropped.
  virtual bool send(std::vector<std::uint8_t> message) = 0;

  // Ends the link; no handler is called after this. graceful: let queued
  // writes finish and, on TLS, send close_notify first (bounded in time).
  virtual void close(bool graceful) = 0;

  // "address:port" of the other end, for logs and status.
  virtual const std::string& peer() const = 0;
};

namespace detail {
template <typename T>
struct is_ssl_stream : std::false_type {};
template <typename T>
struct is_ssl_stream<boost::asio::ssl::stream<T>> : std::true_type {};
}  // namespace detail

template <typename Stream>
class StreamLink final : public LlrpLink, public std::enable_shared_from_this<StreamLink<Stream>> {
 public:
  // `keep_alive` holds whatever the stream needs to outlive it (the TLS context).
  StreamLink(Stream stream, std::string peer, const LinkLimits& limits,
             std::shared_ptr<void> keep_alive = {})
      : keep_alive_(std::move(keep_alive)),
        stream_(std::move(stream)),
        peer_(std::move(peer)),
        limits_(limits),
        lexer_(limits.max_message_size),
        read_buffer_(kReadChunk) {}

  void start(MessageHandler on_message, ClosedHandler on_closed) override {
    on_message_ = std::move(on_message);
    on_closed_ = std::move(on_closed);
    do_read();
  }

  bool send(std::vector<std::uint8_t> message) override {
    if (closed_ || closing_) return true;  // nobody is listening any more; not a full queue
    if (write_queue_.size() >= limits_.max_queued_writes) return false;
    write_queue_.push_back(std::move(message));
    if (!writing_) do_write();
    return true;
  }

  void close(bool graceful) override {
    if (closed_ || closing_) return;
    if (!graceful) {
      close_now();
      return;
    }
    closing_ = true;
    // A peer that stops reading could hold a pending write (and the socket)
    // for the whole TCP retransmission timeout: the goodbye is bounded.
    close_timer_.emplace(stream_.get_executor());
    close_timer_->expires_after(limits_.graceful_close_timeout);
    close_timer_->async_wait(
        [self = this->shared_from_this()](const boost::system::error_code&) { self->close_now(); });
    if (!writing_) do_shutdown();  // else on_write() calls it once the queue drains
  }

  const std::string& peer() const override { return peer_; }

 private:
  static constexpr std::size_t kReadChunk = 16 * 1024;

  void do_read() {
    stream_.async_read_some(
        boost::asio::buffer(read_buffer_),
        [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          self->on_read(ec, n);
        });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (closed_) return;
    if (ec) {
      if (closing_) {
        close_now();
      } else {
        fail_io(ec, "reading from the reader");
      }
      return;
    }
    const std::error_code framing = lexer_.feed(
        std::span<const std::uint8_t>(read_buffer_.data(), n), [this](const MessageView& message) {
          if (!closed_ && !closing_ && on_message_) on_message_(message);
        });
    if (closed_) return;
    if (framing && closing_) {
      close_now();
      return;
    }
    if (framing) {
      // LLRP's length field is its only delimiter (§17.1.1): after a bad one
      // the next message boundary is unknowable.
      fail(framing, "the reader sent a message with an impossible length (" + framing.message() +
                        "); the byte stream cannot be trusted any more");
      return;
    }
    do_read();
  }

  void do_write() {
    writing_ = true;
    boost::asio::async_write(
        stream_, boost::asio::buffer(write_queue_.front()),
        [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          self->on_write(ec);
        });
  }

  void on_write(const boost::system::error_code& ec) {
    writing_ = false;
    if (closed_) return;
    if (ec) {
      if (closing_) {
        close_now();
      } else {
        fail_io(ec, "writing to the reader");
      }
      return;
    }
    write_queue_.pop_front();
    if (!write_queue_.empty()) {
      do_write();
    } else if (closing_) {
      do_shutdown();
    }
  }

  void do_shutdown() {
    if constexpr (detail::is_ssl_stream<Stream>::value) {
      // close_notify; close_timer_ bounds the wait for the reader's.
      stream_.async_shutdown([self = this->shared_from_this()](const boost::system::error_code&) {
        self->close_now();
      });
    } else {
      close_now();
    }
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    auto& socket = stream_.lowest_layer();
    socket.shutdown(boost::asio::socket_base::shutdown_both, ignored);
    socket.close(ignored);
    if (close_timer_) close_timer_->cancel();
    write_queue_.clear();
  }

  void fail_io(const boost::system::error_code& ec, std::string_view doing) {
    auto [code, why] = describe_link_error(ec, doing, peer_);
    fail(code, std::move(why));
  }

  void fail(std::error_code ec, std::string why) {
    if (closed_) return;
    close_now();
    // Moved out first: the handler may drop the last outside reference.
    ClosedHandler handler = std::move(on_closed_);
    on_closed_ = nullptr;
    on_message_ = nullptr;
    if (handler) handler(ec, why);
  }

  std::shared_ptr<void> keep_alive_;  // declared first: destroyed after the stream
  Stream stream_;
  std::string peer_;
  LinkLimits limits_;
  FrameLexer lexer_;
  std::vector<std::uint8_t> read_buffer_;
  std::deque<std::vector<std::uint8_t>> write_queue_;
  std::optional<boost::asio::steady_timer> close_timer_;
  MessageHandler on_message_;
  ClosedHandler on_closed_;
  bool writing_ = false;
  bool closing_ = false;  // graceful close under way: no new writes, no more messages
  bool closed_ = false;
};

}  // namespace garita::hal::llrp
