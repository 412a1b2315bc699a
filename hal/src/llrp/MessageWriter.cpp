#include "garita/hal/llrp/MessageWriter.hpp"

#include <limits>

#include "garita/hal/llrp/BigEndian.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/MessageView.hpp"

namespace garita::hal::llrp {

MessageWriter::MessageWriter(std::vector<std::uint8_t>& out, MessageType type,
                             std::uint32_t message_id, ProtocolVersion version)
    : out_(out), start_(out.size()) {
  // 3 reserved bits (zero) | 3-bit version | 10-bit type (§17.1.1).
  const auto first = static_cast<std::uint16_t>(((static_cast<unsigned>(version) & 0x7u) << 10) |
                                                (static_cast<unsigned>(type) & 0x3FFu));
  u16(first);
  u32(0);  // length, patched by finish()
  u32(message_id);
}

void MessageWriter::u16(std::uint16_t v) {
  std::uint8_t b[2];
  store_be16(b, v);
  out_.insert(out_.end(), b, b + 2);
}

void MessageWriter::u32(std::uint32_t v) {
  std::uint8_t b[4];
  store_be32(b, v);
  out_.insert(out_.end(), b, b + 4);
}

void MessageWriter::u64(std::uint64_t v) {
  u32(static_cast<std::uint32_t>(v >> 32));
  u32(static_cast<std::uint32_t>(v));
}

void MessageWriter::bit_field(std::span<const std::uint8_t> bits, std::uint16_t bit_count) {
  const std::size_t byte_count = (static_cast<std::size_t>(bit_count) + 7) / 8;
  if (bits.size() < byte_count) {
    fail(Errc::field_truncated);
    return;
  }
  u16(bit_count);
  bytes(bits.first(byte_count));
}

void MessageWriter::word_field(std::span<const std::uint8_t> word_bytes) {
  if (word_bytes.size() % 2 != 0 ||
      word_bytes.size() / 2 > std::numeric_limits<std::uint16_t>::max()) {
    fail(Errc::value_too_large);
    return;
  }
  u16(static_cast<std::uint16_t>(word_bytes.size() / 2));
  bytes(word_bytes);
}

void MessageWriter::word_field(std::span<const std::uint16_t> words) {
  if (words.size() > std::numeric_limits<std::uint16_t>::max()) {
    fail(Errc::value_too_large);
    return;
  }
  u16(static_cast<std::uint16_t>(words.size()));
  for (const std::uint16_t w : words) u16(w);
}

void MessageWriter::byte_field(std::span<const std::uint8_t> b) {
  if (b.size() > std::numeric_limits<std::uint16_t>::max()) {
    fail(Errc::value_too_large);
    return;
  }
  u16(static_cast<std::uint16_t>(b.size()));
  bytes(b);
}

void MessageWriter::string_field(std::string_view text) {
  byte_field({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

MessageWriter::ParameterStart MessageWriter::begin(ParameterType type) {
  const ParameterStart start = out_.size();
  u16(static_cast<std::uint16_t>(static_cast<unsigned>(type) & 0x3FFu));
  u16(0);  // length, patched by end()
  return start;
}

MessageWriter::ParameterStart MessageWriter::begin_custom(std::uint32_t vendor,
                                                          std::uint32_t subtype) {
  const ParameterStart start = begin(ParameterType::custom);
  u32(vendor);
  u32(subtype);
  return start;
}

void MessageWriter::end(ParameterStart start) {
  const std::size_t length = out_.size() - start;
  if (length > std::numeric_limits<std::uint16_t>::max()) {
    fail(Errc::value_too_large);
    return;
  }
  store_be16(out_.data() + start + 2, static_cast<std::uint16_t>(length));
}

void MessageWriter::tv_u8(ParameterType type, std::uint8_t v) {
  u8(static_cast<std::uint8_t>(0x80u | static_cast<unsigned>(type)));
  u8(v);
}

void MessageWriter::tv_u16(ParameterType type, std::uint16_t v) {
  u8(static_cast<std::uint8_t>(0x80u | static_cast<unsigned>(type)));
  u16(v);
}

void MessageWriter::tv_u32(ParameterType type, std::uint32_t v) {
  u8(static_cast<std::uint8_t>(0x80u | static_cast<unsigned>(type)));
  u32(v);
}

void MessageWriter::tv_u64(ParameterType type, std::uint64_t v) {
  u8(static_cast<std::uint8_t>(0x80u | static_cast<unsigned>(type)));
  u64(v);
}

void MessageWriter::tv_bytes(ParameterType type, std::span<const std::uint8_t> body) {
  const auto raw = static_cast<std::uint8_t>(static_cast<unsigned>(type));
  if (raw >= 128 || tv_body_size(raw) != body.size()) {
    fail(Errc::value_too_large);
    return;
  }
  u8(static_cast<std::uint8_t>(0x80u | raw));
  bytes(body);
}

std::error_code MessageWriter::finish() {
  const std::size_t length = out_.size() - start_;
  if (!error_ && length > std::numeric_limits<std::uint32_t>::max())
    error_ = Errc::message_length_too_large;
  if (error_) {
    out_.resize(start_);
    return error_;
  }
  store_be32(out_.data() + start_ + 2, static_cast<std::uint32_t>(length));
  return {};
}

}  // namespace garita::hal::llrp
