#include "garita/daemon/security/AuditLog.hpp"

#include <algorithm>

#include <boost/json/object.hpp>

#include "AuditSchema.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::security {
namespace {

using detail::Statement;
using detail::Transaction;

constexpr std::size_t kMaxUserField = 64;
constexpr std::size_t kMaxPeerField = 128;

bool is_printable_field(std::string_view s, std::size_t max) {
  if (s.size() > max) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

struct Head {
  std::int64_t id = 0;  // 0: empty log without an anchor
  std::int64_t utc_us = 0;
  std::string hash{kGenesisHash};
};

}  // namespace

AuditLog::AuditLog() = default;
AuditLog::~AuditLog() { close(); }

std::error_code AuditLog::fail(std::error_code ec, std::string message) {
  last_error_ = std::move(message);
  return ec;
}

std::error_code AuditLog::sqlite_fail(std::string_view what) {
  return fail(Errc::database_error,
              path_.string() + ": " + std::string(what) + ": " + detail::sqlite_message(db_));
}

std::error_code AuditLog::open(const std::filesystem::path& path, const AuditLogOptions& options) {
  std::lock_guard lock(mutex_);
  if (db_ != nullptr) return fail(Errc::invalid_argument, "audit log is already open");
  if (options.sign_every_rows == 0 || options.sign_every.count() <= 0) {
    return fail(Errc::invalid_argument, "audit log: sign_every_rows and sign_every must be > 0");
  }
  path_ = path;
  options_ = options;
  std::string error;
  if (auto ec = detail::open_sqlite_file(path, options.read_only, options.create,
                                         detail::kAuditSpec, db_, error)) {
    return fail(ec, error);
  }
  return {};
}

std::error_code AuditLog::close() { return close(host_now().utc_us); }

std::error_code AuditLog::close(std::int64_t now_utc_us) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return {};
  std::error_code ec;
  // "On stop": the rows of this run are signed before the file is let go.
  if (!options_.read_only && options_.key) ec = sign_head_locked(now_utc_us);
  sqlite3_close_v2(db_);
  db_ = nullptr;
  return ec;
}

bool AuditLog::is_open() const {
  std::lock_guard lock(mutex_);
  return db_ != nullptr;
}

namespace {

// The chain head: the last row, else the anchor, else genesis.
std::error_code read_head(sqlite3* db, Head& head) {
  Statement last(db, "SELECT id, utc_us, row_hash FROM audit ORDER BY id DESC LIMIT 1");
  int rc = last.step();
  if (rc == SQLITE_ROW) {
    head = Head{last.int64(0), last.int64(1), last.text(2)};
    return {};
  }
  if (rc != SQLITE_DONE) return Errc::database_error;
  Statement anchor(db, "SELECT row_id, row_utc_us, row_hash FROM anchor WHERE one = 1");
  rc = anchor.step();
  if (rc == SQLITE_ROW) {
    head = Head{anchor.int64(0), anchor.int64(1), anchor.text(2)};
    return {};
  }
  if (rc != SQLITE_DONE) return Errc::database_error;
  head = Head{};
  return {};
}

std::error_code last_signed_row(sqlite3* db, std::int64_t& row_id) {
  Statement s(db, "SELECT coalesce(max(row_id), 0) FROM signatures");
  if (s.step() != SQLITE_ROW) return Errc::database_error;
  row_id = s.int64(0);
  return {};
}

}  // namespace

// Signs the head inside the caller's transaction. No-op without a key or
// when the head is already signed.
std::error_code AuditLog::sign_head_locked(std::int64_t now_utc_us) {
  if (db_ == nullptr) return fail(Errc::invalid_argument, "audit log is not open");
  if (!options_.key || options_.read_only) return {};
  const bool own_txn = sqlite3_get_autocommit(db_) != 0;
  std::string error;
  std::optional<Transaction> txn;
  if (own_txn) {
    txn.emplace(db_, true, error);
    if (!txn->begun()) return fail(Errc::database_error, path_.string() + ": " + error);
  }
  Head head;
  std::int64_t signed_row = 0;
  if (read_head(db_, head) || last_signed_row(db_, signed_row)) {
    return sqlite_fail("reading the chain head");
  }
  if (head.id == 0 || head.id <= signed_row) return {};
  std::string signature;
  if (auto ec = options_.key->sign(head_signing_message(head.id, head.utc_us, head.hash), signature,
                                   error)) {
    return fail(ec, path_.string() + ": " + error);
  }
  Statement s(db_,
              "INSERT INTO signatures(id, row_id, row_utc_us, head_hash, signed_utc_us, "
              "key_fingerprint, signature) "
              "VALUES((SELECT coalesce(max(id), 0) + 1 FROM signatures), ?, ?, ?, ?, ?, ?)");
  s.bind(1, head.id)
      .bind(2, head.utc_us)
      .bind(3, head.hash)
      .bind(4, now_utc_us)
      .bind(5, options_.key->fingerprint())
      .bind_blob(6, signature);
  if (s.step() != SQLITE_DONE) return sqlite_fail("storing a head signature");
  if (txn) {
    if (auto ec = txn->commit(error)) return fail(ec, path_.string() + ": " + error);
  }
  return {};
}

std::error_code AuditLog::sign_head(std::int64_t now_utc_us) {
  std::lock_guard lock(mutex_);
  return sign_head_locked(now_utc_us);
}

std::error_code AuditLog::sign_if_due(std::int64_t now_utc_us) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return fail(Errc::invalid_argument, "audit log is not open");
  if (!options_.key || options_.read_only) return {};
  std::int64_t signed_row = 0;
  if (last_signed_row(db_, signed_row)) return sqlite_fail("reading signatures");
  Statement oldest(db_, "SELECT utc_us FROM audit WHERE id > ? ORDER BY id LIMIT 1");
  oldest.bind(1, signed_row);
  const int rc = oldest.step();
  if (rc == SQLITE_DONE) return {};
  if (rc != SQLITE_ROW) return sqlite_fail("reading unsigned rows");
  const std::int64_t due = oldest.int64(0) + options_.sign_every.count() * 1'000'000;
  if (now_utc_us < due) return {};
  return sign_head_locked(now_utc_us);
}

std::error_code AuditLog::append(const AuditEvent& event) {
  return append(event, host_now().utc_us, nullptr);
}

std::error_code AuditLog::append(const AuditEvent& event, std::int64_t now_utc_us,
                                 std::int64_t* id) {
  std::lock_guard lock(mutex_);
  return append_locked(event, now_utc_us, id);
}

// Appends inside the caller's transaction, or in one of its own.
std::error_code AuditLog::append_locked(const AuditEvent& event, std::int64_t now_utc_us,
                                        std::int64_t* id) {
  if (db_ == nullptr) return fail(Errc::invalid_argument, "audit log is not open");
  if (options_.read_only) return fail(Errc::invalid_argument, "audit log is open read-only");
  AuditRecord row;
  if (!is_valid_audit_action(event.action)) {
    return fail(Errc::invalid_argument, "audit action must be 1 to 64 of a-z 0-9 . _ -");
  }
  if (!is_printable_field(event.user, kMaxUserField) ||
      !is_printable_field(event.peer, kMaxPeerField)) {
    return fail(Errc::invalid_argument,
                "audit user (max 64) or peer (max 128) is too long or holds control characters");
  }
  std::string why;
  if (!canonical_json(event.terms, row.terms, why)) {
    return fail(Errc::invalid_argument, "audit terms: " + why);
  }
  if (row.terms.size() > kMaxAuditTermsBytes) {
    return fail(Errc::invalid_argument, "audit terms are " + std::to_string(row.terms.size()) +
                                            " bytes (max " + std::to_string(kMaxAuditTermsBytes) +
                                            ")");
  }
  row.utc_us = now_utc_us;
  row.user = event.user;
  row.role = event.role ? std::string(to_string(*event.role)) : std::string();
  row.action = event.action;
  row.records = event.records;
  row.outcome = std::string(to_string(event.outcome));
  row.peer = event.peer;

  // IMMEDIATE: the read of the head and the insert after it are one step
  // even with another process (the CLI) appending to the same file.
  std::string error;
  std::optional<Transaction> txn;
  if (sqlite3_get_autocommit(db_) != 0) {
    txn.emplace(db_, true, error);
    if (!txn->begun()) return fail(Errc::database_error, path_.string() + ": " + error);
  }
  Head head;
  if (read_head(db_, head)) return sqlite_fail("reading the chain head");
  row.id = head.id + 1;
  row.prev_hash = head.hash;
  row.row_hash = compute_row_hash(row.prev_hash, row);
  if (row.row_hash.empty()) return fail(Errc::crypto_failed, "SHA-256 failed");
  Statement s(db_,
              "INSERT INTO audit(id, utc_us, user, role, action, terms, records, outcome, peer, "
              "prev_hash, row_hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, row.id)
      .bind(2, row.utc_us)
      .bind(3, row.user)
      .bind(4, row.role)
      .bind(5, row.action)
      .bind(6, row.terms)
      .bind(7, row.records)
      .bind(8, row.outcome)
      .bind(9, row.peer)
      .bind(10, row.prev_hash)
      .bind(11, row.row_hash);
  if (s.step() != SQLITE_DONE) return sqlite_fail("appending an audit row");

  if (options_.key) {
    std::int64_t signed_row = 0;
    if (last_signed_row(db_, signed_row)) return sqlite_fail("reading signatures");
    bool due = row.id - signed_row >= static_cast<std::int64_t>(options_.sign_every_rows);
    if (!due) {
      Statement oldest(db_, "SELECT utc_us FROM audit WHERE id > ? ORDER BY id LIMIT 1");
      oldest.bind(1, signed_row);
      due = oldest.step() == SQLITE_ROW &&
            now_utc_us - oldest.int64(0) >= options_.sign_every.count() * 1'000'000;
    }
    if (due) {
      if (auto ec = sign_head_locked(now_utc_us)) return ec;
    }
  }
  if (txn) {
    if (auto ec = txn->commit(error)) return fail(ec, path_.string() + ": " + error);
  }
  if (id != nullptr) *id = row.id;
  return {};
}

std::error_code AuditLog::query(Role role, const AuditQuery& q, std::vector<AuditRecord>& out) {
  out.clear();
  std::lock_guard lock(mutex_);
  // Need-to-know: the audit log says who searched for whom; only auditors read it.
  if (!allows(role, Permission::read_audit)) {
    return fail(Errc::not_permitted,
                "the " + std::string(to_string(role)) + " role may not read the audit log");
  }
  if (db_ == nullptr) return fail(Errc::invalid_argument, "audit log is not open");
  if (q.limit == 0 || q.limit > 10000) {
    return fail(Errc::invalid_argument, "audit query limit must be from 1 to 10000");
  }
  Statement s(db_,
              "SELECT id, utc_us, user, role, action, terms, records, outcome, peer, prev_hash, "
              "row_hash FROM audit WHERE id > ?1 "
              "AND (?2 IS NULL OR utc_us >= ?2) AND (?3 IS NULL OR utc_us < ?3) "
              "AND (?4 IS NULL OR user = ?4) AND (?5 IS NULL OR action = ?5) "
              "ORDER BY id LIMIT ?6");
  s.bind(1, q.after_id);
  if (q.since_utc_us)
    s.bind(2, *q.since_utc_us);
  else
    s.bind_null(2);
  if (q.until_utc_us)
    s.bind(3, *q.until_utc_us);
  else
    s.bind_null(3);
  if (q.user)
    s.bind(4, *q.user);
  else
    s.bind_null(4);
  if (q.action)
    s.bind(5, *q.action);
  else
    s.bind_null(5);
  s.bind(6, static_cast<std::int64_t>(q.limit));
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(AuditRecord{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5),
                              s.int64(6), s.text(7), s.text(8), s.text(9), s.text(10)});
  }
  if (rc != SQLITE_DONE) return sqlite_fail("reading the audit log");
  return {};
}

std::error_code AuditLog::purge_older_than(std::int64_t cutoff_utc_us, std::int64_t now_utc_us,
                                           const AuditEvent& actor, AuditPurgeResult& result) {
  result = {};
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return fail(Errc::invalid_argument, "audit log is not open");
  if (options_.read_only) return fail(Errc::invalid_argument, "audit log is open read-only");
  // Never purge evidence of tampering: the log must verify first.
  std::vector<VerifyKey> keys = options_.previous_keys;
  if (options_.key) keys.push_back(VerifyKey::from(*options_.key));
  AuditVerifyReport report;
  if (auto ec = verify_locked(keys, report)) return ec;
  if (!report.ok) {
    return fail(Errc::audit_tampered, path_.string() + ": not purged: " + report.problem);
  }
  std::string error;
  Transaction txn(db_, true, error);
  {
    if (!txn.begun()) return fail(Errc::database_error, path_.string() + ": " + error);
    // The first row at or after the cutoff (or past the head): everything
    // before it is old enough; cut at the newest signed head before it.
    Statement first_new(db_,
                        "SELECT coalesce((SELECT min(id) FROM audit WHERE utc_us >= ?), "
                        "(SELECT coalesce(max(id), 0) + 1 FROM audit))");
    first_new.bind(1, cutoff_utc_us);
    if (first_new.step() != SQLITE_ROW) return sqlite_fail("finding old rows");
    const std::int64_t limit_id = first_new.int64(0);
    Statement seg(db_,
                  "SELECT s.row_id, s.row_utc_us, s.head_hash FROM signatures s "
                  "JOIN audit a ON a.id = s.row_id WHERE s.row_id < ? "
                  "ORDER BY s.row_id DESC LIMIT 1");
    seg.bind(1, limit_id);
    const int rc = seg.step();
    if (rc == SQLITE_DONE) return {};  // no whole signed segment is old enough yet (rolled back)
    if (rc != SQLITE_ROW) return sqlite_fail("finding a signed segment");
    const std::int64_t through = seg.int64(0);
    Statement anchor(db_,
                     "INSERT OR REPLACE INTO anchor(one, row_id, row_utc_us, row_hash, "
                     "purged_utc_us) VALUES(1, ?, ?, ?, ?)");
    anchor.bind(1, through).bind(2, seg.int64(1)).bind(3, seg.text(2)).bind(4, now_utc_us);
    if (anchor.step() != SQLITE_DONE) return sqlite_fail("writing the anchor");
    Statement rows(db_, "DELETE FROM audit WHERE id <= ?");
    rows.bind(1, through);
    if (rows.step() != SQLITE_DONE) return sqlite_fail("deleting old rows");
    result.rows_deleted = sqlite3_changes(db_);
    // The signature at the anchor stays: it is what vouches for the anchor.
    Statement sigs(db_, "DELETE FROM signatures WHERE row_id < ?");
    sigs.bind(1, through);
    if (sigs.step() != SQLITE_DONE) return sqlite_fail("deleting old signatures");
    result.through_row = through;
  }
  // The purge is itself audited, in the same transaction: either the rows
  // are gone and the log says who removed them, or nothing happened.
  AuditEvent purge = actor;
  purge.action = "audit.purge";
  purge.terms =
      boost::json::object{{"cutoff_utc_us", cutoff_utc_us}, {"through_row", result.through_row}};
  purge.records = result.rows_deleted;
  purge.outcome = AuditOutcome::ok;
  if (auto ec = append_locked(purge, now_utc_us, nullptr)) {
    result = {};
    return ec;
  }
  if (auto ec = txn.commit(error)) {
    result = {};
    return fail(ec, path_.string() + ": " + error);
  }
  return {};
}

std::error_code AuditLog::verify(const std::vector<VerifyKey>& keys, AuditVerifyReport& report) {
  std::lock_guard lock(mutex_);
  return verify_locked(keys, report);
}

}  // namespace garita::security
