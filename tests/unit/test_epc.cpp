// EPC decoder tests. Expected URIs are written out by hand from the GS1 EPC
// Tag Data Standard (TDS) rules: partition tables of §14.5, URI forms of §6
// and §12, control fields of §15.2.4, raw URI of §15.2.1. Test EPCs other
// than the published examples are packed here, field by field, with a small
// bit packer that shares no code with the decoder.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "garita/common/Epc.hpp"
#include "garita/common/Hex.hpp"

using garita::decode_epc;
using garita::DecodedEpc;
using garita::EpcRawReason;
using garita::EpcScheme;
using garita::PcWord;

namespace {

std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(garita::parse_hex(text, b));
  return b;
}

// MSB-first bit packer: the test-side encoder.
class Bits {
 public:
  Bits& put(std::uint64_t value, unsigned width) {
    for (unsigned i = width; i-- > 0;) bits_.push_back(i < 64 && ((value >> i) & 1U) != 0);
    return *this;
  }
  // Characters as 6-bit values (the low six bits of their ASCII code, TDS
  // Appendix G), without a terminator.
  Bits& six(std::string_view s) {
    for (char c : s) put(static_cast<unsigned char>(c) & 0x3FU, 6);
    return *this;
  }
  // Characters as 8-bit ASCII.
  Bits& eight(std::string_view s) {
    for (char c : s) put(static_cast<unsigned char>(c), 8);
    return *this;
  }
  std::size_t size() const { return bits_.size(); }
  // The packed bits, zero-padded to at least `total_bits` and to whole bytes.
  std::vector<std::uint8_t> bytes(std::size_t total_bits = 0) const {
    const std::size_t n = bits_.size() > total_bits ? bits_.size() : total_bits;
    std::vector<std::uint8_t> out((n + 7) / 8, 0);
    for (std::size_t i = 0; i < bits_.size(); ++i) {
      if (bits_[i]) out[i / 8] = static_cast<std::uint8_t>(out[i / 8] | (0x80U >> (i % 8)));
    }
    return out;
  }

 private:
  std::vector<bool> bits_;
};

// Partition table bit widths as the TDS gives them, kept apart from the
// decoder's own copy: {company prefix bits, reference bits}.
struct Widths {
  unsigned c_bits;
  unsigned r_bits;
};
constexpr Widths kSgtinWidths[7] = {{40, 4},  {37, 7},  {34, 10}, {30, 14},
                                    {27, 17}, {24, 20}, {20, 24}};
constexpr Widths kSsccWidths[7] = {{40, 18}, {37, 21}, {34, 24}, {30, 28},
                                   {27, 31}, {24, 34}, {20, 38}};
constexpr Widths kSglnWidths[7] = {{40, 1},  {37, 4},  {34, 7}, {30, 11},
                                   {27, 14}, {24, 17}, {20, 21}};
constexpr Widths kGraiWidths[7] = {{40, 4},  {37, 7},  {34, 10}, {30, 14},
                                   {27, 17}, {24, 20}, {20, 24}};
constexpr Widths kGiaiWidths[7] = {{40, 42}, {37, 45}, {34, 48}, {30, 52},
                                   {27, 55}, {24, 58}, {20, 62}};

std::vector<std::uint8_t> sgtin96(unsigned filter, unsigned p, std::uint64_t c, std::uint64_t i,
                                  std::uint64_t serial) {
  return Bits()
      .put(0x30, 8)
      .put(filter, 3)
      .put(p, 3)
      .put(c, kSgtinWidths[p].c_bits)
      .put(i, kSgtinWidths[p].r_bits)
      .put(serial, 38)
      .bytes();
}
std::vector<std::uint8_t> sscc96(unsigned filter, unsigned p, std::uint64_t c, std::uint64_t s,
                                 std::uint64_t reserved = 0) {
  return Bits()
      .put(0x31, 8)
      .put(filter, 3)
      .put(p, 3)
      .put(c, kSsccWidths[p].c_bits)
      .put(s, kSsccWidths[p].r_bits)
      .put(reserved, 24)
      .bytes();
}
std::vector<std::uint8_t> sgln96(unsigned filter, unsigned p, std::uint64_t c, std::uint64_t l,
                                 std::uint64_t ext) {
  return Bits()
      .put(0x32, 8)
      .put(filter, 3)
      .put(p, 3)
      .put(c, kSglnWidths[p].c_bits)
      .put(l, kSglnWidths[p].r_bits)
      .put(ext, 41)
      .bytes();
}
std::vector<std::uint8_t> grai96(unsigned filter, unsigned p, std::uint64_t c, std::uint64_t a,
                                 std::uint64_t serial) {
  return Bits()
      .put(0x33, 8)
      .put(filter, 3)
      .put(p, 3)
      .put(c, kGraiWidths[p].c_bits)
      .put(a, kGraiWidths[p].r_bits)
      .put(serial, 38)
      .bytes();
}
std::vector<std::uint8_t> giai96(unsigned filter, unsigned p, std::uint64_t c, std::uint64_t a) {
  return Bits()
      .put(0x34, 8)
      .put(filter, 3)
      .put(p, 3)
      .put(c, kGiaiWidths[p].c_bits)
      .put(a, kGiaiWidths[p].r_bits)
      .bytes();
}
std::vector<std::uint8_t> gid96(std::uint64_t m, std::uint64_t c, std::uint64_t s) {
  return Bits().put(0x35, 8).put(m, 28).put(c, 24).put(s, 36).bytes();
}
std::vector<std::uint8_t> usdod96(unsigned filter, std::string_view cage6, std::uint64_t s) {
  return Bits().put(0x2F, 8).put(filter, 4).eight(cage6).put(s, 36).bytes();
}
// ADI-var: filter, CAGE/DoDAAC (six 6-bit characters), part number and
// serial, each string ended by 000000; padded to `total_bits`.
Bits adi_bits(unsigned filter, std::string_view cage6, std::string_view part,
              std::string_view serial) {
  Bits b;
  b.put(0x3B, 8).put(filter, 6).six(cage6).six(part).put(0, 6).six(serial).put(0, 6);
  return b;
}

void check_decoded(const DecodedEpc& d, EpcScheme scheme, std::string_view tag,
                   std::string_view id) {
  INFO("reason: " << d.reason_text);
  CHECK(d.decoded());
  CHECK(d.scheme == scheme);
  CHECK(d.reason == EpcRawReason::none);
  CHECK(d.reason_text.empty());
  CHECK(d.tag_uri == tag);
  CHECK(d.id_uri == id);
}

void check_raw(const DecodedEpc& d, EpcRawReason reason, std::string_view text) {
  CHECK_FALSE(d.decoded());
  CHECK(d.scheme == EpcScheme::raw);
  CHECK(d.reason == reason);
  CHECK(d.reason_text == text);
  CHECK(d.tag_uri == d.raw_uri);
  CHECK(d.id_uri.empty());
  CHECK(d.fields.empty());
  CHECK_FALSE(d.filter.has_value());
  CHECK_FALSE(d.partition.has_value());
}

std::string field(const DecodedEpc& d, std::string_view name) {
  for (const auto& f : d.fields) {
    if (f.name == name) return f.value;
  }
  return "<missing>";
}

std::vector<std::string_view> field_names(const DecodedEpc& d) {
  std::vector<std::string_view> names;
  for (const auto& f : d.fields) names.push_back(f.name);
  return names;
}

}  // namespace

// ---------------------------------------------------------------------------
// Published examples.

TEST_CASE("known answers from the TDS examples decode to the published URIs") {
  SECTION("SGTIN-96") {
    const auto d = decode_epc(hex("3074257BF7194E4000001A85"));
    check_decoded(d, EpcScheme::sgtin_96, "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
                  "urn:epc:id:sgtin:0614141.812345.6789");
    CHECK(d.raw_uri == "urn:epc:raw:96.x3074257BF7194E4000001A85");
    CHECK(d.filter == 3u);
    CHECK(d.partition == 5u);
    CHECK(field_names(d) ==
          std::vector<std::string_view>{"company_prefix", "item_reference", "serial"});
    CHECK(field(d, "company_prefix") == "0614141");
    CHECK(field(d, "item_reference") == "812345");
    CHECK(field(d, "serial") == "6789");
    CHECK(d.bits == 96);
    CHECK(d.hex == "3074257BF7194E4000001A85");
    CHECK(d.bytes.size() == 12);
    CHECK_FALSE(d.pc.has_value());
  }
  SECTION("SSCC-96") {
    const auto d = decode_epc(hex("3154257BF4499602D2000000"));
    check_decoded(d, EpcScheme::sscc_96, "urn:epc:tag:sscc-96:2.0614141.1234567890",
                  "urn:epc:id:sscc:0614141.1234567890");
    CHECK(field_names(d) == std::vector<std::string_view>{"company_prefix", "serial_reference"});
    CHECK(d.filter == 2u);
    CHECK(d.partition == 5u);
  }
  SECTION("SGLN-96") {
    const auto d = decode_epc(hex("3234257BF460720000000190"));
    check_decoded(d, EpcScheme::sgln_96, "urn:epc:tag:sgln-96:1.0614141.12345.400",
                  "urn:epc:id:sgln:0614141.12345.400");
    CHECK(field_names(d) ==
          std::vector<std::string_view>{"company_prefix", "location_reference", "extension"});
  }
  SECTION("GID-96") {
    const auto d = decode_epc(hex("355AB1C60003039000000190"));
    check_decoded(d, EpcScheme::gid_96, "urn:epc:tag:gid-96:95100000.12345.400",
                  "urn:epc:id:gid:95100000.12345.400");
    CHECK_FALSE(d.filter.has_value());
    CHECK_FALSE(d.partition.has_value());
    CHECK(field_names(d) ==
          std::vector<std::string_view>{"general_manager", "object_class", "serial"});
  }
  SECTION("ADI-var (146 bits, zero-padded to whole bytes)") {
    const auto d = decode_epc(hex("3B0E0CF5E76C9047759AD00373DC7602E72000"));
    check_decoded(d, EpcScheme::adi_var, "urn:epc:tag:adi-var:3.35962.PQ7VZ4.M37GXB92",
                  "urn:epc:id:adi:35962.PQ7VZ4.M37GXB92");
    CHECK(d.filter == 3u);
    CHECK(field(d, "cage_or_dodaac") == "35962");
    CHECK(field(d, "part_number") == "PQ7VZ4");
    CHECK(field(d, "serial") == "M37GXB92");
  }
}

// ---------------------------------------------------------------------------
// SGTIN-96, every partition (TDS §14.5.1).

TEST_CASE("SGTIN-96 decodes every partition with fixed-width company prefix and item reference") {
  struct Row {
    unsigned filter, partition;
    std::uint64_t c, i, serial;
    const char* tag;
    const char* id;
  };
  const Row rows[] = {
      {1, 0, 999999999999, 9, 274877906943, "urn:epc:tag:sgtin-96:1.999999999999.9.274877906943",
       "urn:epc:id:sgtin:999999999999.9.274877906943"},
      {0, 0, 0, 0, 0, "urn:epc:tag:sgtin-96:0.000000000000.0.0",
       "urn:epc:id:sgtin:000000000000.0.0"},
      {0, 1, 1, 0, 0, "urn:epc:tag:sgtin-96:0.00000000001.00.0",
       "urn:epc:id:sgtin:00000000001.00.0"},
      {7, 1, 99999999999, 99, 12, "urn:epc:tag:sgtin-96:7.99999999999.99.12",
       "urn:epc:id:sgtin:99999999999.99.12"},
      {7, 2, 9999999999, 999, 1, "urn:epc:tag:sgtin-96:7.9999999999.999.1",
       "urn:epc:id:sgtin:9999999999.999.1"},
      {2, 3, 123456789, 42, 100, "urn:epc:tag:sgtin-96:2.123456789.0042.100",
       "urn:epc:id:sgtin:123456789.0042.100"},
      {4, 4, 99999999, 99999, 5, "urn:epc:tag:sgtin-96:4.99999999.99999.5",
       "urn:epc:id:sgtin:99999999.99999.5"},
      {3, 5, 614141, 812345, 6789, "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
       "urn:epc:id:sgtin:0614141.812345.6789"},
      {3, 5, 9999999, 999999, 274877906943, "urn:epc:tag:sgtin-96:3.9999999.999999.274877906943",
       "urn:epc:id:sgtin:9999999.999999.274877906943"},
      {6, 6, 999999, 9999999, 10, "urn:epc:tag:sgtin-96:6.999999.9999999.10",
       "urn:epc:id:sgtin:999999.9999999.10"},
      {5, 6, 1, 1, 0, "urn:epc:tag:sgtin-96:5.000001.0000001.0",
       "urn:epc:id:sgtin:000001.0000001.0"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.i);
    const auto d = decode_epc(sgtin96(r.filter, r.partition, r.c, r.i, r.serial));
    check_decoded(d, EpcScheme::sgtin_96, r.tag, r.id);
    CHECK(d.filter == r.filter);
    CHECK(d.partition == r.partition);
  }
}

TEST_CASE("SGTIN-96 fields at 10^digits are out of range in every partition") {
  struct Row {
    unsigned partition;
    std::uint64_t c, i;
    const char* text;
  };
  const Row rows[] = {
      {0, 1000000000000, 0,
       "SGTIN-96 company prefix 1000000000000 has more than 12 digits for partition 0 (TDS "
       "§14.5.1)"},
      {0, 1099511627775, 0,
       "SGTIN-96 company prefix 1099511627775 has more than 12 digits for partition 0 (TDS "
       "§14.5.1)"},
      {1, 100000000000, 0,
       "SGTIN-96 company prefix 100000000000 has more than 11 digits for partition 1 (TDS "
       "§14.5.1)"},
      {2, 10000000000, 0,
       "SGTIN-96 company prefix 10000000000 has more than 10 digits for partition 2 (TDS §14.5.1)"},
      {3, 1000000000, 0,
       "SGTIN-96 company prefix 1000000000 has more than 9 digits for partition 3 (TDS §14.5.1)"},
      {4, 100000000, 0,
       "SGTIN-96 company prefix 100000000 has more than 8 digits for partition 4 (TDS §14.5.1)"},
      {5, 10000000, 0,
       "SGTIN-96 company prefix 10000000 has more than 7 digits for partition 5 (TDS §14.5.1)"},
      {6, 1000000, 0,
       "SGTIN-96 company prefix 1000000 has more than 6 digits for partition 6 (TDS §14.5.1)"},
      {0, 0, 10, "SGTIN-96 item reference 10 has more than 1 digit for partition 0 (TDS §14.5.1)"},
      {0, 0, 15, "SGTIN-96 item reference 15 has more than 1 digit for partition 0 (TDS §14.5.1)"},
      {1, 0, 100,
       "SGTIN-96 item reference 100 has more than 2 digits for partition 1 (TDS §14.5.1)"},
      {2, 0, 1000,
       "SGTIN-96 item reference 1000 has more than 3 digits for partition 2 (TDS §14.5.1)"},
      {3, 0, 10000,
       "SGTIN-96 item reference 10000 has more than 4 digits for partition 3 (TDS §14.5.1)"},
      {4, 0, 100000,
       "SGTIN-96 item reference 100000 has more than 5 digits for partition 4 (TDS §14.5.1)"},
      {5, 0, 1000000,
       "SGTIN-96 item reference 1000000 has more than 6 digits for partition 5 (TDS §14.5.1)"},
      {6, 0, 10000000,
       "SGTIN-96 item reference 10000000 has more than 7 digits for partition 6 (TDS §14.5.1)"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.i);
    const auto d = decode_epc(sgtin96(1, r.partition, r.c, r.i, 1));
    check_raw(d, EpcRawReason::field_out_of_range, r.text);
  }
}

// ---------------------------------------------------------------------------
// SSCC-96 (TDS §14.5.2).

TEST_CASE("SSCC-96 decodes every partition with a fixed-width serial reference") {
  struct Row {
    unsigned filter, partition;
    std::uint64_t c, s;
    const char* tag;
    const char* id;
  };
  const Row rows[] = {
      {0, 0, 999999999999, 99999, "urn:epc:tag:sscc-96:0.999999999999.99999",
       "urn:epc:id:sscc:999999999999.99999"},
      {1, 1, 1, 0, "urn:epc:tag:sscc-96:1.00000000001.000000",
       "urn:epc:id:sscc:00000000001.000000"},
      {7, 2, 9999999999, 9999999, "urn:epc:tag:sscc-96:7.9999999999.9999999",
       "urn:epc:id:sscc:9999999999.9999999"},
      {3, 3, 123456789, 12345678, "urn:epc:tag:sscc-96:3.123456789.12345678",
       "urn:epc:id:sscc:123456789.12345678"},
      {4, 4, 99999999, 999999999, "urn:epc:tag:sscc-96:4.99999999.999999999",
       "urn:epc:id:sscc:99999999.999999999"},
      {2, 5, 614141, 1234567890, "urn:epc:tag:sscc-96:2.0614141.1234567890",
       "urn:epc:id:sscc:0614141.1234567890"},
      {2, 5, 614141, 1, "urn:epc:tag:sscc-96:2.0614141.0000000001",
       "urn:epc:id:sscc:0614141.0000000001"},
      {6, 6, 999999, 99999999999, "urn:epc:tag:sscc-96:6.999999.99999999999",
       "urn:epc:id:sscc:999999.99999999999"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.s);
    const auto d = decode_epc(sscc96(r.filter, r.partition, r.c, r.s));
    check_decoded(d, EpcScheme::sscc_96, r.tag, r.id);
    CHECK(d.partition == r.partition);
  }
}

TEST_CASE("SSCC-96 fields at 10^digits are out of range in every partition") {
  struct Row {
    unsigned partition;
    std::uint64_t c, s;
    const char* text;
  };
  const Row rows[] = {
      {0, 1000000000000, 0,
       "SSCC-96 company prefix 1000000000000 has more than 12 digits for partition 0 (TDS "
       "§14.5.2)"},
      {6, 1000000, 0,
       "SSCC-96 company prefix 1000000 has more than 6 digits for partition 6 (TDS §14.5.2)"},
      {0, 0, 100000,
       "SSCC-96 serial reference 100000 has more than 5 digits for partition 0 (TDS §14.5.2)"},
      {1, 0, 1000000,
       "SSCC-96 serial reference 1000000 has more than 6 digits for partition 1 (TDS §14.5.2)"},
      {2, 0, 10000000,
       "SSCC-96 serial reference 10000000 has more than 7 digits for partition 2 (TDS §14.5.2)"},
      {3, 0, 100000000,
       "SSCC-96 serial reference 100000000 has more than 8 digits for partition 3 (TDS §14.5.2)"},
      {4, 0, 1000000000,
       "SSCC-96 serial reference 1000000000 has more than 9 digits for partition 4 (TDS §14.5.2)"},
      {5, 0, 10000000000,
       "SSCC-96 serial reference 10000000000 has more than 10 digits for partition 5 (TDS "
       "§14.5.2)"},
      {6, 0, 100000000000,
       "SSCC-96 serial reference 100000000000 has more than 11 digits for partition 6 (TDS "
       "§14.5.2)"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.s);
    check_raw(decode_epc(sscc96(0, r.partition, r.c, r.s)), EpcRawReason::field_out_of_range,
              r.text);
  }
}

TEST_CASE("SSCC-96 reserved bits 72-95 must be zero") {
  // TDS §14.5.2.1: the last 24 bits of SSCC-96 are reserved and zero.
  check_raw(decode_epc(hex("3154257BF4499602D2000001")), EpcRawReason::field_out_of_range,
            "SSCC-96 reserved bits 72-95 hold 0x000001; they must be zero (TDS §14.5.2.1)");
  check_raw(decode_epc(sscc96(2, 5, 614141, 1234567890, 0xABCDEF)),
            EpcRawReason::field_out_of_range,
            "SSCC-96 reserved bits 72-95 hold 0xABCDEF; they must be zero (TDS §14.5.2.1)");
}

// ---------------------------------------------------------------------------
// SGLN-96 (TDS §14.5.3).

TEST_CASE("SGLN-96 decodes every partition; partition 0 has an empty location reference") {
  struct Row {
    unsigned filter, partition;
    std::uint64_t c, l, ext;
    const char* tag;
    const char* id;
  };
  const Row rows[] = {
      {0, 0, 999999999999, 0, 2199023255551, "urn:epc:tag:sgln-96:0.999999999999..2199023255551",
       "urn:epc:id:sgln:999999999999..2199023255551"},
      {1, 1, 1, 9, 0, "urn:epc:tag:sgln-96:1.00000000001.9.0", "urn:epc:id:sgln:00000000001.9.0"},
      {2, 2, 9999999999, 5, 7, "urn:epc:tag:sgln-96:2.9999999999.05.7",
       "urn:epc:id:sgln:9999999999.05.7"},
      {3, 3, 123456789, 999, 42, "urn:epc:tag:sgln-96:3.123456789.999.42",
       "urn:epc:id:sgln:123456789.999.42"},
      {4, 4, 99999999, 1, 0, "urn:epc:tag:sgln-96:4.99999999.0001.0",
       "urn:epc:id:sgln:99999999.0001.0"},
      {1, 5, 614141, 12345, 400, "urn:epc:tag:sgln-96:1.0614141.12345.400",
       "urn:epc:id:sgln:0614141.12345.400"},
      {7, 6, 999999, 999999, 1, "urn:epc:tag:sgln-96:7.999999.999999.1",
       "urn:epc:id:sgln:999999.999999.1"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.l);
    const auto d = decode_epc(sgln96(r.filter, r.partition, r.c, r.l, r.ext));
    check_decoded(d, EpcScheme::sgln_96, r.tag, r.id);
    CHECK(d.partition == r.partition);
  }
  const auto d = decode_epc(sgln96(0, 0, 5, 0, 3));
  CHECK(field(d, "company_prefix") == "000000000005");
  CHECK(field(d, "location_reference").empty());
  CHECK(field(d, "extension") == "3");
}

TEST_CASE("SGLN-96 fields at 10^digits are out of range in every partition") {
  struct Row {
    unsigned partition;
    std::uint64_t c, l;
    const char* text;
  };
  const Row rows[] = {
      {0, 1000000000000, 0,
       "SGLN-96 company prefix 1000000000000 has more than 12 digits for partition 0 (TDS "
       "§14.5.3)"},
      {3, 1000000000, 0,
       "SGLN-96 company prefix 1000000000 has more than 9 digits for partition 3 (TDS §14.5.3)"},
      {0, 0, 1,
       "SGLN-96 location reference 1 has more than 0 digits for partition 0 (TDS §14.5.3)"},
      {1, 0, 10,
       "SGLN-96 location reference 10 has more than 1 digit for partition 1 (TDS §14.5.3)"},
      {2, 0, 100,
       "SGLN-96 location reference 100 has more than 2 digits for partition 2 (TDS §14.5.3)"},
      {3, 0, 1000,
       "SGLN-96 location reference 1000 has more than 3 digits for partition 3 (TDS §14.5.3)"},
      {4, 0, 10000,
       "SGLN-96 location reference 10000 has more than 4 digits for partition 4 (TDS §14.5.3)"},
      {5, 0, 100000,
       "SGLN-96 location reference 100000 has more than 5 digits for partition 5 (TDS §14.5.3)"},
      {6, 0, 1000000,
       "SGLN-96 location reference 1000000 has more than 6 digits for partition 6 (TDS §14.5.3)"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.l);
    check_raw(decode_epc(sgln96(0, r.partition, r.c, r.l, 0)), EpcRawReason::field_out_of_range,
              r.text);
  }
}

// ---------------------------------------------------------------------------
// GRAI-96 (TDS §14.5.4).

TEST_CASE("GRAI-96 decodes every partition; partition 0 has an empty asset type") {
  struct Row {
    unsigned filter, partition;
    std::uint64_t c, a, serial;
    const char* tag;
    const char* id;
  };
  const Row rows[] = {
      {0, 0, 999999999999, 0, 274877906943, "urn:epc:tag:grai-96:0.999999999999..274877906943",
       "urn:epc:id:grai:999999999999..274877906943"},
      {1, 1, 1, 0, 0, "urn:epc:tag:grai-96:1.00000000001.0.0", "urn:epc:id:grai:00000000001.0.0"},
      {2, 2, 9999999999, 99, 5, "urn:epc:tag:grai-96:2.9999999999.99.5",
       "urn:epc:id:grai:9999999999.99.5"},
      {3, 3, 123456789, 7, 8, "urn:epc:tag:grai-96:3.123456789.007.8",
       "urn:epc:id:grai:123456789.007.8"},
      {4, 4, 99999999, 9999, 1, "urn:epc:tag:grai-96:4.99999999.9999.1",
       "urn:epc:id:grai:99999999.9999.1"},
      {5, 5, 614141, 12345, 5678, "urn:epc:tag:grai-96:5.0614141.12345.5678",
       "urn:epc:id:grai:0614141.12345.5678"},
      {6, 6, 999999, 999999, 0, "urn:epc:tag:grai-96:6.999999.999999.0",
       "urn:epc:id:grai:999999.999999.0"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.a);
    const auto d = decode_epc(grai96(r.filter, r.partition, r.c, r.a, r.serial));
    check_decoded(d, EpcScheme::grai_96, r.tag, r.id);
    CHECK(d.partition == r.partition);
    CHECK(field_names(d) ==
          std::vector<std::string_view>{"company_prefix", "asset_type", "serial"});
  }
}

TEST_CASE("GRAI-96 fields at 10^digits are out of range in every partition") {
  struct Row {
    unsigned partition;
    std::uint64_t c, a;
    const char* text;
  };
  const Row rows[] = {
      {0, 1000000000000, 0,
       "GRAI-96 company prefix 1000000000000 has more than 12 digits for partition 0 (TDS "
       "§14.5.4)"},
      {5, 10000000, 0,
       "GRAI-96 company prefix 10000000 has more than 7 digits for partition 5 (TDS §14.5.4)"},
      {0, 0, 1, "GRAI-96 asset type 1 has more than 0 digits for partition 0 (TDS §14.5.4)"},
      {0, 0, 15, "GRAI-96 asset type 15 has more than 0 digits for partition 0 (TDS §14.5.4)"},
      {1, 0, 10, "GRAI-96 asset type 10 has more than 1 digit for partition 1 (TDS §14.5.4)"},
      {2, 0, 100, "GRAI-96 asset type 100 has more than 2 digits for partition 2 (TDS §14.5.4)"},
      {3, 0, 1000, "GRAI-96 asset type 1000 has more than 3 digits for partition 3 (TDS §14.5.4)"},
      {4, 0, 10000,
       "GRAI-96 asset type 10000 has more than 4 digits for partition 4 (TDS §14.5.4)"},
      {5, 0, 100000,
       "GRAI-96 asset type 100000 has more than 5 digits for partition 5 (TDS §14.5.4)"},
      {6, 0, 1000000,
       "GRAI-96 asset type 1000000 has more than 6 digits for partition 6 (TDS §14.5.4)"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.a);
    check_raw(decode_epc(grai96(0, r.partition, r.c, r.a, 0)), EpcRawReason::field_out_of_range,
              r.text);
  }
}

// ---------------------------------------------------------------------------
// GIAI-96 (TDS §14.5.5).

TEST_CASE("GIAI-96 decodes every partition with an unpadded asset reference") {
  struct Row {
    unsigned filter, partition;
    std::uint64_t c, a;
    const char* tag;
    const char* id;
  };
  const Row rows[] = {
      {0, 0, 999999999999, 4398046511103, "urn:epc:tag:giai-96:0.999999999999.4398046511103",
       "urn:epc:id:giai:999999999999.4398046511103"},
      {1, 1, 1, 0, "urn:epc:tag:giai-96:1.00000000001.0", "urn:epc:id:giai:00000000001.0"},
      {1, 1, 99999999999, 35184372088831, "urn:epc:tag:giai-96:1.99999999999.35184372088831",
       "urn:epc:id:giai:99999999999.35184372088831"},
      {2, 2, 9999999999, 281474976710655, "urn:epc:tag:giai-96:2.9999999999.281474976710655",
       "urn:epc:id:giai:9999999999.281474976710655"},
      {3, 3, 123456789, 4503599627370495, "urn:epc:tag:giai-96:3.123456789.4503599627370495",
       "urn:epc:id:giai:123456789.4503599627370495"},
      {4, 4, 99999999, 36028797018963967, "urn:epc:tag:giai-96:4.99999999.36028797018963967",
       "urn:epc:id:giai:99999999.36028797018963967"},
      {3, 5, 614141, 12345400, "urn:epc:tag:giai-96:3.0614141.12345400",
       "urn:epc:id:giai:0614141.12345400"},
      {5, 5, 9999999, 288230376151711743, "urn:epc:tag:giai-96:5.9999999.288230376151711743",
       "urn:epc:id:giai:9999999.288230376151711743"},
      {7, 6, 999999, 4611686018427387903, "urn:epc:tag:giai-96:7.999999.4611686018427387903",
       "urn:epc:id:giai:999999.4611686018427387903"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.partition, r.c, r.a);
    const auto d = decode_epc(giai96(r.filter, r.partition, r.c, r.a));
    check_decoded(d, EpcScheme::giai_96, r.tag, r.id);
    CHECK(d.partition == r.partition);
    CHECK(field_names(d) ==
          std::vector<std::string_view>{"company_prefix", "individual_asset_reference"});
  }
}

TEST_CASE("GIAI-96 company prefix at 10^digits is out of range in every partition") {
  const std::uint64_t too_big[7] = {1000000000000, 100000000000, 10000000000, 1000000000,
                                    100000000,     10000000,     1000000};
  const char* texts[7] = {
      "GIAI-96 company prefix 1000000000000 has more than 12 digits for partition 0 (TDS §14.5.5)",
      "GIAI-96 company prefix 100000000000 has more than 11 digits for partition 1 (TDS §14.5.5)",
      "GIAI-96 company prefix 10000000000 has more than 10 digits for partition 2 (TDS §14.5.5)",
      "GIAI-96 company prefix 1000000000 has more than 9 digits for partition 3 (TDS §14.5.5)",
      "GIAI-96 company prefix 100000000 has more than 8 digits for partition 4 (TDS §14.5.5)",
      "GIAI-96 company prefix 10000000 has more than 7 digits for partition 5 (TDS §14.5.5)",
      "GIAI-96 company prefix 1000000 has more than 6 digits for partition 6 (TDS §14.5.5)",
  };
  for (unsigned p = 0; p < 7; ++p) {
    CAPTURE(p);
    check_raw(decode_epc(giai96(0, p, too_big[p], 1)), EpcRawReason::field_out_of_range, texts[p]);
  }
}

TEST_CASE("partition 7 is reserved in every partitioned scheme") {
  const auto p7 = [](std::uint8_t header) {
    return Bits().put(header, 8).put(1, 3).put(7, 3).bytes(96);
  };
  check_raw(decode_epc(p7(0x30)), EpcRawReason::reserved_partition,
            "SGTIN-96 partition 7 is reserved (TDS §14.5.1)");
  check_raw(decode_epc(p7(0x31)), EpcRawReason::reserved_partition,
            "SSCC-96 partition 7 is reserved (TDS §14.5.2)");
  check_raw(decode_epc(p7(0x32)), EpcRawReason::reserved_partition,
            "SGLN-96 partition 7 is reserved (TDS §14.5.3)");
  check_raw(decode_epc(p7(0x33)), EpcRawReason::reserved_partition,
            "GRAI-96 partition 7 is reserved (TDS §14.5.4)");
  check_raw(decode_epc(p7(0x34)), EpcRawReason::reserved_partition,
            "GIAI-96 partition 7 is reserved (TDS §14.5.5)");
}

// ---------------------------------------------------------------------------
// GID-96 (TDS §14.5, GID-96 coding table).

TEST_CASE("GID-96 prints its three integers without padding") {
  check_decoded(decode_epc(gid96(268435455, 16777215, 68719476735)), EpcScheme::gid_96,
                "urn:epc:tag:gid-96:268435455.16777215.68719476735",
                "urn:epc:id:gid:268435455.16777215.68719476735");
  check_decoded(decode_epc(gid96(0, 0, 0)), EpcScheme::gid_96, "urn:epc:tag:gid-96:0.0.0",
                "urn:epc:id:gid:0.0.0");
  check_decoded(decode_epc(gid96(95100000, 12345, 400)), EpcScheme::gid_96,
                "urn:epc:tag:gid-96:95100000.12345.400", "urn:epc:id:gid:95100000.12345.400");
}

// ---------------------------------------------------------------------------
// USDOD-96 (TDS §14.5, DoD-96 coding table; §6.3 grammar).

TEST_CASE("USDOD-96 decodes CAGE codes and DoDAACs") {
  SECTION("5-character CAGE code: the leading space is not part of the URI") {
    const auto d = decode_epc(usdod96(3, " 2S194", 12345678901));
    check_decoded(d, EpcScheme::usdod_96, "urn:epc:tag:usdod-96:3.2S194.12345678901",
                  "urn:epc:id:usdod:2S194.12345678901");
    CHECK(d.filter == 3u);
    CHECK_FALSE(d.partition.has_value());
    CHECK(field_names(d) == std::vector<std::string_view>{"cage_or_dodaac", "serial"});
    CHECK(field(d, "cage_or_dodaac") == "2S194");
  }
  SECTION("6-character DoDAAC, 4-bit filter and 36-bit serial at their maximum") {
    check_decoded(decode_epc(usdod96(15, "W81X9C", 68719476735)), EpcScheme::usdod_96,
                  "urn:epc:tag:usdod-96:15.W81X9C.68719476735",
                  "urn:epc:id:usdod:W81X9C.68719476735");
  }
  SECTION("all digits, zero serial") {
    check_decoded(decode_epc(usdod96(0, "000000", 0)), EpcScheme::usdod_96,
                  "urn:epc:tag:usdod-96:0.000000.0", "urn:epc:id:usdod:000000.0");
  }
}

TEST_CASE("USDOD-96 rejects characters outside 0-9 A-Z less I and O") {
  check_raw(decode_epc(usdod96(0, "W81I9C", 1)), EpcRawReason::invalid_character,
            "USDOD-96 CAGE/DoDAAC byte 3 is 0x49 ('I'), not one of 0-9 A-H J-N P-Z "
            "(TDS §6.3 CAGECodeOrDODAAC)");
  check_raw(decode_epc(usdod96(0, " 2SO94", 1)), EpcRawReason::invalid_character,
            "USDOD-96 CAGE/DoDAAC byte 3 is 0x4F ('O'), not one of 0-9 A-H J-N P-Z "
            "(TDS §6.3 CAGECodeOrDODAAC)");
  check_raw(decode_epc(usdod96(0, "w81x9c", 1)), EpcRawReason::invalid_character,
            "USDOD-96 CAGE/DoDAAC byte 0 is 0x77 ('w'), not a space or one of 0-9 A-H J-N P-Z "
            "(TDS §6.3 CAGECodeOrDODAAC)");
  check_raw(decode_epc(usdod96(0, " 2S 94", 1)), EpcRawReason::invalid_character,
            "USDOD-96 CAGE/DoDAAC byte 3 is 0x20, not one of 0-9 A-H J-N P-Z "
            "(TDS §6.3 CAGECodeOrDODAAC)");
  check_raw(decode_epc(Bits().put(0x2F, 8).put(0, 88).bytes()), EpcRawReason::invalid_character,
            "USDOD-96 CAGE/DoDAAC byte 0 is 0x00, not a space or one of 0-9 A-H J-N P-Z "
            "(TDS §6.3 CAGECodeOrDODAAC)");
  check_raw(decode_epc(usdod96(0, "  2S19", 1)), EpcRawReason::invalid_character,
            "USDOD-96 CAGE/DoDAAC byte 1 is 0x20, not one of 0-9 A-H J-N P-Z "
            "(TDS §6.3 CAGECodeOrDODAAC)");
}

// ---------------------------------------------------------------------------
// ADI-var (TDS §14.5, ADI-var coding table; §6.3 grammar).

TEST_CASE("ADI-var decodes variable-length strings and escapes '/' and '#' in URIs") {
  SECTION("CAGE code, part number with '/', serial with a leading '#'") {
    const Bits b = adi_bits(5, " 1A2B3", "AB-12/3", "#XY9");
    REQUIRE(b.size() == 128);
    const auto d = decode_epc(b.bytes());
    check_decoded(d, EpcScheme::adi_var, "urn:epc:tag:adi-var:5.1A2B3.AB-12%2F3.%23XY9",
                  "urn:epc:id:adi:1A2B3.AB-12%2F3.%23XY9");
    CHECK(d.filter == 5u);
    CHECK_FALSE(d.partition.has_value());
    CHECK(field_names(d) ==
          std::vector<std::string_view>{"cage_or_dodaac", "part_number", "serial"});
    // Fields hold the characters themselves; only the URIs are escaped.
    CHECK(field(d, "cage_or_dodaac") == "1A2B3");
    CHECK(field(d, "part_number") == "AB-12/3");
    CHECK(field(d, "serial") == "#XY9");
  }
  SECTION("DoDAAC, empty part number, 6-bit filter at its maximum") {
    check_decoded(decode_epc(adi_bits(63, "W81X9C", "", "S/N-1").bytes()), EpcScheme::adi_var,
                  "urn:epc:tag:adi-var:63.W81X9C..S%2FN-1", "urn:epc:id:adi:W81X9C..S%2FN-1");
  }
  SECTION("32-character part number and 30-character serial are the maximum") {
    const std::string part(32, 'P');
    const std::string serial = "#" + std::string(29, '9');
    const auto d = decode_epc(adi_bits(0, " 0000A", part, serial).bytes());
    check_decoded(d, EpcScheme::adi_var,
                  "urn:epc:tag:adi-var:0.0000A." + part + ".%23" + std::string(29, '9'),
                  "urn:epc:id:adi:0000A." + part + ".%23" + std::string(29, '9'));
  }
  SECTION("zero padding to the PC length is fine") {
    const Bits b = adi_bits(1, " 1A2B3", "X", "Y");
    const auto d = decode_epc(b.bytes(160), PcWord{0x5000});
    check_decoded(d, EpcScheme::adi_var, "urn:epc:tag:adi-var:1.1A2B3.X.Y",
                  "urn:epc:id:adi:1A2B3.X.Y");
    CHECK(d.bits == 160);
  }
}

TEST_CASE("ADI-var character, length and termination rules") {
  SECTION("'#' is only allowed as the first character of the serial") {
    check_raw(decode_epc(adi_bits(0, " 1A2B3", "A#", "1").bytes()), EpcRawReason::invalid_character,
              "ADI-var part number character 2 is 0x23 ('#'), not A-Z, 0-9, '-' or '/' "
              "(TDS §6.3 ADI grammar)");
    check_raw(decode_epc(adi_bits(0, " 1A2B3", "#", "1").bytes()), EpcRawReason::invalid_character,
              "ADI-var part number character 1 is 0x23 ('#'), not A-Z, 0-9, '-' or '/' "
              "(TDS §6.3 ADI grammar)");
    check_raw(decode_epc(adi_bits(0, " 1A2B3", "A", "X#").bytes()), EpcRawReason::invalid_character,
              "ADI-var serial number character 2 is 0x23 ('#'), not A-Z, 0-9, '-' or '/' "
              "(or a leading '#') (TDS §6.3 ADI grammar)");
  }
  SECTION("other 6-bit characters are not ADI characters") {
    check_raw(decode_epc(adi_bits(0, " 1A2B3", ":", "1").bytes()), EpcRawReason::invalid_character,
              "ADI-var part number character 1 is 0x3A (':'), not A-Z, 0-9, '-' or '/' "
              "(TDS §6.3 ADI grammar)");
    check_raw(decode_epc(adi_bits(0, " 1A2B3", "A B", "1").bytes()),
              EpcRawReason::invalid_character,
              "ADI-var part number character 2 is 0x20 (' '), not A-Z, 0-9, '-' or '/' "
              "(TDS §6.3 ADI grammar)");
    check_raw(decode_epc(adi_bits(0, " 1A2B3", "A", "1.2").bytes()),
              EpcRawReason::invalid_character,
              "ADI-var serial number character 2 is 0x2E ('.'), not A-Z, 0-9, '-' or '/' "
              "(or a leading '#') (TDS §6.3 ADI grammar)");
  }
  SECTION("CAGE/DoDAAC characters exclude I and O and spaces after the first") {
    check_raw(decode_epc(adi_bits(0, " 1I2B3", "A", "1").bytes()), EpcRawReason::invalid_character,
              "ADI-var CAGE/DoDAAC character 3 is 0x09 ('I'), not one of 0-9 A-H J-N P-Z "
              "(TDS §6.3 ADI grammar)");
    check_raw(decode_epc(adi_bits(0, "O12345", "A", "1").bytes()), EpcRawReason::invalid_character,
              "ADI-var CAGE/DoDAAC character 1 is 0x0F ('O'), not a space or one of 0-9 A-H J-N "
              "P-Z (TDS §6.3 ADI grammar)");
    check_raw(decode_epc(adi_bits(0, " 1 2B3", "A", "1").bytes()), EpcRawReason::invalid_character,
              "ADI-var CAGE/DoDAAC character 3 is 0x20 (' '), not one of 0-9 A-H J-N P-Z "
              "(TDS §6.3 ADI grammar)");
    check_raw(decode_epc(adi_bits(0, " 1-2B3", "A", "1").bytes()), EpcRawReason::invalid_character,
              "ADI-var CAGE/DoDAAC character 3 is 0x2D ('-'), not one of 0-9 A-H J-N P-Z "
              "(TDS §6.3 ADI grammar)");
  }
  SECTION("length limits: part number 32, serial 30 characters") {
    check_raw(decode_epc(adi_bits(0, " 1A2B3", std::string(33, 'P'), "1").bytes()),
              EpcRawReason::field_out_of_range,
              "ADI-var part number is longer than 32 characters (TDS §14.5 ADI-var coding table)");
    check_raw(
        decode_epc(adi_bits(0, " 1A2B3", "P", std::string(31, '1')).bytes()),
        EpcRawReason::field_out_of_range,
        "ADI-var serial number is longer than 30 characters (TDS §14.5 ADI-var coding table)");
  }
  SECTION("the serial needs at least one character besides '#'") {
    const char* text =
        "ADI-var serial number is empty; it needs 1 to 30 characters besides a leading '#' "
        "(TDS §14.5 ADI-var coding table)";
    check_raw(decode_epc(adi_bits(0, " 1A2B3", "ABC", "").bytes(96)),
              EpcRawReason::field_out_of_range, text);
    check_raw(decode_epc(adi_bits(0, " 1A2B3", "ABC", "#").bytes(96)),
              EpcRawReason::field_out_of_range, text);
  }
  SECTION("a string without its terminator is truncated") {
    Bits b;
    b.put(0x3B, 8).put(0, 6).six(" 1A2B3").six("ABCDEFG").put(0x3F, 4);  // 96 bits, no 000000
    REQUIRE(b.size() == 96);
    check_raw(decode_epc(b.bytes()), EpcRawReason::truncated,
              "ADI-var part number has no 000000 terminator within the 96-bit EPC");
    Bits s;
    s.put(0x3B, 8).put(0, 6).six(" 1A2B3").six("A").put(0, 6).six("123456").put(0x3, 4);
    check_raw(decode_epc(s.bytes()), EpcRawReason::truncated,
              "ADI-var serial number has no 000000 terminator within the 104-bit EPC");
  }
  SECTION("non-zero bits after the serial's terminator") {
    Bits b = adi_bits(0, " 1A2B3", "AB-12/3", "#XY9");  // 128 bits
    b.put(1, 1);
    check_raw(decode_epc(b.bytes()), EpcRawReason::length_mismatch,
              "ADI-var ends at bit 128 but bits 128-135 are not all zero");
  }
  SECTION("shorter than the smallest ADI-var") {
    check_raw(decode_epc(hex("3B0E0CF5E76C9047")), EpcRawReason::truncated,
              "ADI-var needs 68 bits but the EPC has 64");
  }
}

// ---------------------------------------------------------------------------
// Headers (TDS §14.2).

TEST_CASE("header 0x00 is an unprogrammed tag") {
  const auto d = decode_epc(hex("000000000000000000000000"));
  check_raw(d, EpcRawReason::unprogrammed, "header 0x00: unprogrammed tag (TDS §14.2)");
  CHECK(d.raw_uri == "urn:epc:raw:96.x000000000000000000000000");
}

TEST_CASE("TDS headers of schemes garita does not decode name the scheme") {
  struct Row {
    std::uint8_t header;
    const char* text;
  };
  const Row rows[] = {
      {0x2C, "header 0x2C is GDTI-96 (TDS §14.2), a scheme garita does not decode"},
      {0x2D, "header 0x2D is GSRN-96 (TDS §14.2), a scheme garita does not decode"},
      {0x2E, "header 0x2E is GSRNP-96 (TDS §14.2), a scheme garita does not decode"},
      {0x36, "header 0x36 is SGTIN-198 (TDS §14.2), a scheme garita does not decode"},
      {0x37, "header 0x37 is GRAI-170 (TDS §14.2), a scheme garita does not decode"},
      {0x38, "header 0x38 is GIAI-202 (TDS §14.2), a scheme garita does not decode"},
      {0x39, "header 0x39 is SGLN-195 (TDS §14.2), a scheme garita does not decode"},
      {0x3A, "header 0x3A is GDTI-113 (TDS §14.2), a scheme garita does not decode"},
      {0x3C, "header 0x3C is CPI-96 (TDS §14.2), a scheme garita does not decode"},
      {0x3D, "header 0x3D is CPI-var (TDS §14.2), a scheme garita does not decode"},
      {0x3E, "header 0x3E is GDTI-174 (TDS §14.2), a scheme garita does not decode"},
      {0x3F, "header 0x3F is SGCN-96 (TDS §14.2), a scheme garita does not decode"},
      {0x40, "header 0x40 is ITIP-110 (TDS §14.2), a scheme garita does not decode"},
      {0x41, "header 0x41 is ITIP-212 (TDS §14.2), a scheme garita does not decode"},
      {0xF0, "header 0xF0 is CPI+ (TDS §14.2), a scheme garita does not decode"},
      {0xF1, "header 0xF1 is GRAI+ (TDS §14.2), a scheme garita does not decode"},
      {0xF2, "header 0xF2 is SGLN+ (TDS §14.2), a scheme garita does not decode"},
      {0xF3, "header 0xF3 is ITIP+ (TDS §14.2), a scheme garita does not decode"},
      {0xF4, "header 0xF4 is GSRN+ (TDS §14.2), a scheme garita does not decode"},
      {0xF5, "header 0xF5 is GSRNP+ (TDS §14.2), a scheme garita does not decode"},
      {0xF6, "header 0xF6 is GDTI+ (TDS §14.2), a scheme garita does not decode"},
      {0xF7, "header 0xF7 is SGTIN+ (TDS §14.2), a scheme garita does not decode"},
      {0xF8, "header 0xF8 is SGCN+ (TDS §14.2), a scheme garita does not decode"},
      {0xF9, "header 0xF9 is SSCC+ (TDS §14.2), a scheme garita does not decode"},
      {0xFA, "header 0xFA is GIAI+ (TDS §14.2), a scheme garita does not decode"},
      {0xFB, "header 0xFB is DSGTIN+ (TDS §14.2), a scheme garita does not decode"},
  };
  for (const Row& r : rows) {
    CAPTURE(static_cast<unsigned>(r.header));
    auto bytes = Bits().put(r.header, 8).put(0x123456789ULL, 40).bytes(96);
    check_raw(decode_epc(bytes), EpcRawReason::unsupported_scheme, r.text);
  }
  // The raw URI keeps every bit.
  const auto d = decode_epc(hex("3614257BF7194E4000001A85"));
  CHECK(d.raw_uri == "urn:epc:raw:96.x3614257BF7194E4000001A85");
  CHECK(d.tag_uri == d.raw_uri);
}

TEST_CASE("headers the TDS does not assign are unknown") {
  const char* plain = " is not assigned in TDS (§14.2)";
  const char* sunset =
      " is not assigned in TDS (§14.2: reserved since the 64-bit encodings were withdrawn)";
  struct Row {
    std::uint8_t header;
    const char* name;
    const char* tail;
  };
  const Row rows[] = {
      {0x01, "0x01", plain},  {0x07, "0x07", plain},  {0x08, "0x08", sunset},
      {0x0F, "0x0F", sunset}, {0x10, "0x10", plain},  {0x2B, "0x2B", plain},
      {0x42, "0x42", plain},  {0x7F, "0x7F", plain},  {0x80, "0x80", sunset},
      {0xBF, "0xBF", sunset}, {0xCE, "0xCE", sunset}, {0xE2, "0xE2", plain},
      {0xEF, "0xEF", plain},  {0xFC, "0xFC", plain},  {0xFF, "0xFF", plain},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    check_raw(decode_epc(Bits().put(r.header, 8).bytes(96)), EpcRawReason::unknown_header,
              std::string("header ") + r.name + r.tail);
  }
}

// ---------------------------------------------------------------------------
// Lengths and padding.

TEST_CASE("too few bits for a 96-bit scheme is truncated") {
  check_raw(decode_epc(hex("3074257BF7194E40")), EpcRawReason::truncated,
            "SGTIN-96 needs 96 bits but the EPC has 64");
  check_raw(decode_epc(hex("31")), EpcRawReason::truncated,
            "SSCC-96 needs 96 bits but the EPC has 8");
  check_raw(decode_epc(hex("3234257BF46072000000")), EpcRawReason::truncated,
            "SGLN-96 needs 96 bits but the EPC has 80");
  check_raw(decode_epc(hex("33")), EpcRawReason::truncated,
            "GRAI-96 needs 96 bits but the EPC has 8");
  check_raw(decode_epc(hex("34")), EpcRawReason::truncated,
            "GIAI-96 needs 96 bits but the EPC has 8");
  check_raw(decode_epc(hex("355AB1C6000303900000")), EpcRawReason::truncated,
            "GID-96 needs 96 bits but the EPC has 80");
  check_raw(decode_epc(hex("2F")), EpcRawReason::truncated,
            "USDOD-96 needs 96 bits but the EPC has 8");
}

TEST_CASE("zero bits beyond the scheme are padding; non-zero bits are a length mismatch") {
  SECTION("zero padding, with and without a PC") {
    const auto d = decode_epc(hex("3074257BF7194E4000001A8500000000"));
    check_decoded(d, EpcScheme::sgtin_96, "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
                  "urn:epc:id:sgtin:0614141.812345.6789");
    CHECK(d.bits == 128);
    CHECK(d.raw_uri == "urn:epc:raw:128.x3074257BF7194E4000001A8500000000");
    const auto p = decode_epc(hex("3074257BF7194E4000001A8500000000"), PcWord{0x4000});
    CHECK(p.decoded());
    CHECK(p.bits == 128);
    const auto odd = decode_epc(hex("355AB1C6000303900000019000"));
    CHECK(odd.decoded());
    CHECK(odd.bits == 104);
  }
  SECTION("non-zero bits after bit 96") {
    check_raw(decode_epc(hex("3074257BF7194E4000001A8500000001")), EpcRawReason::length_mismatch,
              "SGTIN-96 ends at bit 96 but bits 96-127 are not all zero");
    check_raw(decode_epc(hex("355AB1C6000303900000019080")), EpcRawReason::length_mismatch,
              "GID-96 ends at bit 96 but bits 96-103 are not all zero");
    check_raw(decode_epc(hex("3154257BF4499602D20000000000000000000000000000FF")),
              EpcRawReason::length_mismatch,
              "SSCC-96 ends at bit 96 but bits 96-191 are not all zero");
  }
}

// ---------------------------------------------------------------------------
// PC word handling (TDS §15.1.1, §15.2).

TEST_CASE("the PC length field decides how many bits are the EPC") {
  const auto sgtin = hex("3074257BF7194E4000001A85");
  SECTION("L matches the input") {
    const auto d = decode_epc(sgtin, PcWord{0x3000});
    CHECK(d.decoded());
    CHECK(d.pc.has_value());
    CHECK(d.pc->raw == 0x3000);
    CHECK(d.raw_uri == "urn:epc:raw:96.x3074257BF7194E4000001A85");
  }
  SECTION("input longer than L: the extra bytes are ignored") {
    auto longer = sgtin;
    longer.insert(longer.end(), {0xDE, 0xAD, 0xBE, 0xEF});
    const auto d = decode_epc(longer, PcWord{0x3000});
    check_decoded(d, EpcScheme::sgtin_96, "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
                  "urn:epc:id:sgtin:0614141.812345.6789");
    CHECK(d.bits == 96);
    CHECK(d.bytes == sgtin);
    CHECK(d.hex == "3074257BF7194E4000001A85");
  }
  SECTION("L shorter than the scheme: the EPC is cut to L words") {
    const auto d = decode_epc(sgtin, PcWord{0x2000});
    check_raw(d, EpcRawReason::truncated, "SGTIN-96 needs 96 bits but the EPC has 64");
    CHECK(d.bits == 64);
    CHECK(d.hex == "3074257BF7194E40");
    CHECK(d.raw_uri == "urn:epc:raw:64.x3074257BF7194E40");
  }
  SECTION("L longer than the input is truncated") {
    const auto d = decode_epc(sgtin, PcWord{0x4000});
    check_raw(d, EpcRawReason::truncated,
              "the PC length is 128 bits but only 96 bits of EPC were given");
    CHECK(d.bits == 96);
    CHECK(d.raw_uri == "urn:epc:raw:96.x3074257BF7194E4000001A85");
  }
  SECTION("L = 0 is an empty EPC") {
    const auto d = decode_epc(sgtin, PcWord{0x0000});
    check_raw(d, EpcRawReason::empty, "the PC length field is 0 words: the EPC is empty");
    CHECK(d.bits == 0);
    CHECK(d.bytes.empty());
    CHECK(d.hex.empty());
    CHECK(d.raw_uri == "urn:epc:raw:0.x");
  }
  SECTION("no PC and no bytes is an empty EPC") {
    const auto d = decode_epc({});
    check_raw(d, EpcRawReason::empty, "no EPC bytes were given");
    CHECK(d.raw_uri == "urn:epc:raw:0.x");
  }
  SECTION("L > 0 but no bytes at all") {
    check_raw(decode_epc({}, PcWord{0x3000}), EpcRawReason::truncated,
              "the PC length is 96 bits but only 0 bits of EPC were given");
  }
}

TEST_CASE("control fields go right after urn:epc:tag: and urn:epc:raw: (TDS §15.2.4)") {
  const auto sgtin = hex("3074257BF7194E4000001A85");
  const std::string body = "sgtin-96:3.0614141.812345.6789";
  const std::string id = "urn:epc:id:sgtin:0614141.812345.6789";
  const std::string raw_body = "96.x3074257BF7194E4000001A85";
  SECTION("attribute bits (toggle = 0)") {
    const auto d = decode_epc(sgtin, PcWord{0x3001});
    check_decoded(d, EpcScheme::sgtin_96, "urn:epc:tag:[att=x01]" + body, id);
    CHECK(d.raw_uri == "urn:epc:raw:[att=x01]" + raw_body);
    CHECK(decode_epc(sgtin, PcWord{0x30A5}).tag_uri == "urn:epc:tag:[att=xA5]" + body);
  }
  SECTION("user memory indicator") {
    const auto d = decode_epc(sgtin, PcWord{0x3400});
    check_decoded(d, EpcScheme::sgtin_96, "urn:epc:tag:[umi=1]" + body, id);
    CHECK(d.raw_uri == "urn:epc:raw:[umi=1]" + raw_body);
  }
  SECTION("XI with an XPC_W1 word") {
    const std::uint16_t xpc[] = {0x0004};
    const auto d = decode_epc(sgtin, PcWord{0x3200}, xpc);
    check_decoded(d, EpcScheme::sgtin_96, "urn:epc:tag:[xpc=x0004]" + body, id);
    CHECK(d.raw_uri == "urn:epc:raw:[xpc=x0004]" + raw_body);
    CHECK(d.xpc == std::vector<std::uint16_t>{0x0004});
  }
  SECTION("only XPC_W1 goes into the URI; XPC_W2 is carried as given") {
    const std::uint16_t xpc[] = {0x8A0C, 0x1234};
    const auto d = decode_epc(sgtin, PcWord{0x3200}, xpc);
    CHECK(d.tag_uri == "urn:epc:tag:[xpc=x8A0C]" + body);
    CHECK(d.xpc == std::vector<std::uint16_t>{0x8A0C, 0x1234});
  }
  SECTION("a zero XPC_W1, XI without XPC words, or XPC words without XI add nothing") {
    const std::uint16_t zero[] = {0x0000};
    const std::uint16_t four[] = {0x0004};
    CHECK(decode_epc(sgtin, PcWord{0x3200}, zero).tag_uri == "urn:epc:tag:" + body);
    CHECK(decode_epc(sgtin, PcWord{0x3200}).tag_uri == "urn:epc:tag:" + body);
    CHECK(decode_epc(sgtin, PcWord{0x3000}, four).tag_uri == "urn:epc:tag:" + body);
  }
  SECTION("all three, in the TDS order att, umi, xpc") {
    const std::uint16_t xpc[] = {0x0004};
    const auto d = decode_epc(sgtin, PcWord{0x3601}, xpc);
    check_decoded(d, EpcScheme::sgtin_96, "urn:epc:tag:[att=x01][umi=1][xpc=x0004]" + body, id);
    CHECK(d.raw_uri == "urn:epc:raw:[att=x01][umi=1][xpc=x0004]" + raw_body);
  }
  SECTION("control fields also precede raw URIs of undecodable EPCs") {
    const std::uint16_t xpc[] = {0x0004};
    const auto d = decode_epc(hex("1234567890ABCDEF01234567"), PcWord{0x3601}, xpc);
    check_raw(d, EpcRawReason::unknown_header, "header 0x12 is not assigned in TDS (§14.2)");
    CHECK(d.raw_uri == "urn:epc:raw:[att=x01][umi=1][xpc=x0004]96.x1234567890ABCDEF01234567");
  }
  SECTION("without a PC there are no control fields") {
    CHECK(decode_epc(sgtin).tag_uri == "urn:epc:tag:" + body);
  }
  SECTION("control fields with other schemes") {
    const auto d = decode_epc(hex("3154257BF4499602D2000000"), PcWord{0x3400});
    CHECK(d.tag_uri == "urn:epc:tag:[umi=1]sscc-96:2.0614141.1234567890");
    CHECK(d.id_uri == "urn:epc:id:sscc:0614141.1234567890");
  }
}

TEST_CASE("toggle = 1 is an ISO UII: raw, AFI form of the raw URI") {
  const auto sgtin = hex("3074257BF7194E4000001A85");
  SECTION("AFI only") {
    const auto d = decode_epc(sgtin, PcWord{0x31C1});
    check_raw(d, EpcRawReason::iso_toggle,
              "the PC toggle bit is 1: an ISO/IEC 15961 UII with AFI 0xC1, not a GS1 EPC "
              "(TDS §15.1.1)");
    CHECK(d.raw_uri == "urn:epc:raw:96.xC1.x3074257BF7194E4000001A85");
  }
  SECTION("the AFI is not an attribute field; UMI and XPC still apply") {
    const std::uint16_t xpc[] = {0x0001};
    const auto d = decode_epc(sgtin, PcWord{0x37C1}, xpc);
    CHECK(d.reason == EpcRawReason::iso_toggle);
    CHECK(d.raw_uri == "urn:epc:raw:[umi=1][xpc=x0001]96.xC1.x3074257BF7194E4000001A85");
    CHECK(d.tag_uri == d.raw_uri);
  }
  SECTION("AFI 00") {
    CHECK(decode_epc(sgtin, PcWord{0x3100}).raw_uri ==
          "urn:epc:raw:96.x00.x3074257BF7194E4000001A85");
  }
  SECTION("an empty ISO UII keeps the AFI form") {
    const auto d = decode_epc(sgtin, PcWord{0x01C1});
    CHECK(d.reason == EpcRawReason::empty);
    CHECK(d.raw_uri == "urn:epc:raw:0.xC1.x");
  }
}

// ---------------------------------------------------------------------------
// Names and robustness.

TEST_CASE("to_string names every scheme and reason") {
  using garita::to_string;
  CHECK(to_string(EpcScheme::raw) == "raw");
  CHECK(to_string(EpcScheme::sgtin_96) == "sgtin-96");
  CHECK(to_string(EpcScheme::sscc_96) == "sscc-96");
  CHECK(to_string(EpcScheme::sgln_96) == "sgln-96");
  CHECK(to_string(EpcScheme::grai_96) == "grai-96");
  CHECK(to_string(EpcScheme::giai_96) == "giai-96");
  CHECK(to_string(EpcScheme::gid_96) == "gid-96");
  CHECK(to_string(EpcScheme::usdod_96) == "usdod-96");
  CHECK(to_string(EpcScheme::adi_var) == "adi-var");
  CHECK(to_string(EpcRawReason::none) == "none");
  CHECK(to_string(EpcRawReason::empty) == "empty");
  CHECK(to_string(EpcRawReason::truncated) == "truncated");
  CHECK(to_string(EpcRawReason::unprogrammed) == "unprogrammed");
  CHECK(to_string(EpcRawReason::unknown_header) == "unknown_header");
  CHECK(to_string(EpcRawReason::unsupported_scheme) == "unsupported_scheme");
  CHECK(to_string(EpcRawReason::reserved_partition) == "reserved_partition");
  CHECK(to_string(EpcRawReason::field_out_of_range) == "field_out_of_range");
  CHECK(to_string(EpcRawReason::invalid_character) == "invalid_character");
  CHECK(to_string(EpcRawReason::length_mismatch) == "length_mismatch");
  CHECK(to_string(EpcRawReason::iso_toggle) == "iso_toggle");
}

TEST_CASE("every header, length and PC keeps the decoder's invariants") {
  const std::uint16_t pcs[] = {0x0000, 0x3000, 0x3601, 0x31C1, 0x4000, 0xF8FF};
  const std::uint16_t xpc[] = {0xFFFF, 0xFFFF};
  std::vector<std::uint8_t> buf;
  for (unsigned header = 0; header < 256; ++header) {
    for (std::size_t len : {std::size_t{1}, std::size_t{11}, std::size_t{12}, std::size_t{13},
                            std::size_t{19}, std::size_t{62}}) {
      for (std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0xFF}, std::uint8_t{0x5A}}) {
        buf.assign(len, fill);
        buf[0] = static_cast<std::uint8_t>(header);
        for (int with_pc = 0; with_pc < 7; ++with_pc) {
          const std::optional<PcWord> pc =
              with_pc == 6 ? std::nullopt : std::optional<PcWord>(PcWord{pcs[with_pc]});
          const auto d = decode_epc(buf, pc, xpc);
          REQUIRE(d.raw_uri.rfind("urn:epc:raw:", 0) == 0);
          REQUIRE(d.hex == garita::to_hex(d.bytes));
          REQUIRE(d.bits == d.bytes.size() * 8);
          if (d.decoded()) {
            REQUIRE(d.reason == EpcRawReason::none);
            REQUIRE(d.tag_uri.rfind("urn:epc:tag:", 0) == 0);
            REQUIRE(d.id_uri.rfind("urn:epc:id:", 0) == 0);
            REQUIRE_FALSE(d.fields.empty());
          } else {
            REQUIRE(d.reason != EpcRawReason::none);
            REQUIRE_FALSE(d.reason_text.empty());
            REQUIRE(d.tag_uri == d.raw_uri);
            REQUIRE(d.id_uri.empty());
          }
        }
      }
    }
  }
}
