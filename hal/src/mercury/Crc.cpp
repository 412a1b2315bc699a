#include "garita/hal/mercury/Crc.hpp"

#include <array>

namespace garita::hal::mercury {
namespace {

// table[n] = n * 0x1021 in GF(2) for a 4-bit n: what the polynomial adds
// when the top nibble n is shifted out of the register.
constexpr std::array<std::uint16_t, 16> make_table() {
  std::array<std::uint16_t, 16> t{};
  for (std::uint16_t n = 0; n < 16; ++n) {
    std::uint16_t v = 0;
    for (unsigned bit = 4; bit-- > 0;) {
      v = static_cast<std::uint16_t>(v << 1U);
      if (((static_cast<unsigned>(n) >> bit) & 1U) != 0) v ^= 0x1021;
    }
    t[n] = v;
  }
  return t;
}

constexpr auto kTable = make_table();

}  // namespace

std::uint16_t mercury_crc(std::span<const std::uint8_t> bytes) noexcept {
  // Mercury API serial_reader_l3.c: each nibble is shifted into the low end
  // of the register while the nibble falling off the top selects the table
  // entry. Not the usual "XOR data into the top" CCITT form.
  std::uint16_t crc = 0xFFFF;
  for (std::uint8_t b : bytes) {
    crc = static_cast<std::uint16_t>(((crc << 4) | (b >> 4)) ^ kTable[crc >> 12]);
    crc = static_cast<std::uint16_t>(((crc << 4) | (b & 0x0F)) ^ kTable[crc >> 12]);
  }
  return crc;
}

}  // namespace garita::hal::mercury
