#pragma once
// The tamper-evident audit log (docs/security.md): every use of garitad's
// API and every user change is one row in an SQLite file of its own. Rows
// form a hash chain (AuditRecord.hpp) and the chain head is signed with the
// workstation key every `sign_every_rows` rows, `sign_every` time (call
// sign_if_due from a timer) and on close(). verify() walks everything and
// names the first bad row. Only the auditor role may read rows (query()).
//
// Appending is one IMMEDIATE transaction that reads the last row's hash and
// inserts the next row, so garitad and the `garita` CLI may append to the
// same file at once without forking the chain. Thread-safe (one mutex).
// Each append waits for one durable COMMIT (an fsync, about a millisecond on
// an SSD): call it where that wait is acceptable, before answering the
// request it records (a search whose audit row cannot be written must not
// be answered).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "garita/daemon/security/AuditRecord.hpp"
#include "garita/daemon/security/Role.hpp"
#include "garita/daemon/security/SigningKey.hpp"

struct sqlite3;

namespace garita::security {

struct AuditLogOptions {
  bool read_only = false;
  bool create = true;  // create the file (0600) and schema when missing
  // Signing. Without a key rows are still chained, and verify() warns that
  // they are unsigned.
  std::shared_ptr<const SigningKey> key;
  std::size_t sign_every_rows = 100;     // sign once this many rows are unsigned
  std::chrono::seconds sign_every{300};  // or when the oldest unsigned row is this old
  // Keys of older signatures (after a key rollover), besides `key`, used by
  // the verification that purge_older_than runs before deleting anything.
  std::vector<VerifyKey> previous_keys;
};

struct AuditQuery {
  std::optional<std::int64_t> since_utc_us;  // inclusive
  std::optional<std::int64_t> until_utc_us;  // exclusive
  std::optional<std::string> user;
  std::optional<std::string> action;
  std::int64_t after_id = 0;  // paging: rows with id > after_id, oldest first
  std::size_t limit = 100;    // 1..10000
};

struct AuditVerifyReport {
  bool ok = true;                     // no error (warnings allowed)
  std::int64_t bad_row = 0;           // the first bad row's id (0 when ok or not a row)
  std::string problem;                // "row 17: terms/content edited (hash does not match)"
  std::vector<std::string> warnings;  // e.g. "rows 901-923 are not signed yet"
  std::int64_t rows_checked = 0;
  std::int64_t signatures_checked = 0;
  std::int64_t anchor_row = 0;  // rows up to here were purged (0: none)
  std::int64_t last_row = 0;    // the chain head's id
  std::string last_hash;        // the chain head's hash
  std::int64_t last_signed_row = 0;
};

struct AuditPurgeResult {
  std::int64_t through_row = 0;  // rows 1..through_row (of this segment) are gone; 0: none
  std::int64_t rows_deleted = 0;
};

class AuditLog {
 public:
  AuditLog();
  ~AuditLog();  // close()
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  std::error_code open(const std::filesystem::path& path, const AuditLogOptions& options = {});
  // Signs the head when rows are unsigned and a key is set, then closes.
  std::error_code close(std::int64_t now_utc_us);
  std::error_code close();
  bool is_open() const;

  // Appends one row (and signs the head when due). `id` gets the new row's id.
  // invalid_argument for a bad action, over-long field or terms larger than
  // kMaxAuditTermsBytes.
  std::error_code append(const AuditEvent& event, std::int64_t now_utc_us,
                         std::int64_t* id = nullptr);
  std::error_code append(const AuditEvent& event);  // at host_now()

  // Signs the current head now if any row is unsigned (no-op without a key).
  std::error_code sign_head(std::int64_t now_utc_us);
  // For a timer: signs when the oldest unsigned row is `sign_every` old.
  std::error_code sign_if_due(std::int64_t now_utc_us);

  // Rows matching `query`, oldest first. not_permitted unless role is auditor.
  std::error_code query(Role role, const AuditQuery& query, std::vector<AuditRecord>& out);

  // Retention: deletes rows older than `cutoff_utc_us`, but only whole signed
  // segments: up to the newest signed head whose rows are all older than the
  // cutoff. That head becomes the anchor (row id, hash, time, signature kept),
  // from which verify() resumes. The purge itself is appended as an
  // "audit.purge" row (user, role and peer from `actor`; action, terms and
  // records set here). Before deleting, the whole log is verified with `key`
  // and `previous_keys`; a log that fails is not purged (audit_tampered).
  std::error_code purge_older_than(std::int64_t cutoff_utc_us, std::int64_t now_utc_us,
                                   const AuditEvent& actor, AuditPurgeResult& result);

  // Walks the whole chain and every signature; `keys` are the certificates or
  // public keys signatures may be made with (several after a key rollover).
  // Returns {} when the walk ran (see report.ok), an error when it could not.
  std::error_code verify(const std::vector<VerifyKey>& keys, AuditVerifyReport& report);

  const std::string& last_error() const { return last_error_; }

 private:
  std::error_code fail(std::error_code ec, std::string message);
  std::error_code sqlite_fail(std::string_view what);
  std::error_code sign_head_locked(std::int64_t now_utc_us);
  std::error_code append_locked(const AuditEvent& event, std::int64_t now_utc_us, std::int64_t* id);
  std::error_code verify_locked(const std::vector<VerifyKey>& keys, AuditVerifyReport& report);

  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  AuditLogOptions options_;
  std::string last_error_;
};

}  // namespace garita::security
