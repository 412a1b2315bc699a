#pragma once
// The Gen2 Protocol-Control word that precedes the EPC in EPC memory
// (Gen2 §6.3.2.1.2.2, GS1 TDS §15.1): EPC length in words, UMI, XI, the
// numbering-system toggle and either EPCglobal attribute bits (toggle=0) or
// an ISO/IEC 15961 AFI (toggle=1).
#include <cstdint>

namespace garita {

struct PcWord {
  std::uint16_t raw = 0;

  // Bits 10h-14h: EPC length in 16-bit words (0..31), not counting PC/XPC.
  constexpr unsigned length_words() const noexcept { return raw >> 11; }
  constexpr unsigned length_bits() const noexcept { return length_words() * 16; }
  // Bit 15h: user memory indicator.
  constexpr bool umi() const noexcept { return (raw & 0x0400) != 0; }
  // Bit 16h: an XPC_W1 word follows the PC.
  constexpr bool xi() const noexcept { return (raw & 0x0200) != 0; }
  // Bit 17h: numbering system toggle. 0 = GS1 EPC, 1 = ISO/IEC 15961 UII.
  constexpr bool toggle() const noexcept { return (raw & 0x0100) != 0; }
  // Bits 18h-1Fh: attribute bits when toggle=0, AFI when toggle=1.
  constexpr std::uint8_t low_byte() const noexcept { return static_cast<std::uint8_t>(raw & 0xFF); }
};

}  // namespace garita
