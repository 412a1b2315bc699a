#pragma once
// The crossing store: one SQLite database file in WAL mode with
// synchronous=FULL, so a crossing is on disk once its COMMIT returns and a
// crash or kill -9 loses nothing committed. Schema, columns and migrations:
// docs/data-formats.md.
//
// One CrossingStore is one SQLite connection. It is not thread-safe: use it
// from one thread at a time (GroupCommitter owns one on its writer thread).
// Other processes (the admin tool) may open their own store on the same file.
// Nothing throws out of this API: every call returns a std::error_code in the
// "store" category, and last_error() names the file and what failed.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/common/Crossing.hpp"
#include "garita/common/TagRead.hpp"
#include "garita/common/store/StoreErrc.hpp"

struct sqlite3;

namespace garita::store {

// Schema version this code writes (PRAGMA user_version). A file with a
// higher version is refused; a lower one is migrated step by step.
inline constexpr int kSchemaVersion = 4;
// PRAGMA application_id of a garita crossing store ("GARI").
inline constexpr std::int32_t kApplicationId = 0x47415249;

// Raw tag reads are NOT stored by default (privacy assessment): only
// crossings are. For diagnosis a site can switch on a bounded capture.
struct RawCaptureOptions {
  bool enabled = false;
  // Reads older than this (by host receive time) are purged on every write.
  std::chrono::seconds retention{std::chrono::hours{24}};
  // And never more than this many rows: the oldest go first.
  std::uint64_t max_rows = 1'000'000;
};

struct StoreOptions {
  bool read_only = false;  // for tools that only list; never migrates
  bool create = true;      // create the file when it does not exist
  std::chrono::milliseconds busy_timeout{5000};
  // 0: no cap. Otherwise the database never grows past about this many
  // bytes (PRAGMA max_page_count); a full store reports Errc::disk_full.
  std::uint64_t max_size_bytes = 0;
  // When capture is off, opening read-write deletes any reads a previous
  // capture left behind.
  RawCaptureOptions raw_capture;
};

// What writing one crossing did.
enum class WriteOutcome : std::uint8_t {
  inserted,   // a new (lane, sequence)
  extended,   // an existing row grew (later last_seen, more reads, ...)
  unchanged,  // the row already held everything this crossing says
  conflict,   // (lane, sequence) holds another EPC: kept in crossing_conflicts
  rejected,   // invalid: nothing written (see last_error())
};
std::string_view to_string(WriteOutcome outcome) noexcept;

// Checks what the store relies on (lane id, sequence range, hex matching
// bytes, enum values, text lengths, first <= last seen). Returns
// Errc::invalid_crossing and sets `why` when the crossing cannot be stored.
std::error_code validate_crossing(const Crossing& crossing, std::string& why);

// Position in a listing, to continue after the last row of a page.
struct CrossingCursor {
  std::int64_t first_seen_utc_us = 0;
  std::int64_t id = 0;
  friend bool operator==(const CrossingCursor&, const CrossingCursor&) = default;
};

enum class ListOrder : std::uint8_t { oldest_first, newest_first };

struct CrossingFilter {
  std::optional<std::string> lane_id;
  std::optional<std::int64_t> since_utc_us;  // first_seen >= since
  std::optional<std::int64_t> until_utc_us;  // first_seen <  until
  std::optional<std::string> epc_hex;        // any case/separators; exact match
  std::optional<DocumentType> document;
  std::size_t limit = 100;              // 1..10000 rows per page
  std::optional<CrossingCursor> after;  // the previous page's `next`
  ListOrder order = ListOrder::oldest_first;
};

struct StoredCrossing {
  std::int64_t id = 0;             // row id: stable, never reused
  std::int64_t created_at_us = 0;  // host UTC µs the row was first written
  std::int64_t updated_at_us = 0;  // host UTC µs it last changed
  Crossing crossing;
};

struct CrossingPage {
  std::vector<StoredCrossing> rows;
  std::optional<CrossingCursor> next;  // set when more rows match
};

struct LaneSequence {
  std::string lane_id;
  std::uint64_t max_sequence = 0;
};

struct StoreCounts {
  std::uint64_t crossings = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t raw_reads = 0;
};

// --- Retention (docs/operations.md) -----------------------------------------
// The tables a retention purge deletes from. entry_records and
// officer_records are the weekly exchange's (schema v4).
enum class RetainedTable : std::uint8_t {
  crossings,
  crossing_conflicts,
  tag_reads,
  entry_records,
  officer_records,
};
std::string_view to_string(RetainedTable table) noexcept;

// Which rows of a table are past their schedule. Times are host UTC µs and
// compared with first_seen_utc_us (crossings, conflicts), host_utc_us
// (raw reads) or entry_utc_us (entry records, officer records).
struct RetentionCutoff {
  // Every row older than this goes (for crossings: even one not exported).
  std::int64_t before_us = 0;
  // Crossings only: an exported crossing (exported_at_us set) older than this
  // goes; and one whose exit record came back before exit_record_before_us.
  // nullopt: the rule is not applied.
  std::optional<std::int64_t> exported_before_us;
  std::optional<std::int64_t> exit_record_before_us;
};

struct RetentionTally {
  std::uint64_t purgeable = 0;  // rows the cutoff selects
  std::uint64_t kept = 0;       // the others
  std::optional<std::int64_t> oldest_kept_us;
  std::optional<std::int64_t> newest_kept_us;
};

class CrossingStore {
 public:
  CrossingStore() noexcept;
  ~CrossingStore();
  CrossingStore(CrossingStore&&) noexcept;
  CrossingStore& operator=(CrossingStore&&) noexcept;
  CrossingStore(const CrossingStore&) = delete;
  CrossingStore& operator=(const CrossingStore&) = delete;

  // Opens (creating when allowed) and migrates the file; checks that WAL,
  // synchronous=FULL, foreign keys, secure_delete and the busy timeout took
  // effect. Closes any database this store had open first.
  std::error_code open(const std::filesystem::path& file,
                       const StoreOptions& options = {}) noexcept;
  void close() noexcept;
  bool is_open() const noexcept;
  const std::filesystem::path& path() const noexcept;
  // "FILE: what was done: what failed" for the last failing call.
  const std::string& last_error() const noexcept;
  // The file's schema version once open (kSchemaVersion after migrating).
  int schema_version() const noexcept;

  // --- Writing crossings --------------------------------------------------
  // Stores one crossing in its own transaction. A repeated crossing is
  // harmless; a later one with the same (lane, sequence) and EPC extends the
  // row: last_seen = max, read_count = max, peak RSSI = max, antenna bits
  // OR-ed, first_seen = min, and blanks (TID, document, direction, PC)
  // filled. Applying the same crossing twice changes nothing.
  std::error_code write(const Crossing& crossing, WriteOutcome* outcome = nullptr) noexcept;
  // All in one transaction: all committed or none. Invalid crossings are
  // rejected (outcome `rejected`) without failing the others.
  std::error_code write_batch(std::span<const Crossing> crossings,
                              std::vector<WriteOutcome>* outcomes = nullptr) noexcept;
  // The same in steps: begin() (BEGIN IMMEDIATE), put() for each crossing,
  // commit(). put() returns an error only when the transaction itself
  // failed (then roll back); a bad crossing is outcome `rejected`.
  std::error_code begin() noexcept;
  std::error_code put(const Crossing& crossing, WriteOutcome& outcome) noexcept;
  std::error_code commit() noexcept;
  void rollback() noexcept;
  bool in_transaction() const noexcept;

  // --- Raw reads (diagnostic capture, off by default) ----------------------
  bool raw_capture_enabled() const noexcept;
  // Stores `reads` and purges what is past retention (relative to
  // `now_utc_us`) or beyond max_rows, in one transaction. Does nothing when
  // capture is off.
  std::error_code record_reads(std::span<const TagRead> reads, std::int64_t now_utc_us) noexcept;
  std::error_code purge_reads(std::int64_t now_utc_us, std::uint64_t* removed = nullptr) noexcept;
  // Newest first, at most `limit`.
  std::error_code list_reads(std::size_t limit, std::vector<TagRead>& out) noexcept;

  // --- Queries ---------------------------------------------------------------
  // Highest sequence stored for the lane (crossings, conflicts, and the
  // sequence floor a retention purge leaves), nullopt
  // when the lane has none: the daemon resumes numbering after it.
  std::error_code max_sequence(std::string_view lane_id,
                               std::optional<std::uint64_t>& out) noexcept;
  std::error_code lane_sequences(std::vector<LaneSequence>& out) noexcept;
  std::error_code list_crossings(const CrossingFilter& filter, CrossingPage& out) noexcept;
  // Rows matching the filter (limit and cursor ignored).
  std::error_code count_crossings(const CrossingFilter& filter, std::uint64_t& out) noexcept;
  std::error_code find(std::string_view lane_id, std::uint64_t sequence,
                       std::optional<StoredCrossing>& out) noexcept;
  std::error_code counts(StoreCounts& out) noexcept;
  // Rows of crossing_conflicts, newest first, at most `limit`.
  std::error_code list_conflicts(std::size_t limit, std::vector<StoredCrossing>& out) noexcept;

  // --- Retention ----------------------------------------------------------------
  // Counts what a purge with `cutoff` would delete and what it keeps; reads only.
  std::error_code retention_tally(RetainedTable table, const RetentionCutoff& cutoff,
                                  RetentionTally& out) noexcept;
  // Deletes at most `max_rows` (1..100000) rows past `cutoff`, oldest first, in
  // one IMMEDIATE transaction (so a concurrent writer waits at most one batch;
  // a crash leaves either the whole batch or none: running it again goes on).
  // Crossings and conflicts first raise their lane's sequence floor, so
  // max_sequence() never goes back. `removed` = rows deleted (0: nothing left).
  // When `purged_epc_hex` is given, the EPC (upper-case hex) of each deleted row
  // is appended, for the disposal check (entry records: only those that carry
  // one; officer records carry none, so nothing is appended for them).
  std::error_code purge_retained(RetainedTable table, const RetentionCutoff& cutoff,
                                 std::size_t max_rows, std::uint64_t& removed,
                                 std::vector<std::string>* purged_epc_hex = nullptr) noexcept;
  // Removes from `epc_hex` (upper-case hex) every EPC some table still holds,
  // e.g. a card that crossed again after an old crossing of it was purged, or
  // one an entry record (kept 35 years) still carries.
  std::error_code drop_held_epcs(std::vector<std::string>& epc_hex) noexcept;

  // --- Maintenance ------------------------------------------------------------
  // PRAGMA integrity_check; `result` is "ok" for a sound file.
  std::error_code integrity_check(std::string& result) noexcept;
  // PRAGMA wal_checkpoint(TRUNCATE): folds the WAL back into the file.
  std::error_code checkpoint() noexcept;
  // Changes the size cap (see StoreOptions::max_size_bytes; 0 = no cap).
  std::error_code set_max_size(std::uint64_t bytes) noexcept;
  // Reads "PRAGMA name" on this connection (name: letters and '_' only),
  // e.g. journal_mode, synchronous, secure_delete, user_version.
  std::error_code pragma(std::string_view name, std::string& value) noexcept;

  // The SQLite connection, for the exchange tables that live in the same
  // file (daemon/exchange/ExchangeStore) and must change in the same
  // transactions as crossings. nullptr when closed. Do not close it.
  sqlite3* native_handle() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace garita::store
