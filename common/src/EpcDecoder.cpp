// GS1 EPC decoder: EPC memory (PC word, optional XPC words, EPC bits) to the
// EPC Tag URI, Pure Identity URI and Raw URI of the GS1 EPC Tag Data
// Standard (TDS). Section numbers below are those of TDS 1.x (checked
// against 1.6 and 1.9); a later release may renumber, so each citation also
// names the table or procedure so it can be found in any release.
//
// Contract (Epc.hpp): never throw, never crash, never reject. Anything that is
// not a valid encoding of a scheme decoded here comes back as the EPC Raw URI
// with a reason. The decoding is strict on purpose: an entry lane must not
// turn a malformed tag into a plausible-looking but wrong identity.
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "garita/common/BitReader.hpp"
#include "garita/common/Epc.hpp"
#include "garita/common/Hex.hpp"

namespace garita {
namespace {

// ---------------------------------------------------------------------------
// Small formatting helpers (no iostreams, no exceptions).

constexpr std::array<std::uint64_t, 20> kPow10 = {
    1ULL,
    10ULL,
    100ULL,
    1000ULL,
    10000ULL,
    100000ULL,
    1000000ULL,
    10000000ULL,
    100000000ULL,
    1000000000ULL,
    10000000000ULL,
    100000000000ULL,
    1000000000000ULL,
    10000000000000ULL,
    100000000000000ULL,
    1000000000000000ULL,
    10000000000000000ULL,
    100000000000000000ULL,
    1000000000000000000ULL,
    10000000000000000000ULL,
};

void append_uint(std::string& out, std::uint64_t v) {
  char buf[20];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// `v` as exactly `digits` decimal digits, leading zeros kept. The caller has
// checked v < 10^digits, so nothing is ever cut.
void append_padded(std::string& out, std::uint64_t v, unsigned digits) {
  if (digits == 0) return;  // a zero-digit field is the empty string (v is 0)
  char buf[20];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  const auto len = static_cast<std::size_t>(res.ptr - buf);
  if (len < digits) out.append(digits - len, '0');
  out.append(buf, res.ptr);
}

void append_hex_fixed(std::string& out, unsigned v, unsigned digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (unsigned i = digits; i-- > 0;) out.push_back(kDigits[(v >> (4 * i)) & 0xF]);
}

std::string uint_string(std::uint64_t v) {
  std::string s;
  append_uint(s, v);
  return s;
}

std::string padded_string(std::uint64_t v, unsigned digits) {
  std::string s;
  append_padded(s, v, digits);
  return s;
}

std::string hex_byte(unsigned v) {
  std::string s = "0x";
  append_hex_fixed(s, v, 2);
  return s;
}

// TDS §6 (URI grammar, "GS3A3"/ADIChar components) and §14.4 (6-bit string
// decoding): '/' and '#' are not allowed literally in these URI components
// and are written as %2F and %23. Nothing else an ADI string may hold needs
// escaping.
void append_uri_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '/') {
      out += "%2F";
    } else if (c == '#') {
      out += "%23";
    } else {
      out.push_back(c);
    }
  }
}

// ---------------------------------------------------------------------------
// Partition tables (TDS §14.5.x). Each row: bits and decimal digits of the
// company prefix (C) and of the reference that shares the partitioned space
// (R). Partition 7 is reserved in every table.

struct PartitionRow {
  std::uint8_t c_bits;
  std::uint8_t c_digits;
  std::uint8_t r_bits;
  std::uint8_t r_digits;
};
using PartitionTable = std::array<PartitionRow, 7>;

// §14.5.1 SGTIN partition table: C + indicator/item reference =
// 44 bits, 13 digits.
constexpr PartitionTable kSgtinPartitions = {{
    {40, 12, 4, 1},
    {37, 11, 7, 2},
    {34, 10, 10, 3},
    {30, 9, 14, 4},
    {27, 8, 17, 5},
    {24, 7, 20, 6},
    {20, 6, 24, 7},
}};
// §14.5.2 SSCC partition table: C + extension digit/serial reference = 58
// bits, 17 digits.
constexpr PartitionTable kSsccPartitions = {{
    {40, 12, 18, 5},
    {37, 11, 21, 6},
    {34, 10, 24, 7},
    {30, 9, 28, 8},
    {27, 8, 31, 9},
    {24, 7, 34, 10},
    {20, 6, 38, 11},
}};
// §14.5.3 SGLN partition table: C + location reference = 41 bits, 12 digits.
// Partition 0 leaves one bit and zero digits for the location reference.
constexpr PartitionTable kSglnPartitions = {{
    {40, 12, 1, 0},
    {37, 11, 4, 1},
    {34, 10, 7, 2},
    {30, 9, 11, 3},
    {27, 8, 14, 4},
    {24, 7, 17, 5},
    {20, 6, 21, 6},
}};
// §14.5.4 GRAI partition table: C + asset type = 44 bits, 12 digits.
// Partition 0 leaves four bits and zero digits for the asset type.
constexpr PartitionTable kGraiPartitions = {{
    {40, 12, 4, 0},
    {37, 11, 7, 1},
    {34, 10, 10, 2},
    {30, 9, 14, 3},
    {27, 8, 17, 4},
    {24, 7, 20, 5},
    {20, 6, 24, 6},
}};
// §14.5.5 GIAI partition table (GIAI-96 column): C + individual asset
// reference = 82 bits. The reference is an unpadded integer whose digit
// limit 2^bits never reaches, so only C can be out of range.
constexpr PartitionTable kGiaiPartitions = {{
    {40, 12, 42, 13},
    {37, 11, 45, 14},
    {34, 10, 48, 15},
    {30, 9, 52, 16},
    {27, 8, 55, 17},
    {24, 7, 58, 18},
    {20, 6, 62, 19},
}};

// What follows the partitioned space in a 96-bit partitioned scheme.
enum class Tail : std::uint8_t {
  none,      // GIAI-96: the reference runs to bit 95
  integer,   // serial / extension: integer, printed without padding
  reserved,  // SSCC-96: 24 bits that must be zero
};

struct PartitionScheme {
  EpcScheme scheme;
  std::string_view name;      // "SGTIN-96", for reason texts
  std::string_view tag_name;  // "sgtin-96"
  std::string_view id_name;   // "sgtin"
  std::string_view section;   // "§14.5.1"
  const PartitionTable* table;
  std::string_view r_field;  // field name of R
  std::string_view r_human;  // R in reason texts
  bool r_padded;             // R keeps leading zeros (all but GIAI)
  Tail tail;
  unsigned tail_bits;
  std::string_view tail_field;
};

constexpr PartitionScheme kSgtin96{
    EpcScheme::sgtin_96, "SGTIN-96",       "sgtin-96", "sgtin",       "§14.5.1", &kSgtinPartitions,
    "item_reference",    "item reference", true,       Tail::integer, 38,        "serial"};
constexpr PartitionScheme kSscc96{
    EpcScheme::sscc_96, "SSCC-96",          "sscc-96", "sscc",         "§14.5.2", &kSsccPartitions,
    "serial_reference", "serial reference", true,      Tail::reserved, 24,        ""};
constexpr PartitionScheme kSgln96{EpcScheme::sgln_96,
                                  "SGLN-96",
                                  "sgln-96",
                                  "sgln",
                                  "§14.5.3",
                                  &kSglnPartitions,
                                  "location_reference",
                                  "location reference",
                                  true,
                                  Tail::integer,
                                  41,
                                  "extension"};
constexpr PartitionScheme kGrai96{
    EpcScheme::grai_96, "GRAI-96",    "grai-96", "grai",        "§14.5.4", &kGraiPartitions,
    "asset_type",       "asset type", true,      Tail::integer, 38,        "serial"};
constexpr PartitionScheme kGiai96{EpcScheme::giai_96,
                                  "GIAI-96",
                                  "giai-96",
                                  "giai",
                                  "§14.5.5",
                                  &kGiaiPartitions,
                                  "individual_asset_reference",
                                  "individual asset reference",
                                  false,
                                  Tail::none,
                                  0,
                                  ""};

// ---------------------------------------------------------------------------
// TDS §14.2, Table 14-1 (EPC binary header values), as of TDS 2.0. Headers
// listed here are assigned to a scheme this decoder does not decode; each
// was checked against the BINARY prefixMatch of the GS1 TDT 2.0 definition
// files for that scheme.

struct UnsupportedHeader {
  std::uint8_t header;
  std::string_view scheme;
};

constexpr std::array<UnsupportedHeader, 26> kUnsupported = {{
    {0x2C, "GDTI-96"},  {0x2D, "GSRN-96"},  {0x2E, "GSRNP-96"}, {0x36, "SGTIN-198"},
    {0x37, "GRAI-170"}, {0x38, "GIAI-202"}, {0x39, "SGLN-195"}, {0x3A, "GDTI-113"},
    {0x3C, "CPI-96"},   {0x3D, "CPI-var"},  {0x3E, "GDTI-174"}, {0x3F, "SGCN-96"},
    {0x40, "ITIP-110"}, {0x41, "ITIP-212"}, {0xF0, "CPI+"},     {0xF1, "GRAI+"},
    {0xF2, "SGLN+"},    {0xF3, "ITIP+"},    {0xF4, "GSRN+"},    {0xF5, "GSRNP+"},
    {0xF6, "GDTI+"},    {0xF7, "SGTIN+"},   {0xF8, "SGCN+"},    {0xF9, "SSCC+"},
    {0xFA, "GIAI+"},    {0xFB, "DSGTIN+"},
}};

std::string_view unsupported_scheme(std::uint8_t header) noexcept {
  for (const auto& u : kUnsupported) {
    if (u.header == header) return u.scheme;
  }
  return {};
}

// Headers Table 14-1 keeps "reserved until 64-bit sunset": 0x08-0x0F,
// 0x80-0xBF (SGTIN-64's 2-bit header '10') and 0xCE (DoD-64). The 64-bit
// encodings are no longer part of the TDS, so nothing decodes to them.
bool reserved_64bit(std::uint8_t header) noexcept {
  return (header >= 0x08 && header <= 0x0F) || (header >= 0x80 && header <= 0xBF) || header == 0xCE;
}

// ---------------------------------------------------------------------------
// Character alphabets.

// TDS §6.3 USDOD/ADI grammar (CAGECodeOrDODAAC): digits and upper-case
// letters except I and O.
bool is_cage_char(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O');
}

// TDS Appendix G (6-bit alphanumeric): a 6-bit value is the low six bits of
// an ISO 646 character in 0x20-0x5F, so 1-26 are 'A'-'Z' and 48-57 '0'-'9'.
char six_bit_char(unsigned v) noexcept { return static_cast<char>(v < 32 ? v + 0x40 : v); }

// TDS §6.3 ADI grammar (ADIChar): upper-case letters, digits, '-' and '/'.
bool is_adi_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '/';
}

// ---------------------------------------------------------------------------
// Decoding state.

struct Context {
  DecodedEpc& out;
  BitReader reader;
  std::size_t bits;          // EPC length in bits
  std::string_view control;  // TDS §15.2.4 control-field string
};

void set_raw(DecodedEpc& out, EpcRawReason reason, std::string text) {
  out.scheme = EpcScheme::raw;
  out.reason = reason;
  out.reason_text = std::move(text);
  out.filter.reset();
  out.partition.reset();
  out.fields.clear();
  out.tag_uri = out.raw_uri;
  out.id_uri.clear();
}

bool need_bits(Context& ctx, std::string_view scheme, std::size_t needed) {
  if (ctx.bits >= needed) return true;
  std::string text(scheme);
  text += " needs ";
  append_uint(text, needed);
  text += " bits but the EPC has ";
  append_uint(text, ctx.bits);
  set_raw(ctx.out, EpcRawReason::truncated, std::move(text));
  return false;
}

// Bits past the end of the encoding are zero padding to a word boundary
// (TDS §15.1.1 pads the EPC with zeros to the PC length); anything else means
// the bits are not this scheme's encoding.
bool check_padding(Context& ctx, std::string_view scheme, std::size_t end) {
  for (std::size_t pos = end; pos < ctx.bits;) {
    const auto n = static_cast<unsigned>(ctx.bits - pos < 64 ? ctx.bits - pos : 64);
    if (ctx.reader.bits(pos, n) != 0) {
      std::string text(scheme);
      text += " ends at bit ";
      append_uint(text, end);
      text += " but bits ";
      append_uint(text, end);
      text += '-';
      append_uint(text, ctx.bits - 1);
      text += " are not all zero";
      set_raw(ctx.out, EpcRawReason::length_mismatch, std::move(text));
      return false;
    }
    pos += n;
  }
  return true;
}

void add_field(DecodedEpc& out, std::string_view name, std::string value) {
  out.fields.push_back(EpcField{name, std::move(value)});
}

// Builds both URIs from the fields already in `out.fields`: TDS §12.3 (tag
// URI = scheme-specific body with the filter, plus control fields inserted
// right after "urn:epc:tag:" per §15.2.4) and §6 (pure identity URI).
void finish_uris(Context& ctx, std::string_view tag_name, std::string_view id_name,
                 std::optional<unsigned> filter, bool escape) {
  constexpr std::string_view kIdPrefix = "urn:epc:id:";
  constexpr std::string_view kTagPrefix = "urn:epc:tag:";
  // The pure identity URI is built first; the tag URI reuses its body.
  std::string& id = ctx.out.id_uri;
  id.clear();
  id.reserve(kIdPrefix.size() + id_name.size() + 48);
  id += kIdPrefix;
  id += id_name;
  id.push_back(':');
  const std::size_t body_at = id.size();
  for (std::size_t i = 0; i < ctx.out.fields.size(); ++i) {
    if (i != 0) id.push_back('.');
    if (escape) {
      append_uri_escaped(id, ctx.out.fields[i].value);
    } else {
      id += ctx.out.fields[i].value;
    }
  }
  const std::string_view body = std::string_view(id).substr(body_at);

  std::string& tag = ctx.out.tag_uri;
  tag.clear();
  tag.reserve(kTagPrefix.size() + ctx.control.size() + tag_name.size() + 4 + body.size());
  tag += kTagPrefix;
  tag += ctx.control;
  tag += tag_name;
  tag.push_back(':');
  if (filter) {
    append_uint(tag, *filter);
    tag.push_back('.');
  }
  tag += body;
  ctx.out.filter = filter;
}

std::string digits_text(const PartitionScheme& s, std::string_view what, std::uint64_t value,
                        unsigned digits, unsigned partition) {
  std::string text(s.name);
  text.push_back(' ');
  text += what;
  text.push_back(' ');
  append_uint(text, value);
  text += " has more than ";
  append_uint(text, digits);
  text += digits == 1 ? " digit" : " digits";
  text += " for partition ";
  append_uint(text, partition);
  text += " (TDS ";
  text += s.section;
  text.push_back(')');
  return text;
}

// The five 96-bit partitioned schemes share one layout (TDS §14.5.x coding
// tables): header 8, filter 3, partition 3, C, R, then the scheme's tail,
// 96 bits in all.
void decode_partitioned(Context& ctx, const PartitionScheme& s) {
  if (!need_bits(ctx, s.name, 96) || !check_padding(ctx, s.name, 96)) return;
  const BitReader& r = ctx.reader;
  const auto filter = static_cast<unsigned>(r.bits(8, 3));
  const auto partition = static_cast<unsigned>(r.bits(11, 3));
  if (partition == 7) {
    std::string text(s.name);
    text += " partition 7 is reserved (TDS ";
    text += s.section;
    text.push_back(')');
    set_raw(ctx.out, EpcRawReason::reserved_partition, std::move(text));
    return;
  }
  const PartitionRow& row = (*s.table)[partition];
  // TDS §14.4 "Partition Table" decoding method: C must be below 10^L digits and
  // R below 10^M digits, otherwise the decoding fails. With zero digits R
  // must be 0 (and prints as the empty string).
  const std::uint64_t c = r.bits(14, row.c_bits);
  if (c >= kPow10[row.c_digits]) {
    set_raw(ctx.out, EpcRawReason::field_out_of_range,
            digits_text(s, "company prefix", c, row.c_digits, partition));
    return;
  }
  const std::size_t r_at = 14u + row.c_bits;
  const std::uint64_t ref = r.bits(r_at, row.r_bits);
  if (ref >= kPow10[row.r_digits]) {
    set_raw(ctx.out, EpcRawReason::field_out_of_range,
            digits_text(s, s.r_human, ref, row.r_digits, partition));
    return;
  }
  const std::size_t tail_at = r_at + row.r_bits;
  std::uint64_t tail = 0;
  if (s.tail != Tail::none) tail = r.bits(tail_at, s.tail_bits);
  if (s.tail == Tail::reserved && tail != 0) {
    // TDS §14.5.2.1 (SSCC-96 coding table): the last 24 bits are
    // "(Reserved)" and hold zeros; the GS1 TDT SSCC-96 binary pattern
    // matches only literal zeros there. Non-zero bits mean this is not a
    // valid SSCC-96, so it is not decoded.
    std::string text(s.name);
    text += " reserved bits 72-95 hold ";
    text += "0x";
    append_hex_fixed(text, static_cast<unsigned>(tail), 6);
    text += "; they must be zero (TDS ";
    text += s.section;
    text += ".1)";
    set_raw(ctx.out, EpcRawReason::field_out_of_range, std::move(text));
    return;
  }

  DecodedEpc& out = ctx.out;
  out.scheme = s.scheme;
  out.partition = partition;
  out.fields.reserve(3);
  add_field(out, "company_prefix", padded_string(c, row.c_digits));
  add_field(out, s.r_field, s.r_padded ? padded_string(ref, row.r_digits) : uint_string(ref));
  if (s.tail == Tail::integer) add_field(out, s.tail_field, uint_string(tail));
  finish_uris(ctx, s.tag_name, s.id_name, filter, false);
}

// TDS §14.5 GID-96 coding table: header 8, general manager 28, object
// class 24, serial 36; all integers, no filter. Every value fits.
void decode_gid96(Context& ctx) {
  if (!need_bits(ctx, "GID-96", 96) || !check_padding(ctx, "GID-96", 96)) return;
  const BitReader& r = ctx.reader;
  DecodedEpc& out = ctx.out;
  out.scheme = EpcScheme::gid_96;
  out.fields.reserve(3);
  add_field(out, "general_manager", uint_string(r.bits(8, 28)));
  add_field(out, "object_class", uint_string(r.bits(36, 24)));
  add_field(out, "serial", uint_string(r.bits(60, 36)));
  finish_uris(ctx, "gid-96", "gid", std::nullopt, false);
}

// TDS §14.5 DoD-96 coding table (after the US DoD Supplier's Passive RFID
// Information Guide): header 8, filter 4, CAGE/DoDAAC as six 8-bit ASCII
// characters (a 5-character CAGE code is preceded by a space, which is not
// part of the identifier), serial 36 bits integer.
void decode_usdod96(Context& ctx) {
  if (!need_bits(ctx, "USDOD-96", 96) || !check_padding(ctx, "USDOD-96", 96)) return;
  const BitReader& r = ctx.reader;
  std::string cage;
  cage.reserve(6);
  for (unsigned i = 0; i < 6; ++i) {
    const auto b = static_cast<unsigned>(r.bits(12 + 8u * i, 8));
    const char c = static_cast<char>(b);
    if (i == 0 && b == 0x20) continue;  // 5-character CAGE code
    if (!is_cage_char(c)) {
      std::string text = "USDOD-96 CAGE/DoDAAC byte ";
      append_uint(text, i);
      text += " is ";
      text += hex_byte(b);
      if (b > 0x20 && b < 0x7F) {
        text += " ('";
        text.push_back(c);
        text += "')";
      }
      text += i == 0 ? ", not a space or one of 0-9 A-H J-N P-Z (TDS §6.3 CAGECodeOrDODAAC)"
                     : ", not one of 0-9 A-H J-N P-Z (TDS §6.3 CAGECodeOrDODAAC)";
      set_raw(ctx.out, EpcRawReason::invalid_character, std::move(text));
      return;
    }
    cage.push_back(c);
  }
  DecodedEpc& out = ctx.out;
  out.scheme = EpcScheme::usdod_96;
  out.fields.reserve(2);
  add_field(out, "cage_or_dodaac", std::move(cage));
  add_field(out, "serial", uint_string(r.bits(60, 36)));
  finish_uris(ctx, "usdod-96", "usdod", static_cast<unsigned>(r.bits(8, 4)), false);
}

// Reads one 000000-terminated 6-bit string (TDS §14.4, "6-Bit Variable
// String" decoding method) starting at `pos`; advances `pos` past the terminator.
// Returns false after setting the raw reason.
bool read_adi_string(Context& ctx, std::size_t& pos, std::string_view what, bool is_serial,
                     std::size_t max_chars, std::string& value) {
  for (;;) {
    if (!ctx.reader.has(pos, 6) || pos + 6 > ctx.bits) {
      std::string text = "ADI-var ";
      text += what;
      text += " has no 000000 terminator within the ";
      append_uint(text, ctx.bits);
      text += "-bit EPC";
      set_raw(ctx.out, EpcRawReason::truncated, std::move(text));
      return false;
    }
    const auto v = static_cast<unsigned>(ctx.reader.bits(pos, 6));
    pos += 6;
    if (v == 0) break;
    const char c = six_bit_char(v);
    // TDS §6.3 ADI grammar: a serial number may start with '#' (the CAGE-unique
    // serial form); '#' anywhere else, and any character outside ADIChar,
    // is not a valid ADI.
    const bool ok = is_adi_char(c) || (is_serial && c == '#' && value.empty());
    if (!ok) {
      std::string text = "ADI-var ";
      text += what;
      text += " character ";
      append_uint(text, value.size() + 1);
      text += " is ";
      text += hex_byte(v);
      text += " ('";
      text.push_back(c);
      text += "'), not A-Z, 0-9, '-' or '/'";
      if (is_serial) text += " (or a leading '#')";
      text += " (TDS §6.3 ADI grammar)";
      set_raw(ctx.out, EpcRawReason::invalid_character, std::move(text));
      return false;
    }
    value.push_back(c);
    if (value.size() > max_chars) {
      std::string text = "ADI-var ";
      text += what;
      text += " is longer than ";
      append_uint(text, max_chars);
      text += " characters (TDS §14.5 ADI-var coding table)";
      set_raw(ctx.out, EpcRawReason::field_out_of_range, std::move(text));
      return false;
    }
  }
  return true;
}

// TDS §14.5 ADI-var coding table: header 8, filter 6, CAGE/DoDAAC 36
// (six 6-bit characters, a leading space marking a 5-character CAGE code),
// original part number (0-32 characters) and serial number (1-30
// characters) as 6-bit strings each ended by 000000. The encoding is
// variable-length; the rest of the EPC is zero padding.
void decode_adi_var(Context& ctx) {
  constexpr std::size_t kCageEnd = 8 + 6 + 36;
  if (!need_bits(ctx, "ADI-var", kCageEnd + 6 + 12)) return;
  const BitReader& r = ctx.reader;
  std::string cage;
  cage.reserve(6);
  for (unsigned i = 0; i < 6; ++i) {
    const auto v = static_cast<unsigned>(r.bits(14 + 6u * i, 6));
    const char c = six_bit_char(v);
    if (i == 0 && v == 0x20) continue;  // 5-character CAGE code
    if (!is_cage_char(c)) {
      std::string text = "ADI-var CAGE/DoDAAC character ";
      append_uint(text, i + 1u);
      text += " is ";
      text += hex_byte(v);
      text += " ('";
      text.push_back(c);
      text += "')";
      text += i == 0 ? ", not a space or one of 0-9 A-H J-N P-Z (TDS §6.3 ADI grammar)"
                     : ", not one of 0-9 A-H J-N P-Z (TDS §6.3 ADI grammar)";
      set_raw(ctx.out, EpcRawReason::invalid_character, std::move(text));
      return;
    }
    cage.push_back(c);
  }
  std::size_t pos = kCageEnd;
  std::string part;
  std::string serial;
  if (!read_adi_string(ctx, pos, "part number", false, 32, part)) return;
  if (!read_adi_string(ctx, pos, "serial number", true, 30, serial)) return;
  if (serial.empty() || serial == "#") {
    set_raw(ctx.out, EpcRawReason::field_out_of_range,
            "ADI-var serial number is empty; it needs 1 to 30 characters besides a leading '#' "
            "(TDS §14.5 ADI-var coding table)");
    return;
  }
  if (!check_padding(ctx, "ADI-var", pos)) return;
  DecodedEpc& out = ctx.out;
  out.scheme = EpcScheme::adi_var;
  out.fields.reserve(3);
  add_field(out, "cage_or_dodaac", std::move(cage));
  add_field(out, "part_number", std::move(part));
  add_field(out, "serial", std::move(serial));
  finish_uris(ctx, "adi-var", "adi", static_cast<unsigned>(r.bits(8, 6)), true);
}

void decode_by_header(Context& ctx) {
  const auto header = static_cast<std::uint8_t>(ctx.reader.bits(0, 8));
  switch (header) {
    case 0x00:
      set_raw(ctx.out, EpcRawReason::unprogrammed, "header 0x00: unprogrammed tag (TDS §14.2)");
      return;
    case 0x30: decode_partitioned(ctx, kSgtin96); return;
    case 0x31: decode_partitioned(ctx, kSscc96); return;
    case 0x32: decode_partitioned(ctx, kSgln96); return;
    case 0x33: decode_partitioned(ctx, kGrai96); return;
    case 0x34: decode_partitioned(ctx, kGiai96); return;
    case 0x35: decode_gid96(ctx); return;
    case 0x2F: decode_usdod96(ctx); return;
    case 0x3B: decode_adi_var(ctx); return;
    default: break;
  }
  std::string text = "header ";
  text += hex_byte(header);
  if (const std::string_view name = unsupported_scheme(header); !name.empty()) {
    text += " is ";
    text += name;
    text += " (TDS §14.2), a scheme garita does not decode";
    set_raw(ctx.out, EpcRawReason::unsupported_scheme, std::move(text));
    return;
  }
  text += reserved_64bit(header)
              ? " is not assigned in TDS (§14.2: reserved since the 64-bit encodings "
                "were withdrawn)"
              : " is not assigned in TDS (§14.2)";
  set_raw(ctx.out, EpcRawReason::unknown_header, std::move(text));
}

}  // namespace

DecodedEpc decode_epc(std::span<const std::uint8_t> epc, std::optional<PcWord> pc,
                      std::span<const std::uint16_t> xpc) {
  DecodedEpc out;
  out.pc = pc;
  out.xpc.assign(xpc.begin(), xpc.end());

  // EPC length: the PC's L field when there is a PC (TDS §15.1.1, bits
  // 10h-14h, in 16-bit words), otherwise the whole input.
  const std::size_t given_bits = epc.size() * 8;
  std::size_t bits = given_bits;
  bool short_input = false;
  if (pc) {
    bits = pc->length_bits();
    if (bits > given_bits) {
      short_input = true;
      bits = given_bits;  // keep what we have; the reason says what is missing
    }
  }
  out.bytes.assign(epc.begin(), epc.begin() + static_cast<std::ptrdiff_t>(bits / 8));
  out.bits = static_cast<unsigned>(bits);
  out.hex = to_hex(out.bytes);

  // TDS §15.2.4: control information for the URIs. Attribute bits only when
  // toggle=0 (with toggle=1 the same bits are the AFI); XPC_W1 only when the
  // XI bit says it is there and it is non-zero. Without a PC none is known.
  std::string control;
  if (pc) {
    if (!pc->toggle() && pc->low_byte() != 0) {
      control += "[att=x";
      append_hex_fixed(control, pc->low_byte(), 2);
      control.push_back(']');
    }
    if (pc->umi()) control += "[umi=1]";
    if (pc->xi() && !xpc.empty() && xpc[0] != 0) {
      control += "[xpc=x";
      append_hex_fixed(control, xpc[0], 4);
      control.push_back(']');
    }
  }

  // TDS §15.2.1: "urn:epc:raw:" + control + N + "." + ["x" AFI "."] + "x" +
  // N/4 hex digits. With N = 0 this gives "urn:epc:raw:0.x", the only
  // faithful spelling of an empty EPC even though §12.4 wants N non-zero.
  const bool iso = pc && pc->toggle();
  std::string& raw = out.raw_uri;
  raw.reserve(12 + control.size() + 4 + 4 + 1 + out.hex.size());
  raw += "urn:epc:raw:";
  raw += control;
  append_uint(raw, bits);
  raw.push_back('.');
  if (iso) {
    raw.push_back('x');
    append_hex_fixed(raw, pc->low_byte(), 2);
    raw.push_back('.');
  }
  raw.push_back('x');
  raw += out.hex;

  if (bits == 0 && !short_input) {
    set_raw(out, EpcRawReason::empty,
            pc ? "the PC length field is 0 words: the EPC is empty" : "no EPC bytes were given");
    return out;
  }
  if (short_input) {
    std::string text = "the PC length is ";
    append_uint(text, pc->length_bits());
    text += " bits but only ";
    append_uint(text, given_bits);
    text += " bits of EPC were given";
    set_raw(out, EpcRawReason::truncated, std::move(text));
    return out;
  }
  if (iso) {
    // TDS §15.1.1: toggle (bit 17h) = 1 means bits 18h-1Fh are an ISO/IEC
    // 15961 AFI and the rest is an ISO UII, not a GS1 EPC.
    std::string text = "the PC toggle bit is 1: an ISO/IEC 15961 UII with AFI ";
    text += hex_byte(pc->low_byte());
    text += ", not a GS1 EPC (TDS §15.1.1)";
    set_raw(out, EpcRawReason::iso_toggle, std::move(text));
    return out;
  }

  Context ctx{out, BitReader(std::span<const std::uint8_t>(out.bytes)), bits, control};
  decode_by_header(ctx);
  return out;
}

std::string_view to_string(EpcScheme scheme) noexcept {
  switch (scheme) {
    case EpcScheme::raw: return "raw";
    case EpcScheme::sgtin_96: return "sgtin-96";
    case EpcScheme::sscc_96: return "sscc-96";
    case EpcScheme::sgln_96: return "sgln-96";
    case EpcScheme::grai_96: return "grai-96";
    case EpcScheme::giai_96: return "giai-96";
    case EpcScheme::gid_96: return "gid-96";
    case EpcScheme::usdod_96: return "usdod-96";
    case EpcScheme::adi_var: return "adi-var";
  }
  return "unknown";
}

std::string_view to_string(EpcRawReason reason) noexcept {
  switch (reason) {
    case EpcRawReason::none: return "none";
    case EpcRawReason::empty: return "empty";
    case EpcRawReason::truncated: return "truncated";
    case EpcRawReason::unprogrammed: return "unprogrammed";
    case EpcRawReason::unknown_header: return "unknown_header";
    case EpcRawReason::unsupported_scheme: return "unsupported_scheme";
    case EpcRawReason::reserved_partition: return "reserved_partition";
    case EpcRawReason::field_out_of_range: return "field_out_of_range";
    case EpcRawReason::invalid_character: return "invalid_character";
    case EpcRawReason::length_mismatch: return "length_mismatch";
    case EpcRawReason::iso_toggle: return "iso_toggle";
  }
  return "unknown";
}

}  // namespace garita
