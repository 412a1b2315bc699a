#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "garita/common/DecodeJson.hpp"
#include "garita/common/Hex.hpp"

namespace json = boost::json;

namespace {
std::vector<std::uint8_t> bytes(std::string_view hex) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(garita::parse_hex(hex, b));
  return b;
}
}  // namespace

TEST_CASE("EPC JSON carries the URIs, the scheme fields and the document") {
  const auto epc = garita::decode_epc(bytes("3074257BF7194E4000001A85"), garita::PcWord{0x3000});
  const json::object o = garita::to_json(epc, garita::DocumentMatch{});
  CHECK(o.at("hex").as_string() == "3074257BF7194E4000001A85");
  CHECK(o.at("bits").to_number<int>() == 96);
  CHECK(o.at("scheme").as_string() == "sgtin-96");
  CHECK(o.at("tag_uri").as_string() == "urn:epc:tag:sgtin-96:3.0614141.812345.6789");
  CHECK(o.at("id_uri").as_string() == "urn:epc:id:sgtin:0614141.812345.6789");
  CHECK(o.at("raw_uri").as_string() == "urn:epc:raw:96.x3074257BF7194E4000001A85");
  CHECK(o.at("filter").to_number<int>() == 3);
  CHECK(o.at("partition").to_number<int>() == 5);
  CHECK(o.at("company_prefix").as_string() == "0614141");
  CHECK(o.at("item_reference").as_string() == "812345");
  CHECK(o.at("serial").as_string() == "6789");
  CHECK(o.at("pc").at("hex").as_string() == "3000");
  CHECK(o.at("pc").at("length_words").to_number<int>() == 6);
  CHECK(o.at("pc").at("attribute_bits").as_string() == "00");
  CHECK(o.at("document").at("type").as_string() == "UNKNOWN");
  CHECK(o.at("document").at("issuer").is_null());
  CHECK_FALSE(o.contains("reason"));
}

TEST_CASE("raw EPC JSON says why and names the matched issuer rule") {
  garita::IssuerTable table;
  garita::IssuerRule rule;
  rule.name = "demo";
  rule.issuer = "Demo issuer";
  rule.document = garita::DocumentType::passport_card;
  rule.epc_bits = 96;
  rule.prefix = {0xE2};
  rule.mask = {0xFF};
  rule.source = "test:1";
  table.add(rule);
  const auto epc = garita::decode_epc(bytes("E20000000000000000000001"));
  const json::object o = garita::to_json(epc, table.match(epc, nullptr));
  CHECK(o.at("scheme").as_string() == "raw");
  CHECK(o.at("tag_uri").as_string() == "urn:epc:raw:96.xE20000000000000000000001");
  CHECK_FALSE(o.contains("id_uri"));
  CHECK(o.at("reason").as_string() == "unknown_header");
  CHECK_FALSE(o.at("reason_text").as_string().empty());
  CHECK(o.at("document").at("type").as_string() == "PASSPORT_CARD");
  CHECK(o.at("document").at("issuer").as_string() == "Demo issuer");
  CHECK(o.at("document").at("rule").as_string() == "demo");
}

TEST_CASE("TID JSON names maker, model and serial") {
  const auto tid = garita::decode_tid(bytes("E2801160200074CF085909AD"));
  const json::object o = garita::to_json(tid);
  CHECK(o.at("class").as_string() == "E2");
  CHECK(o.at("xtid").as_bool());
  CHECK_FALSE(o.at("security").as_bool());
  CHECK_FALSE(o.at("file").as_bool());
  CHECK(o.at("mdid").as_string() == "001");
  CHECK(o.at("manufacturer").as_string() == "Impinj");
  CHECK(o.at("tmn").as_string() == "160");
  CHECK(o.at("model").as_string() == "Monza R6");
  CHECK(o.at("serial").as_string() == "74CF085909AD");
  CHECK(o.at("xtid_header").at("serial_bits").to_number<int>() == 48);
  CHECK(o.at("stid_uri").as_string().starts_with("urn:epc:stid:"));
  CHECK_FALSE(o.contains("reason"));
}

TEST_CASE("TID JSON for a non-GS1 class keeps the class and gives the reason") {
  const auto tid = garita::decode_tid(bytes("E0040100123456789ABC"));
  const json::object o = garita::to_json(tid);
  CHECK(o.at("class").as_string() == "E0");
  CHECK_FALSE(o.contains("mdid"));
  CHECK(o.at("serial").is_null());
  CHECK(o.at("reason").as_string() == "not_gs1_class");
}
