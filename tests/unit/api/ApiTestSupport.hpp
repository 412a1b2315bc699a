#pragma once
// An ApiService on a real HTTPS listener (loopback, port 0) in this process,
// with the throwaway PKI of scripts/test-pki.sh, a crossings database with
// known rows, a users database with one user per role, an audit log, and a
// status board with one reader and two lanes. Clients are ApiClient, the
// same code `garita search|status|tail` uses.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "garita/common/Crossing.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/daemon/api/ApiClient.hpp"
#include "garita/daemon/api/ApiService.hpp"
#include "garita/daemon/api/StatusBoard.hpp"
#include "garita/daemon/http/HttpServer.hpp"
#include "garita/daemon/security/AuditLog.hpp"
#include "garita/daemon/security/UserStore.hpp"

namespace garita::daemon::api::test {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// scripts/test-pki.sh DIR; throws when it fails.
void make_test_pki(const fs::path& dir);

// The i-th fixture crossing (i from 0): lanes alternate P01/P02, one a
// minute from a fixed time, each with its own EPC.
Crossing fixture_crossing(int i);
std::string fixture_epc(int i);
inline constexpr int kFixtureCrossings = 25;
inline constexpr std::int64_t kFixtureStartUs = 1'795'420'800'000'000;  // 2026-11-23T08:00:00Z

struct ServiceOptions {
  ApiServiceOptions service;
  http::ListenerOptions listener;
  // [exchange] with the test PKI (signing.* as the workstation, partner.pem
  // the recipient, partner-ca.pem), export_dir = dir()/"exchange-out".
  bool exchange = true;
  bool export_dir = true;  // false: [exchange] without export_dir
};

// The fixture's port: SYS in America/Tijuana. Its crossings fall in 2026-W48
// (Monday 2026-11-23 00:00 local is 08:00 UTC).
inline constexpr std::string_view kFixtureTimeZone = "America/Tijuana";
inline constexpr std::string_view kFixturePeriod = "2026-W48";

class ApiFixture {
 public:
  explicit ApiFixture(ServiceOptions options = {});
  ~ApiFixture();

  ApiClient client(security::Role role) const;     // with that role's token
  ApiClient client_with(std::string token) const;  // any token text ("" for none)
  const std::string& token(security::Role role) const { return tokens_.at(role); }
  std::string user(security::Role role) const;

  ApiService& service() { return *service_; }
  security::UserStore& users() { return users_; }
  // Every audit row so far (read as the auditor).
  std::vector<security::AuditRecord> audit_rows();
  std::uint16_t port() const { return server_->port(); }
  const fs::path& dir() const { return dir_.path(); }
  fs::path export_dir() const { return dir_.path() / "exchange-out"; }
  StatusBoard& board() { return board_; }
  // Jobs the service ran on the "writer" (the read-write connection that
  // stands in for garitad's store writer thread).
  std::size_t writer_jobs() const { return writer_jobs_; }

 private:
  ScratchDir dir_;
  security::UserStore users_;
  security::AuditLog audit_;
  StatusBoard board_;
  std::mutex writer_mutex_;
  store::CrossingStore writer_db_;  // garitad's writer connection, as the daemon has it
  std::atomic<std::size_t> writer_jobs_{0};
  std::map<security::Role, std::string> tokens_;
  std::unique_ptr<ApiService> service_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

}  // namespace garita::daemon::api::test
