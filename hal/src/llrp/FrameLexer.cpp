#include "garita/hal/llrp/FrameLexer.hpp"

#include <algorithm>

namespace garita::hal::llrp {
namespace {

// Buffers above this are given back once their message is done, so one large
// message does not pin its memory for the life of the connection.
constexpr std::size_t kRetainedCapacity = std::size_t{64} * 1024;

void append(std::vector<std::uint8_t>& to, std::span<const std::uint8_t>& from, std::size_t count) {
  to.insert(to.end(), from.begin(), from.begin() + static_cast<std::ptrdiff_t>(count));
  from = from.subspan(count);
}

}  // namespace

FrameLexer::FrameLexer(std::uint32_t max_message_size) noexcept
    : max_message_size_(std::max<std::uint32_t>(max_message_size, kMessageHeaderSize)) {}

void FrameLexer::reset() noexcept {
  partial_ = {};
  partial_length_ = 0;
  release_partial_ = false;
  error_.clear();
}

void FrameLexer::release_partial() noexcept {
  if (partial_.capacity() > kRetainedCapacity) {
    partial_ = {};
  } else {
    partial_.clear();
  }
  partial_length_ = 0;
  release_partial_ = false;
}

bool FrameLexer::accept_length(std::uint32_t length) noexcept {
  if (length < kMessageHeaderSize) {
    error_ = Errc::message_length_too_small;
    return false;
  }
  if (length > max_message_size_) {
    error_ = Errc::message_length_too_large;
    return false;
  }
  return true;
}

FrameLexer::Step FrameLexer::step(std::span<const std::uint8_t>& chunk, MessageView& out) noexcept {
  if (error_) return Step::failed;
  if (release_partial_) release_partial();

  // A message started in an earlier chunk: complete it from this one.
  if (!partial_.empty()) {
    if (partial_.size() < kMessageHeaderSize) {
      append(partial_, chunk, std::min(kMessageHeaderSize - partial_.size(), chunk.size()));
      if (partial_.size() < kMessageHeaderSize) return Step::need_more_data;
    }
    if (partial_length_ == 0) {
      const MessageHeader h = read_message_header(std::span(partial_).first<kMessageHeaderSize>());
      if (!accept_length(h.length)) return Step::failed;
      partial_length_ = h.length;
    }
    append(partial_, chunk, std::min<std::size_t>(partial_length_ - partial_.size(), chunk.size()));
    if (partial_.size() < partial_length_) return Step::need_more_data;
    out.header = read_message_header(std::span(partial_).first<kMessageHeaderSize>());
    out.bytes = partial_;
    release_partial_ = true;
    return Step::message;
  }

  if (chunk.empty()) return Step::need_more_data;

  // Fast path: a whole message inside the chunk is handed out in place.
  std::uint32_t length = 0;
  if (chunk.size() >= kMessageHeaderSize) {
    const MessageHeader h = read_message_header(chunk.first<kMessageHeaderSize>());
    if (!accept_length(h.length)) return Step::failed;
    if (chunk.size() >= h.length) {
      out.header = h;
      out.bytes = chunk.first(h.length);
      chunk = chunk.subspan(h.length);
      return Step::message;
    }
    length = h.length;
  }

  // The chunk ends inside a message: keep its start.
  partial_length_ = length;
  append(partial_, chunk, chunk.size());
  return Step::need_more_data;
}

}  // namespace garita::hal::llrp
