// The port's local time from the OS tz database via Howard Hinnant's date/tz
// (USE_OS_TZDB: /usr/share/zoneinfo, Debian tzdata). ISO 8601 weeks use
// date/iso_week.h (ISO 8601-1:2019 §5.2.4.1: weeks start on Monday, week 1
// is the one with the year's first Thursday).
#include "garita/daemon/exchange/PortClock.hpp"

#include <date/date.h>
#include <date/iso_week.h>
#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>

#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchManifest.hpp"

namespace garita::exchange {
namespace {

using Seconds = std::chrono::seconds;
using SysSeconds = date::sys_time<Seconds>;

// Parses exactly "YYYY-Www" (digits only, no sign).
bool parse_period(std::string_view period, int& year, unsigned& week) noexcept {
  if (period.size() != 8 || period[4] != '-' || period[5] != 'W') {
    return false;
  }
  auto digits = [](std::string_view s, auto& value) {
    for (char c : s) {
      if (c < '0' || c > '9') {
        return false;
      }
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc{} && p == s.data() + s.size();
  };
  return digits(period.substr(0, 4), year) && digits(period.substr(6, 2), week);
}

// UTC instant of local midnight of `day`. Local midnight exists in every
// America/* zone (they switch at 02:00), but some zones have switched at
// midnight (e.g. America/Havana, Asia/Beirut): choose::earliest resolves an
// ambiguous midnight to its first occurrence, and a non-existent one maps
// to the instant the gap ends — never an exception.
SysSeconds local_midnight_utc(const date::time_zone* zone, date::local_days day) {
  const date::local_seconds local{day};
  const auto info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    // The first instant of that day that exists is the end of the gap.
    return info.first.end;
  }
  return zone->to_sys(local, date::choose::earliest);
}

}  // namespace

std::error_code PortClock::load(std::string_view zone, PortClock& out, std::string& error) {
  out = PortClock{};
  if (zone.empty()) {
    error = "port time zone is empty (expected an IANA name like \"America/Tijuana\")";
    return batch::Errc::not_configured;
  }
  try {
    // Throws std::runtime_error for a name the tz database does not have
    // (and when the database itself cannot be read).
    const date::time_zone* z = date::locate_zone(std::string{zone});
    out.zone_ = z;
    out.name_ = std::string{zone};
    return {};
  } catch (const std::exception&) {
    error = "unknown time zone \"" + std::string{zone} +
            "\": not in the OS tz database (/usr/share/zoneinfo; is tzdata installed?)";
    return batch::Errc::not_configured;
  }
}

std::int32_t PortClock::utc_offset_minutes(std::int64_t utc_seconds) const {
  if (zone_ == nullptr) {
    return 0;
  }
  const auto info = zone_->get_info(SysSeconds{Seconds{utc_seconds}});
  return static_cast<std::int32_t>(
      std::chrono::duration_cast<std::chrono::minutes>(info.offset).count());
}

batch::EntryTime PortClock::entry_time(std::int64_t utc_seconds) const {
  return batch::EntryTime{utc_seconds, utc_offset_minutes(utc_seconds)};
}

std::error_code PortClock::week_bounds(std::string_view period, std::int64_t& begin_utc_seconds,
                                       std::int64_t& end_utc_seconds, std::string& error) const {
  if (zone_ == nullptr) {
    error = "port clock not loaded";
    return batch::Errc::not_configured;
  }
  int year = 0;
  unsigned week = 0;
  if (!parse_period(period, year, week)) {
    error = "period \"" + std::string{period} + R"(" is not an ISO week like "2026-W47")";
    return batch::Errc::invalid_argument;
  }
  // The batch format's range of periods (docs/batch-format.md §3).
  if (year < 2000 || year > 2199) {
    error = "period \"" + std::string{period} + "\": year " + std::to_string(year) +
            " is outside 2000..2199";
    return batch::Errc::invalid_argument;
  }
  const iso_week::year_weeknum_weekday monday{iso_week::year{year}, iso_week::weeknum{week},
                                              iso_week::mon};
  if (week < 1 || !monday.ok() || !batch::is_valid_iso_week(period)) {
    error = "period \"" + std::string{period} + "\": week " + std::to_string(week) +
            " does not exist in ISO year " + std::to_string(year);
    return batch::Errc::invalid_argument;
  }
  const date::local_days first{date::sys_days{monday}.time_since_epoch()};
  const date::local_days next = first + date::days{7};
  begin_utc_seconds = local_midnight_utc(zone_, first).time_since_epoch().count();
  end_utc_seconds = local_midnight_utc(zone_, next).time_since_epoch().count();
  return {};
}

std::string PortClock::week_of(std::int64_t utc_seconds) const {
  const std::int64_t local = utc_seconds + std::int64_t{utc_offset_minutes(utc_seconds)} * 60;
  const auto day = date::floor<date::days>(SysSeconds{Seconds{local}});
  const iso_week::year_weeknum_weekday iw{day};
  char buf[16];
  static_cast<void>(std::snprintf(buf, sizeof buf, "%04d-W%02u", static_cast<int>(iw.year()),
                                  static_cast<unsigned>(iw.weeknum())));
  return buf;
}

std::string local_date_of(const batch::EntryTime& t) {
  const std::int64_t local = t.utc_seconds + std::int64_t{t.utc_offset_minutes} * 60;
  const auto day = date::floor<date::days>(SysSeconds{Seconds{local}});
  const date::year_month_day ymd{day};
  char buf[16];
  static_cast<void>(std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                                  static_cast<unsigned>(ymd.month()),
                                  static_cast<unsigned>(ymd.day())));
  return buf;
}

std::string local_time_of(const batch::EntryTime& t) {
  const std::int64_t local = t.utc_seconds + std::int64_t{t.utc_offset_minutes} * 60;
  const SysSeconds tp{Seconds{local}};
  const auto day = date::floor<date::days>(tp);
  const date::hh_mm_ss<Seconds> hms{tp - day};
  char buf[16];
  static_cast<void>(std::snprintf(
      buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(hms.hours().count()),
      static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count())));
  return buf;
}

}  // namespace garita::exchange
