#include "StoreTestSupport.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "garita/common/Hex.hpp"

namespace garita::store::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "garita-store-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

Crossing make_crossing(std::string_view lane, std::uint64_t sequence, std::uint32_t card,
                       std::int64_t t_us) {
  Crossing c;
  c.lane_id = std::string(lane);
  c.sequence = sequence;
  c.port_code = "SYS";
  const std::uint8_t epc[12] = {0xE2,
                                0x00,
                                0x34,
                                0x11,
                                0xB8,
                                0x02,
                                0x01,
                                0x16,
                                static_cast<std::uint8_t>(card >> 24),
                                static_cast<std::uint8_t>(card >> 16),
                                static_cast<std::uint8_t>(card >> 8),
                                static_cast<std::uint8_t>(card)};
  c.epc.assign(epc);
  c.pc = 0x3000;
  c.epc_hex = to_hex(c.epc.view());
  c.epc_uri = "urn:epc:raw:96.x" + c.epc_hex;
  c.epc_scheme = "raw";
  c.document = DocumentType::unknown;
  c.first_seen_utc_us = t_us;
  c.last_seen_utc_us = t_us + 150'000;
  c.time_source = TimeSource::reader_utc;
  c.clock_offset_us = -1234;
  c.host_clock_synchronized = true;
  c.read_count = 5;
  c.peak_rssi_cdbm = -5500;
  c.antenna_mask = 0x1;
  c.direction = Direction::unknown;
  return c;
}

RawDb::RawDb(const std::filesystem::path& file, bool create) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    sqlite3_close(db_);
    db_ = nullptr;
    return;
  }
  sqlite3_busy_timeout(db_, 5000);
}

RawDb::~RawDb() { sqlite3_close(db_); }

int RawDb::exec(const std::string& sql) {
  if (db_ == nullptr) return SQLITE_MISUSE;
  return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
}

std::string RawDb::text(const std::string& sql) {
  if (db_ == nullptr) return "<error>";
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return "<error>";
  std::string out;
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(s, 0);
    if (t != nullptr) out = reinterpret_cast<const char*>(t);
  } else if (rc != SQLITE_DONE) {
    out = "<error>";
  }
  sqlite3_finalize(s);
  return out;
}

std::int64_t RawDb::integer(const std::string& sql) {
  if (db_ == nullptr) return -1;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return -1;
  std::int64_t out = -1;
  if (sqlite3_step(s) == SQLITE_ROW) out = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return out;
}

}  // namespace garita::store::test
