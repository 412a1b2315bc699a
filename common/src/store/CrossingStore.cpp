#include "garita/common/store/CrossingStore.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <new>
#include <set>
#include <utility>

#include "Schema.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/store/CrossingRow.hpp"

namespace garita::store {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxTextBytes = 1024;  // URIs, maker/model names, rule names
constexpr std::size_t kMaxIdBytes = 64;      // lane id, port code
constexpr std::size_t kMaxListLimit = 10000;

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

std::int64_t now_utc_us() noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Errc errc_from_sqlite(int rc, int sys_errno) noexcept {
  if (sys_errno == ENOSPC || sys_errno == EDQUOT) return Errc::disk_full;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Errc::locked;
    case SQLITE_FULL: return Errc::disk_full;
    case SQLITE_READONLY: return Errc::read_only;
    case SQLITE_IOERR: return Errc::io_error;
    case SQLITE_CORRUPT: return Errc::corrupt;
    case SQLITE_NOTADB: return Errc::not_a_database;
    case SQLITE_CANTOPEN: return Errc::open_failed;
    case SQLITE_PERM:
    case SQLITE_AUTH: return Errc::permission_denied;
    case SQLITE_CONSTRAINT: return Errc::constraint;
    case SQLITE_NOMEM: return Errc::out_of_memory;
    default: return Errc::sqlite_error;
  }
}

// Errors of the row itself (the statement was undone, the transaction lives
// on), as opposed to errors of the transaction or the file.
bool is_row_error(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE: return true;
    default: return false;
  }
}

bool has_control_char(std::string_view s) noexcept {
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// Column list shared by the crossing and conflict tables, in bind order
// (?1..?25); ?26 is the write time (created_at_us and updated_at_us).
constexpr const char* kColumns = kCrossingColumnList;
constexpr const char* kValues =
    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20, ?21, ?22, ?23, ?24, ?25, ?26, ?26";

const std::string kInsertSql = std::string("INSERT INTO crossings (") + kColumns +
                               ", created_at_us, updated_at_us) VALUES (" + kValues +
                               ") ON CONFLICT (lane_id, sequence) DO NOTHING";

// Extends an existing row of the same card. The WHERE clause makes a
// crossing that adds nothing a no-op (changes() == 0), so re-applying is
// harmless and updated_at_us only moves when something did.
constexpr const char* kExtendSql = R"sql(
UPDATE crossings SET
  first_seen_utc_us = min(first_seen_utc_us, ?16),
  last_seen_utc_us = max(last_seen_utc_us, ?17),
  read_count = max(read_count, ?21),
  peak_rssi_cdbm = max(peak_rssi_cdbm, ?22),
  antenna_mask = antenna_mask | ?23,
  direction = CASE WHEN direction = 'unknown' THEN ?24 ELSE direction END,
  pc = coalesce(pc, ?6),
  tid = CASE WHEN length(tid) = 0 THEN ?9 ELSE tid END,
  tid_hex = CASE WHEN length(tid) = 0 THEN ?10 ELSE tid_hex END,
  tid_maker = CASE WHEN length(tid) = 0 THEN ?11 ELSE tid_maker END,
  tid_model = CASE WHEN length(tid) = 0 THEN ?12 ELSE tid_model END,
  tid_serial = CASE WHEN length(tid) = 0 THEN ?13 ELSE tid_serial END,
  document = CASE WHEN document = 'UNKNOWN' THEN ?14 ELSE document END,
  issuer_rule = CASE WHEN document = 'UNKNOWN' THEN ?15 ELSE issuer_rule END,
  updated_at_us = ?26
WHERE lane_id = ?1 AND sequence = ?2 AND epc = ?4 AND (
  ?16 < first_seen_utc_us OR ?17 > last_seen_utc_us OR ?21 > read_count
  OR ?22 > peak_rssi_cdbm OR (antenna_mask | ?23) != antenna_mask
  OR (direction = 'unknown' AND ?24 != 'unknown')
  OR (pc IS NULL AND ?6 IS NOT NULL)
  OR (length(tid) = 0 AND length(?9) > 0)
  OR (document = 'UNKNOWN' AND ?14 != 'UNKNOWN'))
)sql";

constexpr const char* kSelectEpcSql =
    "SELECT epc FROM crossings WHERE lane_id = ?1 AND sequence = ?2";

const std::string kConflictSql =
    std::string("INSERT INTO crossing_conflicts (") + kColumns +
    ", created_at_us, updated_at_us) VALUES (" + kValues +
    ") ON CONFLICT (lane_id, sequence, epc) DO UPDATE SET "
    "last_seen_utc_us = max(last_seen_utc_us, excluded.last_seen_utc_us), "
    "read_count = max(read_count, excluded.read_count), "
    "peak_rssi_cdbm = max(peak_rssi_cdbm, excluded.peak_rssi_cdbm), "
    "antenna_mask = antenna_mask | excluded.antenna_mask, "
    "updated_at_us = excluded.updated_at_us";

const std::string kSelectColumns =
    std::string("SELECT id, created_at_us, updated_at_us, ") + kColumns;

constexpr const char* kInsertReadSql =
    "INSERT INTO tag_reads (reader_id, antenna, pc, epc_hex, tid_hex, peak_rssi_cdbm, "
    "reader_first_seen_utc_us, reader_first_seen_uptime_us, host_utc_us, host_mono_us, "
    "channel, seen_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

}  // namespace

std::string_view to_string(WriteOutcome outcome) noexcept {
  switch (outcome) {
    case WriteOutcome::inserted: return "inserted";
    case WriteOutcome::extended: return "extended";
    case WriteOutcome::unchanged: return "unchanged";
    case WriteOutcome::conflict: return "conflict";
    case WriteOutcome::rejected: return "rejected";
  }
  return "rejected";
}

std::error_code validate_crossing(const Crossing& c, std::string& why) {
  auto bad = [&](std::string text) {
    why = "crossing " + c.lane_id.substr(0, kMaxIdBytes) + "#" + std::to_string(c.sequence) + ": " +
          std::move(text);
    return make_error_code(Errc::invalid_crossing);
  };
  if (c.lane_id.empty()) return bad("lane_id is empty");
  if (c.lane_id.size() > kMaxIdBytes) return bad("lane_id is longer than 64 bytes");
  if (has_control_char(c.lane_id)) return bad("lane_id has a control character");
  if (c.sequence > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return bad("sequence is above 2^63-1");
  }
  if (c.port_code.size() > kMaxIdBytes) return bad("port_code is longer than 64 bytes");
  if (has_control_char(c.port_code)) return bad("port_code has a control character");
  if (c.epc.empty()) return bad("EPC is empty");
  if (c.epc_hex != to_hex(c.epc.view())) return bad("epc_hex does not match the EPC bytes");
  if (c.tid_hex != to_hex(c.tid.view())) return bad("tid_hex does not match the TID bytes");
  const std::pair<const char*, const std::string*> texts[] = {
      {"epc_uri", &c.epc_uri},     {"epc_scheme", &c.epc_scheme}, {"tid_maker", &c.tid_maker},
      {"tid_model", &c.tid_model}, {"tid_serial", &c.tid_serial}, {"issuer_rule", &c.issuer_rule},
      {"source", &c.source}};
  for (const auto& [name, text] : texts) {
    if (text->size() > kMaxTextBytes) return bad(std::string(name) + " is longer than 1024 bytes");
    if (text->find('\0') != std::string::npos) return bad(std::string(name) + " has a NUL byte");
  }
  if (c.source.empty()) return bad("source is empty");
  if (to_string(c.document) == "UNKNOWN" && c.document != DocumentType::unknown) {
    return bad("document type out of range");
  }
  if (static_cast<unsigned>(c.time_source) > static_cast<unsigned>(TimeSource::host_receive)) {
    return bad("time_source out of range");
  }
  if (static_cast<unsigned>(c.direction) > static_cast<unsigned>(Direction::counter_flow)) {
    return bad("direction out of range");
  }
  if (c.last_seen_utc_us < c.first_seen_utc_us) return bad("last_seen is before first_seen");
  return {};
}

struct CrossingStore::Impl {
  sqlite3* db = nullptr;
  fs::path path;
  std::string name;  // path as text, for messages
  StoreOptions options;
  std::string last_error;
  int version = 0;
  bool in_txn = false;
  std::int64_t default_max_pages = 0;
  std::int64_t page_size = 4096;

  Stmt insert, extend, select_epc, conflict, insert_read, purge_time, purge_rows, max_seq;

  ~Impl() { close(); }

  void close() noexcept {
    if (db == nullptr) return;
    if (in_txn) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    in_txn = false;
    insert.reset();
    extend.reset();
    select_epc.reset();
    conflict.reset();
    insert_read.reset();
    purge_time.reset();
    purge_rows.reset();
    max_seq.reset();
    sqlite3_close_v2(db);
    db = nullptr;
  }

  std::error_code fail(Errc e, std::string_view what) {
    last_error = name + ": " + std::string(what);
    return make_error_code(e);
  }

  // Error from SQLite's result `rc`: "FILE: WHAT: sqlite message".
  std::error_code fail_rc(int rc, std::string_view what) {
    const int sys = db != nullptr ? sqlite3_system_errno(db) : 0;
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (sys != 0 && (rc & 0xff) != SQLITE_CONSTRAINT) {
      detail += " (";
      detail += std::strerror(sys);
      detail += ")";
    }
    return fail(errc_from_sqlite(rc, sys), std::string(what) + ": " + detail);
  }

  std::error_code exec(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail_rc(rc, what);
    return {};
  }

  std::error_code prepare(Stmt& out, std::string_view sql, bool persistent) {
    sqlite3_stmt* s = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0u, &s, nullptr);
    out.reset(s);
    if (rc != SQLITE_OK) return fail_rc(rc, "preparing a statement");
    return {};
  }

  std::error_code cached(Stmt& slot, std::string_view sql) {
    if (slot) {
      sqlite3_reset(slot.get());
      sqlite3_clear_bindings(slot.get());
      return {};
    }
    return prepare(slot, sql, true);
  }

  // Runs a statement that returns one integer (or text) row.
  std::error_code query_int(const char* sql, std::int64_t& out, std::string_view what) {
    Stmt s;
    if (auto ec = prepare(s, sql, false)) return fail_rc(sqlite3_errcode(db), what);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      out = sqlite3_column_int64(s.get(), 0);
      return {};
    }
    if (rc == SQLITE_DONE) return fail(Errc::sqlite_error, std::string(what) + ": no result");
    return fail_rc(rc, what);
  }

  std::error_code query_text(const char* sql, std::string& out, std::string_view what) {
    Stmt s;
    if (auto ec = prepare(s, sql, false)) return fail_rc(sqlite3_errcode(db), what);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      out = column_text(s.get(), 0);
      return {};
    }
    if (rc == SQLITE_DONE) return fail(Errc::sqlite_error, std::string(what) + ": no result");
    return fail_rc(rc, what);
  }

  std::error_code require_open() {
    if (db == nullptr) {
      last_error = "crossing store is not open";
      return make_error_code(Errc::not_open);
    }
    return {};
  }

  std::error_code open(const fs::path& file, const StoreOptions& opts);
  std::error_code apply_pragmas();
  std::error_code check_and_migrate();
  std::error_code put(const Crossing& c, WriteOutcome& outcome);
  void bind_crossing(sqlite3_stmt* s, const Crossing& c, std::int64_t now);
  std::error_code bind_filter(sqlite3_stmt* s, const CrossingFilter& f, bool with_cursor);
  std::string filter_sql(const CrossingFilter& f, bool with_cursor) const;

  std::error_code set_max_size(std::uint64_t bytes) {
    std::int64_t pages = default_max_pages;
    if (bytes != 0) {
      const auto want = bytes / static_cast<std::uint64_t>(page_size);
      pages = static_cast<std::int64_t>(std::min<std::uint64_t>(
          std::max<std::uint64_t>(want, 1), static_cast<std::uint64_t>(default_max_pages)));
    }
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
    // SQLite never sets the cap below the current size; what it returns is the cap.
    std::int64_t got = 0;
    return query_int(sql.c_str(), got, "setting the size cap");
  }
};

namespace {
// Undoes our own creation of a file that never became a database.
void remove_if_empty(const fs::path& file) noexcept {
  std::error_code ec;
  // Only an empty file with no WAL beside it: a WAL may hold another
  // connection's commits that are not yet in the main file.
  if (fs::exists(fs::path(file.string() + "-wal"), ec)) return;
  if (fs::is_regular_file(file, ec) && fs::file_size(file, ec) == 0 && !ec) fs::remove(file, ec);
}
}  // namespace

std::error_code CrossingStore::Impl::open(const fs::path& file, const StoreOptions& opts) {
  path = file;
  name = file.string();
  options = opts;
  if (file.empty()) {
    name = "(empty path)";
    return fail(Errc::invalid_argument, "no database path given");
  }
  if (sqlite3_libversion_number() < 3037000) {
    return fail(Errc::sqlite_too_old, std::string("SQLite ") + sqlite3_libversion() +
                                          " is too old: STRICT tables need 3.37 or later");
  }

  // Look at the path first, for messages that say what is wrong with it.
  std::error_code fs_ec;
  const auto st = fs::status(file, fs_ec);
  bool creating = false;
  if (fs::is_directory(st))
    return fail(Errc::path_is_directory, "is a directory, not a database file");
  if (!fs::exists(st)) {
    if (opts.read_only || !opts.create) {
      return fail(Errc::open_failed, "database file does not exist");
    }
    fs::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    const auto dst = fs::status(dir, fs_ec);
    if (!fs::exists(dst)) {
      return fail(Errc::directory_missing, "directory " + dir.string() + " does not exist");
    }
    if (!fs::is_directory(dst)) {
      return fail(Errc::directory_missing, dir.string() + " is not a directory");
    }
    // Create the file ourselves: the OS then says exactly why it cannot be
    // (SQLite retries read-only and reports the retry's error), and the
    // crossings are readable by the owner and group only (WAL and -shm
    // files inherit these bits).
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 && errno == EEXIST) {
      // Another process created it just now: open it as an existing file.
    } else if (fd < 0) {
      const int err = errno;
      const Errc e = (err == EACCES || err == EPERM || err == EROFS) ? Errc::directory_not_writable
                     : err == ENOSPC || err == EDQUOT                ? Errc::disk_full
                     : err == EISDIR                                 ? Errc::path_is_directory
                     : err == ENOENT || err == ENOTDIR               ? Errc::directory_missing
                                                                     : Errc::open_failed;
      return fail(e, std::string("cannot create the database file: ") + std::strerror(err));
    }
    if (fd >= 0) {
      ::close(fd);
      creating = true;
    }
  }

  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= opts.read_only ? SQLITE_OPEN_READONLY
                          : (SQLITE_OPEN_READWRITE | (opts.create ? SQLITE_OPEN_CREATE : 0));
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const int sys = db != nullptr ? sqlite3_system_errno(db) : 0;
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (sys != 0) detail += std::string(" (") + std::strerror(sys) + ")";
    Errc e = errc_from_sqlite(rc, sys);
    if (sys == EACCES || sys == EPERM || sys == EROFS) {
      e = creating ? Errc::directory_not_writable : Errc::permission_denied;
    } else if (sys == EISDIR) {
      e = Errc::path_is_directory;
    } else if (sys == ENOENT || sys == ENOTDIR) {
      e = Errc::directory_missing;
    }
    const std::string what = creating ? "cannot create the database file" : "cannot open";
    auto ec = fail(e, what + ": " + detail);
    close();
    if (creating) remove_if_empty(file);
    return ec;
  }
  sqlite3_extended_result_codes(db, 1);

  if (auto ec = apply_pragmas(); ec || (ec = check_and_migrate())) {
    close();
    if (creating) remove_if_empty(file);
    return ec;
  }

  if (creating) {
    // The new file's directory entry must survive a power cut too.
    fs::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }

  if (!opts.read_only && !opts.raw_capture.enabled) {
    // Capture is off: nothing a past capture stored may stay.
    if (auto ec = exec("DELETE FROM tag_reads", "removing raw reads of a past capture")) return ec;
  }
  return {};
}

std::error_code CrossingStore::Impl::apply_pragmas() {
  const auto busy_ms =
      std::min<std::int64_t>(options.busy_timeout.count(), std::numeric_limits<int>::max());
  if (sqlite3_busy_timeout(db, static_cast<int>(std::max<std::int64_t>(busy_ms, 0))) != SQLITE_OK) {
    return fail_rc(sqlite3_errcode(db), "setting the busy timeout");
  }
  // The first read of the file: a file that is not a database fails here.
  std::int64_t app_id = 0;
  if (auto ec = query_int("PRAGMA application_id", app_id, "reading the database header")) {
    return ec;
  }
  (void)app_id;

  std::int64_t v = -1;
  if (auto ec = query_int("PRAGMA busy_timeout", v, "reading PRAGMA busy_timeout")) return ec;
  if (v != busy_ms)
    return fail(Errc::pragma_not_applied, "PRAGMA busy_timeout did not take effect");

  if (!options.read_only) {
    // Refuse to touch a database that is not ours before changing its mode.
    std::int64_t user_version = 0;
    std::int64_t objects = 0;
    if (auto ec = query_int("PRAGMA user_version", user_version, "reading PRAGMA user_version")) {
      return ec;
    }
    if (auto ec = query_int("SELECT count(*) FROM sqlite_schema", objects, "reading the schema")) {
      return ec;
    }
    const bool fresh = app_id == 0 && user_version == 0 && objects == 0;
    if (!fresh && app_id != kApplicationId) {
      return fail(Errc::not_a_garita_store,
                  "an SQLite database of another program (application_id " +
                      std::to_string(app_id) + ", " + std::to_string(objects) +
                      " schema objects); refusing to change it");
    }
    std::string mode;
    if (auto ec = query_text("PRAGMA journal_mode=WAL", mode, "setting PRAGMA journal_mode=WAL")) {
      return ec;
    }
    if (mode != "wal") {
      return fail(Errc::pragma_not_applied, "PRAGMA journal_mode=WAL gave '" + mode + "'");
    }
  }
  struct Setting {
    const char* set;
    const char* get;
    std::int64_t want;
  };
  const Setting settings[] = {
      {"PRAGMA synchronous=FULL", "PRAGMA synchronous", 2},
      {"PRAGMA foreign_keys=ON", "PRAGMA foreign_keys", 1},
      {"PRAGMA secure_delete=ON", "PRAGMA secure_delete", 1},
      {"PRAGMA trusted_schema=OFF", "PRAGMA trusted_schema", 0},
  };
  for (const auto& s : settings) {
    if (auto ec = exec(s.set, s.set)) return ec;
    std::int64_t got = -1;
    if (auto ec = query_int(s.get, got, s.get)) return ec;
    if (got != s.want) {
      return fail(
          Errc::pragma_not_applied,
          std::string(s.set) + " did not take effect (reads back " + std::to_string(got) + ")");
    }
  }
  if (auto ec = query_int("PRAGMA page_size", page_size, "reading PRAGMA page_size")) return ec;
  if (page_size <= 0) page_size = 4096;
  if (auto ec =
          query_int("PRAGMA max_page_count", default_max_pages, "reading PRAGMA max_page_count")) {
    return ec;
  }
  return {};
}

std::error_code CrossingStore::Impl::check_and_migrate() {
  std::int64_t app_id = 0;
  std::int64_t user_version = 0;
  std::int64_t objects = 0;
  if (auto ec = query_int("PRAGMA application_id", app_id, "reading PRAGMA application_id"))
    return ec;
  if (auto ec = query_int("PRAGMA user_version", user_version, "reading PRAGMA user_version"))
    return ec;
  if (auto ec = query_int("SELECT count(*) FROM sqlite_schema", objects, "reading the schema"))
    return ec;

  const bool fresh = app_id == 0 && user_version == 0 && objects == 0;
  if (!fresh && app_id != kApplicationId) {
    return fail(Errc::not_a_garita_store, "an SQLite database of another program (application_id " +
                                              std::to_string(app_id) + ")");
  }
  if (user_version > kSchemaVersion) {
    return fail(Errc::schema_too_new, "schema version " + std::to_string(user_version) +
                                          " is newer than this program knows (" +
                                          std::to_string(kSchemaVersion) +
                                          "); refusing to open it (no downgrade): upgrade garita");
  }
  if (user_version < 0) {
    return fail(Errc::corrupt, "schema version " + std::to_string(user_version) + " is negative");
  }
  version = static_cast<int>(user_version);
  if (version == kSchemaVersion) return {};
  if (options.read_only) {
    return fail(Errc::schema_too_old, "schema version " + std::to_string(version) +
                                          " needs migrating to " + std::to_string(kSchemaVersion) +
                                          "; open it read-write once (garitad does)");
  }

  for (const auto& m : detail::migrations()) {
    if (m.version <= version) continue;
    const std::string step = "migrating the schema to version " + std::to_string(m.version) + " (" +
                             std::string(m.description) + ")";
    if (auto ec = exec("BEGIN IMMEDIATE", step)) return ec;
    // Another process may have migrated while we waited for the lock.
    std::int64_t now_version = 0;
    if (auto ec = query_int("PRAGMA user_version", now_version, step)) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return ec;
    }
    if (now_version >= m.version) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      version = static_cast<int>(now_version);
      continue;
    }
    std::string sql(m.sql);
    if (m.version == 1) sql += "\nPRAGMA application_id = " + std::to_string(kApplicationId) + ";";
    sql += "\nPRAGMA user_version = " + std::to_string(m.version) + ";";
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      auto ec = fail_rc(rc, step);
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      const Errc e = errc_from_sqlite(rc, sqlite3_system_errno(db));
      // Keep the precise cause for disk/lock problems; otherwise say "migration".
      if (e == Errc::sqlite_error || e == Errc::constraint)
        return make_error_code(Errc::migration_failed);
      return ec;
    }
    if (auto ec = exec("COMMIT", step)) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return ec;
    }
    version = m.version;
  }
  if (version != kSchemaVersion) {
    return fail(Errc::migration_failed, "schema is at version " + std::to_string(version) +
                                            " after migrating, expected " +
                                            std::to_string(kSchemaVersion));
  }
  return {};
}

void CrossingStore::Impl::bind_crossing(sqlite3_stmt* s, const Crossing& c, std::int64_t now) {
  bind_crossing_columns(s, 1, c);
  sqlite3_bind_int64(s, 26, now);  // ?26: created_at_us / updated_at_us
}

std::error_code CrossingStore::Impl::put(const Crossing& c, WriteOutcome& outcome) {
  outcome = WriteOutcome::rejected;
  std::string why;
  if (validate_crossing(c, why)) {
    last_error = name + ": " + why;
    return {};  // the row is rejected; the transaction goes on
  }
  const std::int64_t now = now_utc_us();
  auto row_or_txn_error = [&](int rc, std::string_view what) -> std::error_code {
    if (is_row_error(rc)) {
      fail_rc(rc, std::string(what) + " " + c.lane_id + "#" + std::to_string(c.sequence));
      outcome = WriteOutcome::rejected;
      return {};
    }
    return fail_rc(rc, what);
  };

  if (auto ec = cached(insert, kInsertSql)) return ec;
  bind_crossing(insert.get(), c, now);
  int rc = sqlite3_step(insert.get());
  sqlite3_reset(insert.get());
  if (rc != SQLITE_DONE) return row_or_txn_error(rc, "inserting crossing");
  if (sqlite3_changes(db) == 1) {
    outcome = WriteOutcome::inserted;
    return {};
  }

  if (auto ec = cached(extend, kExtendSql)) return ec;
  bind_crossing(extend.get(), c, now);
  rc = sqlite3_step(extend.get());
  sqlite3_reset(extend.get());
  if (rc != SQLITE_DONE) return row_or_txn_error(rc, "extending crossing");
  if (sqlite3_changes(db) == 1) {
    outcome = WriteOutcome::extended;
    return {};
  }

  // Nothing changed: either the row already says all this, or the
  // (lane, sequence) belongs to another card.
  if (auto ec = cached(select_epc, kSelectEpcSql)) return ec;
  sqlite3_bind_text(select_epc.get(), 1, c.lane_id.data(), static_cast<int>(c.lane_id.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(select_epc.get(), 2, static_cast<sqlite3_int64>(c.sequence));
  rc = sqlite3_step(select_epc.get());
  if (rc != SQLITE_ROW) {
    sqlite3_reset(select_epc.get());
    if (rc == SQLITE_DONE) {
      return fail(Errc::sqlite_error, "crossing " + c.lane_id + "#" + std::to_string(c.sequence) +
                                          " vanished during the write");
    }
    return fail_rc(rc, "reading crossing");
  }
  const auto stored = column_blob(select_epc.get(), 0);
  const auto epc = c.epc.view();
  const bool same_card = std::equal(stored.begin(), stored.end(), epc.begin(), epc.end());
  sqlite3_reset(select_epc.get());
  if (same_card) {
    outcome = WriteOutcome::unchanged;
    return {};
  }

  if (auto ec = cached(conflict, kConflictSql)) return ec;
  bind_crossing(conflict.get(), c, now);
  rc = sqlite3_step(conflict.get());
  sqlite3_reset(conflict.get());
  if (rc != SQLITE_DONE) return row_or_txn_error(rc, "keeping conflicting crossing");
  outcome = WriteOutcome::conflict;
  last_error = name + ": crossing " + c.lane_id + "#" + std::to_string(c.sequence) + " (EPC " +
               c.epc_hex +
               ") reuses a (lane, sequence) already stored for another EPC; kept in "
               "crossing_conflicts";
  return {};
}

std::string CrossingStore::Impl::filter_sql(const CrossingFilter& f, bool with_cursor) const {
  std::string where = " WHERE 1";
  if (f.lane_id) where += " AND lane_id = ?";
  if (f.since_utc_us) where += " AND first_seen_utc_us >= ?";
  if (f.until_utc_us) where += " AND first_seen_utc_us < ?";
  if (f.epc_hex) where += " AND epc_hex = ?";
  if (f.document) where += " AND document = ?";
  if (with_cursor && f.after) {
    where += f.order == ListOrder::oldest_first ? " AND (first_seen_utc_us, id) > (?, ?)"
                                                : " AND (first_seen_utc_us, id) < (?, ?)";
  }
  return where;
}

std::error_code CrossingStore::Impl::bind_filter(sqlite3_stmt* s, const CrossingFilter& f,
                                                 bool with_cursor) {
  int i = 1;
  auto text = [&](std::string_view t) {
    sqlite3_bind_text(s, i++, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
  };
  if (f.lane_id) text(*f.lane_id);
  if (f.since_utc_us) sqlite3_bind_int64(s, i++, *f.since_utc_us);
  if (f.until_utc_us) sqlite3_bind_int64(s, i++, *f.until_utc_us);
  if (f.epc_hex) {
    std::vector<std::uint8_t> bytes;
    if (parse_hex(*f.epc_hex, bytes, EpcBytes::capacity)) {
      return fail(Errc::invalid_argument,
                  "EPC filter '" + f.epc_hex->substr(0, 200) + "' is not hex");
    }
    text(to_hex(bytes));
  }
  if (f.document) text(to_string(*f.document));
  if (with_cursor && f.after) {
    sqlite3_bind_int64(s, i++, f.after->first_seen_utc_us);
    sqlite3_bind_int64(s, i++, f.after->id);
  }
  return {};
}

// --- CrossingStore ------------------------------------------------------------

namespace {
// Runs `body`, turning any exception into an error code (nothing throws out).
template <class Impl, class Body>
std::error_code guarded(Impl* impl, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    if (impl != nullptr) {
      try {
        impl->last_error = impl->name + ": out of memory";
      } catch (...) {
      }
    }
    return make_error_code(Errc::out_of_memory);
  } catch (const std::exception& e) {
    if (impl != nullptr) {
      try {
        impl->last_error = impl->name + ": " + e.what();
      } catch (...) {
      }
    }
    return make_error_code(Errc::sqlite_error);
  } catch (...) {
    return make_error_code(Errc::sqlite_error);
  }
}

const std::string& empty_string() noexcept {
  static const std::string s;
  return s;
}
const fs::path& empty_path() noexcept {
  static const fs::path p;
  return p;
}
}  // namespace

CrossingStore::CrossingStore() noexcept = default;
CrossingStore::~CrossingStore() = default;
CrossingStore::CrossingStore(CrossingStore&&) noexcept = default;
CrossingStore& CrossingStore::operator=(CrossingStore&&) noexcept = default;

std::error_code CrossingStore::open(const fs::path& file, const StoreOptions& options) noexcept {
  close();
  try {
    if (!impl_) impl_ = std::make_unique<Impl>();
  } catch (...) {
    return make_error_code(Errc::out_of_memory);
  }
  impl_->last_error.clear();
  impl_->version = 0;
  auto ec = guarded(impl_.get(), [&]() -> std::error_code {
    if (auto e = impl_->open(file, options)) return e;
    if (options.max_size_bytes != 0) return impl_->set_max_size(options.max_size_bytes);
    return {};
  });
  if (ec) impl_->close();  // keeps last_error(); is_open() is false
  return ec;
}

void CrossingStore::close() noexcept {
  if (impl_) impl_->close();
}

bool CrossingStore::is_open() const noexcept { return impl_ && impl_->db != nullptr; }

const fs::path& CrossingStore::path() const noexcept { return impl_ ? impl_->path : empty_path(); }

const std::string& CrossingStore::last_error() const noexcept {
  return impl_ ? impl_->last_error : empty_string();
}

int CrossingStore::schema_version() const noexcept { return is_open() ? impl_->version : 0; }

std::error_code CrossingStore::begin() noexcept {
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    if (impl_->in_txn) return impl_->fail(Errc::invalid_argument, "begin(): a transaction is open");
    if (auto ec = impl_->exec("BEGIN IMMEDIATE", "starting a write transaction")) return ec;
    impl_->in_txn = true;
    return {};
  });
}

std::error_code CrossingStore::put(const Crossing& crossing, WriteOutcome& outcome) noexcept {
  outcome = WriteOutcome::rejected;
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    if (!impl_->in_txn) return impl_->fail(Errc::invalid_argument, "put(): no transaction is open");
    return impl_->put(crossing, outcome);
  });
}

std::error_code CrossingStore::commit() noexcept {
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    if (!impl_->in_txn)
      return impl_->fail(Errc::invalid_argument, "commit(): no transaction is open");
    const int rc = sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      auto ec = impl_->fail_rc(rc, "committing");
      if (sqlite3_get_autocommit(impl_->db) != 0) impl_->in_txn = false;
      return ec;
    }
    impl_->in_txn = false;
    return {};
  });
}

void CrossingStore::rollback() noexcept {
  if (!is_open() || !impl_->in_txn) return;
  if (sqlite3_get_autocommit(impl_->db) == 0) {
    sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  impl_->in_txn = false;
}

bool CrossingStore::in_transaction() const noexcept { return is_open() && impl_->in_txn; }

std::error_code CrossingStore::write(const Crossing& crossing, WriteOutcome* outcome) noexcept {
  if (outcome != nullptr) *outcome = WriteOutcome::rejected;
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    std::vector<WriteOutcome> outcomes;
    if (auto ec = write_batch(std::span<const Crossing>(&crossing, 1), &outcomes)) return ec;
    if (outcome != nullptr) *outcome = outcomes.at(0);
    if (outcomes.at(0) == WriteOutcome::rejected) return make_error_code(Errc::invalid_crossing);
    return {};
  });
}

std::error_code CrossingStore::write_batch(std::span<const Crossing> crossings,
                                           std::vector<WriteOutcome>* outcomes) noexcept {
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    std::vector<WriteOutcome> local;
    std::vector<WriteOutcome>& out = outcomes != nullptr ? *outcomes : local;
    out.assign(crossings.size(), WriteOutcome::rejected);
    if (auto ec = begin()) return ec;
    for (std::size_t i = 0; i < crossings.size(); ++i) {
      if (auto ec = impl_->put(crossings[i], out[i])) {
        rollback();
        return ec;
      }
    }
    if (auto ec = commit()) {
      rollback();
      return ec;
    }
    return {};
  });
}

bool CrossingStore::raw_capture_enabled() const noexcept {
  return is_open() && impl_->options.raw_capture.enabled;
}

std::error_code CrossingStore::record_reads(std::span<const TagRead> reads,
                                            std::int64_t now) noexcept {
  if (!is_open()) return make_error_code(Errc::not_open);
  if (!impl_->options.raw_capture.enabled) return {};
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    if (d.in_txn) return d.fail(Errc::invalid_argument, "record_reads(): a transaction is open");
    if (auto ec = d.exec("BEGIN IMMEDIATE", "starting to record raw reads")) return ec;
    auto abort = [&](std::error_code ec) {
      if (sqlite3_get_autocommit(d.db) == 0)
        sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
      return ec;
    };
    for (const TagRead& r : reads) {
      if (auto ec = d.cached(d.insert_read, kInsertReadSql)) return abort(ec);
      sqlite3_stmt* s = d.insert_read.get();
      const std::string epc_hex = to_hex(r.epc.view());
      const std::string tid_hex = to_hex(r.tid.view());
      sqlite3_bind_int64(s, 1, r.reader_id);
      sqlite3_bind_int(s, 2, r.antenna);
      if (r.pc) sqlite3_bind_int(s, 3, *r.pc);
      sqlite3_bind_text(s, 4, epc_hex.data(), static_cast<int>(epc_hex.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 5, tid_hex.data(), static_cast<int>(tid_hex.size()), SQLITE_TRANSIENT);
      if (r.peak_rssi_cdbm) sqlite3_bind_int(s, 6, *r.peak_rssi_cdbm);
      if (r.reader_first_seen_utc_us) sqlite3_bind_int64(s, 7, *r.reader_first_seen_utc_us);
      if (r.reader_first_seen_uptime_us &&
          *r.reader_first_seen_uptime_us <=
              static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        sqlite3_bind_int64(s, 8, static_cast<sqlite3_int64>(*r.reader_first_seen_uptime_us));
      }
      sqlite3_bind_int64(s, 9, r.host_utc_us);
      sqlite3_bind_int64(s, 10, r.host_mono_us);
      if (r.channel) sqlite3_bind_int(s, 11, *r.channel);
      sqlite3_bind_int64(s, 12, r.seen_count);
      const int rc = sqlite3_step(s);
      sqlite3_reset(s);
      if (rc != SQLITE_DONE) {
        if (is_row_error(rc)) continue;  // a diagnostic row that does not fit is skipped
        return abort(d.fail_rc(rc, "recording raw reads"));
      }
    }
    if (auto ec = purge_reads(now, nullptr)) return abort(ec);
    if (auto e = d.exec("COMMIT", "committing raw reads")) return abort(e);
    return {};
  });
}

std::error_code CrossingStore::purge_reads(std::int64_t now, std::uint64_t* removed) noexcept {
  if (removed != nullptr) *removed = 0;
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    const auto& rc_opts = d.options.raw_capture;
    const auto retention_us =
        std::chrono::duration_cast<std::chrono::microseconds>(rc_opts.retention).count();
    const std::int64_t cutoff = now - retention_us;
    if (auto ec = d.cached(d.purge_time, "DELETE FROM tag_reads WHERE host_utc_us < ?1")) return ec;
    sqlite3_bind_int64(d.purge_time.get(), 1, cutoff);
    int rc = sqlite3_step(d.purge_time.get());
    sqlite3_reset(d.purge_time.get());
    if (rc != SQLITE_DONE) return d.fail_rc(rc, "purging old raw reads");
    auto n = static_cast<std::uint64_t>(sqlite3_changes(d.db));
    if (auto ec = d.cached(d.purge_rows,
                           "DELETE FROM tag_reads WHERE id <= (SELECT id FROM tag_reads "
                           "ORDER BY id DESC LIMIT 1 OFFSET ?1)")) {
      return ec;
    }
    const auto max_rows = std::min<std::uint64_t>(
        rc_opts.max_rows, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    sqlite3_bind_int64(d.purge_rows.get(), 1, static_cast<sqlite3_int64>(max_rows));
    rc = sqlite3_step(d.purge_rows.get());
    sqlite3_reset(d.purge_rows.get());
    if (rc != SQLITE_DONE) return d.fail_rc(rc, "purging raw reads beyond max_rows");
    n += static_cast<std::uint64_t>(sqlite3_changes(d.db));
    if (removed != nullptr) *removed = n;
    return {};
  });
}

std::error_code CrossingStore::list_reads(std::size_t limit, std::vector<TagRead>& out) noexcept {
  out.clear();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    Stmt s;
    if (auto ec =
            d.prepare(s,
                      "SELECT reader_id, antenna, pc, epc_hex, tid_hex, peak_rssi_cdbm, "
                      "reader_first_seen_utc_us, reader_first_seen_uptime_us, host_utc_us, "
                      "host_mono_us, channel, seen_count FROM tag_reads ORDER BY id DESC LIMIT ?1",
                      false)) {
      return ec;
    }
    sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(std::min(limit, kMaxListLimit)));
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      sqlite3_stmt* q = s.get();
      TagRead r;
      r.reader_id = static_cast<std::uint32_t>(sqlite3_column_int64(q, 0));
      r.antenna = static_cast<std::uint16_t>(sqlite3_column_int(q, 1));
      if (sqlite3_column_type(q, 2) != SQLITE_NULL)
        r.pc = static_cast<std::uint16_t>(sqlite3_column_int(q, 2));
      std::vector<std::uint8_t> bytes;
      if (!parse_hex(column_text(q, 3), bytes, EpcBytes::capacity)) r.epc.assign(bytes);
      bytes.clear();
      if (!parse_hex(column_text(q, 4), bytes, TidBytes::capacity)) r.tid.assign(bytes);
      if (sqlite3_column_type(q, 5) != SQLITE_NULL) {
        r.peak_rssi_cdbm = static_cast<std::int16_t>(sqlite3_column_int(q, 5));
      }
      if (sqlite3_column_type(q, 6) != SQLITE_NULL)
        r.reader_first_seen_utc_us = sqlite3_column_int64(q, 6);
      if (sqlite3_column_type(q, 7) != SQLITE_NULL) {
        r.reader_first_seen_uptime_us = static_cast<std::uint64_t>(sqlite3_column_int64(q, 7));
      }
      r.host_utc_us = sqlite3_column_int64(q, 8);
      r.host_mono_us = sqlite3_column_int64(q, 9);
      if (sqlite3_column_type(q, 10) != SQLITE_NULL)
        r.channel = static_cast<std::uint16_t>(sqlite3_column_int(q, 10));
      r.seen_count = static_cast<std::uint32_t>(sqlite3_column_int64(q, 11));
      out.push_back(r);
    }
    if (rc != SQLITE_DONE) return d.fail_rc(rc, "listing raw reads");
    return {};
  });
}

std::error_code CrossingStore::max_sequence(std::string_view lane_id,
                                            std::optional<std::uint64_t>& out) noexcept {
  out.reset();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    if (auto ec = d.cached(d.max_seq,
                           "SELECT max(m) FROM ("
                           "SELECT max(sequence) AS m FROM crossings WHERE lane_id = ?1 UNION ALL "
                           "SELECT max(sequence) FROM crossing_conflicts WHERE lane_id = ?1 "
                           "UNION ALL SELECT max_sequence FROM lane_sequence_floor "
                           "WHERE lane_id = ?1)")) {
      return ec;
    }
    sqlite3_stmt* s = d.max_seq.get();
    sqlite3_bind_text(s, 1, lane_id.data(), static_cast<int>(lane_id.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
      out = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return d.fail_rc(rc, "reading the lane's last sequence");
    return {};
  });
}

std::error_code CrossingStore::lane_sequences(std::vector<LaneSequence>& out) noexcept {
  out.clear();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    Stmt s;
    if (auto ec = d.prepare(s,
                            "SELECT lane_id, max(m) FROM ("
                            "SELECT lane_id, max(sequence) AS m FROM crossings GROUP BY lane_id "
                            "UNION ALL SELECT lane_id, max(sequence) FROM crossing_conflicts "
                            "GROUP BY lane_id UNION ALL SELECT lane_id, max_sequence FROM "
                            "lane_sequence_floor) GROUP BY lane_id ORDER BY lane_id",
                            false)) {
      return ec;
    }
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      out.push_back({std::string(column_text(s.get(), 0)),
                     static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 1))});
    }
    if (rc != SQLITE_DONE) return d.fail_rc(rc, "reading the lanes' last sequences");
    return {};
  });
}

std::error_code CrossingStore::list_crossings(const CrossingFilter& filter,
                                              CrossingPage& out) noexcept {
  out.rows.clear();
  out.next.reset();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    if (filter.limit == 0 || filter.limit > kMaxListLimit) {
      return d.fail(Errc::invalid_argument,
                    "list limit must be 1.." + std::to_string(kMaxListLimit));
    }
    const char* dir = filter.order == ListOrder::oldest_first ? "ASC" : "DESC";
    const std::string sql = kSelectColumns + " FROM crossings" + d.filter_sql(filter, true) +
                            " ORDER BY first_seen_utc_us " + dir + ", id " + dir + " LIMIT " +
                            std::to_string(filter.limit + 1);
    Stmt s;
    if (auto ec = d.prepare(s, sql, false)) return ec;
    if (auto ec = d.bind_filter(s.get(), filter, true)) return ec;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      if (out.rows.size() == filter.limit) {
        const auto& last = out.rows.back();
        out.next = CrossingCursor{last.crossing.first_seen_utc_us, last.id};
        break;
      }
      StoredCrossing row;
      row.id = sqlite3_column_int64(s.get(), 0);
      row.created_at_us = sqlite3_column_int64(s.get(), 1);
      row.updated_at_us = sqlite3_column_int64(s.get(), 2);
      read_crossing_columns(s.get(), 3, row.crossing);
      out.rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return d.fail_rc(rc, "listing crossings");
    return {};
  });
}

std::error_code CrossingStore::count_crossings(const CrossingFilter& filter,
                                               std::uint64_t& out) noexcept {
  out = 0;
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    const std::string sql = "SELECT count(*) FROM crossings" + d.filter_sql(filter, false);
    Stmt s;
    if (auto ec = d.prepare(s, sql, false)) return ec;
    if (auto ec = d.bind_filter(s.get(), filter, false)) return ec;
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return d.fail_rc(rc, "counting crossings");
    out = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0));
    return {};
  });
}

std::error_code CrossingStore::find(std::string_view lane_id, std::uint64_t sequence,
                                    std::optional<StoredCrossing>& out) noexcept {
  out.reset();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    if (sequence > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return {};
    Stmt s;
    if (auto ec = d.prepare(
            s, kSelectColumns + " FROM crossings WHERE lane_id = ?1 AND sequence = ?2", false)) {
      return ec;
    }
    sqlite3_bind_text(s.get(), 1, lane_id.data(), static_cast<int>(lane_id.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(s.get(), 2, static_cast<sqlite3_int64>(sequence));
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      StoredCrossing row;
      row.id = sqlite3_column_int64(s.get(), 0);
      row.created_at_us = sqlite3_column_int64(s.get(), 1);
      row.updated_at_us = sqlite3_column_int64(s.get(), 2);
      read_crossing_columns(s.get(), 3, row.crossing);
      out = std::move(row);
      return {};
    }
    if (rc != SQLITE_DONE) return d.fail_rc(rc, "reading a crossing");
    return {};
  });
}

std::error_code CrossingStore::counts(StoreCounts& out) noexcept {
  out = {};
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    std::int64_t n = 0;
    if (auto ec = d.query_int("SELECT count(*) FROM crossings", n, "counting crossings")) return ec;
    out.crossings = static_cast<std::uint64_t>(n);
    if (auto ec = d.query_int("SELECT count(*) FROM crossing_conflicts", n, "counting conflicts"))
      return ec;
    out.conflicts = static_cast<std::uint64_t>(n);
    if (auto ec = d.query_int("SELECT count(*) FROM tag_reads", n, "counting raw reads")) return ec;
    out.raw_reads = static_cast<std::uint64_t>(n);
    return {};
  });
}

std::error_code CrossingStore::list_conflicts(std::size_t limit,
                                              std::vector<StoredCrossing>& out) noexcept {
  out.clear();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    Stmt s;
    if (auto ec = d.prepare(
            s, kSelectColumns + " FROM crossing_conflicts ORDER BY id DESC LIMIT ?1", false)) {
      return ec;
    }
    sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(std::min(limit, kMaxListLimit)));
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      StoredCrossing row;
      row.id = sqlite3_column_int64(s.get(), 0);
      row.created_at_us = sqlite3_column_int64(s.get(), 1);
      row.updated_at_us = sqlite3_column_int64(s.get(), 2);
      read_crossing_columns(s.get(), 3, row.crossing);
      out.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return d.fail_rc(rc, "listing conflicts");
    return {};
  });
}

std::string_view to_string(RetainedTable table) noexcept {
  switch (table) {
    case RetainedTable::crossings: return "crossings";
    case RetainedTable::crossing_conflicts: return "crossing_conflicts";
    case RetainedTable::tag_reads: return "tag_reads";
    case RetainedTable::entry_records: return "entry_records";
    case RetainedTable::officer_records: return "officer_records";
  }
  return "crossings";
}

namespace {

// The WHERE clause selecting rows past a cutoff. Fixed text per table, with
// parameters ?1 before_us, ?2 exported_before_us, ?3 exit_record_before_us
// (NULL when the rule is off): never built from input. Each term is
// NULL-free so NOT (...) selects exactly the kept rows.
struct RetentionSql {
  const char* table;
  const char* time_column;
  const char* expired;
};

RetentionSql retention_sql(RetainedTable table) noexcept {
  switch (table) {
    case RetainedTable::crossings:
      return {"crossings", "first_seen_utc_us",
              "(first_seen_utc_us < ?1"
              " OR (?2 IS NOT NULL AND exported_at_us IS NOT NULL AND first_seen_utc_us < ?2)"
              " OR (?3 IS NOT NULL AND exit_record_at_us IS NOT NULL"
              " AND exit_record_at_us < ?3))"};
    case RetainedTable::crossing_conflicts:
      return {"crossing_conflicts", "first_seen_utc_us", "(first_seen_utc_us < ?1)"};
    case RetainedTable::tag_reads: return {"tag_reads", "host_utc_us", "(host_utc_us < ?1)"};
    // The exchange's tables go by the traveller's entry time: entry records
    // 35 years after it (issue 7), officer records after
    // [retention] officer_records_days whether exported or not (kept simple:
    // the schedule is far longer than a weekly export cycle).
    case RetainedTable::entry_records:
      return {"entry_records", "entry_utc_us", "(entry_utc_us < ?1)"};
    case RetainedTable::officer_records:
      return {"officer_records", "entry_utc_us", "(entry_utc_us < ?1)"};
  }
  return {"crossings", "first_seen_utc_us", "(first_seen_utc_us < ?1)"};
}

// Each purge pass of a table, so that every pass walks an index from its
// oldest entry (a batch then costs about its own size, not the table's).
std::vector<std::string> retention_passes(RetainedTable table) {
  switch (table) {
    case RetainedTable::crossings:
      return {
          "SELECT id FROM crossings WHERE first_seen_utc_us < ?1 "
          "ORDER BY first_seen_utc_us LIMIT ?4",
          "SELECT id FROM crossings WHERE ?2 IS NOT NULL AND first_seen_utc_us < ?2 "
          "AND exported_at_us IS NOT NULL ORDER BY first_seen_utc_us LIMIT ?4",
          "SELECT id FROM crossings WHERE ?3 IS NOT NULL AND exit_record_at_us IS NOT NULL "
          "AND exit_record_at_us < ?3 ORDER BY exit_record_at_us LIMIT ?4"};
    case RetainedTable::crossing_conflicts:
      return {
          "SELECT id FROM crossing_conflicts WHERE first_seen_utc_us < ?1 "
          "ORDER BY first_seen_utc_us LIMIT ?4"};
    case RetainedTable::tag_reads:
      return {"SELECT id FROM tag_reads WHERE host_utc_us < ?1 ORDER BY host_utc_us LIMIT ?4"};
    case RetainedTable::entry_records:
      return {
          "SELECT id FROM entry_records WHERE entry_utc_us < ?1 ORDER BY entry_utc_us LIMIT ?4"};
    case RetainedTable::officer_records:
      return {
          "SELECT id FROM officer_records WHERE entry_utc_us < ?1 ORDER BY entry_utc_us "
          "LIMIT ?4"};
  }
  return {};
}

void bind_cutoff(sqlite3_stmt* s, const RetentionCutoff& c) {
  sqlite3_bind_int64(s, 1, c.before_us);
  if (c.exported_before_us) {
    sqlite3_bind_int64(s, 2, *c.exported_before_us);
  } else {
    sqlite3_bind_null(s, 2);
  }
  if (c.exit_record_before_us) {
    sqlite3_bind_int64(s, 3, *c.exit_record_before_us);
  } else {
    sqlite3_bind_null(s, 3);
  }
}

}  // namespace

std::error_code CrossingStore::retention_tally(RetainedTable table, const RetentionCutoff& cutoff,
                                               RetentionTally& out) noexcept {
  out = {};
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    const RetentionSql q = retention_sql(table);
    // A single read transaction, so both counts describe the same moment.
    const std::string sql = std::string(
                                "SELECT sum(x), sum(NOT x), min(CASE WHEN x THEN NULL "
                                "ELSE t END), max(CASE WHEN x THEN NULL ELSE t END) "
                                "FROM (SELECT ") +
                            q.expired + " AS x, " + q.time_column + " AS t FROM " + q.table + ")";
    Stmt s;
    if (auto ec = d.prepare(s, sql, false)) return ec;
    bind_cutoff(s.get(), cutoff);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return d.fail_rc(rc, std::string("counting ") + q.table + " to purge");
    out.purgeable = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0));
    out.kept = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 1));
    if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL)
      out.oldest_kept_us = sqlite3_column_int64(s.get(), 2);
    if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL)
      out.newest_kept_us = sqlite3_column_int64(s.get(), 3);
    return {};
  });
}

std::error_code CrossingStore::purge_retained(RetainedTable table, const RetentionCutoff& cutoff,
                                              std::size_t max_rows, std::uint64_t& removed,
                                              std::vector<std::string>* purged_epc_hex) noexcept {
  removed = 0;
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    const RetentionSql q = retention_sql(table);
    if (max_rows == 0 || max_rows > 100000) {
      return d.fail(Errc::invalid_argument, "purge batch must be 1..100000 rows");
    }
    if (d.in_txn) {
      return d.fail(Errc::invalid_argument, "purge inside an open write transaction");
    }
    const std::string what = std::string("purging ") + q.table;
    if (auto ec = d.exec("BEGIN IMMEDIATE", what)) return ec;
    auto abort = [&](std::error_code ec) {
      sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
      if (purged_epc_hex != nullptr) purged_epc_hex->clear();
      removed = 0;
      return ec;
    };
    // Crossings and conflicts hold a lane's sequences (the floor keeps them);
    // every table but officer_records keeps an EPC's hex (an entry record's
    // is empty when the partner matched an officer record).
    const bool has_lane =
        table == RetainedTable::crossings || table == RetainedTable::crossing_conflicts;
    const char* epc_col = table == RetainedTable::officer_records ? "''" : "epc_hex";
    std::map<std::string, std::int64_t> floor;  // lane -> highest sequence deleted
    for (const std::string& pass : retention_passes(table)) {
      if (removed >= max_rows) break;
      // secure_delete is on (checked at open): the deleted cells, index
      // entries and freed pages are overwritten with zeros in this commit.
      const std::string sql = std::string("DELETE FROM ") + q.table + " WHERE id IN (" + pass +
                              ") RETURNING " + epc_col + (has_lane ? ", lane_id, sequence" : "");
      Stmt s;
      if (auto ec = d.prepare(s, sql, false)) return abort(ec);
      bind_cutoff(s.get(), cutoff);
      sqlite3_bind_int64(s.get(), 4, static_cast<sqlite3_int64>(max_rows - removed));
      int rc = 0;
      while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        ++removed;
        if (purged_epc_hex != nullptr && !column_text(s.get(), 0).empty()) {
          purged_epc_hex->emplace_back(column_text(s.get(), 0));
        }
        if (has_lane) {
          auto& top = floor[std::string(column_text(s.get(), 1))];
          top = std::max<std::int64_t>(top, sqlite3_column_int64(s.get(), 2));
        }
      }
      if (rc != SQLITE_DONE) return abort(d.fail_rc(rc, what));
    }
    if (!floor.empty()) {
      Stmt up;
      if (auto ec = d.prepare(up,
                              "INSERT INTO lane_sequence_floor (lane_id, max_sequence) VALUES "
                              "(?1, ?2) ON CONFLICT (lane_id) DO UPDATE SET max_sequence = "
                              "max(max_sequence, excluded.max_sequence)",
                              false)) {
        return abort(ec);
      }
      for (const auto& [lane, seq] : floor) {
        sqlite3_reset(up.get());
        sqlite3_bind_text(up.get(), 1, lane.data(), static_cast<int>(lane.size()),
                          SQLITE_TRANSIENT);
        sqlite3_bind_int64(up.get(), 2, seq);
        const int rc = sqlite3_step(up.get());
        if (rc != SQLITE_DONE) return abort(d.fail_rc(rc, "keeping the purged lanes' sequences"));
      }
    }
    if (auto ec = d.exec("COMMIT", what)) return abort(ec);
    return {};
  });
}

std::error_code CrossingStore::drop_held_epcs(std::vector<std::string>& epc_hex) noexcept {
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    if (epc_hex.empty()) return {};
    // One read transaction for a consistent view; crossings by their EPC
    // index, the (small, unindexed) conflict and raw-read tables in one scan.
    if (auto ec = d.exec("BEGIN", "looking up EPCs")) return ec;
    auto done = [&](std::error_code ec) {
      sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr);
      return ec;
    };
    std::set<std::string> held;
    Stmt all;
    if (auto ec = d.prepare(all,
                            "SELECT epc_hex FROM crossing_conflicts UNION "
                            "SELECT epc_hex FROM tag_reads",
                            false)) {
      return done(ec);
    }
    int rc = 0;
    while ((rc = sqlite3_step(all.get())) == SQLITE_ROW) held.emplace(column_text(all.get(), 0));
    if (rc != SQLITE_DONE) return done(d.fail_rc(rc, "looking up EPCs"));
    // Crossings and entry records by their EPC indexes (entry records are
    // kept 35 years and may outlive the crossing they matched: their EPC is
    // rightly still in the file).
    Stmt one;
    if (auto ec = d.prepare(one,
                            "SELECT 1 FROM crossings WHERE epc_hex = ?1 UNION ALL "
                            "SELECT 1 FROM entry_records WHERE epc_hex = ?1 LIMIT 1",
                            false)) {
      return done(ec);
    }
    std::vector<std::string> gone;
    for (auto& hex : epc_hex) {
      if (held.count(hex) != 0) continue;
      sqlite3_reset(one.get());
      sqlite3_bind_text(one.get(), 1, hex.data(), static_cast<int>(hex.size()), SQLITE_TRANSIENT);
      rc = sqlite3_step(one.get());
      if (rc == SQLITE_ROW) continue;
      if (rc != SQLITE_DONE) return done(d.fail_rc(rc, "looking up EPCs"));
      gone.push_back(std::move(hex));
    }
    epc_hex = std::move(gone);
    return done({});
  });
}

std::error_code CrossingStore::integrity_check(std::string& result) noexcept {
  result.clear();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    Stmt s;
    if (auto ec = d.prepare(s, "PRAGMA integrity_check", false)) return ec;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      if (!result.empty()) result += '\n';
      result += column_text(s.get(), 0);
    }
    if (rc != SQLITE_DONE) return d.fail_rc(rc, "checking integrity");
    return {};
  });
}

std::error_code CrossingStore::checkpoint() noexcept {
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    Impl& d = *impl_;
    const int rc =
        sqlite3_wal_checkpoint_v2(d.db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    if (rc != SQLITE_OK) return d.fail_rc(rc, "checkpointing the WAL");
    return {};
  });
}

std::error_code CrossingStore::set_max_size(std::uint64_t bytes) noexcept {
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code { return impl_->set_max_size(bytes); });
}

sqlite3* CrossingStore::native_handle() const noexcept { return impl_ ? impl_->db : nullptr; }

std::error_code CrossingStore::pragma(std::string_view name, std::string& value) noexcept {
  value.clear();
  if (!is_open()) return make_error_code(Errc::not_open);
  return guarded(impl_.get(), [&]() -> std::error_code {
    const bool ok =
        !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
        });
    if (!ok)
      return impl_->fail(Errc::invalid_argument,
                         "not a PRAGMA name: " + std::string(name.substr(0, 64)));
    const std::string sql = "PRAGMA " + std::string(name);
    return impl_->query_text(sql.c_str(), value, sql);
  });
}

}  // namespace garita::store
