// garita::utc_text: the one UTC formatter (RFC 3339 §5.6 with "Z").
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "garita/common/UtcText.hpp"

using garita::utc_text;
using garita::UtcDigits;

TEST_CASE("utc_text: known instants at each precision") {
  // 2026-11-23T10:05:07.123456Z = 1'795'428'307 s + 123'456 µs.
  const std::int64_t t = 1'795'428'307'123'456;
  CHECK(utc_text(t) == "2026-11-23T10:05:07Z");
  CHECK(utc_text(t, UtcDigits::seconds) == "2026-11-23T10:05:07Z");
  CHECK(utc_text(t, UtcDigits::millis) == "2026-11-23T10:05:07.123Z");
  CHECK(utc_text(t, UtcDigits::micros) == "2026-11-23T10:05:07.123456Z");
  CHECK(utc_text(0, UtcDigits::micros) == "1970-01-01T00:00:00.000000Z");
  // A leap day and the last second of a year.
  CHECK(utc_text(1'709'208'000'000'000) == "2024-02-29T12:00:00Z");
  CHECK(utc_text(1'798'761'599'999'999, UtcDigits::millis) == "2026-12-31T23:59:59.999Z");
  CHECK(utc_text(1'798'761'600'000'000) == "2027-01-01T00:00:00Z");
}

TEST_CASE("utc_text: rounds toward the past, before 1970 too") {
  CHECK(utc_text(999'999) == "1970-01-01T00:00:00Z");
  CHECK(utc_text(-1) == "1969-12-31T23:59:59Z");
  CHECK(utc_text(-1, UtcDigits::micros) == "1969-12-31T23:59:59.999999Z");
  CHECK(utc_text(-1'000'000, UtcDigits::millis) == "1969-12-31T23:59:59.000Z");
  CHECK(utc_text(-1'500'000, UtcDigits::millis) == "1969-12-31T23:59:58.500Z");
}

TEST_CASE("utc_text: a corrupt value outside years 1..9999 is shown at the range's end") {
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  CHECK(utc_text(lo, UtcDigits::micros) == "0001-01-01T00:00:00.000000Z");
  CHECK(utc_text(hi, UtcDigits::micros) == "9999-12-31T23:59:59.999999Z");
  CHECK(utc_text(253'402'300'799'000'000) == "9999-12-31T23:59:59Z");
}
