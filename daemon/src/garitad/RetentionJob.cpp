#include "garita/daemon/RetentionJob.hpp"

#include <chrono>
#include <ctime>
#include <future>
#include <memory>

#include "garita/common/HostClock.hpp"
#include "garita/common/Log.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/daemon/security/SigningKey.hpp"

namespace garita::daemon {
namespace {

constexpr std::string_view kLog = "retention";
constexpr std::int64_t kUsPerDay = 86'400'000'000;

boost::json::value opt_time(const std::optional<std::int64_t>& us) {
  if (!us) return nullptr;
  // Not `return {...}`: a braced list would build a JSON array.
  return boost::json::string(utc_text(*us));
}

}  // namespace

std::error_code open_retention_audit(const config::SiteConfig& site, security::AuditLog& log,
                                     std::string& error) {
  security::AuditLogOptions options;
  options.sign_every_rows = site.security.audit_sign_every_rows;
  options.sign_every = std::chrono::seconds(site.security.audit_sign_every_seconds);
  if (!site.security.signing_key.empty()) {
    auto key = std::make_shared<security::SigningKey>();
    if (auto ec = security::SigningKey::load(site.security.signing_key, site.security.signing_cert,
                                             *key, error)) {
      return ec;
    }
    options.key = std::move(key);
  }
  if (auto ec = log.open(site.security.audit_db, options)) {
    error = log.last_error();
    return ec;
  }
  return {};
}

std::error_code purge_audit_class(const config::SiteConfig& site, security::AuditLog& log,
                                  std::int64_t now, bool dry_run, const security::AuditEvent& actor,
                                  store::PurgeReport& report, std::string& error) {
  store::ClassPurgeReport c;
  c.record_class = store::RecordClass::audit;
  c.cutoff_us = now - static_cast<std::int64_t>(site.security.audit_retention_days) * kUsPerDay;
  if (dry_run) {
    c.note = "whole signed segments older than the cutoff; counted when purged";
    report.classes.push_back(std::move(c));
    return {};
  }
  security::AuditPurgeResult result;
  auto ec = log.purge_older_than(*c.cutoff_us, now, actor, result);
  if (ec) {
    error = log.last_error();
  } else {
    c.purged = static_cast<std::uint64_t>(result.rows_deleted);
    c.batches = result.through_row > 0 ? 1 : 0;
    if (result.through_row > 0) c.note = "through row " + std::to_string(result.through_row);
  }
  report.classes.push_back(std::move(c));
  return ec;
}

boost::json::object retention_audit_terms(const store::PurgeReport& report) {
  boost::json::object terms;
  terms["dry_run"] = report.dry_run;
  terms["now"] = utc_text(report.now_utc_us);
  boost::json::object classes;
  for (const auto& c : report.classes) {
    boost::json::object o;
    o["cutoff"] = opt_time(c.cutoff_us);
    if (report.dry_run) {
      o["would_purge"] = c.purgeable;
    } else {
      o["purged"] = c.purged;
    }
    if (c.in_store) {
      o["kept"] = c.kept;
      o["oldest_kept"] = opt_time(c.oldest_kept_us);
      o["newest_kept"] = opt_time(c.newest_kept_us);
    }
    if (!c.note.empty()) o["note"] = c.note;
    classes[store::to_string(c.record_class)] = std::move(o);
  }
  terms["classes"] = std::move(classes);
  if (!report.dry_run) {
    terms["wal_truncated"] = report.checkpointed;
    if (report.disposal_checked) {
      boost::json::object d;
      d["epcs_checked"] = report.disposal.epcs_checked;
      d["epcs_not_checked"] = report.disposal.epcs_skipped;
      d["bytes_scanned"] = report.disposal.bytes_scanned;
      d["remnants"] = report.disposal.remnants;
      terms["disposal_check"] = std::move(d);
    }
  }
  if (report.cancelled) terms["cancelled"] = true;
  return terms;
}

std::string retention_summary(const store::PurgeReport& report) {
  std::string s = report.dry_run ? "dry run, would purge" : "purged";
  for (const auto& c : report.classes) {
    s += " " + std::string(store::to_string(c.record_class)) + "=" +
         std::to_string(report.dry_run ? c.purgeable : c.purged);
  }
  if (!report.dry_run) {
    if (report.checkpointed) s += "; WAL truncated";
    if (report.disposal_checked) {
      s += "; disposal check: " + std::to_string(report.disposal.remnants) + " remnant(s) of " +
           std::to_string(report.disposal.epcs_checked) + " purged EPC(s)";
    }
  }
  if (report.cancelled) s += "; cancelled (stopping)";
  return s;
}

RetentionJob::RetentionJob(config::SiteConfig site, store::GroupCommitter& committer)
    : site_(std::move(site)), committer_(committer) {}

RetentionJob::~RetentionJob() { stop(); }

void RetentionJob::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { thread_main(); });
}

void RetentionJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void RetentionJob::thread_main() {
  for (;;) {
    const std::time_t now = std::time(nullptr);
    const std::time_t at = store::next_daily_run(now, site_.retention.daily_at_minutes);
    {
      std::unique_lock lock(mutex_);
      // system_clock: the run is at a wall-clock time of day.
      if (cv_.wait_until(lock, std::chrono::system_clock::from_time_t(at),
                         [this] { return stopping_; })) {
        return;
      }
    }
    store::PurgeReport report;
    std::string error;
    if (auto ec = run_once(host_now().utc_us, report, error)) {
      log::error(kLog, "daily purge failed: " + error);
    }
  }
}

std::error_code RetentionJob::run_once(std::int64_t now, store::PurgeReport& report,
                                       std::string& error) {
  const auto started = std::chrono::steady_clock::now();
  // Every store step runs on the writer thread, between crossing
  // transactions; we wait for it here (never on the io thread).
  store::StoreAccess access =
      [this](const std::function<std::error_code(store::CrossingStore&)>& work) -> std::error_code {
    auto done = std::make_shared<std::promise<std::error_code>>();
    auto result = done->get_future();
    if (auto ec =
            committer_.post([done, &work](store::CrossingStore& s) { done->set_value(work(s)); })) {
      return ec;
    }
    try {
      // No timeout: the job refers to `work`, so it must have run (or been
      // dropped with the committer) before we return.
      return result.get();
    } catch (const std::future_error&) {
      return make_error_code(store::Errc::not_running);
    }
  };
  store::PurgeOptions options;
  options.cancelled = [this] {
    std::lock_guard lock(mutex_);
    return stopping_;
  };
  // Audited first: a purge that cannot be recorded does not run.
  security::AuditLog audit;
  if (auto ec = open_retention_audit(site_, audit, error)) {
    error = "audit log: " + error + "; nothing purged";
    return ec;
  }
  auto ec = store::run_retention_purge(access, site_.store.path, site_.retention, now, options,
                                       report, error);
  security::AuditEvent actor;
  actor.user = "garitad";
  actor.action = "audit.purge";
  actor.peer = "local:garitad";
  std::string audit_error;
  if (!ec && !report.cancelled) {
    if (auto aec = purge_audit_class(site_, audit, now, false, actor, report, audit_error)) {
      ec = aec;
      error = "audit log purge: " + audit_error;
    }
  }
  security::AuditEvent row = actor;
  row.action = "retention.purge";
  row.terms = retention_audit_terms(report);
  row.records = static_cast<std::int64_t>(report.purged_total());
  if (ec) row.outcome = security::AuditOutcome::failed;
  if (auto aec = audit.append(row, host_now().utc_us)) {
    log::error(kLog, "could not write the retention.purge audit row: " + audit.last_error());
    if (!ec) {
      ec = aec;
      error = audit.last_error();
    }
  }
  (void)audit.close(host_now().utc_us);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  if (ec) {
    log::error(kLog, retention_summary(report) + "; failed: " + error);
  } else if (report.disposal_checked && report.disposal.remnants > 0) {
    log::error(kLog, retention_summary(report) + " in " + std::to_string(ms) +
                         " ms: purged data is still in the files");
  } else {
    log::info(kLog, retention_summary(report) + " in " + std::to_string(ms) + " ms");
  }
  return ec;
}

}  // namespace garita::daemon
