#pragma once
// Big-endian field reader/writer for Mercury message bodies (internal).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace garita::hal::mercury::detail {

// Reads fields off the front of a span; any read past the end sets failed()
// and returns zeros, so a decoder checks once at the end of a group.
class ByteCursor {
 public:
  explicit ByteCursor(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  bool failed() const noexcept { return failed_; }
  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  bool at_end() const noexcept { return pos_ == bytes_.size(); }

  std::uint8_t u8() noexcept { return static_cast<std::uint8_t>(take(1)); }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(take(2)); }
  std::uint32_t u24() noexcept { return static_cast<std::uint32_t>(take(3)); }
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(take(4)); }
  std::span<const std::uint8_t> bytes(std::size_t n) noexcept {
    if (failed_ || remaining() < n) {
      failed_ = true;
      return {};
    }
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::uint64_t take(std::size_t n) noexcept {
    if (failed_ || remaining() < n) {
      failed_ = true;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | bytes_[pos_ + i];
    pos_ += n;
    return v;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

inline void put_u8(std::vector<std::uint8_t>& out, std::uint8_t v) { out.push_back(v); }
inline void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
inline void put_u24(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
inline void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put_u16(out, static_cast<std::uint16_t>(v >> 16));
  put_u16(out, static_cast<std::uint16_t>(v));
}

}  // namespace garita::hal::mercury::detail
