#include "garita/daemon/batch/BatchManifest.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>

#include "garita/daemon/batch/BatchErrc.hpp"

namespace garita::batch {

std::string_view to_string(BatchType type) noexcept {
  return type == BatchType::export_batch ? "export" : "return";
}

std::error_code new_batch_id(std::string& out, std::string& error) {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    error = "batch id: RAND_bytes failed";
    return Errc::crypto_failed;
  }
  // RFC 4122 §4.4: version 4 in the high nibble of byte 6, variant 10xx in byte 8.
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  char text[37];
  // 16 bytes as 36 characters: always fits in 37.
  static_cast<void>(std::snprintf(
      text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]));
  out.assign(text, 36);
  return {};
}

namespace {

using namespace std::chrono;

// Monday of ISO week 1 of ISO year `y`: the week with the year's first Thursday (ISO 8601 §3.2.2).
sys_days iso_year_start(int y) {
  const sys_days jan4{year{y} / January / 4};
  const weekday wd{jan4};
  return jan4 - days{(wd.c_encoding() + 6) % 7};
}

}  // namespace

std::string iso_week_of(std::int64_t utc_seconds) {
  const sys_days day = floor<days>(sys_seconds{seconds{utc_seconds}});
  int y = static_cast<int>(year_month_day{day}.year());
  if (day >= iso_year_start(y + 1))
    ++y;
  else if (day < iso_year_start(y))
    --y;
  const int week = static_cast<int>((day - iso_year_start(y)).count() / 7) + 1;
  char text[32];
  // An int year and a week number: always fits in 32.
  static_cast<void>(std::snprintf(text, sizeof text, "%04d-W%02d", y, week));
  return text;
}

bool is_valid_iso_week(std::string_view p) noexcept {
  if (p.size() != 8 || p[4] != '-' || p[5] != 'W') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 6u, 7u})
    if (p[i] < '0' || p[i] > '9') return false;
  const int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  const int w = (p[6] - '0') * 10 + (p[7] - '0');
  if (y < 2000 || y > 2199 || w < 1) return false;
  const int weeks = static_cast<int>((iso_year_start(y + 1) - iso_year_start(y)).count() / 7);
  return w <= weeks;
}

}  // namespace garita::batch
