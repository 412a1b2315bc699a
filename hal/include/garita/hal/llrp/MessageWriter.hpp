#pragma once
// Encodes one LLRP message by appending to a byte vector: the header, then
// fields and parameters in order. TLV lengths and the message length are
// back-patched when a parameter or the message is closed, so encoders write
// straight through without sizing anything first.
//
// Errors (a TLV over 65535 bytes, a counted field over 65535 elements) are
// remembered; finish() reports the first and removes the partial message, so
// the vector is left exactly as it was before the writer started.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/MessageType.hpp"
#include "garita/hal/llrp/ParameterType.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

class MessageWriter {
 public:
  // Offset of an open TLV parameter, as returned by begin*().
  using ParameterStart = std::size_t;

  // Starts a message at the end of `out`; `out` may already hold messages.
  MessageWriter(std::vector<std::uint8_t>& out, MessageType type, std::uint32_t message_id,
                ProtocolVersion version = kDefaultProtocolVersion);

  MessageWriter(const MessageWriter&) = delete;
  MessageWriter& operator=(const MessageWriter&) = delete;

  // --- fields ---
  void u8(std::uint8_t v) { out_.push_back(v); }
  void s8(std::int8_t v) { out_.push_back(static_cast<std::uint8_t>(v)); }
  void u16(std::uint16_t v);
  void s16(std::int16_t v) { u16(static_cast<std::uint16_t>(v)); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  // A u1 flag followed by 7 reserved bits (the common "bool" field shape).
  void flag_byte(bool v) { u8(v ? 0x80 : 0x00); }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  // u1v: bit count, then the ceil(bit_count/8) bytes of `bits` holding them.
  void bit_field(std::span<const std::uint8_t> bits, std::uint16_t bit_count);
  // u16v from big-endian word bytes (an even number of them).
  void word_field(std::span<const std::uint8_t> word_bytes);
  // u16v from word values.
  void word_field(std::span<const std::uint16_t> words);
  // u8v / utf8v: byte count, then the bytes.
  void byte_field(std::span<const std::uint8_t> b);
  void string_field(std::string_view text);

  // --- parameters ---
  ParameterStart begin(ParameterType type);
  ParameterStart begin_custom(std::uint32_t vendor, std::uint32_t subtype);
  void end(ParameterStart start);

  void tv_u8(ParameterType type, std::uint8_t v);
  void tv_u16(ParameterType type, std::uint16_t v);
  void tv_u32(ParameterType type, std::uint32_t v);
  void tv_u64(ParameterType type, std::uint64_t v);
  void tv_bytes(ParameterType type, std::span<const std::uint8_t> body);

  // Records a failure (first one wins); finish() will report it.
  void fail(std::error_code ec) {
    if (!error_) error_ = ec;
  }

  // Patches the message length. On any recorded error, erases the partial
  // message from the vector and returns the error.
  std::error_code finish();

 private:
  std::vector<std::uint8_t>& out_;
  std::size_t start_;
  std::error_code error_;
};

}  // namespace garita::hal::llrp
