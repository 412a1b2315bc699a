// Issuer table tests: the TOML format, every error kind with its exact
// "FILE:LINE: issuer[N].KEY: ..." message, and rule matching. EPCs and TIDs
// are built by hand so these tests do not depend on the decoders.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/common/Epc.hpp"
#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/IssuerTable.hpp"
#include "garita/common/Tid.hpp"

using garita::DecodedEpc;
using garita::DecodedTid;
using garita::DocumentType;
using garita::Errc;
using garita::IssuerRule;
using garita::IssuerTable;

namespace {

constexpr std::string_view kFile = "issuers.toml";

DecodedEpc epc_of(std::string_view hex) {
  DecodedEpc epc;
  REQUIRE_FALSE(garita::parse_hex(hex, epc.bytes));
  epc.bits = static_cast<unsigned>(epc.bytes.size() * 8);
  epc.hex = garita::to_hex(epc.bytes);
  epc.raw_uri = "urn:epc:raw:" + std::to_string(epc.bits) + ".x" + epc.hex;
  epc.tag_uri = epc.raw_uri;
  return epc;
}

// A decoded E2 TID with the given maker and model (32-bit short TID).
DecodedTid tid_of(std::uint16_t mdid, std::uint16_t tmn) {
  DecodedTid tid;
  tid.class_id = 0xE2;
  tid.class_name = "GS1 EPCglobal";
  tid.bits = 32;
  tid.mdid = mdid;
  tid.tmn = tmn;
  return tid;
}

struct Parsed {
  std::error_code ec;
  std::string error;
  IssuerTable table;
};

Parsed parse(std::string_view text) {
  Parsed p;
  p.ec = IssuerTable::parse(text, kFile, p.table, p.error);
  return p;
}

// Parses text expected to fail, checks the code, returns the message.
std::string error_of(std::string_view text, Errc expected) {
  Parsed p = parse(text);
  CAPTURE(text, p.error);
  CHECK(p.ec == garita::make_error_code(expected));
  CHECK(p.table.empty());
  return p.error;
}

constexpr std::string_view kRuleKeys =
    "name, issuer, document, epc_bits, prefix, mask, tid_mdid, tid_tmn";
constexpr std::string_view kDocs =
    "BCC, PRC, PASSPORT_CARD, SENTRI, NEXUS, FAST, GLOBAL_ENTRY, EDL, ETC, OTHER";

}  // namespace

// ---------------------------------------------------------------- DocumentType

TEST_CASE("DocumentType spellings", "[issuer]") {
  const std::pair<DocumentType, std::string_view> all[] = {
      {DocumentType::unknown, "UNKNOWN"}, {DocumentType::bcc, "BCC"},
      {DocumentType::prc, "PRC"},         {DocumentType::passport_card, "PASSPORT_CARD"},
      {DocumentType::sentri, "SENTRI"},   {DocumentType::nexus, "NEXUS"},
      {DocumentType::fast, "FAST"},       {DocumentType::global_entry, "GLOBAL_ENTRY"},
      {DocumentType::edl, "EDL"},         {DocumentType::etc, "ETC"},
      {DocumentType::other, "OTHER"},
  };
  for (const auto& [type, name] : all) {
    CAPTURE(name);
    CHECK(garita::to_string(type) == name);
    CHECK(garita::document_type_from_string(name) == type);
  }
  CHECK(garita::document_type_from_string("passport_card") == DocumentType::passport_card);
  CHECK(garita::document_type_from_string("Global_Entry") == DocumentType::global_entry);
  CHECK(garita::document_type_from_string("unknown") == DocumentType::unknown);
  CHECK_FALSE(garita::document_type_from_string("PASPORT_CARD").has_value());
  CHECK_FALSE(garita::document_type_from_string("").has_value());
  CHECK_FALSE(garita::document_type_from_string("BCC ").has_value());
  CHECK_FALSE(garita::document_type_from_string("PASSPORT CARD").has_value());
}

// ---------------------------------------------------------------- parsing valid tables

TEST_CASE("A full rule with every key", "[issuer]") {
  const Parsed p = parse(R"(# comment
[[issuer]]
name = "Site rule 1"
issuer = "Example issuer"
document = "passport_card"
epc_bits = 128
prefix = "de:c0:de:20"
mask = "FF FF FF F0"
tid_mdid = 1
tid_tmn = 0x160
)");
  REQUIRE_FALSE(p.ec);
  CHECK(p.error.empty());
  REQUIRE(p.table.rules().size() == 1);
  const IssuerRule& r = p.table.rules()[0];
  CHECK(r.name == "Site rule 1");
  CHECK(r.issuer == "Example issuer");
  CHECK(r.document == DocumentType::passport_card);
  CHECK(r.epc_bits == 128);
  CHECK(r.prefix == std::vector<std::uint8_t>{0xDE, 0xC0, 0xDE, 0x20});
  CHECK(r.mask == std::vector<std::uint8_t>{0xFF, 0xFF, 0xFF, 0xF0});
  CHECK(r.tid_mdid == std::optional<std::uint16_t>(1));
  CHECK(r.tid_tmn == std::optional<std::uint16_t>(0x160));
  CHECK(r.source == "issuers.toml:2");
}

TEST_CASE("Defaults: epc_bits 96, mask all FF, no TID condition", "[issuer]") {
  const Parsed p = parse(R"([[issuer]]
name = "a"
issuer = "b"
document = "BCC"
prefix = "E2C0DE01"
)");
  REQUIRE_FALSE(p.ec);
  REQUIRE(p.table.rules().size() == 1);
  const IssuerRule& r = p.table.rules()[0];
  CHECK(r.epc_bits == 96);
  CHECK(r.mask == std::vector<std::uint8_t>{0xFF, 0xFF, 0xFF, 0xFF});
  CHECK_FALSE(r.tid_mdid.has_value());
  CHECK_FALSE(r.tid_tmn.has_value());
}

TEST_CASE("Rules keep file order and their source lines", "[issuer]") {
  const Parsed p = parse(R"([[issuer]]
name = "first"
issuer = "x"
document = "SENTRI"
prefix = "01"

[[issuer]]
name = "second"
issuer = "x"
document = "NEXUS"
prefix = "02"
)");
  REQUIRE_FALSE(p.ec);
  REQUIRE(p.table.rules().size() == 2);
  CHECK(p.table.rules()[0].name == "first");
  CHECK(p.table.rules()[0].source == "issuers.toml:1");
  CHECK(p.table.rules()[1].name == "second");
  CHECK(p.table.rules()[1].source == "issuers.toml:7");
}

TEST_CASE("An issuers file with no rules is valid and empty", "[issuer]") {
  for (std::string_view text : {std::string_view(""), std::string_view("# only comments\n\n")}) {
    Parsed p = parse(text);
    CHECK_FALSE(p.ec);
    CHECK(p.table.empty());
  }
}

TEST_CASE("The shipped example issuer table loads", "[issuer]") {
  IssuerTable table;
  std::string error;
  const std::error_code ec =
      IssuerTable::load_file(GARITA_TEST_DATA "/../../config/issuers.example.toml", table, error);
  INFO(error);
  REQUIRE_FALSE(ec);
  CHECK(error.empty());
  REQUIRE(table.rules().size() == 9);
  for (const IssuerRule& r : table.rules()) {
    CAPTURE(r.name);
    CHECK(r.name.find("DEMO") == 0);  // the example rows are clearly examples
    CHECK(r.prefix.size() >= 3);
    CHECK(r.prefix[0] == 0xE2);  // E2 C0 DE: the simulator's made-up prefix
    CHECK(r.prefix[1] == 0xC0);
    CHECK(r.prefix[2] == 0xDE);
  }
  // The simulator's document-type byte: 01 BCC ... 07 EDL.
  const std::pair<const char*, DocumentType> by_byte[] = {
      {"01", DocumentType::bcc},           {"02", DocumentType::prc},
      {"03", DocumentType::passport_card}, {"04", DocumentType::sentri},
      {"05", DocumentType::nexus},         {"06", DocumentType::fast},
      {"07", DocumentType::edl},           {"7F", DocumentType::other}};
  for (const auto& [byte, type] : by_byte) {
    CAPTURE(byte);
    CHECK(
        table.match(epc_of(std::string("E2C0DE") + byte + "0000000000000A2A"), nullptr).document ==
        type);
  }
  const DecodedTid monza = tid_of(1, 0x160);
  const auto with_tid = table.match(epc_of("E2C0DE04000000000000002A"), &monza);
  REQUIRE(with_tid.rule != nullptr);
  CHECK(with_tid.rule == &table.rules()[3]);
  const auto without_tid = table.match(epc_of("E2C0DE04000000000000002A"), nullptr);
  REQUIRE(without_tid.rule != nullptr);
  CHECK(without_tid.rule == &table.rules()[4]);
  CHECK(table.match(epc_of("E2C0DE0400000000000000"), nullptr).rule == nullptr);  // 88 bits
  CHECK(table.match(epc_of("E2000000000000000000002A"), nullptr).rule == nullptr);
}

// ---------------------------------------------------------------- errors

TEST_CASE("Error: not valid TOML", "[issuer][errors]") {
  const std::string e = error_of("[[issuer]]\nname = \n", Errc::config_syntax);
  CHECK(e.rfind("issuers.toml:2:8: not valid TOML: ", 0) == 0);
  const std::string dup = error_of("[[issuer]]\nname = 'a'\nname = 'b'\n", Errc::config_syntax);
  CHECK(dup.rfind("issuers.toml:3:", 0) == 0);
}

TEST_CASE("Error: file cannot be read", "[issuer][errors]") {
  IssuerTable table;
  std::string error;
  const std::error_code ec =
      IssuerTable::load_file("/nonexistent/garita/issuers.toml", table, error);
  CHECK(ec == garita::make_error_code(Errc::io_error));
  CHECK(error ==
        "/nonexistent/garita/issuers.toml: cannot open the issuer table: No such file or "
        "directory");
  const std::error_code dir = IssuerTable::load_file(GARITA_TEST_DATA, table, error);
  CHECK(dir == garita::make_error_code(Errc::io_error));
  CHECK(error.rfind(GARITA_TEST_DATA ": cannot", 0) == 0);
}

TEST_CASE("Error: missing required keys", "[issuer][errors]") {
  CHECK(error_of("[[issuer]]\nissuer = 'x'\ndocument = 'BCC'\nprefix = 'DE'\n",
                 Errc::config_missing_key) ==
        "issuers.toml:1: issuer[1].name: missing required key 'name' (a label shown in decode "
        "output, e.g. name = \"DEMO card\")");
  CHECK(error_of("[[issuer]]\nname = 'n'\ndocument = 'BCC'\nprefix = 'DE'\n",
                 Errc::config_missing_key) ==
        "issuers.toml:1: issuer[1].issuer: missing required key 'issuer' (who issues the "
        "document, e.g. issuer = \"U.S. Department of State\")");
  CHECK(
      error_of("[[issuer]]\nname = 'n'\nissuer = 'x'\nprefix = 'DE'\n", Errc::config_missing_key) ==
      "issuers.toml:1: issuer[1].document: missing required key 'document' (one of " +
          std::string(kDocs) + ")");
  // The second rule: the line is that of its [[issuer]] header.
  CHECK(error_of("[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = 'BCC'\nprefix = 'DE'\n\n"
                 "[[issuer]]\nname = 'n2'\nissuer = 'x'\ndocument = 'BCC'\n",
                 Errc::config_missing_key) ==
        "issuers.toml:7: issuer[2].prefix: missing required key 'prefix' (the hex bytes every "
        "EPC of this card type starts with, e.g. prefix = \"E2C0DE01\")");
}

TEST_CASE("Error: wrong types", "[issuer][errors]") {
  const std::string head = "[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = 'BCC'\n";
  CHECK(error_of(head + "prefix = 'DE'\nepc_bits = '96'\n", Errc::config_wrong_type) ==
        "issuers.toml:6: issuer[1].epc_bits: must be an integer, not a string (write the number "
        "without quotes, e.g. epc_bits = 96)");
  CHECK(error_of(head + "prefix = 0xDE\n", Errc::config_wrong_type) ==
        "issuers.toml:5: issuer[1].prefix: must be a string of hex digits, not an integer (put "
        "it in double quotes, e.g. \"E2C0DE01\")");
  CHECK(error_of(head + "prefix = 'DE'\nmask = ['FF']\n", Errc::config_wrong_type) ==
        "issuers.toml:6: issuer[1].mask: must be a string of hex digits, not an array (put it in "
        "double quotes, e.g. \"E2C0DE01\")");
  CHECK(error_of(head + "prefix = 'DE'\ntid_mdid = '1'\n", Errc::config_wrong_type) ==
        "issuers.toml:6: issuer[1].tid_mdid: must be an integer, not a string (write the number "
        "without quotes; hex is written 0x160)");
  CHECK(error_of(head + "prefix = 'DE'\ntid_tmn = 1.5\n", Errc::config_wrong_type) ==
        "issuers.toml:6: issuer[1].tid_tmn: must be an integer, not a floating-point number "
        "(write the number without quotes; hex is written 0x160)");
  CHECK(error_of("[[issuer]]\nname = 42\nissuer = 'x'\ndocument = 'BCC'\nprefix = 'DE'\n",
                 Errc::config_wrong_type) ==
        "issuers.toml:2: issuer[1].name: must be a string, not an integer (put the text in "
        "double quotes)");
  CHECK(error_of("[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = true\nprefix = 'DE'\n",
                 Errc::config_wrong_type) ==
        "issuers.toml:4: issuer[1].document: must be a string, not a boolean (e.g. document = "
        "\"PASSPORT_CARD\")");
  // [issuer] instead of [[issuer]].
  CHECK(error_of("[issuer]\nname = 'n'\n", Errc::config_wrong_type) ==
        "issuers.toml:1: issuer: must be a list of rules, not a table (write [[issuer]] with "
        "double brackets, once per rule)");
  CHECK(error_of("issuer = ['a']\n", Errc::config_wrong_type) ==
        "issuers.toml:1: issuer[1]: must be a table, not a string (start each rule with its own "
        "[[issuer]] line)");
}

TEST_CASE("Error: bad document type (the technician's example)", "[issuer][errors]") {
  const std::string text = R"(# Site issuer table
# line 2
# line 3

[[issuer]]
name = "first"
issuer = "x"
document = "BCC"
prefix = "E2C0DE01"

[[issuer]]
name = "second"
issuer = "x"
document = "PASPORT_CARD"
prefix = "DEC0DE02"
)";
  CHECK(error_of(text, Errc::config_bad_value) ==
        "issuers.toml:14: issuer[2].document: unknown document type 'PASPORT_CARD' (expected "
        "one of BCC, PRC, PASSPORT_CARD, SENTRI, NEXUS, FAST, GLOBAL_ENTRY, EDL, ETC, OTHER)");
  CHECK(error_of("[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = 'unknown'\nprefix = 'DE'\n",
                 Errc::config_bad_value) ==
        "issuers.toml:4: issuer[1].document: 'unknown' cannot be used in a rule: it is what "
        "garita reports when no rule matches (expected one of " +
            std::string(kDocs) + ")");
}

TEST_CASE("Error: bad values", "[issuer][errors]") {
  const std::string head = "[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = 'BCC'\n";
  const std::string bits_tail =
      " is not a possible EPC length: it must be a multiple of 16 from 16 to 496 (the EPC "
      "length of the card; `garita decode epc HEX` shows it as \"bits\")";
  for (std::string_view bits : {"100", "0", "-96", "512", "8"}) {
    CAPTURE(bits);
    CHECK(error_of(head + "prefix = 'DE'\nepc_bits = " + std::string(bits) + "\n",
                   Errc::config_bad_value) ==
          "issuers.toml:6: issuer[1].epc_bits: " + std::string(bits) + bits_tail);
  }
  CHECK(error_of(head + "prefix = 'E28'\n", Errc::config_bad_value) ==
        "issuers.toml:5: issuer[1].prefix: 'E28' has an odd number of hex digits; it must be "
        "whole bytes (two hex digits each)");
  CHECK(error_of(head + "prefix = 'E2Z8'\n", Errc::config_bad_value) ==
        "issuers.toml:5: issuer[1].prefix: 'E2Z8' is not hex: use only 0-9 and A-F (spaces or "
        "':' between bytes are allowed)");
  CHECK(error_of(head + "prefix = ''\n", Errc::config_bad_value) ==
        "issuers.toml:5: issuer[1].prefix: is empty; give at least one byte (two hex digits)");
  CHECK(error_of(head + "prefix = '00112233445566778899AABBCC'\n", Errc::config_bad_value) ==
        "issuers.toml:5: issuer[1].prefix: is 13 bytes but a 96-bit EPC has only 12 (check "
        "epc_bits, or shorten the prefix)");
  CHECK(error_of(head + "epc_bits = 16\nprefix = 'DEC0DE'\n", Errc::config_bad_value) ==
        "issuers.toml:6: issuer[1].prefix: is 3 bytes but a 16-bit EPC has only 2 (check "
        "epc_bits, or shorten the prefix)");
  CHECK(error_of(head + "prefix = '" + std::string(126, 'A') + "'\n", Errc::config_bad_value) ==
        "issuers.toml:5: issuer[1].prefix: '" + std::string(126, 'A') +
            "' is longer than the longest EPC (62 bytes)");
  CHECK(error_of(head + "prefix = 'DEC0'\nmask = 'FF'\n", Errc::config_bad_value) ==
        "issuers.toml:6: issuer[1].mask: is 1 bytes but prefix is 2; mask and prefix must be the "
        "same length");
  CHECK(error_of(head + "prefix = 'DEC1'\nmask = 'FFF0'\n", Errc::config_bad_value) ==
        "issuers.toml:5: issuer[1].prefix: prefix byte 2 is C1 but the mask byte is F0: the "
        "prefix has bits set where the mask is 0, so this rule could never match as written; "
        "clear those bits in the prefix or set them in the mask");
  CHECK(error_of(head + "prefix = 'DE'\ntid_mdid = 512\n", Errc::config_bad_value) ==
        "issuers.toml:6: issuer[1].tid_mdid: 512 is out of range: an MDID is 9 bits (0 to 511); "
        "`garita decode tid HEX` shows the card's value");
  CHECK(error_of(head + "prefix = 'DE'\ntid_tmn = -1\n", Errc::config_bad_value) ==
        "issuers.toml:6: issuer[1].tid_tmn: -1 is out of range: a TMN is 12 bits (0 to 4095); "
        "`garita decode tid HEX` shows the card's value");
  CHECK(error_of(head + "prefix = 'DE'\ntid_tmn = 4096\n", Errc::config_bad_value) ==
        "issuers.toml:6: issuer[1].tid_tmn: 4096 is out of range: a TMN is 12 bits (0 to 4095); "
        "`garita decode tid HEX` shows the card's value");
  CHECK(error_of("[[issuer]]\nname = ''\nissuer = 'x'\ndocument = 'BCC'\nprefix = 'DE'\n",
                 Errc::config_bad_value) == "issuers.toml:2: issuer[1].name: must not be empty");
}

TEST_CASE("Limits that are allowed", "[issuer]") {
  const std::string head = "[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = 'BCC'\n";
  CHECK_FALSE(parse(head + "epc_bits = 16\nprefix = 'DEC0'\n").ec);
  CHECK_FALSE(parse(head + "epc_bits = 496\nprefix = '" + std::string(124, 'A') + "'\n").ec);
  CHECK_FALSE(parse(head + "prefix = 'DE'\ntid_mdid = 0\ntid_tmn = 0\n").ec);
  CHECK_FALSE(parse(head + "prefix = 'DE'\ntid_mdid = 511\ntid_tmn = 4095\n").ec);
  CHECK_FALSE(parse(head + "prefix = '00'\nmask = '00'\n").ec);  // matches any 96-bit EPC
}

TEST_CASE("Error: unknown keys", "[issuer][errors]") {
  CHECK(error_of("[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = 'BCC'\nprefx = 'DE'\n",
                 Errc::config_unknown_key) ==
        "issuers.toml:5: issuer[1].prefx: unknown key 'prefx' (did you mean 'prefix'?); a rule "
        "may only have " +
            std::string(kRuleKeys));
  CHECK(error_of("[[issuer]]\nname = 'n'\nissuer = 'x'\ndocument = 'BCC'\nprefix = 'DE'\n"
                 "lane_id = 3\n",
                 Errc::config_unknown_key) ==
        "issuers.toml:6: issuer[1].lane_id: unknown key 'lane_id'; a rule may only have " +
            std::string(kRuleKeys));
  // Of two unknown keys, the one nearer the top is reported.
  CHECK(error_of("[[issuer]]\nzzz = 1\nname = 'n'\naaa = 2\n", Errc::config_unknown_key)
            .rfind("issuers.toml:2: issuer[1].zzz: unknown key 'zzz'", 0) == 0);
  CHECK(error_of("[[isuser]]\nname = 'n'\n", Errc::config_unknown_key) ==
        "issuers.toml:1: isuser: unknown top-level key 'isuser'; an issuers file holds only "
        "[[issuer]] tables (did you mean [[issuer]]?)");
  CHECK(error_of("title = 'x'\n[[issuer]]\nname = 'n'\n", Errc::config_unknown_key) ==
        "issuers.toml:1: title: unknown top-level key 'title'; an issuers file holds only "
        "[[issuer]] tables");
}

TEST_CASE("A failed parse leaves the previous table in place", "[issuer]") {
  IssuerTable table;
  std::string error;
  REQUIRE_FALSE(IssuerTable::parse(
      "[[issuer]]\nname = 'kept'\nissuer = 'x'\ndocument = 'BCC'\nprefix = 'DE'\n", kFile, table,
      error));
  REQUIRE(table.rules().size() == 1);
  CHECK(IssuerTable::parse("[[issuer]]\nname = 'new'\n", kFile, table, error) ==
        garita::make_error_code(Errc::config_missing_key));
  REQUIRE(table.rules().size() == 1);
  CHECK(table.rules()[0].name == "kept");
  // A successful parse replaces it.
  CHECK_FALSE(IssuerTable::parse("", kFile, table, error));
  CHECK(table.empty());
}

// ---------------------------------------------------------------- matching

namespace {

IssuerRule rule(std::string name, DocumentType doc, unsigned bits, std::string_view prefix,
                std::string_view mask = {}) {
  IssuerRule r;
  r.name = std::move(name);
  r.issuer = "test";
  r.document = doc;
  r.epc_bits = bits;
  REQUIRE_FALSE(garita::parse_hex(prefix, r.prefix));
  if (!mask.empty()) REQUIRE_FALSE(garita::parse_hex(mask, r.mask));
  return r;
}

}  // namespace

TEST_CASE("No rules, or no matching rule, is UNKNOWN", "[issuer][match]") {
  IssuerTable empty;
  const auto none = empty.match(epc_of("E2C0DE01000000000000002A"), nullptr);
  CHECK(none.document == DocumentType::unknown);
  CHECK(none.rule == nullptr);

  IssuerTable table;
  table.add(rule("r", DocumentType::bcc, 96, "E2C0DE01"));
  const auto miss = table.match(epc_of("DEC0DE02000000000000002A"), nullptr);
  CHECK(miss.document == DocumentType::unknown);
  CHECK(miss.rule == nullptr);
}

TEST_CASE("Matching by EPC length", "[issuer][match]") {
  IssuerTable table;
  table.add(rule("96", DocumentType::bcc, 96, "E2C0DE01"));
  table.add(rule("128", DocumentType::prc, 128, "E2C0DE01"));
  CHECK(table.match(epc_of("E2C0DE01000000000000002A"), nullptr).document == DocumentType::bcc);
  CHECK(table.match(epc_of("E2C0DE01000000000000000000002A2A"), nullptr).document ==
        DocumentType::prc);
  CHECK(table.match(epc_of("E2C0DE010000000000000000000000000000002A"), nullptr).rule ==
        nullptr);  // 160 bits: no rule
}

TEST_CASE("Matching by prefix and mask", "[issuer][match]") {
  IssuerTable table;
  table.add(rule("nibble", DocumentType::edl, 96, "DEC0DE20", "FFFFFFF0"));
  table.add(rule("middle bits", DocumentType::fast, 96, "00000400", "00000F00"));
  for (std::string_view hex : {"DEC0DE20000000000000002A", "DEC0DE2F0000000000000000"}) {
    CAPTURE(hex);
    CHECK(table.match(epc_of(hex), nullptr).document == DocumentType::edl);
  }
  CHECK(table.match(epc_of("DEC0DE30000000000000002A"), nullptr).rule == nullptr);
  CHECK(table.match(epc_of("DEC0DF20000000000000002A"), nullptr).rule == nullptr);
  // Only the low nibble of the 3rd byte is compared: it must be 4.
  CHECK(table.match(epc_of("123AB400000000000000002A"), nullptr).document == DocumentType::fast);
  CHECK(table.match(epc_of("FFFFF4FF000000000000002A"), nullptr).document == DocumentType::fast);
  CHECK(table.match(epc_of("FFFFF5FF000000000000002A"), nullptr).rule == nullptr);
}

TEST_CASE("A rule added in code without a mask compares whole bytes", "[issuer][match]") {
  IssuerTable table;
  table.add(rule("no mask", DocumentType::nexus, 96, "DEC0"));
  REQUIRE(table.rules()[0].mask == std::vector<std::uint8_t>{0xFF, 0xFF});
  CHECK(table.match(epc_of("DEC0DE01000000000000002A"), nullptr).document == DocumentType::nexus);
  CHECK(table.match(epc_of("DEC1DE01000000000000002A"), nullptr).rule == nullptr);
}

TEST_CASE("Matching by TID maker and model", "[issuer][match]") {
  IssuerTable table;
  IssuerRule maker = rule("maker", DocumentType::sentri, 96, "DEC0DE03");
  maker.tid_mdid = 1;
  IssuerRule model = rule("model", DocumentType::global_entry, 96, "DEC0DE04");
  model.tid_mdid = 6;
  model.tid_tmn = 0x894;
  IssuerRule tmn_only = rule("tmn only", DocumentType::other, 96, "DEC0DE05");
  tmn_only.tid_tmn = 0x160;
  table.add(maker);
  table.add(model);
  table.add(tmn_only);

  const DecodedEpc e3 = epc_of("DEC0DE03000000000000002A");
  const DecodedEpc e4 = epc_of("DEC0DE04000000000000002A");
  const DecodedEpc e5 = epc_of("DEC0DE05000000000000002A");
  const DecodedTid impinj = tid_of(1, 0x160);
  const DecodedTid ucode8 = tid_of(6, 0x894);
  const DecodedTid ucode9 = tid_of(6, 0x995);

  CHECK(table.match(e3, &impinj).document == DocumentType::sentri);
  CHECK(table.match(e3, &ucode8).rule == nullptr);
  CHECK(table.match(e3, nullptr).rule == nullptr);  // no TID: a TID rule never matches

  CHECK(table.match(e4, &ucode8).document == DocumentType::global_entry);
  CHECK(table.match(e4, &ucode9).rule == nullptr);
  CHECK(table.match(e4, &impinj).rule == nullptr);

  CHECK(table.match(e5, &impinj).document == DocumentType::other);
  CHECK(table.match(e5, &ucode8).rule == nullptr);

  // A TID that did not decode (short read, other class) never satisfies a TID rule.
  DecodedTid short_read = impinj;
  short_read.bits = 16;
  CHECK_FALSE(short_read.decoded());
  CHECK(table.match(e3, &short_read).rule == nullptr);
  DecodedTid iso = impinj;
  iso.class_id = 0xE0;
  CHECK(table.match(e3, &iso).rule == nullptr);

  // A TID does not stop rules without TID conditions from matching.
  IssuerTable plain;
  plain.add(rule("plain", DocumentType::bcc, 96, "DEC0DE03"));
  CHECK(plain.match(e3, &impinj).document == DocumentType::bcc);
  CHECK(plain.match(e3, &iso).document == DocumentType::bcc);
}

TEST_CASE("The first matching rule wins", "[issuer][match]") {
  const Parsed p = parse(R"([[issuer]]
name = "narrow: Monza R6 chip"
issuer = "x"
document = "SENTRI"
prefix = "DEC0DE03"
tid_mdid = 1
tid_tmn = 0x160

[[issuer]]
name = "broad: any DEC0DE03"
issuer = "x"
document = "NEXUS"
prefix = "DEC0DE03"

[[issuer]]
name = "never reached for DEC0DE03"
issuer = "x"
document = "FAST"
prefix = "DEC0"
)");
  REQUIRE_FALSE(p.ec);
  const IssuerTable& table = p.table;
  const DecodedEpc epc = epc_of("DEC0DE03000000000000002A");
  const DecodedTid monza = tid_of(1, 0x160);
  const DecodedTid other = tid_of(3, 0x412);

  const auto a = table.match(epc, &monza);
  CHECK(a.document == DocumentType::sentri);
  REQUIRE(a.rule != nullptr);
  CHECK(a.rule->name == "narrow: Monza R6 chip");
  CHECK(a.rule->source == "issuers.toml:1");

  const auto b = table.match(epc, &other);
  CHECK(b.document == DocumentType::nexus);
  REQUIRE(b.rule != nullptr);
  CHECK(b.rule->source == "issuers.toml:9");

  CHECK(table.match(epc, nullptr).document == DocumentType::nexus);
  CHECK(table.match(epc_of("DEC0FFFF000000000000002A"), nullptr).document == DocumentType::fast);
}

TEST_CASE("An inconsistent hand-made EPC does not crash matching", "[issuer][match]") {
  IssuerTable table;
  table.add(rule("r", DocumentType::bcc, 96, "E2C0DE01"));
  DecodedEpc odd;
  odd.bits = 96;  // claims 96 bits but holds 2 bytes
  odd.bytes = {0xDE, 0xC0};
  CHECK(table.match(odd, nullptr).rule == nullptr);
  DecodedEpc empty;
  CHECK(table.match(empty, nullptr).rule == nullptr);
}
