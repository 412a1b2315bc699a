// AuditLog::verify: walks the chain and the signatures and names the first
// bad row (docs/security.md, "Verifying"). Kept apart from AuditLog.cpp
// because it is the part an auditor reads to trust the rest.
#include <map>
#include <optional>

#include "AuditSchema.hpp"
#include "garita/daemon/security/AuditLog.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::security {
namespace {

using detail::Statement;

struct StoredSignature {
  std::int64_t id = 0;
  std::int64_t row_id = 0;
  std::int64_t row_utc_us = 0;
  std::string head_hash;
  std::string fingerprint;
  std::string signature;
};

std::string short_fp(const std::string& fp) { return fp.substr(0, 16); }

}  // namespace

std::error_code AuditLog::verify_locked(const std::vector<VerifyKey>& given_keys,
                                        AuditVerifyReport& report) {
  report = AuditVerifyReport{};
  if (db_ == nullptr) return fail(Errc::invalid_argument, "audit log is not open");
  std::map<std::string, const VerifyKey*> keys;
  for (const VerifyKey& k : given_keys) {
    if (k.valid()) keys.emplace(k.fingerprint(), &k);
  }
  std::optional<VerifyKey> own_key;
  if (keys.empty() && options_.key) {
    own_key = VerifyKey::from(*options_.key);
    keys.emplace(own_key->fingerprint(), &*own_key);
  }

  // One read transaction: a consistent snapshot even while garitad appends.
  std::string error;
  const bool own_txn = sqlite3_get_autocommit(db_) != 0;
  if (own_txn && detail::exec(db_, "BEGIN", "starting a read", error)) {
    return fail(Errc::database_error, path_.string() + ": " + error);
  }
  struct EndRead {
    sqlite3* db;
    bool active;
    ~EndRead() {
      if (active) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
  } end_read{db_, own_txn};

  auto bad = [&](std::int64_t row, std::string problem) {
    if (report.ok) {
      report.ok = false;
      report.bad_row = row;
      report.problem = std::move(problem);
    }
    return std::error_code{};
  };

  // The anchor, when rows were purged.
  std::int64_t expected_id = 1;
  std::string prev_hash(kGenesisHash);
  std::optional<StoredSignature> anchor_sig;
  std::int64_t anchor_utc = 0;
  {
    Statement a(db_, "SELECT row_id, row_utc_us, row_hash FROM anchor WHERE one = 1");
    const int rc = a.step();
    if (rc == SQLITE_ROW) {
      report.anchor_row = a.int64(0);
      anchor_utc = a.int64(1);
      prev_hash = a.text(2);
      expected_id = report.anchor_row + 1;
    } else if (rc != SQLITE_DONE) {
      return sqlite_fail("reading the anchor");
    }
  }

  std::vector<StoredSignature> sigs;
  {
    Statement s(db_,
                "SELECT id, row_id, row_utc_us, head_hash, key_fingerprint, signature "
                "FROM signatures ORDER BY id");
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
      sigs.push_back(
          StoredSignature{s.int64(0), s.int64(1), s.int64(2), s.text(3), s.text(4), s.blob(5)});
    }
    if (rc != SQLITE_DONE) return sqlite_fail("reading signatures");
  }

  // Signatures: consecutive ids, strictly increasing rows, each by a known
  // key and valid over (row id, row time, row hash).
  auto check_signature = [&](const StoredSignature& sig) -> bool {
    ++report.signatures_checked;
    const auto k = keys.find(sig.fingerprint);
    if (k == keys.end()) {
      bad(sig.row_id, "signature " + std::to_string(sig.id) + " (row " +
                          std::to_string(sig.row_id) + "): made with key " +
                          short_fp(sig.fingerprint) +
                          "..., which is not among the given certificates");
      return false;
    }
    if (!k->second->verify(head_signing_message(sig.row_id, sig.row_utc_us, sig.head_hash),
                           sig.signature)) {
      bad(sig.row_id, "signature " + std::to_string(sig.id) + " (row " +
                          std::to_string(sig.row_id) +
                          "): bad signature (the signature or the head it signs was edited)");
      return false;
    }
    return true;
  };
  // Structural problems of the signature table are reported only when no
  // row before them is bad (the row walk below may name an earlier row).
  std::string sig_problem;
  std::int64_t sig_bad_row = 0;
  for (std::size_t i = 1; i < sigs.size() && sig_problem.empty(); ++i) {
    if (sigs[i].id != sigs[i - 1].id + 1) {
      sig_bad_row = sigs[i - 1].row_id + 1;
      sig_problem = "signature " + std::to_string(sigs[i - 1].id + 1) +
                    " is missing (signature ids jump from " + std::to_string(sigs[i - 1].id) +
                    " to " + std::to_string(sigs[i].id) + ")";
    } else if (sigs[i].row_id <= sigs[i - 1].row_id) {
      sig_bad_row = sigs[i].row_id;
      sig_problem = "signature " + std::to_string(sigs[i].id) + " signs row " +
                    std::to_string(sigs[i].row_id) + ", not after signature " +
                    std::to_string(sigs[i - 1].id) + "'s row " +
                    std::to_string(sigs[i - 1].row_id) + " (signatures reordered)";
    }
  }

  std::size_t next_sig = 0;
  if (report.anchor_row != 0) {
    // The anchor must be vouched for by the first remaining signature.
    if (sigs.empty() || sigs.front().row_id != report.anchor_row ||
        sigs.front().head_hash != prev_hash || sigs.front().row_utc_us != anchor_utc) {
      bad(report.anchor_row + 1, "the purge anchor (rows up to " +
                                     std::to_string(report.anchor_row) +
                                     ") is not signed: anchor or its signature was edited");
      return {};
    }
    if (!check_signature(sigs.front())) return {};
    next_sig = 1;
  } else if (!sigs.empty() && sigs.front().id != 1) {
    bad(1, "signatures 1.." + std::to_string(sigs.front().id - 1) +
               " are missing and there is no purge anchor (signatures deleted)");
    return {};
  }

  Statement rows(db_,
                 "SELECT id, utc_us, user, role, action, terms, records, outcome, peer, "
                 "prev_hash, row_hash FROM audit ORDER BY id");
  Statement linked_from(db_, "SELECT id FROM audit WHERE row_hash = ? LIMIT 1");
  int rc = 0;
  std::int64_t prev_utc = 0;
  while ((rc = rows.step()) == SQLITE_ROW) {
    AuditRecord r{rows.int64(0), rows.int64(1), rows.text(2),  rows.text(3),
                  rows.text(4),  rows.text(5),  rows.int64(6), rows.text(7),
                  rows.text(8),  rows.text(9),  rows.text(10)};
    ++report.rows_checked;
    if (r.id != expected_id) {
      if (r.id > expected_id) {
        const std::string range = r.id - 1 == expected_id ? "row " + std::to_string(expected_id)
                                                          : "rows " + std::to_string(expected_id) +
                                                                "-" + std::to_string(r.id - 1);
        return bad(expected_id, "row " + std::to_string(expected_id) + ": missing (" + range +
                                    " deleted; ids jump from " + std::to_string(expected_id - 1) +
                                    " to " + std::to_string(r.id) + ")");
      }
      return bad(r.id, "row " + std::to_string(r.id) + ": id at or before the purge anchor " +
                           std::to_string(report.anchor_row) + " (rows re-inserted)");
    }
    if (r.prev_hash != prev_hash) {
      // Which row does it claim to follow? A later row means rows were
      // swapped; none means the previous row was rewritten (hash and all).
      linked_from.reset();
      linked_from.bind(1, r.prev_hash);
      if (linked_from.step() == SQLITE_ROW && linked_from.int64(0) != r.id - 1) {
        return bad(r.id, "row " + std::to_string(r.id) + ": out of order (it follows row " +
                             std::to_string(linked_from.int64(0)) + "'s content, not row " +
                             std::to_string(r.id - 1) + "'s: rows reordered)");
      }
      if (r.id - 1 > report.anchor_row) {
        return bad(r.id - 1, "row " + std::to_string(r.id - 1) +
                                 ": rewritten (its hash was recomputed but row " +
                                 std::to_string(r.id) + " still links to the original)");
      }
      return bad(r.id, "row " + std::to_string(r.id) +
                           ": does not link to the purge anchor (row edited or anchor edited)");
    }
    if (compute_row_hash(r.prev_hash, r) != r.row_hash) {
      return bad(r.id, "row " + std::to_string(r.id) +
                           ": content edited (its hash does not match its user, role, action, "
                           "terms, records, outcome, peer or time)");
    }
    if (r.utc_us < prev_utc) {
      report.warnings.push_back("row " + std::to_string(r.id) +
                                ": time goes back from the previous row (host clock stepped)");
    }
    prev_utc = r.utc_us;
    // Signatures at this row.
    while (next_sig < sigs.size() && sigs[next_sig].row_id <= r.id) {
      const StoredSignature& sig = sigs[next_sig];
      if (sig.row_id < r.id) break;  // structural problem, reported below
      if (sig.head_hash != r.row_hash || sig.row_utc_us != r.utc_us) {
        return bad(r.id, "row " + std::to_string(r.id) + ": signature " + std::to_string(sig.id) +
                             " signs another hash for it (this or an earlier row was rewritten)");
      }
      if (!check_signature(sig)) return {};
      report.last_signed_row = r.id;
      ++next_sig;
    }
    prev_hash = r.row_hash;
    report.last_row = r.id;
    report.last_hash = r.row_hash;
    expected_id = r.id + 1;
  }
  if (rc != SQLITE_DONE) return sqlite_fail("reading audit rows");
  if (report.last_row == 0 && report.anchor_row != 0) {
    report.last_row = report.anchor_row;
    report.last_hash = prev_hash;
    report.last_signed_row = report.anchor_row;
  }

  if (next_sig < sigs.size()) {
    const StoredSignature& sig = sigs[next_sig];
    if (sig.row_id >= expected_id) {
      const std::int64_t first = expected_id;
      return bad(first, "row " + std::to_string(first) + ": missing (rows " +
                            std::to_string(first) + "-" + std::to_string(sig.row_id) +
                            " deleted from the tail; signature " + std::to_string(sig.id) +
                            " signs row " + std::to_string(sig.row_id) + ")");
    }
  }
  if (!sig_problem.empty()) return bad(sig_bad_row, sig_problem);
  if (report.last_row > report.last_signed_row) {
    report.warnings.push_back(report.last_signed_row == 0 && report.anchor_row == 0
                                  ? "no row is signed yet (rows 1-" +
                                        std::to_string(report.last_row) +
                                        "; is [security] signing_key set?)"
                                  : "rows " + std::to_string(report.last_signed_row + 1) + "-" +
                                        std::to_string(report.last_row) +
                                        " are not signed yet (signed at the next head signature)");
  }
  return {};
}

}  // namespace garita::security
