// Batch ids and ISO 8601 weeks.
#include <catch2/catch.hpp>

#include <set>

#include "garita/daemon/batch/BatchManifest.hpp"

using namespace garita::batch;

TEST_CASE("batch ids are random RFC 4122 version 4 UUIDs") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id, error;
    REQUIRE_FALSE(new_batch_id(id, error));
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '4');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("ISO weeks follow ISO 8601 (the week with the year's first Thursday is week 1)") {
  // Values checked against `date -u -d ... +%G-W%V`.
  CHECK(iso_week_of(1795154400) == "2026-W47");  // 2026-11-20
  CHECK(iso_week_of(1767139200) == "2026-W01");  // 2025-12-31 (Wednesday)
  CHECK(iso_week_of(1830211200) == "2027-W52");  // 2027-12-31 (Friday)
  CHECK(iso_week_of(1798761600) == "2026-W53");  // 2027-01-01 (Friday)
  CHECK(iso_week_of(1609459200) == "2020-W53");  // 2021-01-01 (Friday)
  CHECK(iso_week_of(1609718400) == "2021-W01");  // 2021-01-04 (Monday)
  CHECK(is_valid_iso_week("2020-W53"));
  CHECK(is_valid_iso_week("2026-W53"));
  CHECK_FALSE(is_valid_iso_week("2027-W53"));
  CHECK_FALSE(is_valid_iso_week("2026-W54"));
  CHECK_FALSE(is_valid_iso_week("2026-W00"));
  CHECK_FALSE(is_valid_iso_week("2026-w47"));
  CHECK_FALSE(is_valid_iso_week("2026W47"));
  CHECK_FALSE(is_valid_iso_week("1999-W01"));
}
