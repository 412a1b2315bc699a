#pragma once
// The port's local time: the partner exchange writes the date and time of
// entry "local time of the port and UTC" (issue 7; docs/batch-format.md §4)
// and the weekly period ("2026-W47") is a week of the port's calendar.
// GCC 12's libstdc++ has no std::chrono::tzdb, so the zone rules come from
// Howard Hinnant's date/tz library (Debian libhowardhinnant-date-dev, the
// reference implementation std::chrono's tzdb was standardised from) reading
// the OS tz database (Debian tzdata, /usr/share/zoneinfo). No I/O after
// load(); thread-safe to share once loaded.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/daemon/batch/BatchRecords.hpp"

namespace date {
class time_zone;
}

namespace garita::exchange {

class PortClock {
 public:
  // `zone`: IANA name ("America/Tijuana"). batch::Errc::not_configured with a
  // one-line message when the OS tz database does not know it.
  static std::error_code load(std::string_view zone, PortClock& out, std::string& error);

  bool valid() const noexcept { return zone_ != nullptr; }
  const std::string& zone_name() const noexcept { return name_; }

  // Offset of port-local time from UTC at that instant, in minutes (-480
  // for Tijuana in winter, -420 in summer).
  std::int32_t utc_offset_minutes(std::int64_t utc_seconds) const;
  // {utc_seconds, offset at that instant}: what an export record carries.
  batch::EntryTime entry_time(std::int64_t utc_seconds) const;

  // The UTC instants [begin, end) of the ISO 8601 week `period` ("2026-W47")
  // in port-local time: Monday 00:00 local to the next Monday 00:00 local.
  // batch::Errc::invalid_argument for a malformed or non-existent week.
  std::error_code week_bounds(std::string_view period, std::int64_t& begin_utc_seconds,
                              std::int64_t& end_utc_seconds, std::string& error) const;
  // The ISO week ("2026-W47") of that instant in port-local time.
  std::string week_of(std::int64_t utc_seconds) const;

 private:
  const date::time_zone* zone_ = nullptr;
  std::string name_;
};

// Local date "YYYY-MM-DD" and time "hh:mm:ss" of an EntryTime (utc + offset):
// exactly the strings an export batch carries and a return record echoes.
std::string local_date_of(const batch::EntryTime& t);
std::string local_time_of(const batch::EntryTime& t);

}  // namespace garita::exchange
