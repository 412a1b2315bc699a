#pragma once
// Iterates the parameters packed in a message body or a parameter body.
//
// Encodings (LLRP 1.1 §17.2.1):
//   TV:  1 | 7-bit type | body of a size fixed by the type (tv_body_size)
//   TLV: 6 bits reserved | 10-bit type | 16-bit length (header included) | body
//   Custom (TLV type 1023, §8.2): TLV header | vendor PEN u32 | subtype u32 | data
//
// The walker never reads outside the span it was given. Unknown TLVs and all
// Custom parameters come out like any other (the caller skips what it does
// not use: their length says where the next one starts). An unknown TV type
// is an error because its size, and so the next parameter's position, is
// unknowable. A TLV whose length reaches past the span is an error: the
// span is the parent's body, so that TLV overruns its parent.
//
// Header-only: this is the inner loop of RO_ACCESS_REPORT decoding.
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "garita/hal/llrp/BigEndian.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/ParameterType.hpp"

namespace garita::hal::llrp {

inline constexpr std::size_t kTlvHeaderSize = 4;
inline constexpr std::size_t kCustomHeaderSize = 12;  // TLV header + vendor + subtype

struct Parameter {
  ParameterType type{};
  bool is_tv = false;
  std::uint32_t vendor = 0;             // Custom only: IANA Private Enterprise Number
  std::uint32_t subtype = 0;            // Custom only
  std::span<const std::uint8_t> body;   // fields and sub-parameters (Custom: after vendor/subtype)
  std::span<const std::uint8_t> bytes;  // the whole parameter, header included
};

class ParameterWalker {
 public:
  explicit ParameterWalker(std::span<const std::uint8_t> bytes) noexcept : rest_(bytes) {}

  // Fills `out` with the next parameter and returns true; returns false at
  // the end of the span or on malformed input (error() then says which).
  bool next(Parameter& out) noexcept {
    if (rest_.empty()) return false;
    const std::uint8_t first = rest_[0];
    if (first & 0x80u) {
      const auto tv_type = static_cast<std::uint8_t>(first & 0x7Fu);
      const std::size_t size = tv_body_size(tv_type);
      if (size == 0) return fail(Errc::unknown_tv_type);
      if (rest_.size() - 1 < size) return fail(Errc::parameter_truncated);
      out.type = static_cast<ParameterType>(tv_type);
      out.is_tv = true;
      out.vendor = 0;
      out.subtype = 0;
      out.bytes = rest_.first(1 + size);
      out.body = out.bytes.subspan(1);
      rest_ = rest_.subspan(1 + size);
      return true;
    }
    if (rest_.size() < kTlvHeaderSize) return fail(Errc::parameter_truncated);
    const auto type = static_cast<std::uint16_t>(load_be16(rest_.data()) & 0x3FFu);
    const std::uint16_t length = load_be16(rest_.data() + 2);
    if (type < 128) return fail(Errc::reserved_parameter_type);
    if (length < kTlvHeaderSize) return fail(Errc::parameter_length_too_small);
    if (length > rest_.size()) return fail(Errc::parameter_overruns_parent);
    out.type = static_cast<ParameterType>(type);
    out.is_tv = false;
    out.bytes = rest_.first(length);
    if (out.type == ParameterType::custom) {
      if (length < kCustomHeaderSize) return fail(Errc::parameter_length_too_small);
      out.vendor = load_be32(rest_.data() + 4);
      out.subtype = load_be32(rest_.data() + 8);
      out.body = out.bytes.subspan(kCustomHeaderSize);
    } else {
      out.vendor = 0;
      out.subtype = 0;
      out.body = out.bytes.subspan(kTlvHeaderSize);
    }
    rest_ = rest_.subspan(length);
    return true;
  }

  std::error_code error() const noexcept { return error_; }

 private:
  bool fail(Errc e) noexcept {
    error_ = e;
    rest_ = {};
    return false;
  }

  std::span<const std::uint8_t> rest_;
  std::error_code error_;
};

}  // namespace garita::hal::llrp
