// The exchange tables of the crossing database (schema v4; docs/data-formats.md
// "Exchange tables"; docs/batch-format.md §6 export, §7 import). Every
// statement is prepared with bound parameters; nothing is built from input.
#include "garita/daemon/exchange/ExchangeStore.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>

#include "garita/common/UtcText.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"

namespace garita::exchange {
namespace {

using batch::Errc;

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

constexpr std::int64_t kMicros = 1'000'000;
// |UTC offset| <= 14:00 (docs/batch-format.md §4): the window of UTC instants
// a port-local date and time can stand for.
constexpr std::int64_t kMaxOffsetSeconds = std::int64_t{840} * 60;

std::string_view column_text(sqlite3_stmt* s, int col) noexcept {
  const unsigned char* p = sqlite3_column_text(s, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, col))};
}

std::optional<std::string> column_optional_text(sqlite3_stmt* s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL) return std::nullopt;
  return std::string(column_text(s, col));
}

// The text must outlive the step (every caller binds locals or members of
// the arguments and steps before they go).
// A default string_view has no data pointer, and SQLite binds a null
// pointer as NULL: bind "" instead (the columns are NOT NULL).
void bind_text(sqlite3_stmt* s, int i, std::string_view v) noexcept {
  sqlite3_bind_text(s, i, v.data() != nullptr ? v.data() : "", static_cast<int>(v.size()),
                    SQLITE_STATIC);
}

void bind_u64(sqlite3_stmt* s, int i, std::uint64_t v) noexcept {
  sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v));
}

// Seconds, rounding toward the past (crossing times are µs).
std::int64_t floor_seconds(std::int64_t us) noexcept {
  return us >= 0 ? us / kMicros : -((-us + kMicros - 1) / kMicros);
}

std::string upper_hex(std::string_view hex) {
  std::string out(hex);
  for (char& c : out) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

constexpr const char* kLedgerColumns =
    "batch_id, direction, period, created_at_utc, recorded_at_us, sender_id, "
    "sender_certificate_sha256, recipient_certificate_sha256, record_count, records_sha256, "
    "operator, rfid_records, officer_records, matched, received_in_error, duplicates, "
    "file_sha256, written_to, written_at_us";

void read_ledger_row(sqlite3_stmt* s, BatchLedgerRow& r) {
  r.batch_id = column_text(s, 0);
  r.direction = column_text(s, 1);
  r.period = column_text(s, 2);
  r.created_at_utc = sqlite3_column_int64(s, 3);
  r.recorded_at_us = sqlite3_column_int64(s, 4);
  r.sender_id = column_text(s, 5);
  r.sender_certificate_sha256 = column_text(s, 6);
  r.recipient_certificate_sha256 = column_text(s, 7);
  r.record_count = static_cast<std::uint64_t>(sqlite3_column_int64(s, 8));
  r.records_sha256 = column_text(s, 9);
  r.operator_name = column_text(s, 10);
  r.rfid_records = static_cast<std::uint64_t>(sqlite3_column_int64(s, 11));
  r.officer_records = static_cast<std::uint64_t>(sqlite3_column_int64(s, 12));
  r.matched = static_cast<std::uint64_t>(sqlite3_column_int64(s, 13));
  r.received_in_error = static_cast<std::uint64_t>(sqlite3_column_int64(s, 14));
  r.duplicates = static_cast<std::uint64_t>(sqlite3_column_int64(s, 15));
  r.file_sha256 = column_optional_text(s, 16);
  r.written_to = column_optional_text(s, 17);
  if (sqlite3_column_type(s, 18) == SQLITE_NULL) {
    r.written_at_us.reset();
  } else {
    r.written_at_us = sqlite3_column_int64(s, 18);
  }
}

// Officer record columns in select order, after id.
constexpr const char* kOfficerColumns =
    "last_name, first_name, middle_name, birth_date, nationality, gender, document_type, "
    "document_number, document_country, port, entry_utc_us, entry_utc_offset_min";

void read_officer(sqlite3_stmt* s, int first, batch::OfficerEntryRecord& r) {
  int i = first;
  r.last_name = column_text(s, i++);
  r.first_name = column_text(s, i++);
  r.middle_name = column_text(s, i++);
  r.birth_date = column_text(s, i++);
  r.nationality = column_text(s, i++);
  r.gender = column_text(s, i++);
  r.document_type = column_text(s, i++);
  r.document_number = column_text(s, i++);
  r.document_country = column_text(s, i++);
  r.port = column_text(s, i++);
  r.entry.utc_seconds = floor_seconds(sqlite3_column_int64(s, i++));
  r.entry.utc_offset_minutes = sqlite3_column_int(s, i++);
}

}  // namespace

std::string validate_officer_record(const batch::OfficerEntryRecord& record) {
  return batch::check_officer_record(record);
}

namespace {

// All SQLite work of one call: the connection, prepared statements, and
// failures turned into batch::Errc::store_failed with SQLite's message (which
// names tables and constraints, never values).
class ExchangeSql {
 public:
  explicit ExchangeSql(sqlite3* db) noexcept : db_(db) {}

  bool prepare(Stmt& out, const char* sql) {
    sqlite3_stmt* s = nullptr;
    rc_ = sqlite3_prepare_v2(db_, sql, -1, &s, nullptr);
    out.reset(s);
    return rc_ == SQLITE_OK;
  }
  bool exec(const char* sql) {
    rc_ = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    return rc_ == SQLITE_OK;
  }
  // One step that must finish (no row).
  bool done(sqlite3_stmt* s) {
    rc_ = sqlite3_step(s);
    sqlite3_reset(s);
    return rc_ == SQLITE_DONE;
  }
  std::string message(std::string_view what) const {
    return "crossing database: " + std::string(what) + ": " + sqlite3_errmsg(db_);
  }
  int changes() const noexcept { return sqlite3_changes(db_); }
  sqlite3* db() const noexcept { return db_; }

 private:
  sqlite3* db_;
  int rc_ = SQLITE_OK;
};

}  // namespace

std::error_code ExchangeStore::fail(std::error_code ec, std::string message) {
  last_error_ = std::move(message);
  return ec;
}

namespace {

// The store must be open, read-write and migrated to schema v4.
std::error_code usable(store::CrossingStore& store, std::string& error) {
  if (store.native_handle() == nullptr) {
    error = "crossing database is not open";
    return Errc::store_failed;
  }
  if (store.schema_version() < 4) {
    error = "crossing database has schema version " + std::to_string(store.schema_version()) +
            ", the exchange needs 4 (open it read-write to migrate)";
    return Errc::store_failed;
  }
  return {};
}

// Appends the export candidates a prepared, bound statement yields, and
// returns the last sqlite3_step code (SQLITE_DONE when all were read).
// Crossing rows: id, lane_id, epc_hex, tid_hex, first_seen_utc_us,
// export_utc_offset_min, direction (kCrossingCandidateColumns); officer rows:
// id, kOfficerColumns. With a `clock` (a new export) the port clock decides
// each record's UTC offset; without one (an earlier batch written again) the
// offset stored when it was exported stands, not today's tz rules.
constexpr const char* kCrossingCandidateColumns =
    "id, lane_id, epc_hex, tid_hex, first_seen_utc_us, export_utc_offset_min, direction";

int read_candidates(sqlite3_stmt* s, ExportCandidate::Kind kind, const PortClock* clock,
                    std::string_view port, ExportSelection& out) {
  int rc = 0;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ExportCandidate c;
    c.kind = kind;
    c.row_id = sqlite3_column_int64(s, 0);
    if (kind == ExportCandidate::Kind::crossing) {
      // Counter-flow (the exit antenna first: the traveller walked back out)
      // is not an entry into the country and is never exported.
      if (column_text(s, 6) == "counter_flow") {
        ++out.skipped_exit_direction;
        continue;
      }
      batch::RfidEntryRecord r;
      r.lane = column_text(s, 1);
      r.epc_hex = column_text(s, 2);
      r.tid_hex = column_text(s, 3);
      const std::int64_t utc_s = floor_seconds(sqlite3_column_int64(s, 4));
      r.entry = clock != nullptr ? clock->entry_time(utc_s)
                                 : batch::EntryTime{utc_s, sqlite3_column_int(s, 5)};
      r.port = port;
      c.record = std::move(r);
      ++out.rfid_count;
    } else {
      batch::OfficerEntryRecord r;
      read_officer(s, 1, r);
      if (clock != nullptr) r.entry = clock->entry_time(r.entry.utc_seconds);
      r.port = port;
      c.record = std::move(r);
      ++out.officer_count;
    }
    out.records.push_back(std::move(c));
  }
  return rc;
}

}  // namespace

// --- Export -------------------------------------------------------------------

std::error_code ExchangeStore::select_unexported(std::int64_t begin_utc_us, std::int64_t end_utc_us,
                                                 const PortClock& clock, std::string_view port,
                                                 ExportSelection& out) {
  out = {};
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  if (!clock.valid()) return fail(Errc::not_configured, "select_unexported: port clock not loaded");
  if (end_utc_us <= begin_utc_us) {
    return fail(Errc::invalid_argument, "select_unexported: empty period");
  }
  ExchangeSql sql(store_.native_handle());
  // The partial index crossings_unexported_by_time holds exactly the
  // unexported crossings, in time order: one pass over the period.
  Stmt s;
  const std::string crossing_sql = std::string("SELECT ") + kCrossingCandidateColumns +
                                   " FROM crossings INDEXED BY crossings_unexported_by_time "
                                   "WHERE export_batch_id IS NULL AND first_seen_utc_us >= ?1 "
                                   "AND first_seen_utc_us < ?2 ORDER BY first_seen_utc_us, id";
  if (!sql.prepare(s, crossing_sql.c_str())) {
    return fail(Errc::store_failed, sql.message("selecting crossings to export"));
  }
  sqlite3_bind_int64(s.get(), 1, begin_utc_us);
  sqlite3_bind_int64(s.get(), 2, end_utc_us);
  if (read_candidates(s.get(), ExportCandidate::Kind::crossing, &clock, port, out) != SQLITE_DONE) {
    out = {};
    return fail(Errc::store_failed, sql.message("selecting crossings to export"));
  }

  // The port clock decides the offset written for officer records too
  // (record_export stores it): one rule for every record of the batch.
  Stmt o;
  const std::string officer_sql = std::string("SELECT id, ") + kOfficerColumns +
                                  " FROM officer_records WHERE export_batch_id IS NULL "
                                  "AND entry_utc_us >= ?1 AND entry_utc_us < ?2 "
                                  "ORDER BY entry_utc_us, id";
  if (!sql.prepare(o, officer_sql.c_str())) {
    out = {};
    return fail(Errc::store_failed, sql.message("selecting officer records to export"));
  }
  sqlite3_bind_int64(o.get(), 1, begin_utc_us);
  sqlite3_bind_int64(o.get(), 2, end_utc_us);
  if (read_candidates(o.get(), ExportCandidate::Kind::officer, &clock, port, out) != SQLITE_DONE) {
    out = {};
    return fail(Errc::store_failed, sql.message("selecting officer records to export"));
  }
  return {};
}

std::error_code ExchangeStore::select_batch(std::string_view batch_id, std::string_view port,
                                            ExportSelection& out) {
  out = {};
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  std::optional<BatchLedgerRow> row;
  if (auto ec = find_batch(batch_id, row)) return ec;
  if (!row || row->direction != "export") {
    return fail(Errc::unknown_batch, "no export batch " + std::string(batch_id) + " in the ledger");
  }
  ExchangeSql sql(store_.native_handle());
  Stmt s;
  const std::string crossing_sql = std::string("SELECT ") + kCrossingCandidateColumns +
                                   " FROM crossings WHERE export_batch_id = ?1 "
                                   "ORDER BY first_seen_utc_us, id";
  if (!sql.prepare(s, crossing_sql.c_str())) {
    return fail(Errc::store_failed, sql.message("selecting a batch's crossings"));
  }
  bind_text(s.get(), 1, batch_id);
  if (read_candidates(s.get(), ExportCandidate::Kind::crossing, nullptr, port, out) !=
      SQLITE_DONE) {
    out = {};
    return fail(Errc::store_failed, sql.message("selecting a batch's crossings"));
  }
  Stmt o;
  const std::string officer_sql = std::string("SELECT id, ") + kOfficerColumns +
                                  " FROM officer_records WHERE export_batch_id = ?1 "
                                  "ORDER BY entry_utc_us, id";
  if (!sql.prepare(o, officer_sql.c_str())) {
    out = {};
    return fail(Errc::store_failed, sql.message("selecting a batch's officer records"));
  }
  bind_text(o.get(), 1, batch_id);
  if (read_candidates(o.get(), ExportCandidate::Kind::officer, nullptr, port, out) != SQLITE_DONE) {
    out = {};
    return fail(Errc::store_failed, sql.message("selecting a batch's officer records"));
  }
  // Retention may have purged some of its crossings since: the file would
  // then not be the batch the ledger (and the partner) knows.
  if (out.rfid_count != row->rfid_records || out.officer_count != row->officer_records) {
    const std::string what =
        "export batch " + std::string(batch_id) + " carried " + std::to_string(row->rfid_records) +
        " RFID and " + std::to_string(row->officer_records) + " officer records; " +
        std::to_string(out.rfid_count) + " and " + std::to_string(out.officer_count) +
        " are still stored (purged by retention): it cannot be written again";
    out = {};
    return fail(Errc::invalid_argument, what);
  }
  return {};
}

std::error_code ExchangeStore::record_export(const batch::BatchManifest& manifest,
                                             const ExportSelection& selection,
                                             std::string_view operator_name, std::int64_t now_us) {
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  if (!store_.in_transaction()) {
    return fail(Errc::invalid_argument,
                "record_export: call it inside the export's transaction (store.begin())");
  }
  if (manifest.type != batch::BatchType::export_batch) {
    return fail(Errc::invalid_argument, "record_export: the manifest is not an export batch's");
  }
  if (manifest.record_count != selection.records.size()) {
    return fail(Errc::invalid_argument,
                "record_export: manifest record_count " + std::to_string(manifest.record_count) +
                    " but " + std::to_string(selection.records.size()) + " records selected");
  }
  if (operator_name.empty()) return fail(Errc::invalid_argument, "record_export: no operator");
  ExchangeSql sql(store_.native_handle());
  // A savepoint makes this call all-or-nothing inside the caller's
  // transaction (the caller may still commit what it did before).
  if (!sql.exec("SAVEPOINT record_export")) {
    return fail(Errc::store_failed, sql.message("recording an export"));
  }
  auto abort = [&](std::error_code ec, std::string message) {
    sqlite3_exec(sql.db(), "ROLLBACK TO record_export; RELEASE record_export", nullptr, nullptr,
                 nullptr);
    return fail(ec, std::move(message));
  };

  Stmt ledger;
  if (!sql.prepare(ledger,
                   "INSERT INTO exchange_batches (direction, batch_id, period, created_at_utc, "
                   "recorded_at_us, sender_id, sender_certificate_sha256, "
                   "recipient_certificate_sha256, record_count, records_sha256, operator, "
                   "rfid_records, officer_records) VALUES ('export', ?1, ?2, ?3, ?4, ?5, ?6, "
                   "?7, ?8, ?9, ?10, ?11, ?12)")) {
    return abort(Errc::store_failed, sql.message("recording an export"));
  }
  bind_text(ledger.get(), 1, manifest.batch_id);
  bind_text(ledger.get(), 2, manifest.period);
  sqlite3_bind_int64(ledger.get(), 3, manifest.created_at_utc);
  sqlite3_bind_int64(ledger.get(), 4, now_us);
  bind_text(ledger.get(), 5, manifest.sender_id);
  bind_text(ledger.get(), 6, manifest.sender_certificate_sha256);
  bind_text(ledger.get(), 7, manifest.recipient_certificate_sha256);
  bind_u64(ledger.get(), 8, manifest.record_count);
  bind_text(ledger.get(), 9, manifest.records_sha256);
  bind_text(ledger.get(), 10, operator_name);
  bind_u64(ledger.get(), 11, selection.rfid_count);
  bind_u64(ledger.get(), 12, selection.officer_count);
  if (!sql.done(ledger.get())) {
    return abort(Errc::store_failed,
                 sql.message("recording export batch " + manifest.batch_id + " in the ledger"));
  }

  Stmt crossing, officer;
  if (!sql.prepare(crossing,
                   "UPDATE crossings SET export_batch_id = ?1, exported_at_us = ?2, "
                   "export_utc_offset_min = ?3 WHERE id = ?4 AND export_batch_id IS NULL") ||
      !sql.prepare(officer,
                   "UPDATE officer_records SET export_batch_id = ?1, exported_at_us = ?2, "
                   "entry_utc_offset_min = ?3 WHERE id = ?4 AND export_batch_id IS NULL")) {
    return abort(Errc::store_failed, sql.message("marking records exported"));
  }
  for (sqlite3_stmt* s : {crossing.get(), officer.get()}) {
    bind_text(s, 1, manifest.batch_id);
    sqlite3_bind_int64(s, 2, now_us);
  }
  for (const ExportCandidate& c : selection.records) {
    const bool is_crossing = c.kind == ExportCandidate::Kind::crossing;
    const batch::EntryTime* entry = nullptr;
    if (const auto* r = std::get_if<batch::RfidEntryRecord>(&c.record); r && is_crossing) {
      entry = &r->entry;
    } else if (const auto* o = std::get_if<batch::OfficerEntryRecord>(&c.record);
               o && !is_crossing) {
      entry = &o->entry;
    }
    if (entry == nullptr) {
      return abort(Errc::invalid_argument, "record_export: a candidate's kind and record differ");
    }
    sqlite3_stmt* s = is_crossing ? crossing.get() : officer.get();
    sqlite3_bind_int(s, 3, entry->utc_offset_minutes);
    sqlite3_bind_int64(s, 4, c.row_id);
    if (!sql.done(s)) return abort(Errc::store_failed, sql.message("marking records exported"));
    if (sql.changes() != 1) {
      return abort(Errc::store_failed,
                   std::string(is_crossing ? "crossing" : "officer record") + " row " +
                       std::to_string(c.row_id) +
                       " is gone or was exported by another batch meanwhile: export again");
    }
  }
  if (!sql.exec("RELEASE record_export")) {
    return abort(Errc::store_failed, sql.message("recording an export"));
  }
  return {};
}

std::error_code ExchangeStore::record_file_written(std::string_view batch_id,
                                                   std::string_view file_sha256,
                                                   std::string_view written_to,
                                                   std::int64_t now_us) {
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  ExchangeSql sql(store_.native_handle());
  Stmt s;
  // One statement: atomic by itself (its own transaction when none is open).
  if (!sql.prepare(s,
                   "UPDATE exchange_batches SET file_sha256 = ?2, written_to = ?3, "
                   "written_at_us = ?4 WHERE batch_id = ?1 AND direction = 'export'")) {
    return fail(Errc::store_failed, sql.message("recording a written batch file"));
  }
  bind_text(s.get(), 1, batch_id);
  bind_text(s.get(), 2, file_sha256);
  bind_text(s.get(), 3, written_to);
  sqlite3_bind_int64(s.get(), 4, now_us);
  if (!sql.done(s.get())) {
    return fail(Errc::store_failed, sql.message("recording a written batch file"));
  }
  if (sql.changes() == 0) {
    return fail(Errc::unknown_batch, "no export batch " + std::string(batch_id) + " in the ledger");
  }
  return {};
}

// --- Import ------------------------------------------------------------------

std::error_code ExchangeStore::import_return(const batch::ReturnBatch& batch,
                                             std::string_view operator_name, std::int64_t now_us,
                                             ImportReport& report) {
  report = {};
  report.batch_id = batch.manifest.batch_id;
  report.period = batch.manifest.period;
  report.records = batch.records.size();
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  if (batch.manifest.type != batch::BatchType::return_batch) {
    return fail(Errc::wrong_batch_type, "import: batch " + batch.manifest.batch_id +
                                            " is an export batch, not a return batch");
  }
  if (batch.manifest.record_count != batch.records.size()) {
    return fail(Errc::invalid_argument, "import: manifest record_count differs from the records");
  }
  if (operator_name.empty()) return fail(Errc::invalid_argument, "import: no operator");
  if (store_.in_transaction()) {
    return fail(Errc::invalid_argument, "import: a write transaction is already open");
  }
  if (auto ec = store_.begin()) {
    return fail(Errc::store_failed, "crossing database: " + store_.last_error());
  }
  ExchangeSql sql(store_.native_handle());
  const ImportReport empty_report = report;
  auto abort = [&](std::error_code ec, std::string message) {
    store_.rollback();
    report = empty_report;
    return fail(ec, std::move(message));
  };

  // Replay check inside the write transaction: two imports of the same file
  // at once cannot both pass it.
  {
    Stmt s;
    if (!sql.prepare(s,
                     "SELECT direction, recorded_at_us, operator FROM exchange_batches "
                     "WHERE batch_id = ?1")) {
      return abort(Errc::store_failed, sql.message("looking up the batch ledger"));
    }
    bind_text(s.get(), 1, batch.manifest.batch_id);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      const std::string direction(column_text(s.get(), 0));
      const std::string when = utc_text(sqlite3_column_int64(s.get(), 1));
      const std::string who(column_text(s.get(), 2));
      if (direction == "return") {
        return abort(Errc::already_imported, "batch " + batch.manifest.batch_id +
                                                 " was already imported on " + when + " by " + who);
      }
      // Our own export id coming back as a "return": a reflected or forged
      // file. Same code (the id is in the ledger), its own message.
      return abort(Errc::already_imported,
                   "batch " + batch.manifest.batch_id +
                       " is this workstation's own export batch (exported on " + when + " by " +
                       who + "), not a return batch");
    }
    if (rc != SQLITE_DONE) {
      return abort(Errc::store_failed, sql.message("looking up the batch ledger"));
    }
  }

  // The ledger row first: entry_records.batch_id references it. Its counts
  // are filled in at the end.
  {
    Stmt s;
    if (!sql.prepare(s,
                     "INSERT INTO exchange_batches (direction, batch_id, period, created_at_utc, "
                     "recorded_at_us, sender_id, sender_certificate_sha256, "
                     "recipient_certificate_sha256, record_count, records_sha256, operator) "
                     "VALUES ('return', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")) {
      return abort(Errc::store_failed, sql.message("recording the batch in the ledger"));
    }
    const auto& m = batch.manifest;
    bind_text(s.get(), 1, m.batch_id);
    bind_text(s.get(), 2, m.period);
    sqlite3_bind_int64(s.get(), 3, m.created_at_utc);
    sqlite3_bind_int64(s.get(), 4, now_us);
    bind_text(s.get(), 5, m.sender_id);
    bind_text(s.get(), 6, m.sender_certificate_sha256);
    bind_text(s.get(), 7, m.recipient_certificate_sha256);
    bind_u64(s.get(), 8, m.record_count);
    bind_text(s.get(), 9, m.records_sha256);
    bind_text(s.get(), 10, operator_name);
    if (!sql.done(s.get())) {
      return abort(Errc::store_failed, sql.message("recording the batch in the ledger"));
    }
  }

  // Per record: an index range scan (crossings_by_epc or
  // officer_records_by_document) over the UTC instants the local date and
  // time can stand for (offsets within ±14:00), then the exact comparison
  // with each candidate's stored export offset.
  Stmt find_crossing, find_officer, kept_from_crossing, kept_from_officer, insert, stamp_crossing,
      stamp_officer;
  if (!sql.prepare(find_crossing,
                   "SELECT id, lane_id, sequence, port_code, first_seen_utc_us, "
                   "export_utc_offset_min, exit_record_at_us IS NOT NULL FROM crossings "
                   "INDEXED BY crossings_by_epc WHERE epc_hex = ?1 AND first_seen_utc_us >= ?2 "
                   "AND first_seen_utc_us < ?3 AND export_batch_id IS NOT NULL "
                   "ORDER BY first_seen_utc_us, id") ||
      !sql.prepare(find_officer,
                   "SELECT id, port, entry_utc_us, entry_utc_offset_min, "
                   "exit_record_at_us IS NOT NULL FROM officer_records "
                   "INDEXED BY officer_records_by_document WHERE document_number = ?1 "
                   "AND entry_utc_us >= ?2 AND entry_utc_us < ?3 AND document_type = ?4 "
                   "AND document_country = ?5 AND export_batch_id IS NOT NULL "
                   "ORDER BY entry_utc_us, id") ||
      !sql.prepare(kept_from_crossing,
                   "SELECT batch_id FROM entry_records WHERE crossing_lane_id = ?1 "
                   "AND crossing_sequence = ?2") ||
      !sql.prepare(kept_from_officer,
                   "SELECT batch_id FROM entry_records WHERE officer_record_id = ?1") ||
      !sql.prepare(insert,
                   "INSERT INTO entry_records (source, batch_id, matched_kind, crossing_lane_id, "
                   "crossing_sequence, officer_record_id, epc_hex, first_name, last_name, "
                   "middle_name, birth_date, nationality, gender, document_type, "
                   "document_number, document_country, exit_port, entry_date, entry_time, "
                   "entry_utc_us, port, imported_at_us) VALUES ('CBP', ?1, ?2, ?3, ?4, ?5, ?6, "
                   "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)") ||
      !sql.prepare(stamp_crossing, "UPDATE crossings SET exit_record_at_us = ?1 WHERE id = ?2") ||
      !sql.prepare(stamp_officer,
                   "UPDATE officer_records SET exit_record_at_us = ?1 WHERE id = ?2")) {
    return abort(Errc::store_failed, sql.message("preparing the import"));
  }
  bind_text(insert.get(), 1, batch.manifest.batch_id);
  sqlite3_bind_int64(insert.get(), 21, now_us);
  sqlite3_bind_int64(stamp_crossing.get(), 1, now_us);
  sqlite3_bind_int64(stamp_officer.get(), 1, now_us);

  // Row id -> line that matched it in this batch (for "duplicate of line N").
  std::unordered_map<std::int64_t, std::uint64_t> crossing_line, officer_line;
  auto reject = [&](std::uint64_t line, std::string reason) {
    if (report.rejected.size() < kMaxRejectedListed) {
      report.rejected.push_back({line, std::move(reason)});
    }
  };

  for (std::size_t i = 0; i < batch.records.size(); ++i) {
    const batch::ExitRecord& r = batch.records[i];
    const std::uint64_t line = i + 2;  // line 1 is the manifest
    const auto local = batch::parse_local_date_time(r.entry_date, r.entry_time);
    if (!local) {
      return abort(Errc::malformed_content,
                   "import: line " + std::to_string(line) + ": entry_date/entry_time malformed");
    }
    const std::int64_t lo_us = (*local - kMaxOffsetSeconds) * kMicros;
    const std::int64_t hi_us = (*local + kMaxOffsetSeconds + 1) * kMicros;
    const std::string epc = upper_hex(r.epc_hex);
    const bool by_epc = !epc.empty();

    // The match: first candidate (oldest, lowest id) whose exported local
    // time equals the returned one to the second.
    std::int64_t row_id = 0;
    bool matched = false, already = false;
    std::string lane, port;
    std::int64_t sequence = 0, entry_utc_s = 0;
    sqlite3_stmt* f = by_epc ? find_crossing.get() : find_officer.get();
    sqlite3_reset(f);
    if (by_epc) {
      bind_text(f, 1, epc);
    } else {
      bind_text(f, 1, r.document_number);
      bind_text(f, 4, r.document_type);
      bind_text(f, 5, r.document_country);
    }
    sqlite3_bind_int64(f, 2, lo_us);
    sqlite3_bind_int64(f, 3, hi_us);
    int rc = 0;
    while ((rc = sqlite3_step(f)) == SQLITE_ROW) {
      const int time_col = by_epc ? 4 : 2;
      const std::int64_t utc_s = floor_seconds(sqlite3_column_int64(f, time_col));
      const std::int64_t offset_min = sqlite3_column_int64(f, time_col + 1);
      if (sqlite3_column_type(f, time_col + 1) == SQLITE_NULL) continue;
      if (utc_s + offset_min * 60 != *local) continue;
      matched = true;
      row_id = sqlite3_column_int64(f, 0);
      entry_utc_s = utc_s;
      if (by_epc) {
        lane = column_text(f, 1);
        sequence = sqlite3_column_int64(f, 2);
        port = column_text(f, 3);
        already = sqlite3_column_int(f, 6) != 0;
      } else {
        port = column_text(f, 1);
        already = sqlite3_column_int(f, 4) != 0;
      }
      break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return abort(Errc::store_failed, sql.message("matching returned records"));
    }
    sqlite3_reset(f);
    if (!matched) {
      ++report.received_in_error;
      reject(line, by_epc ? "no exported crossing with this RFID number at that local date and time"
                          : "no exported officer record with this document at that local date "
                            "and time");
      continue;
    }
    auto& seen = by_epc ? crossing_line : officer_line;
    if (const auto it = seen.find(row_id); it != seen.end()) {
      ++report.duplicates;
      reject(line, "duplicate of line " + std::to_string(it->second));
      continue;
    }
    if (already) {
      // Kept from an earlier batch: say which (batch ids are not personal).
      sqlite3_stmt* k = by_epc ? kept_from_crossing.get() : kept_from_officer.get();
      sqlite3_reset(k);
      if (by_epc) {
        bind_text(k, 1, lane);
        sqlite3_bind_int64(k, 2, sequence);
      } else {
        sqlite3_bind_int64(k, 1, row_id);
      }
      rc = sqlite3_step(k);
      std::string from = rc == SQLITE_ROW ? std::string(column_text(k, 0)) : std::string{};
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return abort(Errc::store_failed, sql.message("matching returned records"));
      }
      sqlite3_reset(k);
      ++report.duplicates;
      std::string what = by_epc ? "a second exit record for the same crossing"
                                : "a second exit record for the same officer record";
      if (!from.empty()) what += " (kept from batch " + from + ")";
      reject(line, std::move(what));
      continue;
    }

    sqlite3_stmt* s = insert.get();
    bind_text(s, 2, by_epc ? "crossing" : "officer");
    if (by_epc) {
      bind_text(s, 3, lane);
      sqlite3_bind_int64(s, 4, sequence);
      sqlite3_bind_null(s, 5);
    } else {
      sqlite3_bind_null(s, 3);
      sqlite3_bind_null(s, 4);
      sqlite3_bind_int64(s, 5, row_id);
    }
    bind_text(s, 6, epc);
    bind_text(s, 7, r.first_name);
    bind_text(s, 8, r.last_name);
    bind_text(s, 9, r.middle_name);
    bind_text(s, 10, r.birth_date);
    bind_text(s, 11, r.nationality);
    bind_text(s, 12, r.gender);
    bind_text(s, 13, r.document_type);
    bind_text(s, 14, r.document_number);
    bind_text(s, 15, r.document_country);
    bind_text(s, 16, r.exit_port);
    bind_text(s, 17, r.entry_date);
    bind_text(s, 18, r.entry_time);
    sqlite3_bind_int64(s, 19, entry_utc_s * kMicros);
    bind_text(s, 20, port);
    if (!sql.done(s)) {
      return abort(Errc::store_failed,
                   sql.message("storing entry records (line " + std::to_string(line) + ")"));
    }
    sqlite3_stmt* stamp = by_epc ? stamp_crossing.get() : stamp_officer.get();
    sqlite3_bind_int64(stamp, 2, row_id);
    if (!sql.done(stamp)) {
      return abort(Errc::store_failed, sql.message("stamping matched records"));
    }
    seen.emplace(row_id, line);
    ++(by_epc ? report.matched_crossings : report.matched_officer);
  }

  {
    Stmt s;
    if (!sql.prepare(s,
                     "UPDATE exchange_batches SET matched = ?2, received_in_error = ?3, "
                     "duplicates = ?4 WHERE batch_id = ?1")) {
      return abort(Errc::store_failed, sql.message("recording the import's counts"));
    }
    bind_text(s.get(), 1, batch.manifest.batch_id);
    bind_u64(s.get(), 2, report.matched());
    bind_u64(s.get(), 3, report.received_in_error);
    bind_u64(s.get(), 4, report.duplicates);
    if (!sql.done(s.get())) {
      return abort(Errc::store_failed, sql.message("recording the import's counts"));
    }
  }
  // Statements hold no locks past their reset; finalize before COMMIT anyway.
  find_crossing.reset();
  find_officer.reset();
  kept_from_crossing.reset();
  kept_from_officer.reset();
  insert.reset();
  stamp_crossing.reset();
  stamp_officer.reset();
  if (auto ec = store_.commit()) {
    return abort(Errc::store_failed, "crossing database: " + store_.last_error());
  }
  return {};
}

// --- Officer-entered records -------------------------------------------------------

std::error_code ExchangeStore::add_officer_record(const batch::OfficerEntryRecord& record,
                                                  std::string_view entered_by, std::int64_t now_us,
                                                  std::int64_t& id) {
  id = 0;
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  if (const std::string why = validate_officer_record(record); !why.empty()) {
    return fail(Errc::invalid_argument, "officer record: " + why);
  }
  if (entered_by.empty() || entered_by.size() > 64) {
    return fail(Errc::invalid_argument, "officer record: entered_by: length out of range (1..64)");
  }
  ExchangeSql sql(store_.native_handle());
  Stmt s;
  // One INSERT: its own transaction when none is open.
  if (!sql.prepare(s,
                   "INSERT INTO officer_records (entered_at_us, entered_by, last_name, "
                   "first_name, middle_name, birth_date, nationality, gender, document_type, "
                   "document_number, document_country, port, entry_utc_us, "
                   "entry_utc_offset_min) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                   "?12, ?13, ?14) RETURNING id")) {
    return fail(Errc::store_failed, sql.message("storing an officer record"));
  }
  sqlite3_bind_int64(s.get(), 1, now_us);
  bind_text(s.get(), 2, entered_by);
  bind_text(s.get(), 3, record.last_name);
  bind_text(s.get(), 4, record.first_name);
  bind_text(s.get(), 5, record.middle_name);
  bind_text(s.get(), 6, record.birth_date);
  bind_text(s.get(), 7, record.nationality);
  bind_text(s.get(), 8, record.gender);
  bind_text(s.get(), 9, record.document_type);
  bind_text(s.get(), 10, record.document_number);
  bind_text(s.get(), 11, record.document_country);
  bind_text(s.get(), 12, record.port);
  sqlite3_bind_int64(s.get(), 13, record.entry.utc_seconds * kMicros);
  sqlite3_bind_int(s.get(), 14, record.entry.utc_offset_minutes);
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return fail(Errc::store_failed, sql.message("storing an officer record"));
  const std::int64_t new_id = sqlite3_column_int64(s.get(), 0);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return fail(Errc::store_failed, sql.message("storing an officer record"));
  id = new_id;
  return {};
}

std::error_code ExchangeStore::find_officer_record(std::int64_t id,
                                                   std::optional<StoredOfficerRecord>& out) {
  out.reset();
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  ExchangeSql sql(store_.native_handle());
  Stmt s;
  const std::string q = std::string("SELECT id, entered_at_us, entered_by, export_batch_id, ") +
                        kOfficerColumns + " FROM officer_records WHERE id = ?1";
  if (!sql.prepare(s, q.c_str())) {
    return fail(Errc::store_failed, sql.message("reading an officer record"));
  }
  sqlite3_bind_int64(s.get(), 1, id);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return {};
  if (rc != SQLITE_ROW) return fail(Errc::store_failed, sql.message("reading an officer record"));
  StoredOfficerRecord r;
  r.id = sqlite3_column_int64(s.get(), 0);
  r.entered_at_us = sqlite3_column_int64(s.get(), 1);
  r.entered_by = column_text(s.get(), 2);
  r.export_batch_id = column_optional_text(s.get(), 3);
  read_officer(s.get(), 4, r.record);
  out = std::move(r);
  return {};
}

// --- Ledger ------------------------------------------------------------------------

std::error_code ExchangeStore::find_batch(std::string_view batch_id,
                                          std::optional<BatchLedgerRow>& out) {
  out.reset();
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  ExchangeSql sql(store_.native_handle());
  Stmt s;
  const std::string q =
      std::string("SELECT ") + kLedgerColumns + " FROM exchange_batches WHERE batch_id = ?1";
  if (!sql.prepare(s, q.c_str())) {
    return fail(Errc::store_failed, sql.message("reading the batch ledger"));
  }
  bind_text(s.get(), 1, batch_id);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return {};
  if (rc != SQLITE_ROW) return fail(Errc::store_failed, sql.message("reading the batch ledger"));
  BatchLedgerRow row;
  read_ledger_row(s.get(), row);
  out = std::move(row);
  return {};
}

std::error_code ExchangeStore::list_batches(std::string_view period, std::size_t limit,
                                            std::vector<BatchLedgerRow>& out) {
  out.clear();
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  ExchangeSql sql(store_.native_handle());
  Stmt s;
  const std::string q = std::string("SELECT ") + kLedgerColumns +
                        " FROM exchange_batches WHERE (?1 = '' OR period = ?1) "
                        "ORDER BY recorded_at_us DESC, batch_id LIMIT ?2";
  if (!sql.prepare(s, q.c_str())) {
    return fail(Errc::store_failed, sql.message("listing the batch ledger"));
  }
  bind_text(s.get(), 1, period);
  // 0 = no limit (SQLite: a negative LIMIT has no upper bound).
  sqlite3_bind_int64(
      s.get(), 2,
      limit == 0 || limit > static_cast<std::size_t>(std::numeric_limits<sqlite3_int64>::max())
          ? -1
          : static_cast<sqlite3_int64>(limit));
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    BatchLedgerRow row;
    read_ledger_row(s.get(), row);
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    out.clear();
    return fail(Errc::store_failed, sql.message("listing the batch ledger"));
  }
  return {};
}

std::error_code ExchangeStore::counts(ExchangeCounts& out) {
  out = {};
  std::string error;
  if (auto ec = usable(store_, error)) return fail(ec, error);
  ExchangeSql sql(store_.native_handle());
  Stmt s;
  // One statement: one consistent snapshot. Each count walks a partial or
  // covering index where one exists. Counter-flow crossings are never
  // exported, so they are not "unexported" either.
  if (!sql.prepare(s,
                   "SELECT "
                   "(SELECT count(*) FROM crossings WHERE export_batch_id IS NULL "
                   "AND direction != 'counter_flow'), "
                   "(SELECT count(*) FROM crossings WHERE export_batch_id IS NOT NULL), "
                   "(SELECT count(*) FROM crossings WHERE exit_record_at_us IS NOT NULL), "
                   "(SELECT count(*) FROM officer_records), "
                   "(SELECT count(*) FROM officer_records WHERE export_batch_id IS NULL), "
                   "(SELECT count(*) FROM entry_records), "
                   "(SELECT count(*) FROM exchange_batches WHERE direction = 'export'), "
                   "(SELECT count(*) FROM exchange_batches WHERE direction = 'return')")) {
    return fail(Errc::store_failed, sql.message("counting exchange records"));
  }
  if (sqlite3_step(s.get()) != SQLITE_ROW) {
    return fail(Errc::store_failed, sql.message("counting exchange records"));
  }
  auto at = [&](int i) { return static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), i)); };
  out.unexported_crossings = at(0);
  out.exported_crossings = at(1);
  out.crossings_with_exit_record = at(2);
  out.officer_records = at(3);
  out.unexported_officer_records = at(4);
  out.entry_records = at(5);
  out.export_batches = at(6);
  out.return_batches = at(7);
  return {};
}

}  // namespace garita::exchange
