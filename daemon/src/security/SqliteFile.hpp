#pragma once
// Private helpers shared by UserStore and AuditLog: opening an SQLite file
// of one kind (its application_id), the durability PRAGMAs, a versioned
// schema, and a small prepared-statement wrapper. Not installed.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace garita::security::detail {

struct SqliteFileSpec {
  std::string_view kind;        // "users database", "audit log" (for messages)
  std::int32_t application_id;  // PRAGMA application_id marking the file's kind
  int schema_version;           // PRAGMA user_version written with the schema
  std::string_view schema_sql;  // executed once on a fresh file, in one transaction
};

// Opens (and when allowed creates, with mode 0600) `path`, applies WAL,
// synchronous=FULL, secure_delete=ON, foreign_keys=ON, trusted_schema=OFF and
// a busy timeout, checks the application_id/user_version and creates the
// schema on a fresh file. On failure `db` is null and `error` one line.
std::error_code open_sqlite_file(const std::filesystem::path& path, bool read_only, bool create,
                                 const SqliteFileSpec& spec, sqlite3*& db, std::string& error);

// Runs SQL without results; on failure sets `error` to "WHAT: sqlite message".
std::error_code exec(sqlite3* db, const char* sql, std::string_view what, std::string& error);

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  void reset();
  std::int64_t int64(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool bind_failed_ = false;
};

// A transaction rolled back unless commit() succeeded.
class Transaction {
 public:
  // `immediate`: take the write lock now (BEGIN IMMEDIATE) so a
  // read-then-write sequence cannot race another process's writer.
  Transaction(sqlite3* db, bool immediate, std::string& error);
  ~Transaction();
  bool begun() const { return begun_; }
  std::error_code commit(std::string& error);

 private:
  sqlite3* db_;
  bool begun_ = false;
  bool done_ = false;
};

std::string sqlite_message(sqlite3* db);

}  // namespace garita::security::detail
