// Retention schedules: the math of each class's cutoff, the daily run time,
// and the [retention] config section's errors (docs/operations.md).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

#include "MinimalSiteConfig.hpp"
#include "garita/common/Errc.hpp"
#include "garita/common/config/SiteConfig.hpp"
#include "garita/common/store/RetentionSchedule.hpp"

using garita::config::parse_site_config;
using garita::config::SiteConfig;
using garita::store::RecordClass;
using garita::store::RetentionSchedule;

namespace {

constexpr std::int64_t kDay = 86'400'000'000;
constexpr std::int64_t kNow = 1'800'000'000'000'000;  // 2027-01-15

const std::string kMinimal =
    garita::test::minimal_site_config("crossings.db", R"(raw_reads_retention_hours = 6

[security]
audit_retention_days = 400
)");

std::string parse_error(const std::string& retention) {
  SiteConfig c;
  std::string error;
  const auto ec = parse_site_config(std::string(kMinimal) + retention,
                                    garita::test::kSiteConfigSource, c, error);
  CHECK(ec);
  return error;
}

}  // namespace

TEST_CASE("retention: every class has a name and a place") {
  for (RecordClass c : garita::store::kRecordClasses) {
    CHECK(garita::store::record_class_from(garita::store::to_string(c)) == c);
  }
  CHECK_FALSE(garita::store::record_class_from("crossing"));
  CHECK(garita::store::table_of(RecordClass::crossings) == garita::store::RetainedTable::crossings);
  CHECK(garita::store::table_of(RecordClass::raw_reads) == garita::store::RetainedTable::tag_reads);
  CHECK(garita::store::table_of(RecordClass::conflicts) ==
        garita::store::RetainedTable::crossing_conflicts);
  CHECK_FALSE(garita::store::table_of(RecordClass::audit));
  // The exchange's tables exist since schema v4: no class is reserved.
  CHECK(garita::store::table_of(RecordClass::entry_records) ==
        garita::store::RetainedTable::entry_records);
  CHECK(garita::store::table_of(RecordClass::officer_records) ==
        garita::store::RetainedTable::officer_records);
  for (RecordClass c : garita::store::kRecordClasses) {
    INFO(garita::store::to_string(c));
    CHECK_FALSE(garita::store::is_reserved(c));
  }
  CHECK(garita::store::to_string(garita::store::RetainedTable::entry_records) == "entry_records");
  CHECK(garita::store::to_string(garita::store::RetainedTable::officer_records) ==
        "officer_records");
}

TEST_CASE("retention: cutoffs per class") {
  RetentionSchedule s;
  s.crossings.max_age_days = 30;
  s.crossings.max_unexported_days = 45;
  s.crossings.after_exit_record_days = 2;
  s.raw_reads_hours = 6;
  s.conflicts_max_age_days = 10;
  s.audit_days = 730;
  const auto c = garita::store::crossing_cutoff(s, kNow);
  CHECK(c.before_us == kNow - 45 * kDay);  // not exported: never before 45 days
  CHECK(c.exported_before_us == kNow - 30 * kDay);
  CHECK(c.exit_record_before_us == kNow - 2 * kDay);
  CHECK(garita::store::cutoff_of(s, RecordClass::raw_reads, kNow) == kNow - 6 * 3'600'000'000);
  CHECK(garita::store::cutoff_of(s, RecordClass::conflicts, kNow) == kNow - 10 * kDay);
  CHECK(garita::store::cutoff_of(s, RecordClass::audit, kNow) == kNow - 730 * kDay);
  // 35 Gregorian years: between 35*365 and 35*366 days.
  const auto entry = *garita::store::cutoff_of(s, RecordClass::entry_records, kNow);
  CHECK(entry < kNow - 35 * 365 * kDay);
  CHECK(entry > kNow - 35 * 366 * kDay);
  // A cutoff never wraps: far in the past saturates.
  CHECK(*garita::store::cutoff_of(s, RecordClass::entry_records, -kNow * 5) < -kNow * 5);
}

TEST_CASE("retention: validation names the key") {
  RetentionSchedule s;
  std::string why;
  CHECK_FALSE(garita::store::validate(s, why));
  s.crossings.max_unexported_days = 10;
  CHECK(garita::store::validate(s, why));
  CHECK(why.rfind("crossings_max_unexported_days: 10 is below crossings_max_age_days 30", 0) == 0);
  s = {};
  s.batch_rows = 0;
  CHECK(garita::store::validate(s, why));
  CHECK(why == "batch_rows: must be an integer from 1 to 100000, not 0");
  s = {};
  s.raw_reads_hours = 0;
  CHECK(garita::store::validate(s, why));
  s = {};
  s.daily_at_minutes = 24 * 60;
  CHECK(garita::store::validate(s, why));
  CHECK(why.find('\n') == std::string::npos);
}

TEST_CASE("retention: time of day") {
  CHECK(garita::store::parse_time_of_day("03:30") == 210u);
  CHECK(garita::store::parse_time_of_day("00:00") == 0u);
  CHECK(garita::store::parse_time_of_day("23:59") == 1439u);
  for (const char* bad : {"24:00", "3:30", "03:60", "03-30", "", "03:30:00", "ab:cd"}) {
    INFO(bad);
    CHECK_FALSE(garita::store::parse_time_of_day(bad));
  }
  CHECK(garita::store::format_time_of_day(210) == "03:30");
}

TEST_CASE("retention: the daily run is the next local HH:MM") {
  const char* old = std::getenv("TZ");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  // 2026-11-23 05:00:00 UTC
  const std::time_t now = 1'795'410'000;
  CHECK(garita::store::next_daily_run(now, 3 * 60 + 30) == now + 22 * 3600 + 30 * 60);
  CHECK(garita::store::next_daily_run(now, 6 * 60) == now + 3600);
  CHECK(garita::store::next_daily_run(now, 5 * 60) == now + 24 * 3600);  // strictly after
  // America/Tijuana on the day DST ends (2026-11-01, 02:00 PDT -> 01:00 PST):
  // 03:30 local is 11:30 UTC.
  ::setenv("TZ", "America/Tijuana", 1);
  ::tzset();
  const std::time_t before = 1'793'515'200;  // 2026-11-01 06:40 UTC, 23:40 PDT Oct 31
  CHECK(garita::store::next_daily_run(before, 3 * 60 + 30) == 1'793'532'600);
  if (old != nullptr) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

TEST_CASE("retention: [retention] defaults and the classes set elsewhere") {
  SiteConfig c;
  std::string error;
  REQUIRE_FALSE(parse_site_config(kMinimal, garita::test::kSiteConfigSource, c, error));
  CHECK(c.retention.crossings.max_age_days == 30);
  CHECK(c.retention.crossings.max_unexported_days == 30);
  CHECK(c.retention.entry_records_years == 35);
  CHECK(c.retention.daily_at_minutes == 210);
  CHECK(c.retention.raw_reads_hours == 6);  // from [database]
  CHECK(c.retention.audit_days == 400);     // from [security]

  REQUIRE_FALSE(parse_site_config(std::string(kMinimal) + R"(
[retention]
daily_at = "02:15"
batch_rows = 200
crossings_max_age_days = 14
crossings_max_unexported_days = 60
crossings_after_exit_record_days = 1
conflicts_max_age_days = 7
entry_records_years = 35
officer_records_days = 1000
)",
                                  garita::test::kSiteConfigSource, c, error));
  CHECK(c.retention.daily_at_minutes == 135);
  CHECK(c.retention.batch_rows == 200);
  CHECK(c.retention.crossings.max_age_days == 14);
  CHECK(c.retention.crossings.max_unexported_days == 60);
  CHECK(c.retention.crossings.after_exit_record_days == 1);
  CHECK(c.retention.conflicts_max_age_days == 7);
  CHECK(c.retention.officer_records_days == 1000);
}

TEST_CASE("retention: [retention] errors are one line with file, line and key") {
  const auto typo = parse_error("\n[retention]\ncrossings_max_age_dayz = 3\n");
  INFO(typo);
  CHECK(typo.rfind("/etc/garita/garitad.toml:", 0) == 0);
  CHECK(typo.find(": retention.crossings_max_age_dayz: ") != std::string::npos);
  CHECK(parse_error("\n[retention]\ncrossings_max_age_dayz = 3\n").find("did you mean") !=
        std::string::npos);
  const auto unexported = parse_error(
      "\n[retention]\ncrossings_max_age_days = 30\ncrossings_max_unexported_days = 7\n");
  CHECK(unexported.find("retention.crossings_max_unexported_days") != std::string::npos);
  CHECK(unexported.find("is below crossings_max_age_days 30") != std::string::npos);
  CHECK(parse_error("\n[retention]\ndaily_at = \"3:30\"\n").find("retention.daily_at") !=
        std::string::npos);
  CHECK(parse_error("\n[retention]\nbatch_rows = 0\n").find("retention.batch_rows") !=
        std::string::npos);
  CHECK(parse_error("\n[retention]\nentry_records_years = \"35\"\n")
            .find("retention.entry_records_years") != std::string::npos);
  CHECK(parse_error("\n[retention]\nraw_reads_hours = 5\n").find("retention.raw_reads_hours") !=
        std::string::npos);
  for (const char* text : {"\n[retention]\ncrossings_max_age_days = 0\n",
                           "\n[retention]\nentry_records_years = 101\n"}) {
    const auto e = parse_error(text);
    CHECK(e.find('\n') == std::string::npos);
  }
}
