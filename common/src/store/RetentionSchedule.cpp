#include "garita/common/store/RetentionSchedule.hpp"

#include <cstdio>
#include <limits>

#include "garita/common/Errc.hpp"

namespace garita::store {
namespace {

constexpr std::int64_t kUsPerHour = 3'600'000'000;
constexpr std::int64_t kUsPerDay = 24 * kUsPerHour;
constexpr std::uint32_t kMaxDays = 36500;  // 100 years

// now - span, saturating (a cutoff before the epoch keeps everything).
std::int64_t minus(std::int64_t now, std::int64_t span_us) noexcept {
  if (span_us < 0) return now;
  if (now < std::numeric_limits<std::int64_t>::min() + span_us) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return now - span_us;
}

std::int64_t days_us(std::uint32_t days) noexcept {
  return static_cast<std::int64_t>(days) * kUsPerDay;
}

}  // namespace

std::string_view to_string(RecordClass c) noexcept {
  switch (c) {
    case RecordClass::crossings: return "crossings";
    case RecordClass::raw_reads: return "raw_reads";
    case RecordClass::conflicts: return "conflicts";
    case RecordClass::entry_records: return "entry_records";
    case RecordClass::officer_records: return "officer_records";
    case RecordClass::audit: return "audit";
  }
  return "crossings";
}

std::optional<RecordClass> record_class_from(std::string_view name) noexcept {
  for (RecordClass c : kRecordClasses) {
    if (to_string(c) == name) return c;
  }
  return std::nullopt;
}

std::string record_class_names() {
  std::string out;
  for (RecordClass c : kRecordClasses) {
    if (!out.empty()) out += ", ";
    out += to_string(c);
  }
  return out;
}

bool is_reserved(RecordClass) noexcept {
  // entry_records and officer_records have their tables since schema v4.
  return false;
}

std::optional<RetainedTable> table_of(RecordClass c) noexcept {
  switch (c) {
    case RecordClass::crossings: return RetainedTable::crossings;
    case RecordClass::raw_reads: return RetainedTable::tag_reads;
    case RecordClass::conflicts: return RetainedTable::crossing_conflicts;
    case RecordClass::entry_records: return RetainedTable::entry_records;
    case RecordClass::officer_records: return RetainedTable::officer_records;
    case RecordClass::audit: return std::nullopt;
  }
  return std::nullopt;
}

std::error_code validate(const RetentionSchedule& s, std::string& why) {
  auto bad = [&](std::string text) {
    why = std::move(text);
    return make_error_code(garita::Errc::config_bad_value);
  };
  const struct {
    const char* key;
    std::uint32_t value;
    std::uint32_t lo;
    std::uint32_t hi;
  } ranges[] = {
      {"crossings_max_age_days", s.crossings.max_age_days, 1, kMaxDays},
      {"crossings_max_unexported_days", s.crossings.max_unexported_days, 1, kMaxDays},
      {"crossings_after_exit_record_days", s.crossings.after_exit_record_days, 0, kMaxDays},
      {"conflicts_max_age_days", s.conflicts_max_age_days, 1, kMaxDays},
      {"entry_records_years", s.entry_records_years, 1, 100},
      {"officer_records_days", s.officer_records_days, 1, kMaxDays},
      {"audit_retention_days", s.audit_days, 1, kMaxDays},
      {"batch_rows", s.batch_rows, 1, 100000},
  };
  for (const auto& r : ranges) {
    if (r.value < r.lo || r.value > r.hi) {
      return bad(std::string(r.key) + ": must be an integer from " + std::to_string(r.lo) + " to " +
                 std::to_string(r.hi) + ", not " + std::to_string(r.value));
    }
  }
  if (!(s.raw_reads_hours >= 0.1 && s.raw_reads_hours <= 24.0 * 30)) {
    return bad("raw_reads_retention_hours: must be a number from 0.1 to 720");
  }
  if (s.daily_at_minutes >= 24 * 60) {
    return bad("daily_at: must be a time of day from 00:00 to 23:59");
  }
  // The exchange's protection: an exported crossing may go earlier than an
  // unexported one, never the other way round.
  if (s.crossings.max_unexported_days < s.crossings.max_age_days) {
    return bad("crossings_max_unexported_days: " + std::to_string(s.crossings.max_unexported_days) +
               " is below crossings_max_age_days " + std::to_string(s.crossings.max_age_days) +
               " (a crossing not yet exported must never go before an exported one)");
  }
  return {};
}

std::optional<std::uint32_t> parse_time_of_day(std::string_view t) noexcept {
  auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  if (t.size() != 5 || t[2] != ':' || !digit(t[0]) || !digit(t[1]) || !digit(t[3]) ||
      !digit(t[4])) {
    return std::nullopt;
  }
  const auto h = static_cast<std::uint32_t>((t[0] - '0') * 10 + (t[1] - '0'));
  const auto m = static_cast<std::uint32_t>((t[3] - '0') * 10 + (t[4] - '0'));
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string format_time_of_day(std::uint32_t minutes) {
  char buf[8];
  // Both fields are below 100, so "HH:MM" always fits: the length needs no check.
  static_cast<void>(
      std::snprintf(buf, sizeof buf, "%02u:%02u", (minutes / 60) % 100, minutes % 60));
  return buf;
}

std::optional<std::int64_t> cutoff_of(const RetentionSchedule& s, RecordClass c,
                                      std::int64_t now) noexcept {
  switch (c) {
    case RecordClass::crossings: return std::nullopt;
    case RecordClass::raw_reads:
      return minus(now,
                   static_cast<std::int64_t>(s.raw_reads_hours * static_cast<double>(kUsPerHour)));
    case RecordClass::conflicts: return minus(now, days_us(s.conflicts_max_age_days));
    case RecordClass::entry_records:
      // Calendar years: 365.2425 days each (the Gregorian mean), so 35 years
      // end on the anniversary give or take a day.
      return minus(now, static_cast<std::int64_t>(s.entry_records_years) * 31'556'952'000'000);
    case RecordClass::officer_records: return minus(now, days_us(s.officer_records_days));
    case RecordClass::audit: return minus(now, days_us(s.audit_days));
  }
  return std::nullopt;
}

RetentionCutoff crossing_cutoff(const RetentionSchedule& s, std::int64_t now) noexcept {
  RetentionCutoff c;
  c.before_us = minus(now, days_us(s.crossings.max_unexported_days));
  c.exported_before_us = minus(now, days_us(s.crossings.max_age_days));
  c.exit_record_before_us = minus(now, days_us(s.crossings.after_exit_record_days));
  return c;
}

RetentionCutoff store_cutoff(const RetentionSchedule& s, RecordClass c, std::int64_t now) noexcept {
  if (c == RecordClass::crossings) return crossing_cutoff(s, now);
  RetentionCutoff out;
  out.before_us = cutoff_of(s, c, now).value_or(std::numeric_limits<std::int64_t>::min());
  return out;
}

std::time_t next_daily_run(std::time_t now, std::uint32_t minutes) noexcept {
  std::tm day{};
  ::localtime_r(&now, &day);
  for (int add = 0; add < 3; ++add) {
    std::tm t = day;
    t.tm_mday += add;
    t.tm_hour = static_cast<int>(minutes / 60);
    t.tm_min = static_cast<int>(minutes % 60);
    t.tm_sec = 0;
    t.tm_isdst = -1;  // let mktime decide (DST days)
    const std::time_t at = std::mktime(&t);
    if (at != static_cast<std::time_t>(-1) && at > now) return at;
  }
  return now + std::time_t{24} * 3600;
}

}  // namespace garita::store
