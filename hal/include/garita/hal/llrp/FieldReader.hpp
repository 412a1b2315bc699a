#pragma once
// Reads the fixed and variable-length fields at the start of a message or
// parameter body, big-endian, never past its end. A short read sets a
// sticky failure and yields zeros, so a decoder reads all its fields and
// checks ok() once (the failure maps to Errc::field_truncated).
//
// Field encodings (LLRP 1.1 §17.1/§17.2): u1 flags are packed MSB-first into
// bytes with reserved bits; u1v = u16 bit count + ceil(bits/8) bytes;
// u16v = u16 word count + words; u8v/utf8v = u16 byte count + bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "garita/hal/llrp/BigEndian.hpp"
#include "garita/hal/llrp/Errc.hpp"

namespace garita::hal::llrp {

class FieldReader {
 public:
  explicit FieldReader(std::span<const std::uint8_t> bytes) noexcept : rest_(bytes) {}

  std::uint8_t u8() noexcept {
    const auto b = take(1);
    return b.empty() ? 0 : b[0];
  }
  std::int8_t s8() noexcept { return static_cast<std::int8_t>(u8()); }
  std::uint16_t u16() noexcept {
    const auto b = take(2);
    return b.empty() ? 0 : load_be16(b.data());
  }
  std::int16_t s16() noexcept { return static_cast<std::int16_t>(u16()); }
  std::uint32_t u32() noexcept {
    const auto b = take(4);
    return b.empty() ? 0 : load_be32(b.data());
  }
  std::uint64_t u64() noexcept {
    const auto b = take(8);
    return b.empty() ? 0 : load_be64(b.data());
  }

  // The next `count` bytes, or an empty span (and failure) if fewer remain.
  std::span<const std::uint8_t> take(std::size_t count) noexcept {
    if (!ok_ || rest_.size() < count) {
      ok_ = false;
      rest_ = {};
      return {};
    }
    const auto b = rest_.first(count);
    rest_ = rest_.subspan(count);
    return b;
  }

  // u1v: returns the ceil(bit_count/8) bytes holding `bit_count` bits.
  std::span<const std::uint8_t> bit_field(std::uint16_t& bit_count) noexcept {
    bit_count = u16();
    return take((static_cast<std::size_t>(bit_count) + 7) / 8);
  }

  // u16v: returns the 2 * word_count bytes of the words, MSB first.
  std::span<const std::uint8_t> word_field(std::uint16_t& word_count) noexcept {
    word_count = u16();
    return take(static_cast<std::size_t>(word_count) * 2);
  }

  // u8v / utf8v: returns the counted bytes.
  std::span<const std::uint8_t> byte_field() noexcept { return take(u16()); }

  bool ok() const noexcept { return ok_; }
  std::error_code error() const noexcept {
    return ok_ ? std::error_code{} : make_error_code(Errc::field_truncated);
  }

  // What follows the fields: the sub-parameters.
  std::span<const std::uint8_t> rest() const noexcept { return rest_; }

 private:
  std::span<const std::uint8_t> rest_;
  bool ok_ = true;
};

}  // namespace garita::hal::llrp
