#pragma once
// One whole LLRP message as a view over bytes someone else owns (the frame
// lexer, a capture file, an encoder's output), with its header decoded.
//
// Header (LLRP 1.1 §17.1.1), 10 bytes, big-endian:
//   3 bits reserved | 3 bits version | 10 bits message type
//   32 bits message length, header included
//   32 bits message ID
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "garita/hal/llrp/MessageType.hpp"

namespace garita::hal::llrp {

inline constexpr std::size_t kMessageHeaderSize = 10;

struct MessageHeader {
  std::uint8_t version = 0;  // raw 3-bit field: 1 = LLRP 1.0.1, 2 = LLRP 1.1
  MessageType type{};        // raw 10-bit field; may hold numbers MessageType does not name
  std::uint32_t length = 0;  // whole message, header included
  std::uint32_t message_id = 0;
};

// Decodes the header fields of the 10 bytes at `bytes`; validates nothing.
MessageHeader read_message_header(std::span<const std::uint8_t, kMessageHeaderSize> bytes) noexcept;

struct MessageView {
  MessageHeader header;
  std::span<const std::uint8_t> bytes;  // the whole message, header included

  // The message's fields and parameters, after the header.
  std::span<const std::uint8_t> body() const noexcept { return bytes.subspan(kMessageHeaderSize); }
};

// Frames `bytes` as exactly one message: the header's length must be >= 10
// and equal to bytes.size(), and the version must be 1 or 2.
std::error_code parse_message(std::span<const std::uint8_t> bytes, MessageView& out) noexcept;

// What every message decoder checks first: a version this codec speaks and
// the message type it decodes.
std::error_code check_message(const MessageView& message, MessageType expected) noexcept;

// CUSTOM_MESSAGE (LLRP 1.1 §8.1): vendor PEN u32 + subtype u8, then the
// vendor's data.
struct CustomMessageView {
  std::uint32_t vendor = 0;
  std::uint8_t subtype = 0;
  std::span<const std::uint8_t> data;
};

// Reads the vendor/subtype of a CUSTOM_MESSAGE (checks version and type).
std::error_code read_custom_message(const MessageView& message, CustomMessageView& out) noexcept;

}  // namespace garita::hal::llrp
