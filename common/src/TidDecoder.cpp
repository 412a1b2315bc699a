// The TID decoder. References:
//   Gen2 (ISO/IEC 18000-63) §6.3.2.1.3: TID memory, class identifier at 00h-07h.
//   GS1 EPC Tag Data Standard 2.3 (TDS) §16:
//     §16    08h X (XTID) indicator, 09h S (security) indicator, 0Ah F (file)
//            indicator, 0Bh-13h 9-bit mask-designer ID (MDID), 14h-1Fh 12-bit
//            tag model number (TMN). Fields are MSB first from the lowest bit
//            address (bit 00h is the MSB of byte 0).
//     §16.2  with X=1, bits 20h-2Fh hold the XTID header word.
//     §16.2.1 Table 16-3, bit numbers within the word (bit 15 = MSB = 20h):
//            0 extended header present, 1-8 RFU, 9 Lock Bit segment,
//            10 User Memory & BlockPermaLock segment, 11 BlockWrite &
//            BlockErase segment, 12 Optional Command Support segment,
//            13-15 serialisation N.
//     §16.2.2 serial length = 48 + 16 (N - 1) bits for N = 1..7, 0 = none; the
//            serial immediately follows the header (from bit 30h).
//     §16.3.1/§16.3.2 STID URI: "urn:epc:stid:x" + bits 08h-13h (X, S, F and
//            the 9-bit MDID, i.e. 12 bits) as 3 hex digits + ".x" + TMN as 3
//            hex digits + ".x" + serial as L/4 hex digits; upper-case A-F only.
//            So an Impinj (MDID 1) tag with X=1, S=0, F=0 reads "x801".
// Everything here is total: any byte string decodes to something, nothing
// throws except std::bad_alloc from the few string/vector allocations.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "garita/common/Hex.hpp"
#include "garita/common/MdidTable.hpp"
#include "garita/common/Tid.hpp"

namespace garita {
namespace {

constexpr std::uint8_t kClassGs1 = 0xE2;       // GS1 EPCglobal
constexpr std::uint8_t kClassIso7816 = 0xE0;   // ISO/IEC 7816-6 registered IC maker
constexpr std::uint8_t kClassIso7816b = 0xE3;  // ISO/IEC 7816-6 (second class)

constexpr std::string_view kNameGs1 = "GS1 EPCglobal";
constexpr std::string_view kNameIso7816 = "ISO/IEC 7816-6";
constexpr std::string_view kNameUnknown = "unknown";

constexpr unsigned kShortTidBits = 32;  // class, X/S/F, MDID, TMN (§16.1)
constexpr unsigned kXtidHeaderAt = 32;  // 20h
constexpr unsigned kXtidHeaderBits = 16;
constexpr unsigned kSerialAt = 48;  // 30h

constexpr char kHexDigits[] = "0123456789ABCDEF";

std::string_view class_name_of(std::uint8_t class_id) noexcept {
  switch (class_id) {
    case kClassGs1: return kNameGs1;
    case kClassIso7816:
    case kClassIso7816b: return kNameIso7816;
    default: return kNameUnknown;
  }
}

// Appends the low 12 bits of `v` as three upper-case hex digits.
void append_hex3(std::string& out, unsigned v) {
  out.push_back(kHexDigits[(v >> 8) & 0xFu]);
  out.push_back(kHexDigits[(v >> 4) & 0xFu]);
  out.push_back(kHexDigits[v & 0xFu]);
}

void append_class_hex(std::string& out, std::uint8_t class_id) {
  out.push_back(kHexDigits[class_id >> 4]);
  out.push_back(kHexDigits[class_id & 0x0F]);
  out.push_back('h');
}

DecodedTid& truncated(DecodedTid& out, std::string text) {
  out.reason = TidRawReason::truncated;
  out.reason_text = std::move(text);
  return out;
}

}  // namespace

DecodedTid decode_tid(std::span<const std::uint8_t> tid) {
  DecodedTid out;
  out.bytes.assign(tid.begin(), tid.end());
  // A TID is a handful of words; clamp rather than wrap on absurd input.
  out.bits = tid.size() > UINT_MAX / 8 ? UINT_MAX : static_cast<unsigned>(tid.size() * 8);
  out.hex = to_hex(tid);

  if (tid.empty()) {
    out.reason = TidRawReason::empty;
    out.reason_text = "no TID bytes were read";
    return out;
  }

  out.class_id = tid[0];
  out.class_name = class_name_of(out.class_id);
  if (out.class_id != kClassGs1) {
    out.reason = TidRawReason::not_gs1_class;
    std::string& t = out.reason_text;
    t = "allocation class ";
    append_class_hex(t, out.class_id);
    if (out.class_name == kNameUnknown) {
      t += " is not a class garita knows; only E2h (GS1 EPCglobal) TIDs are decoded";
    } else {
      t += " is ";
      t += out.class_name;
      t += ", not E2h (GS1 EPCglobal); only the class is decoded";
    }
    return out;
  }

  if (out.bits < kShortTidBits) {
    return truncated(out, "class E2h TID has only " + std::to_string(out.bits) +
                              " bits; the XTID/S/F flags, MDID and TMN need 32 bits (2 words)");
  }

  // §16 / Table 16-1, MSB first from bit 00h: byte 1 holds 08h X, 09h S,
  // 0Ah F and MDID[8:4] (0Bh-0Fh); byte 2 holds MDID[3:0] (10h-13h) and
  // TMN[11:8] (14h-17h); byte 3 holds TMN[7:0] (18h-1Fh).
  const unsigned b1 = tid[1];
  const unsigned b2 = tid[2];
  const unsigned b3 = tid[3];
  out.xtid = (b1 & 0x80u) != 0;
  out.security = (b1 & 0x40u) != 0;
  out.file = (b1 & 0x20u) != 0;
  out.mdid = static_cast<std::uint16_t>(((b1 & 0x1Fu) << 4) | (b2 >> 4));
  out.tmn = static_cast<std::uint16_t>(((b2 & 0x0Fu) << 8) | b3);
  if (const MaskDesigner* maker = find_mask_designer(out.mdid)) {
    out.manufacturer = maker->manufacturer;
    out.model = find_chip_model(out.mdid, out.tmn);
  }

  // §16.1: with X=0 only the short TID is defined; anything after 1Fh is
  // maker-specific and is kept in `out.bytes`/`out.hex` but not interpreted.
  if (!out.xtid) return out;

  if (out.bits < kXtidHeaderAt + kXtidHeaderBits) {
    return truncated(out, "the XTID bit is set but the XTID header (bits 20h-2Fh) is missing: " +
                              std::to_string(out.bits) + " bits read, 48 needed");
  }

  // §16.2.1 Table 16-3.
  XtidHeader h;
  h.raw = static_cast<std::uint16_t>((unsigned{tid[4]} << 8) | tid[5]);  // 20h-2Fh
  h.extended_header = (h.raw & 0x0001u) != 0;
  h.lock_bit_segment = (h.raw & (1u << 9)) != 0;
  h.user_memory_segment = (h.raw & (1u << 10)) != 0;
  h.block_write_segment = (h.raw & (1u << 11)) != 0;
  h.optional_command_segment = (h.raw & (1u << 12)) != 0;
  const auto n = static_cast<unsigned>(h.raw >> 13);  // §16.2.2
  h.serial_bits = n == 0 ? 0 : 48 + 16 * (n - 1);
  out.xtid_header = h;

  if (h.serial_bits == 0) return out;

  // §16.2.1: the serial immediately follows the header; §16.3.2 step 5 takes
  // it from b48 whatever the other header bits say.
  if (out.bits < kSerialAt + h.serial_bits) {
    return truncated(
        out, "the XTID header declares a " + std::to_string(h.serial_bits) +
                 "-bit serial but the TID ends before it does: " + std::to_string(out.bits) +
                 " bits read, " + std::to_string(kSerialAt + h.serial_bits) + " needed");
  }

  // The serial starts at byte 6 and is a whole number of words.
  const auto serial = tid.subspan(kSerialAt / 8, h.serial_bits / 8);
  out.serial.reserve(serial.size() * 2);
  append_hex(out.serial, serial);

  // §16.3.1 / §16.3.2 step 6.
  std::string& uri = out.stid_uri;
  uri.reserve(14 + 3 + 2 + 3 + 2 + out.serial.size());
  uri = "urn:epc:stid:x";
  append_hex3(uri, (b1 << 4) | (b2 >> 4));  // bits 08h-13h: X, S, F, MDID
  uri += ".x";
  append_hex3(uri, out.tmn);
  uri += ".x";
  uri += out.serial;
  return out;
}

std::string_view to_string(TidRawReason reason) noexcept {
  switch (reason) {
    case TidRawReason::none: return "none";
    case TidRawReason::empty: return "empty";
    case TidRawReason::truncated: return "truncated";
    case TidRawReason::not_gs1_class: return "not_gs1_class";
  }
  return "unknown";
}

}  // namespace garita
