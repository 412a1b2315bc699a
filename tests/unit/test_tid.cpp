// TID decoder tests: Gen2 §6.3.2.1.3, GS1 TDS 2.3 §16 (short TID, XTID
// header Table 16-3, serial length §16.2.2, STID URI §16.3).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "garita/common/Hex.hpp"
#include "garita/common/Tid.hpp"

using garita::DecodedTid;
using garita::TidRawReason;

namespace {

std::vector<std::uint8_t> bytes_of(std::string_view hex) {
  std::vector<std::uint8_t> out;
  if (!hex.empty()) {
    const std::error_code ec = garita::parse_hex(hex, out);
    REQUIRE_FALSE(ec);
  }
  return out;
}

DecodedTid decode(std::string_view hex) { return garita::decode_tid(bytes_of(hex)); }

// "E2801160" + header word + `serial_bytes` bytes 11 22 33 ... of serial.
std::string xtid_hex(std::uint16_t header, std::size_t serial_bytes) {
  std::vector<std::uint8_t> b{0xE2,
                              0x80,
                              0x11,
                              0x60,
                              static_cast<std::uint8_t>(header >> 8),
                              static_cast<std::uint8_t>(header & 0xFF)};
  for (std::size_t i = 0; i < serial_bytes; ++i) {
    b.push_back(static_cast<std::uint8_t>(0x11 * ((i % 15) + 1)));
  }
  return garita::to_hex(b);
}

}  // namespace

TEST_CASE("Impinj Monza R6 with a 48-bit serial", "[tid]") {
  const DecodedTid t = decode("E2801160200074CF085909AD");
  CHECK(t.reason == TidRawReason::none);
  CHECK(t.reason_text.empty());
  CHECK(t.decoded());
  CHECK(t.bits == 96);
  CHECK(t.bytes.size() == 12);
  CHECK(t.hex == "E2801160200074CF085909AD");
  CHECK(t.class_id == 0xE2);
  CHECK(t.class_name == "GS1 EPCglobal");
  CHECK(t.xtid);
  CHECK_FALSE(t.security);
  CHECK_FALSE(t.file);
  CHECK(t.mdid == 1);
  CHECK(t.tmn == 0x160);
  CHECK(t.manufacturer == "Impinj");
  CHECK(t.model == "Monza R6");
  REQUIRE(t.xtid_header.has_value());
  CHECK(t.xtid_header->raw == 0x2000);
  CHECK(t.xtid_header->serial_bits == 48);
  CHECK_FALSE(t.xtid_header->extended_header);
  CHECK_FALSE(t.xtid_header->lock_bit_segment);
  CHECK_FALSE(t.xtid_header->user_memory_segment);
  CHECK_FALSE(t.xtid_header->block_write_segment);
  CHECK_FALSE(t.xtid_header->optional_command_segment);
  CHECK(t.serial == "74CF085909AD");
  // TDS §16.3.1: the first component is bits 08h-13h (X=1, S=0, F=0, MDID 1).
  CHECK(t.stid_uri == "urn:epc:stid:x801.x160.x74CF085909AD");
}

TEST_CASE("NXP UCODE 8 with a 48-bit serial", "[tid]") {
  const DecodedTid t = decode("E2806894200040017790AC71");
  CHECK(t.reason == TidRawReason::none);
  CHECK(t.mdid == 6);
  CHECK(t.tmn == 0x894);
  CHECK(t.manufacturer == "NXP Semiconductors");
  CHECK(t.model == "UCODE 8");
  CHECK(t.serial == "40017790AC71");
  CHECK(t.stid_uri == "urn:epc:stid:x806.x894.x40017790AC71");
}

TEST_CASE("TID input written in lower case decodes to upper-case hex", "[tid]") {
  const DecodedTid t = decode("e2801160200074cf085909ad");
  CHECK(t.hex == "E2801160200074CF085909AD");
  CHECK(t.serial == "74CF085909AD");
  CHECK(t.stid_uri == "urn:epc:stid:x801.x160.x74CF085909AD");
}

TEST_CASE("Security and file indicators and their place in the STID URI", "[tid]") {
  SECTION("S=1") {
    const DecodedTid t = decode("E2C01160200074CF085909AD");
    CHECK(t.xtid);
    CHECK(t.security);
    CHECK_FALSE(t.file);
    CHECK(t.mdid == 1);
    CHECK(t.manufacturer == "Impinj");
    CHECK(t.stid_uri == "urn:epc:stid:xC01.x160.x74CF085909AD");
  }
  SECTION("S=1, F=1") {
    const DecodedTid t = decode("E2E01160200074CF085909AD");
    CHECK(t.security);
    CHECK(t.file);
    CHECK(t.mdid == 1);
    CHECK(t.stid_uri == "urn:epc:stid:xE01.x160.x74CF085909AD");
  }
  SECTION("F=1 only, largest MDID") {
    const DecodedTid t = decode("E2BFFFFF2000000000000001");
    CHECK_FALSE(t.security);
    CHECK(t.file);
    CHECK(t.mdid == 511);
    CHECK(t.tmn == 0xFFF);
    CHECK(t.stid_uri == "urn:epc:stid:xBFF.xFFF.x000000000001");
  }
}

TEST_CASE("XTID=0: short TID, nothing after 1Fh is interpreted", "[tid]") {
  SECTION("exactly 32 bits") {
    const DecodedTid t = decode("E2003412");  // Alien Higgs 3, short TID
    CHECK(t.reason == TidRawReason::none);
    CHECK(t.reason_text.empty());
    CHECK(t.decoded());
    CHECK_FALSE(t.xtid);
    CHECK(t.mdid == 3);
    CHECK(t.tmn == 0x412);
    CHECK(t.manufacturer == "Alien Technology");
    CHECK(t.model == "Higgs 3");
    CHECK_FALSE(t.xtid_header.has_value());
    CHECK(t.serial.empty());
    CHECK(t.stid_uri.empty());
  }
  SECTION("maker-specific words after the short TID are kept but not read as an XTID") {
    const DecodedTid t = decode("E20034120137FD0009F15CDB04190135");
    CHECK(t.reason == TidRawReason::none);
    CHECK_FALSE(t.xtid);
    CHECK(t.bits == 128);
    CHECK(t.hex == "E20034120137FD0009F15CDB04190135");
    CHECK_FALSE(t.xtid_header.has_value());
    CHECK(t.serial.empty());
    CHECK(t.stid_uri.empty());
  }
}

TEST_CASE("XTID header with no serialisation", "[tid]") {
  const DecodedTid t = decode("E28011600000");
  CHECK(t.reason == TidRawReason::none);
  REQUIRE(t.xtid_header.has_value());
  CHECK(t.xtid_header->raw == 0x0000);
  CHECK(t.xtid_header->serial_bits == 0);
  CHECK(t.serial.empty());
  CHECK(t.stid_uri.empty());
}

TEST_CASE("Each XTID header flag (TDS §16.2.1 Table 16-3)", "[tid]") {
  struct Case {
    std::uint16_t header;
    bool extended, lock, user, block, optional;
  };
  const Case cases[] = {
      {0x2001, true, false, false, false, false},   // bit 0: extended header present
      {0x2200, false, true, false, false, false},   // bit 9: lock bit segment
      {0x2400, false, false, true, false, false},   // bit 10: user memory & BlockPermaLock
      {0x2800, false, false, false, true, false},   // bit 11: BlockWrite & BlockErase
      {0x3000, false, false, false, false, true},   // bit 12: optional command support
      {0x3C00, false, false, true, true, true},     // the TDS's fully populated example
      {0x21FE, false, false, false, false, false},  // RFU bits 1-8: kept in raw only
  };
  for (const Case& c : cases) {
    CAPTURE(c.header);
    // The 48-bit serial plus 7 words of segments after it.
    const DecodedTid t = decode(xtid_hex(c.header, 6 + 14));
    CHECK(t.reason == TidRawReason::none);
    REQUIRE(t.xtid_header.has_value());
    CHECK(t.xtid_header->raw == c.header);
    CHECK(t.xtid_header->extended_header == c.extended);
    CHECK(t.xtid_header->lock_bit_segment == c.lock);
    CHECK(t.xtid_header->user_memory_segment == c.user);
    CHECK(t.xtid_header->block_write_segment == c.block);
    CHECK(t.xtid_header->optional_command_segment == c.optional);
    CHECK(t.xtid_header->serial_bits == 48);
    CHECK(t.serial == "112233445566");
    CHECK(t.stid_uri == "urn:epc:stid:x801.x160.x112233445566");
  }
}

TEST_CASE("Serial lengths N=1..7 are 48 + 16(N-1) bits (TDS §16.2.2)", "[tid]") {
  const char* const serials[] = {
      "112233445566",
      "1122334455667788",
      "112233445566778899AA",
      "112233445566778899AABBCC",
      "112233445566778899AABBCCDDEE",
      "112233445566778899AABBCCDDEEFF11",
      "112233445566778899AABBCCDDEEFF112233",
  };
  for (unsigned n = 1; n <= 7; ++n) {
    CAPTURE(n);
    const unsigned serial_bits = 48 + 16 * (n - 1);
    const auto header = static_cast<std::uint16_t>(n << 13);

    const DecodedTid t = decode(xtid_hex(header, serial_bits / 8));
    CHECK(t.reason == TidRawReason::none);
    CHECK(t.bits == 48 + serial_bits);
    REQUIRE(t.xtid_header.has_value());
    CHECK(t.xtid_header->serial_bits == serial_bits);
    CHECK(t.serial == serials[n - 1]);
    CHECK(t.stid_uri == std::string("urn:epc:stid:x801.x160.x") + serials[n - 1]);

    // One word short: truncated, the serial is not reported in part.
    const DecodedTid s = decode(xtid_hex(header, serial_bits / 8 - 2));
    CHECK(s.reason == TidRawReason::truncated);
    CHECK(s.reason_text ==
          "the XTID header declares a " + std::to_string(serial_bits) +
              "-bit serial but the TID ends before it does: " + std::to_string(serial_bits + 32) +
              " bits read, " + std::to_string(serial_bits + 48) + " needed");
    CHECK(s.serial.empty());
    CHECK(s.stid_uri.empty());
    // What could be decoded is kept.
    CHECK(s.decoded());
    CHECK(s.mdid == 1);
    CHECK(s.tmn == 0x160);
    CHECK(s.model == "Monza R6");
    REQUIRE(s.xtid_header.has_value());
    CHECK(s.xtid_header->serial_bits == serial_bits);
  }
}

TEST_CASE("Bytes after the serial (segments, user data) are fine", "[tid]") {
  const DecodedTid t = decode("E2801160200074CF085909AD00000000DEADBEEF");
  CHECK(t.reason == TidRawReason::none);
  CHECK(t.bits == 160);
  CHECK(t.serial == "74CF085909AD");
  CHECK(t.stid_uri == "urn:epc:stid:x801.x160.x74CF085909AD");
}

TEST_CASE("An odd number of bytes: serial cut mid-word", "[tid]") {
  const DecodedTid t = decode("E2801160200074CF0859");  // 80 bits, 96 needed
  CHECK(t.reason == TidRawReason::truncated);
  CHECK(t.reason_text ==
        "the XTID header declares a 48-bit serial but the TID ends before it does: 80 bits "
        "read, 96 needed");
  CHECK(t.serial.empty());
}

TEST_CASE("XTID bit set but the XTID header was not read", "[tid]") {
  SECTION("32 bits") {
    const DecodedTid t = decode("E2801160");
    CHECK(t.reason == TidRawReason::truncated);
    CHECK(t.reason_text ==
          "the XTID bit is set but the XTID header (bits 20h-2Fh) is missing: 32 bits read, 48 "
          "needed");
    CHECK(t.decoded());
    CHECK(t.xtid);
    CHECK(t.mdid == 1);
    CHECK(t.tmn == 0x160);
    CHECK(t.manufacturer == "Impinj");
    CHECK(t.model == "Monza R6");
    CHECK_FALSE(t.xtid_header.has_value());
    CHECK(t.serial.empty());
    CHECK(t.stid_uri.empty());
  }
  SECTION("40 bits: half a header") {
    const DecodedTid t = decode("E280116020");
    CHECK(t.reason == TidRawReason::truncated);
    CHECK(t.reason_text ==
          "the XTID bit is set but the XTID header (bits 20h-2Fh) is missing: 40 bits read, 48 "
          "needed");
    CHECK_FALSE(t.xtid_header.has_value());
  }
}

TEST_CASE("Class E2 shorter than 32 bits", "[tid]") {
  SECTION("8 bits") {
    const DecodedTid t = decode("E2");
    CHECK(t.reason == TidRawReason::truncated);
    CHECK(t.reason_text ==
          "class E2h TID has only 8 bits; the XTID/S/F flags, MDID and TMN need 32 bits (2 words)");
    CHECK(t.class_id == 0xE2);
    CHECK(t.class_name == "GS1 EPCglobal");
    CHECK(t.bits == 8);
    CHECK(t.hex == "E2");
    CHECK_FALSE(t.decoded());
    CHECK(t.mdid == 0);
    CHECK(t.manufacturer.empty());
  }
  SECTION("16 bits") {
    const DecodedTid t = decode("E280");
    CHECK(t.reason == TidRawReason::truncated);
    CHECK(t.reason_text ==
          "class E2h TID has only 16 bits; the XTID/S/F flags, MDID and TMN need 32 bits (2 "
          "words)");
    CHECK(t.bits == 16);
    CHECK_FALSE(t.decoded());
    CHECK_FALSE(t.xtid);
  }
  SECTION("24 bits") {
    const DecodedTid t = decode("E28011");
    CHECK(t.reason == TidRawReason::truncated);
    CHECK_FALSE(t.decoded());
  }
}

TEST_CASE("Empty TID", "[tid]") {
  const DecodedTid t = garita::decode_tid({});
  CHECK(t.reason == TidRawReason::empty);
  CHECK(t.reason_text == "no TID bytes were read");
  CHECK(t.bits == 0);
  CHECK(t.hex.empty());
  CHECK(t.bytes.empty());
  CHECK(t.class_id == 0);
  CHECK(t.class_name.empty());
  CHECK_FALSE(t.decoded());
}

TEST_CASE("ISO/IEC 7816-6 classes E0 and E3 are not decoded further", "[tid]") {
  SECTION("E0") {
    const DecodedTid t = decode("E004010012345678");
    CHECK(t.reason == TidRawReason::not_gs1_class);
    CHECK(t.reason_text ==
          "allocation class E0h is ISO/IEC 7816-6, not E2h (GS1 EPCglobal); only the class is "
          "decoded");
    CHECK(t.class_id == 0xE0);
    CHECK(t.class_name == "ISO/IEC 7816-6");
    CHECK(t.bits == 64);
    CHECK(t.hex == "E004010012345678");
    CHECK_FALSE(t.decoded());
    CHECK(t.mdid == 0);
    CHECK(t.tmn == 0);
    CHECK(t.manufacturer.empty());
    CHECK_FALSE(t.xtid_header.has_value());
    CHECK(t.stid_uri.empty());
  }
  SECTION("E3") {
    const DecodedTid t = decode("E3801160200074CF085909AD");
    CHECK(t.reason == TidRawReason::not_gs1_class);
    CHECK(t.class_id == 0xE3);
    CHECK(t.class_name == "ISO/IEC 7816-6");
    CHECK(t.serial.empty());
    CHECK(t.stid_uri.empty());
  }
  SECTION("E0, 8 bits") {
    const DecodedTid t = decode("E0");
    CHECK(t.reason == TidRawReason::not_gs1_class);
    CHECK(t.class_name == "ISO/IEC 7816-6");
  }
}

TEST_CASE("Unknown allocation classes", "[tid]") {
  for (std::string_view hex : {"0000000000000000", "E1000000", "FFFFFFFF", "A5"}) {
    CAPTURE(hex);
    const DecodedTid t = decode(hex);
    CHECK(t.reason == TidRawReason::not_gs1_class);
    CHECK(t.class_name == "unknown");
    CHECK_FALSE(t.decoded());
  }
  const DecodedTid t = decode("A5801160");
  CHECK(t.class_id == 0xA5);
  CHECK(t.reason_text ==
        "allocation class A5h is not a class garita knows; only E2h (GS1 EPCglobal) TIDs are "
        "decoded");
}

TEST_CASE("MDID and TMN not in the GS1 list", "[tid]") {
  SECTION("maker not listed") {
    const DecodedTid t = decode("E21FF123");  // X=0, MDID 0x1FF, TMN 0x123
    CHECK(t.reason == TidRawReason::none);
    CHECK(t.decoded());
    CHECK(t.mdid == 0x1FF);
    CHECK(t.tmn == 0x123);
    CHECK(t.manufacturer.empty());
    CHECK(t.model.empty());
  }
  SECTION("maker listed, model not") {
    const DecodedTid t = decode("E2001FFF");  // Impinj, TMN 0xFFF
    CHECK(t.mdid == 1);
    CHECK(t.tmn == 0xFFF);
    CHECK(t.manufacturer == "Impinj");
    CHECK(t.model.empty());
  }
  SECTION("MDID 0") {
    const DecodedTid t = decode("E2000000");
    CHECK(t.mdid == 0);
    CHECK(t.manufacturer.empty());
  }
}

TEST_CASE("Every 2-byte TID decodes to a raw reason", "[tid]") {
  // Cheap exhaustive sweep of short inputs (the fuzz target covers the rest).
  std::vector<std::uint8_t> b(2);
  for (unsigned x = 0; x < 0x10000; ++x) {
    b[0] = static_cast<std::uint8_t>(x >> 8);
    b[1] = static_cast<std::uint8_t>(x);
    const DecodedTid t = garita::decode_tid(b);
    REQUIRE(t.bits == 16);
    REQUIRE(t.reason != TidRawReason::none);
  }
}

TEST_CASE("to_string(TidRawReason)", "[tid]") {
  CHECK(garita::to_string(TidRawReason::none) == "none");
  CHECK(garita::to_string(TidRawReason::empty) == "empty");
  CHECK(garita::to_string(TidRawReason::truncated) == "truncated");
  CHECK(garita::to_string(TidRawReason::not_gs1_class) == "not_gs1_class");
}
