#include "garita/common/Hex.hpp"

#include "garita/common/Errc.hpp"

namespace garita {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_separator(char c) noexcept { return c == ' ' || c == '\t' || c == ':' || c == '-'; }

}  // namespace

std::error_code parse_hex(std::string_view text, std::vector<std::uint8_t>& out,
                          std::size_t max_bytes) {
  out.clear();
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  int high = -1;
  for (char c : text) {
    if (is_separator(c)) continue;
    const int v = hex_value(c);
    if (v < 0) {
      out.clear();
      return Errc::hex_invalid_char;
    }
    if (high < 0) {
      high = v;
      continue;
    }
    if (out.size() == max_bytes) {
      out.clear();
      return Errc::hex_too_long;
    }
    out.push_back(static_cast<std::uint8_t>((high << 4) | v));
    high = -1;
  }
  if (high >= 0) {
    out.clear();
    return Errc::hex_odd_length;
  }
  if (out.empty()) return Errc::hex_empty;
  return {};
}

void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  const std::size_t at = out.size();
  out.resize(at + 2 * bytes.size());
  char* p = out.data() + at;
  for (std::uint8_t b : bytes) {
    *p++ = digits[b >> 4];
    *p++ = digits[b & 0x0F];
  }
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string s;
  append_hex(s, bytes);
  return s;
}

}  // namespace garita
