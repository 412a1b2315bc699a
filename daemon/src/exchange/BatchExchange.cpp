// The weekly exchange end to end (BatchExchange.hpp; docs/operations.md
// "Weekly exchange", docs/batch-format.md §8-§10). The order of the steps is
// what makes it safe: a record is marked exported only in the transaction
// that also holds its sealed batch's ledger row, a file reaches the device
// atomically, and every export and import leaves a custody row in the audit
// log that never carries a name, an EPC or a document number.
#include "garita/daemon/exchange/BatchExchange.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <span>

#include "garita/common/Hex.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchFile.hpp"

namespace garita::exchange {
namespace {

using batch::Errc;

// A batch file is its content plus the CMS layers (docs/batch-format.md §5:
// content <= 2 GiB, file <= 2 GiB + 1 MiB).
constexpr std::size_t kMaxBatchFileBytes = batch::max_content_bytes + (std::size_t{1} << 20);
// Batches of one period in the ledger: one a week, a few more after rewrites.
constexpr std::size_t kMaxBatchesPerPeriod = 10000;

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return to_hex(std::span<const std::uint8_t>(md, len));  // upper-case (Hex.hpp)
}

// Personal data is wiped from memory once used (privacy assessment,
// "Security"): OPENSSL_cleanse cannot be optimised away like memset.
void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

void wipe(batch::RfidEntryRecord& r) {
  for (std::string* s : {&r.epc_hex, &r.tid_hex, &r.port, &r.lane}) wipe(*s);
}

void wipe(batch::OfficerEntryRecord& r) {
  for (std::string* s :
       {&r.last_name, &r.first_name, &r.middle_name, &r.birth_date, &r.nationality, &r.gender,
        &r.document_type, &r.document_number, &r.document_country, &r.port}) {
    wipe(*s);
  }
}

void wipe(batch::ExportRecord& r) {
  std::visit([](auto& record) { wipe(record); }, r);
}

void wipe(batch::ExitRecord& r) {
  for (std::string* s : {&r.first_name, &r.last_name, &r.middle_name, &r.birth_date, &r.nationality,
                         &r.gender, &r.document_type, &r.document_number, &r.document_country,
                         &r.exit_port, &r.entry_date, &r.entry_time, &r.epc_hex}) {
    wipe(*s);
  }
}

template <typename Record>
void wipe(std::vector<Record>& records) {
  for (Record& r : records) wipe(r);
  records.clear();
}

void wipe(ExportSelection& selection) {
  for (ExportCandidate& c : selection.records) wipe(c.record);
  selection.records.clear();
}

// The export folder is the mounted exchange device: checked before anything
// is sealed, so an unmounted device does not leave a recorded, unwritten batch.
std::error_code check_export_dir(const std::filesystem::path& dir, std::string& error) {
  std::error_code fs;
  if (dir.empty() || !std::filesystem::is_directory(dir, fs)) {
    error = "export folder " + dir.string() +
            " does not exist or is not a folder (is the exchange device mounted?)";
    return Errc::io_failed;
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    error = "export folder " + dir.string() + " is not writable by this user";
    return Errc::io_failed;
  }
  return {};
}

security::AuditEvent event_for(const ExchangeActor& actor, std::string action) {
  security::AuditEvent e;
  e.user = actor.user;
  e.role = actor.role;
  e.peer = actor.peer;
  e.action = std::move(action);
  return e;
}

std::error_code append_audit(security::AuditLog& audit, const security::AuditEvent& row,
                             std::int64_t now_us, std::string& error) {
  if (auto ec = audit.append(row, now_us)) {
    error = "the " + row.action + " audit row could not be written: " + audit.last_error();
    return ec;
  }
  return {};
}

// What a sealed batch needs to reach the device and the ledger.
struct SealedBatch {
  batch::BatchManifest manifest;
  std::string der;
  std::uint64_t rfid_records = 0, officer_records = 0;
};

// Step 2 and 3 of an export (BatchExchange.hpp): the file, its SHA-256 in the
// ledger, the custody row. A file that cannot be written leaves the batch
// recorded but unwritten (the next export of the period writes it again) and
// a "batch.export" row with outcome failed.
std::error_code deliver(const StoreAccess& access, const ExchangeContext& ctx,
                        security::AuditLog& audit, const ExchangeActor& actor,
                        const SealedBatch& sealed, const std::filesystem::path& to_dir,
                        bool rewrite, std::int64_t now_us, WrittenBatch& out, std::string& error) {
  const batch::BatchManifest& m = sealed.manifest;
  const std::string name = export_file_name(ctx.port_code, m.period, m.batch_id);
  out = {};
  out.batch_id = m.batch_id;
  out.file = to_dir / name;
  out.bytes = sealed.der.size();
  out.rfid_records = sealed.rfid_records;
  out.officer_records = sealed.officer_records;
  out.rewritten = rewrite;
  out.file_sha256 = sha256_hex(sealed.der);

  security::AuditEvent row = event_for(actor, "batch.export");
  boost::json::object terms;
  terms["period"] = m.period;
  terms["batch_id"] = m.batch_id;
  terms["file"] = name;
  terms["folder"] = to_dir.string();
  terms["rfid_records"] = sealed.rfid_records;
  terms["officer_records"] = sealed.officer_records;
  terms["rewrite"] = rewrite;
  row.records = static_cast<std::int64_t>(sealed.rfid_records + sealed.officer_records);

  std::string why;
  if (auto ec = batch::write_batch_file(to_dir, name, sealed.der, why)) {
    error = "batch " + m.batch_id + " of " + m.period +
            " is recorded but its file could not be written: " + why +
            "; export the period again once the device works (the same batch is written again)";
    terms["reason"] = why;
    row.terms = std::move(terms);
    row.outcome = security::AuditOutcome::failed;
    row.records = 0;
    std::string audit_error;
    if (append_audit(audit, row, now_us, audit_error)) error += "; " + audit_error;
    return ec;
  }
  terms["file_sha256"] = out.file_sha256;
  row.terms = std::move(terms);

  std::error_code ledger = access([&](store::CrossingStore& s) {
    ExchangeStore xs(s);
    auto ec = xs.record_file_written(m.batch_id, out.file_sha256, out.file.string(), now_us);
    if (ec) why = xs.last_error();
    return ec;
  });
  if (ledger) {
    // The file is on the device and the records are marked exported; only
    // the ledger's note of the file is missing. Audited as written.
    error = "batch " + m.batch_id + " was written to " + out.file.string() +
            " but the ledger could not record it: " + why;
  }
  std::string audit_error;
  if (auto ec = append_audit(audit, row, now_us, audit_error)) {
    error = error.empty() ? audit_error : error + "; " + audit_error;
    return ledger ? ledger : ec;
  }
  return ledger;
}

// An earlier export batch sealed anew from the ledger: same batch id, period,
// creation time and records, so the content is the one first written (a
// changed records_sha256 means its records are no longer all stored).
std::error_code seal_again(const StoreAccess& access, const ExchangeContext& ctx,
                           const std::string& batch_id, SealedBatch& out, std::string& error) {
  return access([&](store::CrossingStore& s) -> std::error_code {
    ExchangeStore xs(s);
    std::optional<BatchLedgerRow> row;
    if (auto ec = xs.find_batch(batch_id, row)) {
      error = xs.last_error();
      return ec;
    }
    if (!row || row->direction != "export") {
      error = "no export batch " + batch_id + " in the ledger (see `garita batch list`)";
      return Errc::unknown_batch;
    }
    ExportSelection selection;
    if (auto ec = xs.select_batch(batch_id, ctx.port_code, selection)) {
      error = xs.last_error();
      return ec;
    }
    batch::BatchManifest& m = out.manifest;
    m.type = batch::BatchType::export_batch;
    m.batch_id = row->batch_id;
    m.period = row->period;
    m.created_at_utc = row->created_at_utc;
    m.sender_id = row->sender_id;
    m.sender_port = ctx.port_code;
    m.sender_certificate_sha256 = ctx.workstation.certificate().sha256();
    m.recipient_subject = ctx.partner.subject();
    m.recipient_certificate_sha256 = ctx.partner.sha256();
    std::vector<batch::ExportRecord> records;
    records.reserve(selection.records.size());
    for (const ExportCandidate& c : selection.records) records.push_back(c.record);
    out.rfid_records = selection.rfid_count;
    out.officer_records = selection.officer_count;
    wipe(selection);
    std::string content;
    std::error_code ec = batch::encode_export_batch(m, records, content, error);
    wipe(records);
    if (!ec && (m.records_sha256 != row->records_sha256 || m.record_count != row->record_count)) {
      error = "batch " + batch_id + ": its records in the database (" +
              std::to_string(m.record_count) + ") no longer match the ledger (" +
              std::to_string(row->record_count) + " records, records_sha256 " +
              row->records_sha256 + "): some were purged or changed; not written";
      ec = Errc::store_failed;
    }
    if (!ec) {
      ec = batch::seal(content, ctx.workstation, ctx.partner, out.der, error);
      if (ec) error = "batch " + batch_id + ": " + error;
    }
    wipe(content);
    return ec;
  });
}

}  // namespace

std::error_code ExchangeContext::load(const config::SiteConfig& site, ExchangeContext& out,
                                      std::string& error) {
  if (!site.exchange.enabled) {
    error = "the partner exchange is not configured: " + site.source.string() +
            " has no [exchange] section (key_file, cert_file, partner_certificate, "
            "partner_ca_file; docs/operations.md \"Weekly exchange\")";
    return Errc::not_configured;
  }
  ExchangeContext ctx;
  ctx.settings = site.exchange;
  ctx.port_code = site.port_code;
  ctx.sender_id =
      site.exchange.sender_id.empty() ? "INM-" + site.port_code : site.exchange.sender_id;
  std::string why;
  if (batch::BatchKeyPair::load(site.exchange.key_file, site.exchange.cert_file, ctx.workstation,
                                why)) {
    error = "exchange.key_file/cert_file: " + why;
    return Errc::not_configured;
  }
  if (batch::BatchCertificate::load(site.exchange.partner_certificate, ctx.partner, why)) {
    error = "exchange.partner_certificate: " + why;
    return Errc::not_configured;
  }
  if (batch::BatchTrustStore::load(site.exchange.partner_ca_file, ctx.partner_ca, why)) {
    error = "exchange.partner_ca_file: " + why;
    return Errc::not_configured;
  }
  ctx.partner_signers.certificate_sha256 = site.exchange.partner_signers;
  if (PortClock::load(site.time_zone, ctx.clock, why)) {
    error = "site.time_zone: " + why;
    return Errc::not_configured;
  }
  out = std::move(ctx);
  return {};
}

std::string export_file_name(std::string_view port, std::string_view period,
                             std::string_view batch_id) {
  std::string name = "garita-export-";
  name.append(port).append("-").append(period).append("-").append(batch_id).append(".p7m");
  return name;
}

std::error_code export_period(const StoreAccess& access, const ExchangeContext& ctx,
                              security::AuditLog& audit, const ExchangeActor& actor,
                              const std::string& period, const std::filesystem::path& to_dir,
                              std::int64_t now_us, ExportResult& result, std::string& error) {
  result = {};
  result.period = period;
  error.clear();
  if (!batch::is_valid_iso_week(period)) {
    error = "period '" + period + "' is not an ISO 8601 week such as 2026-W47";
    return Errc::invalid_argument;
  }
  std::int64_t begin_s = 0, end_s = 0;
  if (auto ec = ctx.clock.week_bounds(period, begin_s, end_s, error)) return ec;
  if (auto ec = check_export_dir(to_dir, error)) return ec;

  // Earlier batches of the period: written ones are what was already sent;
  // one recorded but never written (the device failed) is written first.
  std::vector<BatchLedgerRow> earlier;
  if (auto ec = access([&](store::CrossingStore& s) {
        ExchangeStore xs(s);
        auto e = xs.list_batches(period, kMaxBatchesPerPeriod, earlier);
        if (e) error = xs.last_error();
        return e;
      })) {
    return ec;
  }
  for (const BatchLedgerRow& row : earlier) {
    if (row.direction != "export") continue;
    if (row.written_at_us) {
      result.already_exported += row.record_count;
      continue;
    }
    SealedBatch sealed;
    if (auto ec = seal_again(access, ctx, row.batch_id, sealed, error)) return ec;
    WrittenBatch written;
    if (auto ec =
            deliver(access, ctx, audit, actor, sealed, to_dir, true, now_us, written, error)) {
      return ec;
    }
    result.batches.push_back(std::move(written));
  }

  // The period's records not yet in any batch: selected, sealed, marked and
  // recorded in one transaction, so nothing is marked that was not sealed.
  SealedBatch sealed;
  bool any = false;
  std::error_code ec = access([&](store::CrossingStore& s) -> std::error_code {
    if (auto e = s.begin()) {
      error = "crossing database: " + s.last_error();
      return Errc::store_failed;
    }
    ExchangeStore xs(s);
    ExportSelection selection;
    auto fail = [&](std::error_code e) {
      wipe(selection);
      if (s.in_transaction()) s.rollback();
      return e;
    };
    if (auto e = xs.select_unexported(begin_s * 1'000'000, end_s * 1'000'000, ctx.clock,
                                      ctx.port_code, selection)) {
      error = xs.last_error();
      return fail(e);
    }
    result.skipped_exit_direction = selection.skipped_exit_direction;
    if (selection.records.empty()) return fail({});
    batch::ExportBatch b;
    b.manifest.type = batch::BatchType::export_batch;
    b.manifest.period = period;
    b.manifest.sender_id = ctx.sender_id;
    b.manifest.sender_port = ctx.port_code;
    // Moved, not copied (a 1 M record week is ~450 MB of records): what
    // record_export still reads of each candidate, its row id and the UTC
    // offset in the record's EntryTime, is trivially copyable and so stays
    // as it was in the moved-from record.
    b.records.reserve(selection.records.size());
    for (ExportCandidate& c : selection.records) b.records.push_back(std::move(c.record));
    std::error_code e =
        batch::seal_export_batch(b, ctx.workstation, ctx.partner, sealed.der, error);
    wipe(b.records);
    if (e) return fail(e);
    if ((e = xs.record_export(b.manifest, selection, actor.user, now_us))) {
      error = xs.last_error();
      return fail(e);
    }
    if ((e = s.commit())) {
      error = "crossing database: commit of the export failed: " + s.last_error();
      return fail(Errc::store_failed);
    }
    sealed.manifest = b.manifest;
    sealed.rfid_records = selection.rfid_count;
    sealed.officer_records = selection.officer_count;
    wipe(selection);
    any = true;
    return {};
  });
  if (ec) {
    security::AuditEvent row = event_for(actor, "batch.export");
    row.outcome = security::AuditOutcome::failed;
    row.terms = boost::json::object{
        {"period", period}, {"folder", to_dir.string()}, {"reason", error}, {"rewrite", false}};
    std::string audit_error;
    if (append_audit(audit, row, now_us, audit_error)) error += "; " + audit_error;
    return ec;
  }
  if (!any) return {};
  WrittenBatch written;
  ec = deliver(access, ctx, audit, actor, sealed, to_dir, false, now_us, written, error);
  if (!ec) result.batches.push_back(std::move(written));
  return ec;
}

std::error_code rewrite_batch(const StoreAccess& access, const ExchangeContext& ctx,
                              security::AuditLog& audit, const ExchangeActor& actor,
                              const std::string& batch_id, const std::filesystem::path& to_dir,
                              std::int64_t now_us, WrittenBatch& result, std::string& error) {
  result = {};
  error.clear();
  if (auto ec = check_export_dir(to_dir, error)) return ec;
  SealedBatch sealed;
  if (auto ec = seal_again(access, ctx, batch_id, sealed, error)) return ec;
  return deliver(access, ctx, audit, actor, sealed, to_dir, true, now_us, result, error);
}

std::error_code import_file(const StoreAccess& access, const ExchangeContext& ctx,
                            security::AuditLog& audit, const ExchangeActor& actor,
                            const std::filesystem::path& file, std::int64_t now_us,
                            ImportReport& report, std::string& error) {
  report = {};
  error.clear();
  boost::json::object terms;
  terms["file"] = file.filename().string();

  batch::ReturnBatch batch;
  std::string der;
  std::error_code ec = batch::read_batch_file(file, der, error, kMaxBatchFileBytes);
  if (!ec) {
    terms["file_sha256"] = sha256_hex(der);
    // Decrypt + verify in memory, strict parse (docs/batch-format.md §6).
    ec = batch::open_return_batch(der, ctx.workstation, ctx.partner_ca, ctx.partner_signers,
                                  ctx.settings.partner_sender_id, batch, error);
  }
  // The ciphertext is not needed any more: give its memory back before the
  // records are matched (a 1 M record return is ~300 MB of it).
  std::string().swap(der);
  if (!ec) {
    report.batch_id = batch.manifest.batch_id;
    report.period = batch.manifest.period;
    report.records = batch.records.size();
    terms["batch_id"] = report.batch_id;
    terms["period"] = report.period;
    // Replay check, matching and storing: one transaction (ExchangeStore).
    ec = access([&](store::CrossingStore& s) {
      ExchangeStore xs(s);
      auto e = xs.import_return(batch, actor.user, now_us, report);
      if (e) error = xs.last_error();
      return e;
    });
  }
  wipe(batch.records);

  security::AuditEvent row = event_for(actor, "batch.import");
  if (ec) {
    // Nothing of the file was kept: the counts say so.
    const std::string id = report.batch_id, p = report.period;
    report = {};
    report.batch_id = id;
    report.period = p;
    terms["reason"] = error;
    row.outcome =
        ec == Errc::store_failed ? security::AuditOutcome::failed : security::AuditOutcome::invalid;
    row.records = 0;
  } else {
    terms["matched"] = report.matched();
    terms["matched_crossings"] = report.matched_crossings;
    terms["matched_officer"] = report.matched_officer;
    terms["received_in_error"] = report.received_in_error;
    terms["duplicates"] = report.duplicates;
    terms["records_in_file"] = report.records;
    row.records = static_cast<std::int64_t>(report.matched());
  }
  row.terms = std::move(terms);
  std::string audit_error;
  if (auto audit_ec = append_audit(audit, row, now_us, audit_error)) {
    error = error.empty() ? audit_error : error + "; " + audit_error;
    return ec ? ec : audit_ec;
  }
  return ec;
}

}  // namespace garita::exchange
