#include "test_lane_uplink_support.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

namespace garita::test::uplink {

fs::path make_pki(const gd::ScratchDir& dir) {
  const fs::path pki = dir / "pki";
  const std::string command = "sh '" + std::string(GARITA_SOURCE_DIR) + "/scripts/test-pki.sh' '" +
                              pki.string() + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("scripts/test-pki.sh failed");
  return pki;
}

fs::path write_garitad_config(const gd::ScratchDir& dir, const fs::path& pki, std::uint16_t port,
                              const std::vector<std::string>& lanes) {
  const fs::path path = dir / "garitad.toml";
  std::ofstream out(path);
  out << "[site]\nport_code = \"SYS\"\ntime_zone = \"UTC\"\n\n"
      << "[database]\npath = \"" << (dir / "crossings.db").string() << "\"\n\n"
      << "[uplink]\naddress = \"127.0.0.1\"\nport = " << port << "\n"
      << "cert_file = \"" << (pki / "server.pem").string() << "\"\n"
      << "key_file = \"" << (pki / "server.key").string() << "\"\n"
      << "client_ca_file = \"" << (pki / "ca.pem").string() << "\"\n";
  for (const std::string& lane : lanes) {
    out << "\n[[lane]]\nid = \"" << lane << "\"\ncontroller = true\n";
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

fs::path write_lane_config(const gd::ScratchDir& dir, const fs::path& pki, const LaneSetup& s) {
  const std::string name = s.name.empty() ? s.lane : s.name;
  const fs::path path = dir / (name + ".toml");
  std::ofstream out(path);
  out << "[lane]\nid = \"" << s.lane << "\"\nport_code = \"SYS\"\ntime_zone = \"UTC\"\n"
      << "[[lane.antenna]]\nantenna = 1\nrole = \"entry\"\n"
      << "[[lane.antenna]]\nantenna = 2\nrole = \"exit\"\n\n"
      << "[reader]\nuri = \"llrp://127.0.0.1:" << s.reader_port << "\"\n\n"
      << "[pipeline]\ngap_s = 0.5\n\n"
      << "[uplink]\nurl = \"https://127.0.0.1:" << s.uplink_port << "\"\n"
      << "ca_file = \"" << (pki / "ca.pem").string() << "\"\n"
      << "cert_file = \"" << (pki / (s.cert + ".pem")).string() << "\"\n"
      << "key_file = \"" << (pki / (s.cert + ".key")).string() << "\"\n"
      << "backoff_initial_s = 0.2\nbackoff_max_s = 1\n\n"
      << "[journal]\npath = \"" << (dir / (name + "-journal.db")).string() << "\"\n\n"
      << "[light]\nkind = \"none\"\n";
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

LaneProcess::LaneProcess(const gd::ScratchDir& dir, const fs::path& config,
                         const std::string& name) {
  const fs::path ready = dir / (name + ".ready");
  std::error_code ec;
  fs::remove(ready, ec);
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{GARITA_LANE, "--config", config.string(), "--ready-file",
                               ready.string()},
      dir.path(), name);
  started_ = process_->wait_for_file(ready, std::chrono::seconds(20));
}

std::set<LaneSeq> journaled(const std::string& lane_log) {
  static const std::regex line(R"(journal: crossing stored lane=(\S+) seq=(\d+))");
  std::set<LaneSeq> out;
  for (auto it = std::sregex_iterator(lane_log.begin(), lane_log.end(), line);
       it != std::sregex_iterator(); ++it) {
    out.emplace((*it)[1].str(), std::stoull((*it)[2].str()));
  }
  return out;
}

namespace {

std::map<LaneSeq, std::string> query(const fs::path& file, const char* sql) {
  std::map<LaneSeq, std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* lane = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      const auto* epc = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2));
      out[{lane != nullptr ? lane : "",
           static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 1))}] = epc != nullptr ? epc : "";
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace

std::map<LaneSeq, std::string> journal_pending(const fs::path& journal) {
  return query(journal, "SELECT lane_id, sequence, epc_hex FROM pending");
}

std::map<LaneSeq, std::string> stored(const fs::path& db) {
  return query(db, "SELECT lane_id, sequence, epc_hex FROM crossings");
}

bool wait_stored(const fs::path& db, const std::set<LaneSeq>& expected,
                 std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto have = stored(db);
    bool all = true;
    for (const LaneSeq& k : expected) {
      if (!have.count(k)) {
        all = false;
        break;
      }
    }
    if (all) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace garita::test::uplink
