#include "garita/daemon/BatchCommand.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "SecurityFiles.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/UserCommand.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/exchange/BatchExchange.hpp"

namespace garita::daemon {
namespace {

constexpr int kExitRuntime = 1;
// The import's reconciliation lists at most this many rejected lines.
constexpr std::size_t kRejectedShown = 20;

// What every `garita batch` subcommand opens: config, keys, audit log, store.
struct BatchSession {
  config::SiteConfig site;
  exchange::ExchangeContext ctx;
  security::AuditLog audit;
  store::CrossingStore crossings;
  exchange::ExchangeActor actor;

  store::StoreAccess access() {
    return [this](const std::function<std::error_code(store::CrossingStore&)>& work) {
      return work(crossings);
    };
  }
};

// 0 when open, else the exit code (the reason already on `err`).
int open_session(const BatchCommandOptions& options, bool keys, bool audit, BatchSession& s,
                 std::ostream& err) {
  if (!detail::load_security_config(options.config, s.site, err)) return kExitBadInput;
  std::string error;
  if (keys && exchange::ExchangeContext::load(s.site, s.ctx, error)) {
    err << "garita: " << error << "\n";
    return kExitBadInput;
  }
  // The audit log first: an exchange that cannot be recorded does not run.
  if (audit && !detail::open_audit_for_append(s.site, s.audit, err)) return kExitRuntime;
  store::StoreOptions so;
  so.create = false;
  // Never let opening drop the raw-read capture: that is garitad's call.
  so.raw_capture.enabled = true;
  if (s.crossings.open(s.site.store.path, so)) {
    err << "garita: " << s.crossings.last_error() << "\n";
    return kExitRuntime;
  }
  // The CLI's operator (contracts: "local:<login name>", SUDO_USER under sudo).
  s.actor.user = "local:" + local_actor();
  s.actor.role = security::Role::supervisor;
  s.actor.peer = s.actor.user;
  return 0;
}

void close_session(BatchSession& s) {
  if (s.audit.is_open()) (void)s.audit.close(host_now().utc_us);
  (void)s.crossings.close();
}

void print_written(const exchange::WrittenBatch& b, std::ostream& out) {
  out << "wrote " << b.file.string() << (b.rewritten ? " (written again)" : "") << "\n"
      << "  batch id  " << b.batch_id << "\n"
      << "  records   " << b.rfid_records + b.officer_records << " (RFID " << b.rfid_records
      << " / officer " << b.officer_records << ")\n"
      << "  SHA-256   " << b.file_sha256 << "\n";
}

bool is_rejection(std::error_code ec) {
  if (ec.category() != batch::batch_category()) return false;
  switch (static_cast<batch::Errc>(ec.value())) {
    case batch::Errc::io_failed:       // the file cannot be read: bad argument
    case batch::Errc::store_failed:    // the database, not the file
    case batch::Errc::not_configured:  // our side
    case batch::Errc::invalid_argument:
    case batch::Errc::crypto_failed: return false;
    default: return true;
  }
}

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

int run_batch_export(const BatchCommandOptions& options, std::ostream& out, std::ostream& err) {
  BatchSession s;
  if (int code = open_session(options, true, true, s, err)) return code;
  exchange::ExportResult result;
  std::string error;
  const auto ec = exchange::export_period(s.access(), s.ctx, s.audit, s.actor, options.period,
                                          options.to, host_now().utc_us, result, error);
  for (const exchange::WrittenBatch& b : result.batches) print_written(b, out);
  close_session(s);
  if (ec) {
    err << "garita: " << error << "\n";
    return ec == batch::Errc::invalid_argument ? kExitBadInput : kExitRuntime;
  }
  if (result.batches.empty()) {
    out << "nothing new to export for " << result.period << " (" << result.already_exported
        << " records already in earlier batches)\n";
  } else {
    out << "check each SHA-256 against the file on the device (sha256sum) before unmounting it\n";
  }
  if (result.skipped_exit_direction > 0) {
    out << result.skipped_exit_direction
        << " crossing(s) of the period walked out (direction exit): not entries, not exported\n";
  }
  return kExitOk;
}

int run_batch_rewrite(const BatchCommandOptions& options, std::ostream& out, std::ostream& err) {
  BatchSession s;
  if (int code = open_session(options, true, true, s, err)) return code;
  exchange::WrittenBatch written;
  std::string error;
  const auto ec = exchange::rewrite_batch(s.access(), s.ctx, s.audit, s.actor, options.batch_id,
                                          options.to, host_now().utc_us, written, error);
  close_session(s);
  if (ec) {
    err << "garita: " << error << "\n";
    return ec == batch::Errc::unknown_batch ? kExitBadInput : kExitRuntime;
  }
  print_written(written, out);
  return kExitOk;
}

int run_batch_import(const BatchCommandOptions& options, std::ostream& out, std::ostream& err) {
  BatchSession s;
  if (int code = open_session(options, true, true, s, err)) return code;
  exchange::ImportReport report;
  std::string error;
  const auto ec = exchange::import_file(s.access(), s.ctx, s.audit, s.actor, options.file,
                                        host_now().utc_us, report, error);
  close_session(s);
  if (ec) {
    if (is_rejection(ec)) {
      err << "garita: batch rejected: " << error << "\n";
      err << "garita: nothing of " << options.file << " was stored\n";
      return kExitBatchRejected;
    }
    err << "garita: " << error << "\n";
    return ec == batch::Errc::io_failed ? kExitBadInput : kExitRuntime;
  }
  out << "imported " << options.file << "\n"
      << "  batch id                 " << report.batch_id << " (period " << report.period << ")\n"
      << "  records in file          " << report.records << "\n"
      << "  stored as entry records  " << report.matched() << " (crossings "
      << report.matched_crossings << " / officer " << report.matched_officer << ")\n"
      << "  received in error        " << report.received_in_error
      << " (matched nothing exported: not stored, destroyed)\n"
      << "  duplicates               " << report.duplicates
      << " (already had an entry record: not stored)\n";
  if (!report.rejected.empty()) {
    out << "  not stored, by line:\n";
    for (std::size_t i = 0; i < report.rejected.size() && i < kRejectedShown; ++i) {
      out << "    line " << report.rejected[i].line << ": " << report.rejected[i].reason << "\n";
    }
    const std::uint64_t shown = std::min<std::uint64_t>(report.rejected.size(), kRejectedShown);
    const std::uint64_t not_stored = report.received_in_error + report.duplicates;
    if (not_stored > shown) out << "    ... and " << not_stored - shown << " more\n";
  }
  out << "now wipe the file from the exchange device";
  if (report.received_in_error > 0) {
    out << ": it holds " << report.received_in_error
        << " record(s) received in error, which must not be kept";
  }
  out << " (docs/operations.md \"Weekly exchange\")\n";
  return kExitOk;
}

int run_batch_list(const BatchCommandOptions& options, std::ostream& out, std::ostream& err) {
  if (!options.period.empty() && !batch::is_valid_iso_week(options.period)) {
    err << "garita: --period: '" << options.period
        << "' is not an ISO 8601 week such as 2026-W47\n";
    return kExitBadInput;
  }
  if (options.limit < 1 || options.limit > 10000) {
    err << "garita: --limit: must be from 1 to 10000\n";
    return kExitBadInput;
  }
  // The ledger holds no personal data: no keys, no audit row needed.
  BatchSession s;
  if (int code = open_session(options, false, false, s, err)) return code;
  exchange::ExchangeStore xs(s.crossings);
  std::vector<exchange::BatchLedgerRow> rows;
  const auto ec = xs.list_batches(options.period, options.limit, rows);
  close_session(s);
  if (ec) {
    err << "garita: " << xs.last_error() << "\n";
    return kExitRuntime;
  }
  if (rows.empty()) {
    out << "no batches" << (options.period.empty() ? "" : " for " + options.period) << "\n";
    return kExitOk;
  }
  char line[512];
  static_cast<void>(std::snprintf(line, sizeof line, "%-36s  %-6s  %-8s  %-20s  %7s  %-34s  %s",
                                  "batch id", "type", "period", "recorded (UTC)", "records",
                                  "detail", "operator"));
  out << rtrim(line) << "\n";
  for (const exchange::BatchLedgerRow& r : rows) {
    std::string detail;
    if (r.direction == "export") {
      detail = "RFID " + std::to_string(r.rfid_records) + " / officer " +
               std::to_string(r.officer_records) +
               (r.written_at_us ? ", written" : ", NOT WRITTEN");
    } else {
      detail = "stored " + std::to_string(r.matched) + ", in error " +
               std::to_string(r.received_in_error) + ", dup " + std::to_string(r.duplicates);
    }
    static_cast<void>(std::snprintf(
        line, sizeof line, "%-36s  %-6s  %-8s  %-20s  %7llu  %-34s  %s", r.batch_id.c_str(),
        r.direction.c_str(), r.period.c_str(), utc_text(r.recorded_at_us).c_str(),
        static_cast<unsigned long long>(r.record_count), detail.c_str(), r.operator_name.c_str()));
    out << rtrim(line) << "\n";
    if (r.file_sha256) {
      out << "    file SHA-256 " << *r.file_sha256;
      if (r.written_to) out << "  " << *r.written_to;
      out << "\n";
    }
  }
  return kExitOk;
}

}  // namespace garita::daemon
