#pragma once
// The TID decoder: Gen2 TID memory (Gen2 §6.3.2.1.3, GS1 TDS §16) -> class,
// XTID/security/file bits, mask-designer id (MDID), tag model number (TMN),
// the XTID header and serial, the serialized TID URI, and the maker and chip
// model names from GS1's MDID list. Non-E2 classes and short reads decode to
// raw with a reason.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace garita {

enum class TidRawReason : std::uint8_t {
  none,          // fully decoded
  empty,         // no bytes
  truncated,     // fewer bits than the class ID/MDID/TMN, XTID header or serial needs
  not_gs1_class  // allocation class other than E2 (E0/E3 ISO/IEC 7816-6, or unknown)
};

// The XTID header word at TID bits 20h-2Fh (TDS 2.3 §16.2.1, Table 16-3).
// Bit numbers are within the word, bit 15 the MSB (at TID address 20h).
struct XtidHeader {
  std::uint16_t raw = 0;
  bool extended_header = false;           // bit 0: further XTID header words follow
  bool lock_bit_segment = false;          // bit 9: optional Lock Bit segment (§16.2.6)
  bool user_memory_segment = false;       // bit 10: user memory & BlockPermaLock segment
  bool block_write_segment = false;       // bit 11: BlockWrite & BlockErase segment
  bool optional_command_segment = false;  // bit 12: optional command support segment
  unsigned serial_bits = 0;               // bits 13-15: 0, or 48 + 16 * (N - 1)
};

struct DecodedTid {
  std::vector<std::uint8_t> bytes;
  unsigned bits = 0;
  std::string hex;

  std::uint8_t class_id = 0;    // first 8 bits: 0xE2, 0xE0, 0xE3, ...
  std::string_view class_name;  // "GS1 EPCglobal", "ISO/IEC 7816-6", ...

  // E2 class fields (valid when at least 32 bits were read).
  bool xtid = false;              // bit 08h
  bool security = false;          // bit 09h
  bool file = false;              // bit 0Ah
  std::uint16_t mdid = 0;         // bits 0Bh-13h (9 bits)
  std::uint16_t tmn = 0;          // bits 14h-1Fh (12 bits)
  std::string_view manufacturer;  // from the GS1 MDID list; empty when not listed
  std::string_view model;         // from the GS1 MDID list; empty when not listed

  std::optional<XtidHeader> xtid_header;  // when xtid and the word was read
  std::string serial;                     // hex of the XTID serial, empty when none
  std::string stid_uri;                   // urn:epc:stid:..., empty when no serial

  TidRawReason reason = TidRawReason::none;
  std::string reason_text;  // detail for `reason`; empty when fully decoded

  // The class/MDID/TMN fields are meaningful.
  bool decoded() const noexcept { return class_id == 0xE2 && bits >= 32; }
};

DecodedTid decode_tid(std::span<const std::uint8_t> tid);

std::string_view to_string(TidRawReason reason) noexcept;

}  // namespace garita
