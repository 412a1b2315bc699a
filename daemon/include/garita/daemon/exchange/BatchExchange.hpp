#pragma once
// The weekly exchange with the partner agency, end to end (docs/operations.md
// "Weekly exchange"): one code path for `garita batch export|import` and
// garitad's /v1/batches. Builds on the batch format library (daemon/batch),
// the exchange tables (ExchangeStore) and the audit log (custody rows).
//
// Export of a period:
//   1. BEGIN IMMEDIATE on the crossing store (garitad's writer waits);
//      select the period's unexported records; seal them (CMS, the
//      workstation key, to the partner certificate); mark them exported and
//      write the ledger row; COMMIT. Nothing marked unless sealed.
//   2. write the file atomically into the target folder (temp, fsync,
//      rename, fsync dir); record where and its SHA-256.
//   3. one "batch.export" audit row (custody: who, when, batch id, period,
//      records, file name, folder, file SHA-256).
//   If step 2 fails the batch stays recorded but unwritten: running the
//   export of that period again first writes the unwritten batch again
//   (same batch id, same records, sealed anew); it never makes a second copy
//   of a record. A period with nothing new writes nothing and says so.
// Import of a returned file:
//   read (size-capped) -> decrypt + verify into memory (never a temp file) ->
//   strict parse -> replay check + match + store in one transaction
//   (ExchangeStore::import_return) -> "batch.import" audit row; the decrypted
//   bytes and the parsed records are wiped (OPENSSL_cleanse) before return.
//   Any failure rejects the whole file with the reason, changes nothing in
//   the store, and leaves a "batch.import" audit row with outcome invalid
//   and the reason (no record contents).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/config/SiteConfig.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/RetentionPurge.hpp"  // store::StoreAccess
#include "garita/daemon/batch/BatchCredentials.hpp"
#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/exchange/ExchangeStore.hpp"
#include "garita/daemon/exchange/PortClock.hpp"
#include "garita/daemon/security/AuditLog.hpp"

namespace garita::exchange {

// Keys, certificates and the port clock, loaded once from [exchange].
struct ExchangeContext {
  config::ExchangeSettings settings;
  std::string port_code;
  std::string sender_id;  // settings.sender_id or "INM-" + port code
  batch::BatchKeyPair workstation;
  batch::BatchCertificate partner;
  batch::BatchTrustStore partner_ca;
  batch::SignerConstraints partner_signers;
  PortClock clock;

  // not_configured (naming the key and file) when [exchange] is absent or a
  // file cannot be loaded; a key readable by group/other is refused.
  static std::error_code load(const config::SiteConfig& site, ExchangeContext& out,
                              std::string& error);
};

// Who asks (audit rows and the ledger's operator column).
struct ExchangeActor {
  std::string user;  // "alice", or "local:root" for the CLI
  security::Role role = security::Role::supervisor;
  std::string peer;  // "203.0.113.7:51514" or "local:root"
};

struct WrittenBatch {
  std::string batch_id;
  std::filesystem::path file;  // full path written
  std::string file_sha256;     // upper-case hex
  std::uint64_t bytes = 0;
  std::uint64_t rfid_records = 0, officer_records = 0;
  bool rewritten = false;  // an earlier, unwritten batch of the period written again
};

struct ExportResult {
  std::string period;
  std::vector<WrittenBatch> batches;  // empty: nothing new to export
  std::uint64_t skipped_exit_direction = 0;
  std::uint64_t already_exported = 0;  // records of the period in earlier written batches
};

// Runs `work` on the read-write crossing store: directly (CLI) or as a job
// on garitad's writer thread (same as store::StoreAccess).
using StoreAccess = store::StoreAccess;

std::error_code export_period(const StoreAccess& access, const ExchangeContext& ctx,
                              security::AuditLog& audit, const ExchangeActor& actor,
                              const std::string& period, const std::filesystem::path& to_dir,
                              std::int64_t now_us, ExportResult& result, std::string& error);

// Writes an earlier export batch's file again (same batch id and records,
// sealed anew), e.g. after the exchange device failed. Audited as
// "batch.export" with "rewrite": true.
std::error_code rewrite_batch(const StoreAccess& access, const ExchangeContext& ctx,
                              security::AuditLog& audit, const ExchangeActor& actor,
                              const std::string& batch_id, const std::filesystem::path& to_dir,
                              std::int64_t now_us, WrittenBatch& result, std::string& error);

std::error_code import_file(const StoreAccess& access, const ExchangeContext& ctx,
                            security::AuditLog& audit, const ExchangeActor& actor,
                            const std::filesystem::path& file, std::int64_t now_us,
                            ImportReport& report, std::string& error);

// "garita-export-SYS-2026-W47-<batch id>.p7m": the name export writes.
std::string export_file_name(std::string_view port, std::string_view period,
                             std::string_view batch_id);

}  // namespace garita::exchange
