#include "garita/common/store/RetentionPurge.hpp"

#include <algorithm>
#include <thread>

namespace garita::store {

std::uint64_t PurgeReport::purged_total() const noexcept {
  std::uint64_t n = 0;
  for (const auto& c : classes) n += c.purged;
  return n;
}

namespace {

bool wanted(const PurgeOptions& o, RecordClass c) {
  return o.classes.empty() || std::find(o.classes.begin(), o.classes.end(), c) != o.classes.end();
}

}  // namespace

std::error_code run_retention_purge(const StoreAccess& access, const std::filesystem::path& db_file,
                                    const RetentionSchedule& schedule, std::int64_t now,
                                    const PurgeOptions& options, PurgeReport& report,
                                    std::string& error) {
  report = {};
  report.now_utc_us = now;
  report.dry_run = options.dry_run;
  if (auto ec = validate(schedule, error)) return ec;
  std::vector<std::string> purged_epcs;
  bool over_cap = false;

  for (RecordClass rc : kRecordClasses) {
    if (!wanted(options, rc) || rc == RecordClass::audit) continue;  // audit: its own file
    ClassPurgeReport cr;
    cr.record_class = rc;
    cr.cutoff_us = cutoff_of(schedule, rc, now);
    const auto table = table_of(rc);
    if (!table) {
      cr.note = "reserved: no records of this class are kept yet";
      report.classes.push_back(std::move(cr));
      continue;
    }
    cr.in_store = true;
    const RetentionCutoff cutoff = store_cutoff(schedule, rc, now);
    if (!cr.cutoff_us) cr.cutoff_us = cutoff.before_us;
    RetentionTally tally;
    if (auto ec = access([&](CrossingStore& s) {
          auto e = s.retention_tally(*table, cutoff, tally);
          if (e) error = s.last_error();
          return e;
        })) {
      report.classes.push_back(std::move(cr));
      return ec;
    }
    cr.purgeable = tally.purgeable;
    cr.kept = tally.kept;
    cr.oldest_kept_us = tally.oldest_kept_us;
    cr.newest_kept_us = tally.newest_kept_us;
    if (options.dry_run || tally.purgeable == 0) {
      report.classes.push_back(std::move(cr));
      continue;
    }
    for (;;) {
      if (options.cancelled && options.cancelled()) {
        report.cancelled = true;
        break;
      }
      std::uint64_t removed = 0;
      std::vector<std::string> epcs;
      const bool collect = options.verify_disposal && !over_cap;
      if (auto ec = access([&](CrossingStore& s) {
            auto e = s.purge_retained(*table, cutoff, schedule.batch_rows, removed,
                                      collect ? &epcs : nullptr);
            if (e) error = s.last_error();
            return e;
          })) {
        report.classes.push_back(std::move(cr));
        return ec;
      }
      cr.purged += removed;
      if (removed > 0) ++cr.batches;  // transactions that deleted something
      if (collect) {
        for (auto& e : epcs) {
          if (purged_epcs.size() >= options.max_verified_epcs) {
            over_cap = true;
            break;
          }
          purged_epcs.push_back(std::move(e));
        }
      }
      if (removed < schedule.batch_rows) break;
      // Let the writer's next transaction in between our batches.
      std::this_thread::sleep_for(options.pause_between_batches);
    }
    // Counted again after deleting: what an auditor sees is what is left.
    RetentionTally after;
    if (!access([&](CrossingStore& s) { return s.retention_tally(*table, cutoff, after); })) {
      cr.kept = after.kept;
      cr.oldest_kept_us = after.oldest_kept_us;
      cr.newest_kept_us = after.newest_kept_us;
    }
    report.classes.push_back(std::move(cr));
    if (report.cancelled) break;
  }

  if (options.dry_run || report.purged_total() == 0) return {};

  // Fold the WAL (with the zeroed pages) into the file and cut it to zero.
  std::error_code last;
  for (int attempt = 0; attempt < std::max(options.checkpoint_attempts, 1); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(options.checkpoint_retry_pause);
    last = access([&](CrossingStore& s) {
      auto e = s.checkpoint();
      if (e) error = s.last_error();
      return e;
    });
    if (!last) break;
    if (last != make_error_code(Errc::locked)) return last;
  }
  if (last) {
    error = "the purge committed but the WAL checkpoint stayed busy (a reader holds it): " + error +
            "; the purged records stay in the -wal file until the next checkpoint";
    return last;
  }
  report.checkpointed = true;

  if (!options.verify_disposal) return {};
  // A card that crossed again is rightly still in the files: not a remnant.
  std::sort(purged_epcs.begin(), purged_epcs.end());
  purged_epcs.erase(std::unique(purged_epcs.begin(), purged_epcs.end()), purged_epcs.end());
  if (auto ec = access([&](CrossingStore& s) {
        auto e = s.drop_held_epcs(purged_epcs);
        if (e) error = s.last_error();
        return e;
      })) {
    return ec;
  }
  if (auto ec = check_disposal(database_files(db_file), purged_epcs, options.max_verified_epcs,
                               report.disposal, error)) {
    return ec;
  }
  if (over_cap) ++report.disposal.epcs_skipped;
  report.disposal_checked = true;
  return {};
}

}  // namespace garita::store
