#include "garita/hal/llrp/MessageView.hpp"

#include "garita/hal/llrp/BigEndian.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

MessageHeader read_message_header(
    std::span<const std::uint8_t, kMessageHeaderSize> bytes) noexcept {
  const std::uint16_t first = load_be16(bytes.data());
  MessageHeader h;
  h.version = static_cast<std::uint8_t>((first >> 10) & 0x7u);
  h.type = static_cast<MessageType>(first & 0x3FFu);
  h.length = load_be32(bytes.data() + 2);
  h.message_id = load_be32(bytes.data() + 6);
  return h;
}

std::error_code parse_message(std::span<const std::uint8_t> bytes, MessageView& out) noexcept {
  if (bytes.size() < kMessageHeaderSize) return Errc::message_length_mismatch;
  const MessageHeader h = read_message_header(bytes.first<kMessageHeaderSize>());
  if (h.length < kMessageHeaderSize) return Errc::message_length_too_small;
  if (h.length != bytes.size()) return Errc::message_length_mismatch;
  if (!is_supported_version(h.version)) return Errc::unsupported_version;
  out.header = h;
  out.bytes = bytes;
  return {};
}

std::error_code check_message(const MessageView& message, MessageType expected) noexcept {
  if (!is_supported_version(message.header.version)) return Errc::unsupported_version;
  if (message.header.type != expected) return Errc::wrong_message_type;
  return {};
}

std::error_code read_custom_message(const MessageView& message, CustomMessageView& out) noexcept {
  if (auto ec = check_message(message, MessageType::custom_message)) return ec;
  const auto body = message.body();
  if (body.size() < 5) return Errc::field_truncated;
  out.vendor = load_be32(body.data());
  out.subtype = body[4];
  out.data = body.subspan(5);
  return {};
}

}  // namespace garita::hal::llrp
