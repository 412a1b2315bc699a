#include "garita/common/UtcText.hpp"

#include <chrono>
#include <cstdio>

namespace garita {

std::string utc_text(std::int64_t utc_us, UtcDigits digits) {
  using namespace std::chrono;
  // RFC 3339 has four-digit years only: a time outside 0001..9999 (never one
  // a clock makes; only a corrupt value) is shown as the nearest end, which
  // also keeps the calendar arithmetic below far from overflow.
  constexpr std::int64_t kFirst = -62'135'596'800LL * 1'000'000;  // 0001-01-01T00:00:00Z
  constexpr std::int64_t kLast = 253'402'300'799'999'999LL;       // 9999-12-31T23:59:59.999999Z
  if (utc_us < kFirst) utc_us = kFirst;
  if (utc_us > kLast) utc_us = kLast;
  // Floor (not truncate) to the second and to the day: -1 µs is
  // 1969-12-31T23:59:59.999999Z, not 1970-01-01T00:00:00Z.
  const sys_time<microseconds> t{microseconds{utc_us}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const auto in_day = t - day;  // 0 .. 86'399'999'999 µs
  const auto us = static_cast<std::int64_t>(in_day.count());
  const std::int64_t sod = us / 1'000'000;
  const std::int64_t frac = us % 1'000'000;
  // Civil calendar via <chrono> (no gmtime_r, no time_t); every text fits in 48.
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  if (n < 0) n = 0;
  std::string out(buf, static_cast<std::size_t>(n));
  switch (digits) {
    case UtcDigits::seconds: break;
    case UtcDigits::millis:
      n = std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac / 1000));
      out.append(buf, static_cast<std::size_t>(n > 0 ? n : 0));
      break;
    case UtcDigits::micros:
      n = std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(frac));
      out.append(buf, static_cast<std::size_t>(n > 0 ? n : 0));
      break;
  }
  out += 'Z';
  return out;
}

}  // namespace garita
