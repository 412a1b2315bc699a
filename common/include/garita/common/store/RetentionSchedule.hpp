#pragma once
// How long each record class is kept (privacy assessment: data minimisation,
// retention schedules; docs/operations.md "Retention"). Pure: no I/O, no
// clock; the time of the purge is passed in.
//
// Record classes and where their schedule is set:
//   crossings        [retention] crossings_*: see CrossingRetention
//   raw_reads        [database] raw_reads_retention_hours (the capture's own)
//   conflicts        [retention] conflicts_max_age_days
//   entry_records    [retention] entry_records_years (35), by entry time:
//                    the partner's returned exit records (schema v4)
//   officer_records  [retention] officer_records_days, by entry time,
//                    exported or not (schema v4)
//   audit            [security] audit_retention_days (the audit log purges
//                    whole signed segments itself: AuditLog::purge_older_than)
#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/common/store/CrossingStore.hpp"

namespace garita::store {

enum class RecordClass : std::uint8_t {
  crossings,
  raw_reads,
  conflicts,
  entry_records,
  officer_records,
  audit,
};
inline constexpr std::array kRecordClasses = {
    RecordClass::crossings,     RecordClass::raw_reads,       RecordClass::conflicts,
    RecordClass::entry_records, RecordClass::officer_records, RecordClass::audit};
std::string_view to_string(RecordClass c) noexcept;
std::optional<RecordClass> record_class_from(std::string_view name) noexcept;
// "crossings, raw_reads, ..." for messages.
std::string record_class_names();
// Classes that have no table yet: their schedule is read and validated, and
// a purge reports them as "no records of this class yet". None since schema
// v4 (kept for the next class that is planned before its table exists).
bool is_reserved(RecordClass c) noexcept;
// The table of the crossing store a class lives in; nullopt for audit (its
// own file) and any reserved class.
std::optional<RetainedTable> table_of(RecordClass c) noexcept;

// Crossings are needed until the partner's exit record for them came back
// (then `after_exit_record_days` more); until the weekly exchange records
// that, they go at `max_age_days` once exported. The rule that protects
// the exchange: a crossing not yet exported is never purged before
// `max_unexported_days` (>= max_age_days), and always at that age.
struct CrossingRetention {
  std::uint32_t max_age_days = 30;
  std::uint32_t max_unexported_days = 30;
  std::uint32_t after_exit_record_days = 2;
};

struct RetentionSchedule {
  CrossingRetention crossings;
  double raw_reads_hours = 24;
  std::uint32_t conflicts_max_age_days = 30;
  std::uint32_t entry_records_years = 35;
  std::uint32_t officer_records_days = 365;
  std::uint32_t audit_days = 730;
  // garitad's daily purge: local time of day, minutes after midnight.
  std::uint32_t daily_at_minutes = 3 * 60 + 30;
  // Rows per purge transaction (a concurrent writer waits at most one).
  std::uint32_t batch_rows = 500;
};

// Checks ranges and the rules between values; `why` is one line naming the
// key ("crossings_max_unexported_days: 10 is below crossings_max_age_days 30").
std::error_code validate(const RetentionSchedule& schedule, std::string& why);

// "HH:MM" (24 h) -> minutes after midnight; nullopt when malformed.
std::optional<std::uint32_t> parse_time_of_day(std::string_view text) noexcept;
std::string format_time_of_day(std::uint32_t minutes);

// The cutoff (host UTC µs) of a class at `now_utc_us`: records older than it
// go. For crossings see crossing_cutoff. nullopt for a class with no
// single cutoff (crossings).
std::optional<std::int64_t> cutoff_of(const RetentionSchedule& schedule, RecordClass c,
                                      std::int64_t now_utc_us) noexcept;
RetentionCutoff crossing_cutoff(const RetentionSchedule& schedule,
                                std::int64_t now_utc_us) noexcept;
// What the store's purge of `c` uses (table_of(c) must be set).
RetentionCutoff store_cutoff(const RetentionSchedule& schedule, RecordClass c,
                             std::int64_t now_utc_us) noexcept;

// The next daily run strictly after `now` (seconds since the epoch), at
// `minutes` after local midnight in the process's time zone (TZ). On a DST
// day a time that does not exist runs at the first valid time after it.
std::time_t next_daily_run(std::time_t now, std::uint32_t minutes) noexcept;

}  // namespace garita::store
