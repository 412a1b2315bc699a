#include <catch2/catch.hpp>

#include <algorithm>

#include "garita/common/MdidTable.hpp"

TEST_CASE("MDID table is compiled from the GS1 list, sorted and complete") {
  const auto makers = garita::mask_designers();
  // data/gs1_mdid_list.json (GS1 version 2023-11-03) lists 75 mask designers.
  CHECK(makers.size() == 75);
  CHECK(std::is_sorted(makers.begin(), makers.end(),
                       [](const auto& a, const auto& b) { return a.mdid < b.mdid; }));
  std::size_t chips = 0;
  for (const auto& m : makers) {
    CHECK(m.mdid < 512);  // 9-bit field
    CHECK_FALSE(m.manufacturer.empty());
    CHECK(m.manufacturer.back() != ' ');  // the list has trailing blanks; we trim them
    for (const auto& c : m.chips) CHECK(c.tmn < 4096);  // 12-bit field
    chips += m.chips.size();
  }
  CHECK(chips == 130);  // 131 rows, two of which share TMN 0x171
  CHECK(garita::mdid_list_version() == "2023-11-03T08:57:00Z");
}

TEST_CASE("MDID table finds makers and chip models") {
  const auto* impinj = garita::find_mask_designer(1);
  REQUIRE(impinj != nullptr);
  CHECK(impinj->manufacturer == "Impinj");
  CHECK(garita::find_chip_model(1, 0x160) == "Monza R6");
  const auto* nxp = garita::find_mask_designer(6);
  REQUIRE(nxp != nullptr);
  CHECK(nxp->manufacturer == "NXP Semiconductors");
  CHECK(garita::find_chip_model(6, 0x894) == "UCODE 8");
  CHECK(garita::find_mask_designer(511) == nullptr);
  CHECK(garita::find_chip_model(1, 0xFFF).empty());
  CHECK(garita::find_chip_model(511, 0x160).empty());
}

TEST_CASE("chips sharing a TMN are named together, not one picked at random") {
  CHECK(garita::find_chip_model(1, 0x171) == "Monza R6-A / Monza R6-B");
}
