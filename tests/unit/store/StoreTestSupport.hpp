#pragma once
// Helpers shared by the crossing store tests: a temporary directory, a
// crossing builder, and a plain second SQLite connection for looking at the
// file the way another process would.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "garita/common/Crossing.hpp"

namespace garita::store::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// A valid crossing: 96-bit EPC derived from `card`, first seen at `t_us`.
Crossing make_crossing(std::string_view lane, std::uint64_t sequence, std::uint32_t card = 1,
                       std::int64_t t_us = 1'700'000'000'000'000);

// A second connection opened with the plain C API (read-write, no create).
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file, bool create = false);
  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  sqlite3* get() const { return db_; }
  bool ok() const { return db_ != nullptr; }
  // Runs SQL; returns the SQLite result code.
  int exec(const std::string& sql);
  // First column of the first row as text ("" when none, "<error>" on failure).
  std::string text(const std::string& sql);
  std::int64_t integer(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace garita::store::test
