#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "garita/common/Epc.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/Tid.hpp"
#include "garita/sim/Cards.hpp"

using garita::DocumentType;
using garita::sim::CardFactory;
using garita::sim::ChipModel;

TEST_CASE("WHTI cards use the demo prefix and the document byte") {
  CardFactory f(1);
  const std::pair<DocumentType, std::uint8_t> types[] = {
      {DocumentType::bcc, 1},    {DocumentType::prc, 2},   {DocumentType::passport_card, 3},
      {DocumentType::sentri, 4}, {DocumentType::nexus, 5}, {DocumentType::fast, 6},
      {DocumentType::edl, 7}};
  for (const auto& [type, byte] : types) {
    const auto card = f.make_whti(type, ChipModel::impinj_monza_r6);
    REQUIRE(card.epc_len == 12);
    CHECK(card.epc[0] == 0xE2);
    CHECK(card.epc[1] == 0xC0);
    CHECK(card.epc[2] == 0xDE);
    CHECK(card.epc[3] == byte);
    CHECK(card.pc == 0x3000);
    CHECK(card.document == type);
    CHECK(card.is_traveler_card);
    CHECK(garita::sim::demo_document_byte(type) == byte);
  }
  CHECK(garita::sim::demo_document_byte(DocumentType::global_entry) == 0);
}

TEST_CASE("TIDs are Monza R6 or UCODE 8 with a 48-bit serial") {
  CardFactory f(2);
  const auto m = f.make_whti(DocumentType::bcc, ChipModel::impinj_monza_r6);
  const auto u = f.make_whti(DocumentType::bcc, ChipModel::nxp_ucode_8);
  REQUIRE(m.tid_len == 12);
  REQUIRE(u.tid_len == 12);
  CHECK(garita::to_hex(m.tid_bytes()).substr(0, 12) == "E28011602000");
  CHECK(garita::to_hex(u.tid_bytes()).substr(0, 12) == "E28068942000");
  // Cross-check with garita's own TID decoder: Impinj (MDID 1) TMN 0x160,
  // NXP (MDID 6) TMN 0x894, XTID with a 48-bit serial.
  const auto dm = garita::decode_tid(m.tid_bytes());
  CHECK(dm.mdid == 1);
  CHECK(dm.tmn == 0x160);
  CHECK(dm.xtid);
  CHECK(dm.serial.size() == 12);
  const auto du = garita::decode_tid(u.tid_bytes());
  CHECK(du.mdid == 6);
  CHECK(du.tmn == 0x894);
  CHECK(du.serial.size() == 12);
}

TEST_CASE("EPCs and TID serials never repeat") {
  CardFactory f(3);
  std::set<std::string> epcs, serials;
  constexpr std::size_t n = 50000;
  for (std::size_t i = 0; i < n; ++i) {
    const auto card = (i % 10 == 9) ? f.make_retail_sgtin(ChipModel::nxp_ucode_8)
                                    : f.make_whti(DocumentType::bcc, ChipModel::impinj_monza_r6);
    epcs.insert(garita::to_hex(card.epc_bytes()));
    serials.insert(garita::to_hex(card.tid_bytes()).substr(12));
  }
  CHECK(epcs.size() == n);
  CHECK(serials.size() == n);
  // Another key gives other numbers; the same key the same ones.
  CardFactory g(3), h(4);
  const auto a = g.make_whti(DocumentType::bcc, ChipModel::impinj_monza_r6);
  const auto b = h.make_whti(DocumentType::bcc, ChipModel::impinj_monza_r6);
  CHECK(epcs.count(garita::to_hex(a.epc_bytes())) == 1);
  CHECK(a.epc != b.epc);
}

TEST_CASE("retail tags are GS1 SGTIN-96 and not traveller cards") {
  CardFactory f(5);
  const auto card = f.make_retail_sgtin(ChipModel::impinj_monza_r6);
  CHECK_FALSE(card.is_traveler_card);
  CHECK(card.document == DocumentType::unknown);
  CHECK(card.epc[0] == 0x30);
  const auto d = garita::decode_epc(card.epc_bytes(), garita::PcWord{card.pc});
  CHECK(d.decoded());
  CHECK(d.filter == 1u);
  CHECK(d.partition == 5u);
  CHECK(d.id_uri.rfind("urn:epc:id:sgtin:0614141.", 0) == 0);
}
