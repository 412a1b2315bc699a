#include "garita/daemon/PurgeCommand.hpp"

#include <cstdio>
#include <ostream>

#include "SecurityFiles.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/common/store/RetentionPurge.hpp"
#include "garita/daemon/CrossingsCommand.hpp"
#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/RetentionJob.hpp"

namespace garita::daemon {
namespace {

constexpr int kExitRuntime = 1;

std::string time_or_dash(const std::optional<std::int64_t>& us) {
  return us ? utc_text(*us) : std::string("-");
}

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

void print_report(const store::PurgeReport& report, std::ostream& out) {
  char line[256];
  // Fixed-width columns well under 256; snprintf truncates safely anyway.
  static_cast<void>(std::snprintf(line, sizeof line, "%-16s %-21s %12s %10s  %-21s %-21s", "class",
                                  "cutoff (older goes)", report.dry_run ? "would purge" : "purged",
                                  "kept", "oldest kept", "newest kept"));
  out << rtrim(line) << "\n";
  for (const auto& c : report.classes) {
    const std::string count = c.in_store || !report.dry_run
                                  ? std::to_string(report.dry_run ? c.purgeable : c.purged)
                                  : std::string("-");
    static_cast<void>(std::snprintf(
        line, sizeof line, "%-16s %-21s %12s %10s  %-21s %-21s",
        std::string(store::to_string(c.record_class)).c_str(), time_or_dash(c.cutoff_us).c_str(),
        count.c_str(), c.in_store ? std::to_string(c.kept).c_str() : "-",
        time_or_dash(c.oldest_kept_us).c_str(), time_or_dash(c.newest_kept_us).c_str()));
    out << rtrim(line);
    if (!c.note.empty()) out << "  (" << c.note << ")";
    out << "\n";
  }
}

}  // namespace

int run_purge(const PurgeCommandOptions& options, std::ostream& out, std::ostream& err) {
  config::SiteConfig site;
  if (!detail::load_security_config(options.config, site, err)) return kExitBadInput;
  std::int64_t now = host_now().utc_us;
  if (options.now) {
    std::string why;
    if (!parse_time_arg(*options.now, now, now, why)) {
      err << "garita: --now: " << why << "\n";
      return kExitBadInput;
    }
  }
  store::PurgeOptions po;
  po.dry_run = options.dry_run;
  bool audit_class = options.classes.empty();
  for (const std::string& name : options.classes) {
    const auto c = store::record_class_from(name);
    if (!c) {
      err << "garita: --class: unknown record class \"" << name << "\" (expected one of "
          << store::record_class_names() << ")\n";
      return kExitBadInput;
    }
    if (*c == store::RecordClass::audit) {
      audit_class = true;
    } else {
      po.classes.push_back(*c);
    }
  }
  const bool store_classes = options.classes.empty() || !po.classes.empty();

  // The audit log first: a purge that cannot be recorded does not run.
  security::AuditLog audit;
  if (!detail::open_audit_for_append(site, audit, err)) return kExitRuntime;

  store::PurgeReport report;
  report.now_utc_us = now;
  report.dry_run = options.dry_run;
  std::string error;
  std::error_code ec;
  if (store_classes) {
    store::StoreOptions so;
    so.create = false;
    // A dry run writes nothing, not even a schema migration.
    so.read_only = options.dry_run;
    // Never let opening drop the raw-read capture: that is garitad's call.
    so.raw_capture.enabled = true;
    store::CrossingStore crossings;
    if (crossings.open(site.store.path, so)) {
      err << "garita: " << crossings.last_error() << "\n";
      return kExitRuntime;
    }
    store::StoreAccess access =
        [&crossings](const std::function<std::error_code(store::CrossingStore&)>& work) {
          return work(crossings);
        };
    ec =
        store::run_retention_purge(access, site.store.path, site.retention, now, po, report, error);
  }
  auto actor = detail::local_event("audit.purge", security::Role::admin);
  if (!ec && audit_class) {
    ec = purge_audit_class(site, audit, now, options.dry_run, actor, report, error);
    if (ec) error = "audit log: " + error;
  }

  security::AuditEvent row = actor;
  row.action = "retention.purge";
  row.terms = retention_audit_terms(report);
  row.records = static_cast<std::int64_t>(options.dry_run ? 0 : report.purged_total());
  if (ec) row.outcome = security::AuditOutcome::failed;
  const bool audited = !audit.append(row, host_now().utc_us);
  (void)audit.close(host_now().utc_us);

  out << (options.dry_run ? "dry run at " : "purge at ") << utc_text(now)
      << (options.dry_run ? " (nothing changed)" : "") << "\n";
  print_report(report, out);
  if (!options.dry_run && store_classes && !ec) {
    out << (report.checkpointed ? "WAL checkpointed and truncated"
                                : "nothing purged, no checkpoint");
    if (report.disposal_checked) {
      out << "; disposal check: " << report.disposal.remnants << " of "
          << report.disposal.epcs_checked << " purged EPC(s) still in the files ("
          << report.disposal.bytes_scanned << " bytes read)";
      if (report.disposal.epcs_skipped > 0) {
        out << ", " << report.disposal.epcs_skipped << " not checked (over the check's cap)";
      }
    }
    out << "\n";
  }
  if (!audited) {
    err << "garita: the retention.purge audit row could not be written: " << audit.last_error()
        << "\n";
    return kExitRuntime;
  }
  if (ec) {
    err << "garita: " << error << "\n";
    return kExitRuntime;
  }
  if (report.disposal_checked && report.disposal.remnants > 0) {
    err << "garita: purged records are still in " << report.disposal.files_with_remnants.front()
        << ": the disposal is NOT complete (see docs/operations.md)\n";
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace garita::daemon
