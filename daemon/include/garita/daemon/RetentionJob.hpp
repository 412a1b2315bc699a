#pragma once
// garitad's daily retention purge (docs/operations.md "Retention"), and the
// pieces `garita purge` shares with it: the audit-log class, the
// "retention.purge" audit row and the one-line summary.
//
// The job is one thread that sleeps until [retention] daily_at (local time)
// and then runs store::run_retention_purge on garitad's own store: every
// store step is a job posted to the GroupCommitter's writer thread, which
// owns the write connection, so a purge batch simply takes its turn between
// crossing transactions (a crossing waits at most one batch). Nothing runs
// on the io thread. The disposal check reads the files on the job's thread.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include <boost/json/object.hpp>

#include "garita/common/config/SiteConfig.hpp"
#include "garita/common/store/GroupCommitter.hpp"
#include "garita/common/store/RetentionPurge.hpp"
#include "garita/daemon/security/AuditLog.hpp"

namespace garita::daemon {

// Opens [security] audit_db for appending, with the signing key when one is
// configured (AuditLog verifies signatures before purging).
std::error_code open_retention_audit(const config::SiteConfig& site, security::AuditLog& log,
                                     std::string& error);

// The audit class: rows older than [security] audit_retention_days go, in
// whole signed segments (AuditLog::purge_older_than, which appends its own
// "audit.purge" row). A dry run only reports the cutoff. Appends the class
// to `report`.
std::error_code purge_audit_class(const config::SiteConfig& site, security::AuditLog& log,
                                  std::int64_t now_utc_us, bool dry_run,
                                  const security::AuditEvent& actor, store::PurgeReport& report,
                                  std::string& error);

// Terms of the "retention.purge" audit row: per class cutoff, counts, kept
// range; checkpoint and disposal check. Counts and times only, never an EPC.
boost::json::object retention_audit_terms(const store::PurgeReport& report);

// "purged crossings=12 raw_reads=0 ...; WAL truncated; disposal check: 0
// remnants of 12 EPCs" (a dry run says "would purge").
std::string retention_summary(const store::PurgeReport& report);

class RetentionJob {
 public:
  RetentionJob(config::SiteConfig site, store::GroupCommitter& committer);
  ~RetentionJob();  // stop()
  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;

  // Starts the thread that waits for the daily time.
  void start();
  // Cancels a running purge between batches and joins. Idempotent. Call it
  // before stopping the committer.
  void stop();

  // One purge of every class now, as the timer runs it: store classes through
  // the committer, the audit class, the audit row, one log line.
  std::error_code run_once(std::int64_t now_utc_us, store::PurgeReport& report, std::string& error);

 private:
  void thread_main();

  config::SiteConfig site_;
  store::GroupCommitter& committer_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace garita::daemon
