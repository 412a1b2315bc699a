#pragma once
// The retention purge of the crossing store (docs/operations.md
// "Retention"): one code path for `garita purge` (its own connection) and
// garitad's daily job (jobs run on the GroupCommitter's writer thread).
//
//   1. per class: count what is past its schedule (and, for --dry-run, stop
//      here: nothing is written)
//   2. delete in bounded transactions of batch_rows rows (secure_delete is on:
//      deleted cells and freed pages are zeroed), pausing between batches so
//      a concurrent writer is never held for more than one batch
//   3. PRAGMA wal_checkpoint(TRUNCATE): the zeroed pages replace the old ones
//      in the main file and the WAL, which still held the records as they were
//      inserted, is cut to zero bytes; retried while readers hold it
//   4. the disposal check (RetentionDisposalCheck.hpp): the files are searched
//      for every purged EPC
//
// Why no VACUUM: with secure_delete the freed space is already zeros (step 4
// proves it); a VACUUM would copy the whole database through the WAL and a
// temp file while blocking garitad's writer for as long. A crash at any point
// leaves a consistent store (each batch is atomic); running again finishes.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/RetentionDisposalCheck.hpp"
#include "garita/common/store/RetentionSchedule.hpp"

namespace garita::store {

// Runs `work` on the store: directly (CLI) or as a job on garitad's writer
// thread. Returns what `work` returned, or why it could not run.
using StoreAccess =
    std::function<std::error_code(const std::function<std::error_code(CrossingStore&)>& work)>;

struct PurgeOptions {
  bool dry_run = false;
  // Classes to purge; empty: every class of the crossing store.
  std::vector<RecordClass> classes;
  std::chrono::milliseconds pause_between_batches{10};
  // Checkpoint attempts while readers keep the WAL busy (each waits for the
  // store's busy timeout), with this pause between them.
  int checkpoint_attempts = 5;
  std::chrono::milliseconds checkpoint_retry_pause{200};
  bool verify_disposal = true;
  std::size_t max_verified_epcs = 200'000;  // memory bound of the check
  // Polled between batches: true stops the purge early (garitad stopping).
  std::function<bool()> cancelled;
};

struct ClassPurgeReport {
  RecordClass record_class = RecordClass::crossings;
  bool in_store = false;                  // a class of the crossing store
  std::optional<std::int64_t> cutoff_us;  // records older than this go
  std::uint64_t purgeable = 0;            // counted before deleting
  std::uint64_t purged = 0;               // deleted (0 on a dry run)
  std::uint64_t kept = 0;
  std::optional<std::int64_t> oldest_kept_us;
  std::optional<std::int64_t> newest_kept_us;
  std::uint64_t batches = 0;
  std::string note;  // e.g. "reserved: no records of this class yet"
};

struct PurgeReport {
  std::int64_t now_utc_us = 0;
  bool dry_run = false;
  bool cancelled = false;
  std::vector<ClassPurgeReport> classes;
  bool checkpointed = false;  // the WAL was truncated after deleting
  bool disposal_checked = false;
  DisposalCheckResult disposal;
  std::uint64_t purged_total() const noexcept;
};

// Purges (or counts, on a dry run) the crossing store's classes among
// options.classes. The store is reached only through `access`; `db_file` is
// read by the disposal check. Returns the first error with `error` set to one
// line; the report then says what was done before it.
std::error_code run_retention_purge(const StoreAccess& access, const std::filesystem::path& db_file,
                                    const RetentionSchedule& schedule, std::int64_t now_utc_us,
                                    const PurgeOptions& options, PurgeReport& report,
                                    std::string& error);

}  // namespace garita::store
