#pragma once
// MSB-first bit-field access over a byte span. EPC and TID memory are
// numbered from the most significant bit of the first word (Gen2 §6.3.2.1),
// so field offsets in the TDS tables map straight onto `bits(offset, n)`.
#include <cstddef>
#include <cstdint>
#include <span>

namespace garita {

class BitReader {
 public:
  explicit constexpr BitReader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  constexpr std::size_t size_bits() const noexcept { return bytes_.size() * 8; }

  // True when [offset, offset + count) lies inside the buffer.
  constexpr bool has(std::size_t offset, std::size_t count) const noexcept {
    return offset <= size_bits() && count <= size_bits() - offset;
  }

  // Reads `count` (0..64) bits starting at bit `offset`, MSB first.
  // Precondition: has(offset, count).
  constexpr std::uint64_t bits(std::size_t offset, unsigned count) const noexcept {
    std::uint64_t v = 0;
    std::size_t pos = offset;
    unsigned left = count;
    // Leading partial byte.
    if (left > 0 && pos % 8 != 0) {
      const unsigned in_byte = 8 - static_cast<unsigned>(pos % 8);
      const unsigned take = left < in_byte ? left : in_byte;
      const unsigned shift = in_byte - take;
      v = (static_cast<unsigned>(bytes_[pos / 8]) >> shift) & ((1u << take) - 1u);
      pos += take;
      left -= take;
    }
    // Whole bytes.
    while (left >= 8) {
      v = (v << 8) | bytes_[pos / 8];
      pos += 8;
      left -= 8;
    }
    // Trailing partial byte.
    if (left > 0) {
      v = (v << left) | (static_cast<std::uint64_t>(bytes_[pos / 8]) >> (8 - left));
    }
    return v;
  }

 private:
  std::span<const std::uint8_t> bytes_;
};

}  // namespace garita
