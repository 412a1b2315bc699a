#pragma once
// Splits an LLRP byte stream (TCP transport) into whole messages.
//
// Feed it whatever each read returned: one message split over many chunks,
// many messages in one chunk, or both. Messages lying wholly inside a chunk
// are handed out as views into that chunk (no copy); only a message that
// straddles chunks is copied, into a buffer that never exceeds the maximum
// message size. Memory is therefore bounded by max_message_size() no matter
// what the peer sends.
//
// The header's length field is the only delimiter LLRP has (§17.1.1). A
// length below 10 or above the maximum means the stream can no longer be
// trusted: there is no way to find the next message boundary, so the lexer
// fails permanently and the connection must be dropped (then reset() for the
// next connection). The version field is deliberately not checked here: a
// message with an unsupported version is still correctly framed, and LLRP
// (§15.1.1, ERROR_MESSAGE) asks the receiver to answer it with
// M_UnsupportedVersion, not to hang up. Message decoders reject it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/MessageView.hpp"

namespace garita::hal::llrp {

class FrameLexer {
 public:
  // 1 MiB: a 100-tag RO_ACCESS_REPORT with TID reads is ~6 KiB; Impinj and
  // Zebra cap their reports far below this. Anything larger is garbage.
  static constexpr std::uint32_t kDefaultMaxMessageSize = 1024 * 1024;

  explicit FrameLexer(std::uint32_t max_message_size = kDefaultMaxMessageSize) noexcept;

  // Consumes all of `chunk`, calling on_message(const MessageView&) for each
  // message it completes, in stream order. The view (and its bytes) is only
  // valid during the call. Returns the framing error that made the stream
  // unusable (then and on every later call), else success; bytes of a
  // message not yet complete stay buffered for the next feed().
  // on_message must not call feed() on the same lexer.
  template <typename OnMessage>
  std::error_code feed(std::span<const std::uint8_t> chunk, OnMessage&& on_message) {
    MessageView message;
    for (;;) {
      switch (step(chunk, message)) {
        case Step::message: on_message(static_cast<const MessageView&>(message)); break;
        case Step::need_more_data: return {};
        case Step::failed: return error_;
      }
    }
  }

  // The sticky framing error, if the stream has failed.
  std::error_code error() const noexcept { return error_; }

  // Bytes of an incomplete message held since the last feed().
  std::size_t buffered_bytes() const noexcept { return release_partial_ ? 0 : partial_.size(); }

  std::uint32_t max_message_size() const noexcept { return max_message_size_; }

  // Forgets buffered bytes and any error: for a new connection.
  void reset() noexcept;

 private:
  enum class Step { message, need_more_data, failed };

  Step step(std::span<const std::uint8_t>& chunk, MessageView& out) noexcept;
  bool accept_length(std::uint32_t length) noexcept;
  void release_partial() noexcept;

  std::uint32_t max_message_size_;
  std::vector<std::uint8_t> partial_;  // start of a message that straddles chunks
  std::uint32_t partial_length_ = 0;   // its header length, once 10 bytes are in
  bool release_partial_ = false;       // partial_ holds the message handed out last
  std::error_code error_;
};

}  // namespace garita::hal::llrp
