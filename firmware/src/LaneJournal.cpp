#include "LaneJournal.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>

#include "LaneErrc.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/store/CrossingRow.hpp"

namespace garita::firmware {
namespace {

// The crossing columns are the store's, with its codec (common/store/CrossingRow.hpp).
using store::bind_text;
using store::column_text;

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// The crossing's columns, in bind order ?1..?25 (the same names and types as
// garitad's crossings table, docs/data-formats.md).
constexpr const char* kCrossingColumnsDdl = R"sql(
  lane_id TEXT NOT NULL, sequence INTEGER NOT NULL, port_code TEXT NOT NULL,
  epc BLOB NOT NULL, epc_hex TEXT NOT NULL, pc INTEGER, epc_uri TEXT NOT NULL,
  epc_scheme TEXT NOT NULL, tid BLOB NOT NULL, tid_hex TEXT NOT NULL, tid_maker TEXT NOT NULL,
  tid_model TEXT NOT NULL, tid_serial TEXT NOT NULL, document TEXT NOT NULL,
  issuer_rule TEXT NOT NULL, first_seen_utc_us INTEGER NOT NULL,
  last_seen_utc_us INTEGER NOT NULL, time_source TEXT NOT NULL, clock_offset_us INTEGER NOT NULL,
  host_clock_synchronized INTEGER NOT NULL, read_count INTEGER NOT NULL,
  peak_rssi_cdbm INTEGER NOT NULL, antenna_mask INTEGER NOT NULL, direction TEXT NOT NULL,
  source TEXT NOT NULL)sql";

constexpr const char* kColumns = store::kCrossingColumnList;

const std::string kSchemaSql =
    std::string(
        "CREATE TABLE pending (id INTEGER PRIMARY KEY, revision INTEGER NOT NULL, "
        "stored_at_us INTEGER NOT NULL,") +
    kCrossingColumnsDdl +
    ", UNIQUE (lane_id, sequence));"
    "CREATE TABLE dead_letters (id INTEGER PRIMARY KEY, rejected_at_us INTEGER NOT NULL, "
    "reason TEXT NOT NULL, revision INTEGER NOT NULL," +
    kCrossingColumnsDdl +
    ");"
    "CREATE TABLE lanes (lane_id TEXT PRIMARY KEY, last_sequence INTEGER NOT NULL);";

// A crossing the pipeline extended replaces its pending row in place (same
// queue position), with a new revision.
const std::string kStoreSql =
    std::string("INSERT INTO pending (revision, stored_at_us, ") + kColumns +
    ") VALUES (0, ?26, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25) ON CONFLICT (lane_id, sequence) DO UPDATE SET "
    "revision = revision + 1, stored_at_us = excluded.stored_at_us, port_code = "
    "excluded.port_code, epc = excluded.epc, epc_hex = excluded.epc_hex, pc = excluded.pc, "
    "epc_uri = excluded.epc_uri, epc_scheme = excluded.epc_scheme, tid = excluded.tid, tid_hex = "
    "excluded.tid_hex, tid_maker = excluded.tid_maker, tid_model = excluded.tid_model, "
    "tid_serial = excluded.tid_serial, document = excluded.document, issuer_rule = "
    "excluded.issuer_rule, first_seen_utc_us = excluded.first_seen_utc_us, last_seen_utc_us = "
    "excluded.last_seen_utc_us, time_source = excluded.time_source, clock_offset_us = "
    "excluded.clock_offset_us, host_clock_synchronized = excluded.host_clock_synchronized, "
    "read_count = excluded.read_count, peak_rssi_cdbm = excluded.peak_rssi_cdbm, antenna_mask = "
    "excluded.antenna_mask, direction = excluded.direction, source = excluded.source";

constexpr const char* kLaneSql =
    "INSERT INTO lanes (lane_id, last_sequence) VALUES (?1, ?2) ON CONFLICT (lane_id) DO UPDATE "
    "SET last_sequence = max(last_sequence, excluded.last_sequence)";

const std::string kPendingSql = std::string("SELECT id, revision, ") + kColumns +
                                " FROM pending WHERE lane_id = ?1 ORDER BY id LIMIT ?2";
constexpr const char* kBacklogSql = "SELECT count(*) FROM pending WHERE lane_id = ?1";
constexpr const char* kAckSql =
    "DELETE FROM pending WHERE lane_id = ?1 AND sequence = ?2 AND revision = ?3";
const std::string kDeadLetterSql =
    std::string("INSERT INTO dead_letters (rejected_at_us, reason, revision, ") + kColumns +
    ") SELECT ?3, ?4, revision, " + kColumns + " FROM pending WHERE lane_id = ?1 AND sequence = ?2";
constexpr const char* kDeletePendingSql =
    "DELETE FROM pending WHERE lane_id = ?1 AND sequence = ?2";
constexpr const char* kLastSequenceSql = "SELECT last_sequence FROM lanes WHERE lane_id = ?1";

}  // namespace

struct LaneJournal::Impl {
  sqlite3* db = nullptr;
  std::filesystem::path file;
  std::string error;
  bool full = false;
  Stmt store, lane, pending, backlog, ack, dead, del, last_seq;

  ~Impl() { close(); }

  void close() noexcept {
    store.reset();
    lane.reset();
    pending.reset();
    backlog.reset();
    ack.reset();
    dead.reset();
    del.reset();
    last_seq.reset();
    if (db != nullptr) sqlite3_close_v2(db);
    db = nullptr;
  }

  std::error_code fail(LaneErrc code, const std::string& what) {
    error = "journal " + file.string() + ": " + what;
    return code;
  }

  // Maps a SQLite failure: a full database is its own condition (the
  // caller keeps the crossing and raises the alarm), anything else is I/O.
  std::error_code fail_rc(int rc, const std::string& what) {
    const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_FULL) {
      full = true;
      return fail(LaneErrc::journal_full, what + ": full (" + detail + ")");
    }
    return fail(LaneErrc::journal_io, what + ": " + detail);
  }

  std::error_code exec(const char* sql, const std::string& what) {
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? std::error_code{} : fail_rc(rc, what);
  }

  std::error_code prepare(Stmt& out, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    out.reset(s);
    return rc == SQLITE_OK ? std::error_code{} : fail_rc(rc, "preparing a statement");
  }

  std::error_code query_int(const char* sql, std::int64_t& out, const std::string& what) {
    Stmt s;
    if (auto ec = prepare(s, sql)) return ec;
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return fail_rc(rc, what);
    out = sqlite3_column_int64(s.get(), 0);
    return {};
  }

  std::error_code check_pragma(const char* set, const char* get, std::int64_t want) {
    if (auto ec = exec(set, set)) return ec;
    std::int64_t v = -1;
    if (auto ec = query_int(get, v, get)) return ec;
    if (v != want) return fail(LaneErrc::journal_open_failed, std::string(set) + " not applied");
    return {};
  }

  // Runs `body` in BEGIN IMMEDIATE .. COMMIT; on failure rolls back.
  template <typename Body>
  std::error_code transaction(const std::string& what, Body&& body) {
    if (auto ec = exec("BEGIN IMMEDIATE", what)) return ec;
    std::error_code ec = body();
    if (!ec) ec = exec("COMMIT", what);
    if (ec) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return ec;
  }

  std::error_code step_done(Stmt& s, const std::string& what) {
    const int rc = sqlite3_step(s.get());
    sqlite3_reset(s.get());
    sqlite3_clear_bindings(s.get());
    return rc == SQLITE_DONE ? std::error_code{} : fail_rc(rc, what);
  }
};

LaneJournal::LaneJournal() noexcept = default;
LaneJournal::~LaneJournal() = default;

std::error_code LaneJournal::open(const std::filesystem::path& file,
                                  const JournalOptions& options) {
  impl_ = std::make_unique<Impl>();
  Impl& j = *impl_;
  // The journal holds card numbers: create it readable by its owner only
  // (SQLite's -wal and -shm files copy the database file's mode). An
  // existing file keeps its mode.
  if (const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) {
    ::close(fd);
  }
  j.file = file;
  int rc =
      sqlite3_open_v2(file.c_str(), &j.db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string detail = j.db != nullptr ? sqlite3_errmsg(j.db) : sqlite3_errstr(rc);
    const int sys = j.db != nullptr ? sqlite3_system_errno(j.db) : 0;
    auto ec = j.fail(LaneErrc::journal_open_failed,
                     "cannot open: " + detail +
                         (sys != 0 ? " (" + std::generic_category().message(sys) + ")" : ""));
    j.close();
    return ec;
  }
  sqlite3_extended_result_codes(j.db, 1);
  sqlite3_busy_timeout(j.db, 5000);
  auto fail_open = [&](std::error_code ec) {
    j.close();
    return ec;
  };
  std::int64_t app_id = 0;
  std::int64_t version = 0;
  if (auto ec = j.query_int("PRAGMA application_id", app_id, "reading the header")) {
    return fail_open(ec);
  }
  if (auto ec = j.query_int("PRAGMA user_version", version, "reading the header")) {
    return fail_open(ec);
  }
  std::int64_t tables = 0;
  if (auto ec = j.query_int("SELECT count(*) FROM sqlite_schema", tables, "reading the schema")) {
    return fail_open(ec);
  }
  if (tables != 0 && app_id != kJournalApplicationId) {
    return fail_open(
        j.fail(LaneErrc::journal_foreign_file,
               "is not a garita-lane journal (application_id " + std::to_string(app_id) + ")"));
  }
  if (version > kJournalSchemaVersion) {
    return fail_open(j.fail(LaneErrc::journal_too_new, "schema version " + std::to_string(version) +
                                                           " is newer than this garita-lane's " +
                                                           std::to_string(kJournalSchemaVersion)));
  }
  // WAL + synchronous=FULL: a COMMIT that returned is on disk (SQLite
  // "Write-Ahead Logging" §, "PRAGMA synchronous" FULL). secure_delete:
  // acked crossings are zeroed, not left in free pages.
  std::string mode;
  {
    Stmt s;
    if (auto ec = j.prepare(s, "PRAGMA journal_mode=WAL")) return fail_open(ec);
    if (sqlite3_step(s.get()) == SQLITE_ROW) mode = column_text(s.get(), 0);
  }
  if (mode != "wal") {
    return fail_open(j.fail(LaneErrc::journal_open_failed, "journal_mode=WAL gave '" + mode + "'"));
  }
  for (auto [set, get, want] :
       {std::tuple{"PRAGMA synchronous=FULL", "PRAGMA synchronous", 2},
        std::tuple{"PRAGMA secure_delete=ON", "PRAGMA secure_delete", 1},
        std::tuple{"PRAGMA trusted_schema=OFF", "PRAGMA trusted_schema", 0}}) {
    if (auto ec = j.check_pragma(set, get, want)) return fail_open(ec);
  }
  // The WAL is truncated back to 4 MiB after checkpoints so it does not
  // keep the high-water mark of a long outage.
  if (auto ec = j.exec("PRAGMA journal_size_limit=4194304", "setting journal_size_limit")) {
    return fail_open(ec);
  }
  if (tables == 0) {
    auto ec = j.transaction("creating the schema", [&]() -> std::error_code {
      if (auto e = j.exec(kSchemaSql.c_str(), "creating the schema")) return e;
      const std::string header = "PRAGMA application_id=" + std::to_string(kJournalApplicationId) +
                                 "; PRAGMA user_version=" + std::to_string(kJournalSchemaVersion);
      return j.exec(header.c_str(), "writing the header");
    });
    if (ec) return fail_open(ec);
  }
  if (options.max_size_bytes != 0) {
    std::int64_t page_size = 4096;
    if (auto ec = j.query_int("PRAGMA page_size", page_size, "reading page_size")) {
      return fail_open(ec);
    }
    const auto pages =
        std::max<std::uint64_t>(options.max_size_bytes / static_cast<std::uint64_t>(page_size), 8);
    const std::string sql = "PRAGMA max_page_count=" + std::to_string(pages);
    if (auto ec = j.exec(sql.c_str(), "setting max_page_count")) return fail_open(ec);
  }
  for (auto [stmt, sql] :
       {std::pair{&j.store, kStoreSql}, std::pair{&j.lane, std::string(kLaneSql)},
        std::pair{&j.pending, kPendingSql}, std::pair{&j.backlog, std::string(kBacklogSql)},
        std::pair{&j.ack, std::string(kAckSql)}, std::pair{&j.dead, kDeadLetterSql},
        std::pair{&j.del, std::string(kDeletePendingSql)},
        std::pair{&j.last_seq, std::string(kLastSequenceSql)}}) {
    if (auto ec = j.prepare(*stmt, sql)) return fail_open(ec);
  }
  return {};
}

void LaneJournal::close() noexcept {
  if (impl_) impl_->close();
}

bool LaneJournal::is_open() const noexcept { return impl_ && impl_->db != nullptr; }

bool LaneJournal::full() const noexcept { return impl_ && impl_->full; }

const std::string& LaneJournal::last_error() const noexcept {
  static const std::string kNone;
  return impl_ ? impl_->error : kNone;
}

std::error_code LaneJournal::store(const Crossing& crossing) {
  if (!is_open()) return LaneErrc::journal_not_open;
  Impl& j = *impl_;
  auto ec = j.transaction("storing a crossing", [&]() -> std::error_code {
    store::bind_crossing_columns(j.store.get(), 1, crossing);
    sqlite3_bind_int64(j.store.get(), 26, host_now().utc_us);
    if (auto e = j.step_done(j.store, "storing a crossing")) return e;
    bind_text(j.lane.get(), 1, crossing.lane_id);
    sqlite3_bind_int64(j.lane.get(), 2, static_cast<sqlite3_int64>(crossing.sequence));
    return j.step_done(j.lane, "storing the lane's sequence");
  });
  if (!ec) j.full = false;
  return ec;
}

std::error_code LaneJournal::pending(std::string_view lane_id, std::size_t limit,
                                     std::vector<JournalEntry>& out) {
  out.clear();
  if (!is_open()) return LaneErrc::journal_not_open;
  Impl& j = *impl_;
  sqlite3_stmt* s = j.pending.get();
  bind_text(s, 1, lane_id);
  sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(limit));
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    JournalEntry e;
    e.id = sqlite3_column_int64(s, 0);
    e.revision = sqlite3_column_int64(s, 1);
    store::read_crossing_columns(s, 2, e.crossing);
    out.push_back(std::move(e));
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE) return j.fail_rc(rc, "listing pending crossings");
  return {};
}

std::error_code LaneJournal::backlog(std::string_view lane_id, std::uint64_t& count) {
  count = 0;
  if (!is_open()) return LaneErrc::journal_not_open;
  Impl& j = *impl_;
  sqlite3_stmt* s = j.backlog.get();
  bind_text(s, 1, lane_id);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) count = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_ROW ? std::error_code{} : j.fail_rc(rc, "counting pending crossings");
}

std::error_code LaneJournal::acknowledge(std::string_view lane_id,
                                         std::span<const AckedCrossing> acked,
                                         std::uint64_t& deleted) {
  deleted = 0;
  if (!is_open()) return LaneErrc::journal_not_open;
  if (acked.empty()) return {};
  Impl& j = *impl_;
  std::uint64_t n = 0;
  auto ec = j.transaction("deleting acked crossings", [&]() -> std::error_code {
    for (const AckedCrossing& a : acked) {
      bind_text(j.ack.get(), 1, lane_id);
      sqlite3_bind_int64(j.ack.get(), 2, static_cast<sqlite3_int64>(a.sequence));
      sqlite3_bind_int64(j.ack.get(), 3, a.revision);
      if (auto e = j.step_done(j.ack, "deleting an acked crossing")) return e;
      n += static_cast<std::uint64_t>(sqlite3_changes(j.db));
    }
    return {};
  });
  if (!ec) deleted = n;
  return ec;
}

std::error_code LaneJournal::dead_letter(std::string_view lane_id, std::uint64_t sequence,
                                         std::string_view reason) {
  if (!is_open()) return LaneErrc::journal_not_open;
  Impl& j = *impl_;
  return j.transaction("moving a rejected crossing to dead_letters", [&]() -> std::error_code {
    bind_text(j.dead.get(), 1, lane_id);
    sqlite3_bind_int64(j.dead.get(), 2, static_cast<sqlite3_int64>(sequence));
    sqlite3_bind_int64(j.dead.get(), 3, host_now().utc_us);
    bind_text(j.dead.get(), 4, reason.substr(0, 500));
    if (auto e = j.step_done(j.dead, "writing a dead letter")) return e;
    bind_text(j.del.get(), 1, lane_id);
    sqlite3_bind_int64(j.del.get(), 2, static_cast<sqlite3_int64>(sequence));
    return j.step_done(j.del, "deleting a rejected crossing");
  });
}

std::error_code LaneJournal::dead_letters(std::string_view lane_id, std::vector<DeadLetter>& out) {
  out.clear();
  if (!is_open()) return LaneErrc::journal_not_open;
  Impl& j = *impl_;
  Stmt s;
  if (auto ec = j.prepare(s,
                          "SELECT sequence, reason, rejected_at_us FROM dead_letters WHERE "
                          "lane_id = ?1 ORDER BY id")) {
    return ec;
  }
  bind_text(s.get(), 1, lane_id);
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    out.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0)),
                   std::string(column_text(s.get(), 1)), sqlite3_column_int64(s.get(), 2)});
  }
  return rc == SQLITE_DONE ? std::error_code{} : j.fail_rc(rc, "listing dead letters");
}

std::error_code LaneJournal::dead_letter_count(std::uint64_t& count) {
  count = 0;
  if (!is_open()) return LaneErrc::journal_not_open;
  std::int64_t n = 0;
  auto ec = impl_->query_int("SELECT count(*) FROM dead_letters", n, "counting dead letters");
  count = static_cast<std::uint64_t>(n);
  return ec;
}

std::error_code LaneJournal::last_sequence(std::string_view lane_id, std::uint64_t& out) {
  out = 0;
  if (!is_open()) return LaneErrc::journal_not_open;
  Impl& j = *impl_;
  sqlite3_stmt* s = j.last_seq.get();
  bind_text(s, 1, lane_id);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) out = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? std::error_code{}
                                               : j.fail_rc(rc, "reading the last sequence");
}

std::uint64_t LaneJournal::size_bytes() {
  if (!is_open()) return 0;
  std::int64_t pages = 0;
  std::int64_t free_pages = 0;
  std::int64_t page_size = 0;
  if (impl_->query_int("PRAGMA page_count", pages, "page_count") ||
      impl_->query_int("PRAGMA freelist_count", free_pages, "freelist_count") ||
      impl_->query_int("PRAGMA page_size", page_size, "page_size")) {
    return 0;
  }
  return static_cast<std::uint64_t>((pages - free_pages) * page_size);
}

}  // namespace garita::firmware
