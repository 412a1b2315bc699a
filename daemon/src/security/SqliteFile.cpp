#include "SqliteFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::security::detail {
namespace {

std::error_code query_int(sqlite3* db, const char* sql, std::int64_t& out) {
  Statement s(db, sql);
  if (!s.ok() || s.step() != SQLITE_ROW) return Errc::database_error;
  out = s.int64(0);
  return {};
}

}  // namespace

std::string sqlite_message(sqlite3* db) {
  return db != nullptr ? std::string(sqlite3_errmsg(db)) : std::string("out of memory");
}

std::error_code exec(sqlite3* db, const char* sql, std::string_view what, std::string& error) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    error = std::string(what) + ": " + (message != nullptr ? message : sqlite_message(db));
    sqlite3_free(message);
    return Errc::database_error;
  }
  return {};
}

std::error_code open_sqlite_file(const std::filesystem::path& path, bool read_only, bool create,
                                 const SqliteFileSpec& spec, sqlite3*& db, std::string& error) {
  db = nullptr;
  const std::string name = path.string();
  if (name.empty()) {
    error = std::string(spec.kind) + ": no file name given";
    return Errc::invalid_argument;
  }
  std::error_code fs_ec;
  const bool exists = std::filesystem::exists(path, fs_ec);
  if (!exists) {
    if (read_only || !create) {
      error = name + ": no such file (the " + std::string(spec.kind) + " has not been created)";
      return Errc::open_failed;
    }
    // Create it ourselves with mode 0600 (O_EXCL): SQLite would use the
    // umask, and these files name people and what they searched.
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      error = name + ": cannot create the " + std::string(spec.kind) + ": " + std::strerror(errno);
      return Errc::open_failed;
    }
    if (fd >= 0) ::close(fd);
  } else if (std::filesystem::is_directory(path, fs_ec)) {
    error = name + ": is a directory, not a " + std::string(spec.kind) + " file";
    return Errc::open_failed;
  }

  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    error = name + ": cannot open the " + std::string(spec.kind) + ": " + sqlite_message(db);
    sqlite3_close(db);
    db = nullptr;
    return Errc::open_failed;
  }
  auto bail = [&](std::error_code ec, std::string message) {
    error = name + ": " + std::move(message);
    sqlite3_close(db);
    db = nullptr;
    return ec;
  };
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);

  std::int64_t app_id = 0;
  std::int64_t version = 0;
  std::int64_t objects = 0;
  if (query_int(db, "PRAGMA application_id", app_id) ||
      query_int(db, "PRAGMA user_version", version) ||
      query_int(db, "SELECT count(*) FROM sqlite_master", objects)) {
    return bail(Errc::open_failed, "not readable as an SQLite database: " + sqlite_message(db));
  }
  const bool fresh = app_id == 0 && version == 0 && objects == 0;
  if (!fresh && app_id != spec.application_id) {
    return bail(Errc::not_a_garita_db, "not a garita " + std::string(spec.kind) +
                                           " (application_id " + std::to_string(app_id) +
                                           "); left untouched");
  }
  if (version > spec.schema_version) {
    return bail(Errc::schema_too_new, "schema version " + std::to_string(version) +
                                          " is newer than this program's " +
                                          std::to_string(spec.schema_version));
  }
  if (fresh && read_only) {
    return bail(Errc::open_failed,
                "empty file: the " + std::string(spec.kind) + " has not been created");
  }
  if (!read_only) {
    std::string why;
    // WAL + FULL: a row counts once its COMMIT returned, even across power
    // loss (sqlite.org/pragma.html#pragma_synchronous). secure_delete: bytes
    // of deleted rows (revoked tokens, purged audit rows) are overwritten.
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA secure_delete=ON",
          "PRAGMA foreign_keys=ON", "PRAGMA trusted_schema=OFF"}) {
      if (exec(db, pragma, pragma, why)) return bail(Errc::database_error, why);
    }
    std::int64_t sync = 0;
    std::int64_t secure = 0;
    if (query_int(db, "PRAGMA synchronous", sync) || sync != 2 ||
        query_int(db, "PRAGMA secure_delete", secure) || secure != 1) {
      return bail(Errc::database_error, "PRAGMA synchronous=FULL/secure_delete=ON did not apply");
    }
    if (fresh) {
      std::string sql = "BEGIN IMMEDIATE;";
      sql += spec.schema_sql;
      sql += "PRAGMA application_id=" + std::to_string(spec.application_id) + ";";
      sql += "PRAGMA user_version=" + std::to_string(spec.schema_version) + ";COMMIT;";
      if (exec(db, sql.c_str(), "creating the schema", why)) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return bail(Errc::database_error, why);
      }
    }
  } else {
    exec(db, "PRAGMA trusted_schema=OFF", "", error);
    error.clear();
  }
  return {};
}

Statement::Statement(sqlite3* db, const char* sql) {
  if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  if (stmt_ == nullptr || sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
    bind_failed_ = true;
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (stmt_ == nullptr ||
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    bind_failed_ = true;
  }
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  if (stmt_ == nullptr ||
      sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    bind_failed_ = true;
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (stmt_ == nullptr || sqlite3_bind_null(stmt_, index) != SQLITE_OK) bind_failed_ = true;
  return *this;
}

int Statement::step() {
  if (stmt_ == nullptr || bind_failed_) return SQLITE_MISUSE;
  return sqlite3_step(stmt_);
}

void Statement::reset() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bind_failed_ = false;
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
                      : std::string();
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n))
                      : std::string();
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Transaction::Transaction(sqlite3* db, bool immediate, std::string& error) : db_(db) {
  begun_ = !exec(db, immediate ? "BEGIN IMMEDIATE" : "BEGIN", "starting a transaction", error);
}

Transaction::~Transaction() {
  if (begun_ && !done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::error_code Transaction::commit(std::string& error) {
  if (!begun_ || done_) return Errc::invalid_argument;
  if (auto ec = exec(db_, "COMMIT", "committing", error)) return ec;
  done_ = true;
  return {};
}

}  // namespace garita::security::detail
