// The port clock on the OS tz database: UTC offsets across the 2026 U.S.
// daylight-saving switches (America/Tijuana follows them: second Sunday of
// March and first Sunday of November at 02:00 local), ISO weeks of the
// port's calendar (ISO 8601-1:2019 §5.2.4.1) and their UTC bounds.
#include <catch2/catch.hpp>

#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchManifest.hpp"
#include "garita/daemon/exchange/PortClock.hpp"

using garita::batch::EntryTime;
using garita::batch::Errc;
using garita::exchange::local_date_of;
using garita::exchange::local_time_of;
using garita::exchange::PortClock;

namespace {

PortClock tijuana() {
  PortClock clock;
  std::string error;
  REQUIRE_FALSE(PortClock::load("America/Tijuana", clock, error));
  REQUIRE(clock.valid());
  return clock;
}

// Seconds since the epoch; values checked with `date -u -d ... +%s`.
constexpr std::int64_t k2026_03_08T10_00Z = 1772964000;  // spring forward
constexpr std::int64_t k2026_11_01T09_00Z = 1793523600;  // fall back
constexpr std::int64_t k2026_11_16T08_00Z = 1794816000;
constexpr std::int64_t k2026_11_23T08_00Z = 1795420800;

}  // namespace

TEST_CASE("Tijuana is UTC-8 in winter and UTC-7 in summer, switching at 02:00 local") {
  const PortClock clock = tijuana();
  CHECK(clock.zone_name() == "America/Tijuana");
  // Spring forward: 2026-03-08 02:00 PST = 10:00 UTC.
  CHECK(clock.utc_offset_minutes(k2026_03_08T10_00Z - 1) == -480);
  CHECK(clock.utc_offset_minutes(k2026_03_08T10_00Z) == -420);
  // Fall back: 2026-11-01 02:00 PDT = 09:00 UTC.
  CHECK(clock.utc_offset_minutes(k2026_11_01T09_00Z - 1) == -420);
  CHECK(clock.utc_offset_minutes(k2026_11_01T09_00Z) == -480);
  // Mid-winter and mid-summer.
  CHECK(clock.utc_offset_minutes(1767225600) == -480);  // 2026-01-01T00:00Z
  CHECK(clock.utc_offset_minutes(1782864000) == -420);  // 2026-07-01T00:00Z

  const EntryTime before = clock.entry_time(k2026_03_08T10_00Z - 1);
  CHECK(before.utc_seconds == k2026_03_08T10_00Z - 1);
  CHECK(before.utc_offset_minutes == -480);
  CHECK(local_date_of(before) == "2026-03-08");
  CHECK(local_time_of(before) == "01:59:59");
  const EntryTime after = clock.entry_time(k2026_03_08T10_00Z);
  CHECK(local_date_of(after) == "2026-03-08");
  CHECK(local_time_of(after) == "03:00:00");  // 02:00..02:59 local never happens

  // Fall back: 01:30 local happens twice; the offset tells them apart.
  const EntryTime first = clock.entry_time(k2026_11_01T09_00Z - 1800);
  const EntryTime second = clock.entry_time(k2026_11_01T09_00Z + 1800);
  CHECK(local_time_of(first) == "01:30:00");
  CHECK(local_time_of(second) == "01:30:00");
  CHECK(first.utc_offset_minutes == -420);
  CHECK(second.utc_offset_minutes == -480);
}

TEST_CASE("local date and time of an entry time are utc + offset") {
  CHECK(local_date_of(EntryTime{0, 0}) == "1970-01-01");
  CHECK(local_time_of(EntryTime{0, 0}) == "00:00:00");
  // 2026-11-23T07:30:05Z at -480 is Sunday 2026-11-22 23:30:05 local.
  CHECK(local_date_of(EntryTime{k2026_11_23T08_00Z - 1795, -480}) == "2026-11-22");
  CHECK(local_time_of(EntryTime{k2026_11_23T08_00Z - 1795, -480}) == "23:30:05");
  // Positive offsets too (+05:45, Asia/Kathmandu).
  CHECK(local_date_of(EntryTime{k2026_11_16T08_00Z, 345}) == "2026-11-16");
  CHECK(local_time_of(EntryTime{k2026_11_16T08_00Z, 345}) == "13:45:00");
}

TEST_CASE("week bounds are Monday 00:00 local to the next Monday 00:00 local, in UTC") {
  const PortClock clock = tijuana();
  std::int64_t begin = 0, end = 0;
  std::string error;
  REQUIRE_FALSE(clock.week_bounds("2026-W47", begin, end, error));
  CHECK(begin == k2026_11_16T08_00Z);
  CHECK(end == k2026_11_23T08_00Z);

  // The week of the fall-back switch lasts 7 days + 1 hour (the Monday
  // 2026-10-26 begins at 07:00Z under PDT, the next at 08:00Z under PST).
  REQUIRE_FALSE(clock.week_bounds("2026-W44", begin, end, error));
  CHECK(begin == 1792998000);  // 2026-10-26T07:00:00Z
  CHECK(end == 1793606400);    // 2026-11-02T08:00:00Z
  CHECK(end - begin == 7 * 86400 + 3600);

  // The spring-forward week is an hour short.
  REQUIRE_FALSE(clock.week_bounds("2026-W10", begin, end, error));
  CHECK(begin == 1772438400);  // 2026-03-02T08:00:00Z
  CHECK(end == 1773039600);    // 2026-03-09T07:00:00Z
  CHECK(end - begin == 7 * 86400 - 3600);
}

TEST_CASE("2026 has 53 ISO weeks, 2027 has 52") {
  const PortClock clock = tijuana();
  std::int64_t begin = 0, end = 0;
  std::string error;
  // 2026-01-01 is a Thursday, so 2026-W53 exists: 2026-12-28 .. 2027-01-03.
  REQUIRE_FALSE(clock.week_bounds("2026-W53", begin, end, error));
  CHECK(begin == 1798444800);  // 2026-12-28T08:00:00Z
  CHECK(end == 1799049600);    // 2027-01-04T08:00:00Z
  CHECK(clock.week_of(begin) == "2026-W53");
  CHECK(clock.week_of(end - 1) == "2026-W53");
  CHECK(clock.week_of(end) == "2027-W01");
  // 2026-W01 began on Monday 2025-12-29.
  REQUIRE_FALSE(clock.week_bounds("2026-W01", begin, end, error));
  CHECK(begin == 1766995200);  // 2025-12-29T08:00:00Z

  const auto ec = clock.week_bounds("2027-W53", begin, end, error);
  CHECK(ec == Errc::invalid_argument);
  CHECK(error == "period \"2027-W53\": week 53 does not exist in ISO year 2027");
}

TEST_CASE("malformed or non-existent periods are refused with a message") {
  const PortClock clock = tijuana();
  std::int64_t begin = 11, end = 22;
  for (const char* bad : {"", "2026-W4", "2026-W470", "2026W47", "2026-w47", "2026-47", "26-W0047",
                          "+026-W47", "2026-W+7", "2026-W 7", "２026-W47"}) {
    std::string error;
    INFO(bad);
    CHECK(clock.week_bounds(bad, begin, end, error) == Errc::invalid_argument);
    CHECK(error.find("is not an ISO week like \"2026-W47\"") != std::string::npos);
  }
  for (const char* missing : {"2026-W00", "2026-W54", "2026-W99", "2027-W53"}) {
    std::string error;
    INFO(missing);
    CHECK(clock.week_bounds(missing, begin, end, error) == Errc::invalid_argument);
    CHECK(error.find("does not exist in ISO year") != std::string::npos);
  }
  for (const char* far : {"0000-W01", "1999-W52", "2200-W01"}) {
    std::string error;
    INFO(far);
    CHECK(clock.week_bounds(far, begin, end, error) == Errc::invalid_argument);
    CHECK(error.find("is outside 2000..2199") != std::string::npos);
  }
  CHECK(begin == 11);  // untouched on error
  CHECK(end == 22);
}

TEST_CASE("an unknown zone is refused without throwing") {
  PortClock clock;
  std::string error;
  const auto ec = PortClock::load("America/Atlantis", clock, error);
  CHECK(ec == Errc::not_configured);
  CHECK(error ==
        "unknown time zone \"America/Atlantis\": not in the OS tz database "
        "(/usr/share/zoneinfo; is tzdata installed?)");
  CHECK_FALSE(clock.valid());

  error.clear();
  CHECK(PortClock::load("", clock, error) == Errc::not_configured);
  CHECK(error.find("empty") != std::string::npos);

  // A clock that was never loaded refuses week bounds instead of guessing.
  std::int64_t begin = 0, end = 0;
  CHECK(clock.week_bounds("2026-W47", begin, end, error) == Errc::not_configured);

  // A valid clock reloaded with a bad name is left invalid, not half-loaded.
  PortClock reused = tijuana();
  CHECK(PortClock::load("Not/AZone", reused, error) == Errc::not_configured);
  CHECK_FALSE(reused.valid());
  CHECK(reused.zone_name().empty());
}

TEST_CASE("the week of an instant is the port-local week, not the UTC week") {
  const PortClock clock = tijuana();
  // Sunday 2026-11-22 23:30 local (PST) = Monday 2026-11-23T07:30:00Z.
  const std::int64_t sunday_night = k2026_11_23T08_00Z - 1800;
  CHECK(garita::batch::iso_week_of(sunday_night) == "2026-W48");  // in UTC it is Monday
  CHECK(clock.week_of(sunday_night) == "2026-W47");
  CHECK(clock.week_of(k2026_11_23T08_00Z - 1) == "2026-W47");
  CHECK(clock.week_of(k2026_11_23T08_00Z) == "2026-W48");
  CHECK(clock.week_of(k2026_11_16T08_00Z) == "2026-W47");
  CHECK(clock.week_of(k2026_11_16T08_00Z - 1) == "2026-W46");
}
