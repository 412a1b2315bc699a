// garita-lane as a technician runs it: exit statuses and one-line errors of
// its command line, and the program end to end against garita-sim llrp and a
// stub of garitad's uplink listener (in-process, mTLS 1.3, acks everything):
// crossings are journaled before they are acked, logs carry no EPC, SIGTERM
// journals open sessions, and a restart resumes the numbering and sends the
// leftovers first. (garita-lane against the real garitad: test_lane_uplink.)
#include <sqlite3.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "../unit/firmware/UplinkTestServer.hpp"
#include "../unit/store/StoreTestSupport.hpp"
#include "BackgroundProcess.hpp"
#include "ProcessRunner.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"

using garita::store::test::TempDir;
using garita::test::BackgroundProcess;
using garita::test::run_process;
namespace ft = garita::firmware::test;
using namespace std::chrono_literals;

namespace {

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

std::string lane_config(unsigned short reader_port, unsigned short uplink_port,
                        const std::string& journal = "journal.db") {
  return "[lane]\nid = \"L1\"\nport_code = \"SYS\"\ntime_zone = \"UTC\"\n"
         "[[lane.antenna]]\nantenna = 1\nrole = \"entry\"\n"
         "[[lane.antenna]]\nantenna = 2\nrole = \"exit\"\n"
         "[reader]\nuri = \"llrp://127.0.0.1:" +
         std::to_string(reader_port) +
         "\"\n"
         "[pipeline]\ngap_s = 0.5\n"
         "[uplink]\nurl = \"https://127.0.0.1:" +
         std::to_string(uplink_port) +
         "\"\nca_file = \"pki/ca.pem\"\ncert_file = \"pki/L1.pem\"\nkey_file = \"pki/L1.key\"\n"
         "backoff_initial_s = 0.1\nbackoff_max_s = 0.5\n"
         "[journal]\npath = \"" +
         journal + "\"\n[light]\nkind = \"gpo\"\n";
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The stub garitad on its own thread: records the sequences it acked.
class StubGaritad {
 public:
  explicit StubGaritad(const std::filesystem::path& pki, unsigned short port = 0)
      : server_(
            io_, {pki / "server.pem", pki / "server.key", pki / "ca.pem"},
            [this](const ft::Request& req, const std::string&) { return handle(req); }, "127.0.0.1",
            port),
        work_(io_.get_executor()),
        thread_([this] { io_.run(); }) {}
  ~StubGaritad() {
    boost::asio::post(io_, [this] { server_.stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  unsigned short port() const { return server_.port(); }
  std::vector<std::uint64_t> acked() {
    std::lock_guard lock(mutex_);
    return acked_;
  }

 private:
  ft::Response handle(const ft::Request& req) {
    std::string why;
    if (req.target() == "/v1/uplink/hello") {
      garita::uplink::Hello h;
      if (garita::uplink::decode(req.body(), h, why)) return ft::json_response(400, "{}");
      return ft::json_response(
          200, garita::uplink::encode(garita::uplink::HelloResponse{h.lane, 0, 500}));
    }
    garita::uplink::CrossingBatch b;
    if (garita::uplink::decode(req.body(), b, why)) return ft::json_response(400, "{}");
    garita::uplink::CrossingsResponse r;
    std::lock_guard lock(mutex_);
    for (const auto& c : b.crossings) {
      r.acked.push_back(c.sequence);
      acked_.push_back(c.sequence);
    }
    return ft::json_response(200, garita::uplink::encode(r));
  }

  boost::asio::io_context io_;
  ft::UplinkTestServer server_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::mutex mutex_;
  std::vector<std::uint64_t> acked_;
  std::thread thread_;
};

std::unique_ptr<BackgroundProcess> start_sim(const TempDir& dir, unsigned short port, int rate,
                                             const std::string& name) {
  const auto ready = dir / (name + ".ready");
  auto sim = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{GARITA_SIM, "llrp", "--port", std::to_string(port), "--lanes", "1",
                               "--rate", std::to_string(rate), "--preset", "clean", "--ready-file",
                               ready.string()},
      dir.path(), name);
  REQUIRE(sim->wait_for_file(ready, 10s));
  return sim;
}

std::vector<std::uint64_t> stored_sequences(const std::string& log) {
  static const std::regex line(R"(journal: crossing stored lane=L1 seq=(\d+))");
  std::vector<std::uint64_t> out;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::stoull((*it)[1].str()));
  }
  return out;
}

std::vector<std::string> pending_epcs(const std::filesystem::path& journal) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(journal.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT epc_hex FROM pending", -1, &s, nullptr);
    while (s != nullptr && sqlite3_step(s) == SQLITE_ROW) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("garita-lane: command line errors exit 2 with one line on stderr") {
  TempDir dir;
  auto r = run_process({GARITA_LANE});
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("--config or --check-config") != std::string::npos);

  write_file(dir / "bad.toml", "[lane]\nid = \"L1\"\nport_code = \"SYS\"\ntime_zon = \"UTC\"\n");
  r = run_process({GARITA_LANE, "--check-config", (dir / "bad.toml").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == (dir / "bad.toml").string() +
                     ":4: lane.time_zon: unknown key 'time_zon' (did you mean 'time_zone'?)\n");
  r = run_process({GARITA_LANE, "--config", (dir / "bad.toml").string()});
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 1);
  r = run_process({GARITA_LANE, "--config", (dir / "missing.toml").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("missing.toml") != std::string::npos);
}

TEST_CASE("garita-lane: --check-config loads the TLS files; a world-readable key is refused") {
  TempDir dir;
  REQUIRE(ft::make_test_pki(dir / "pki"));
  write_file(dir / "lane.toml", lane_config(5084, 8443));
  auto r = run_process({GARITA_LANE, "--check-config", (dir / "lane.toml").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(": ok (lane L1") != std::string::npos);
  // A certificate that does not belong to the key.
  std::filesystem::copy_file(dir / "pki/L2.pem", dir / "pki/L1.pem",
                             std::filesystem::copy_options::overwrite_existing);
  r = run_process({GARITA_LANE, "--check-config", (dir / "lane.toml").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("does not belong to certificate") != std::string::npos);
  ::chmod((dir / "pki/L1.key").c_str(), 0640);
  r = run_process({GARITA_LANE, "--check-config", (dir / "lane.toml").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("uplink.key_file: private key") != std::string::npos);
  CHECK(r.err.find("has mode 0640") != std::string::npos);
}

TEST_CASE("garita-lane: a journal that cannot be opened is a runtime error (exit 1)") {
  TempDir dir;
  REQUIRE(ft::make_test_pki(dir / "pki"));
  write_file(dir / "lane.toml", lane_config(5084, 8443, "no-such-dir/journal.db"));
  const auto r = run_process({GARITA_LANE, "--config", (dir / "lane.toml").string()}, 10s);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("journal") != std::string::npos);
  CHECK(r.err.find("no-such-dir") != std::string::npos);
}

TEST_CASE("garita-lane end to end: journal, uplink, SIGTERM flush, restart resumes") {
  TempDir dir;
  REQUIRE(ft::make_test_pki(dir / "pki"));
  const unsigned short reader_port = free_port();
  const unsigned short uplink_port = free_port();
  auto sim = start_sim(dir, reader_port, 120, "sim");
  std::vector<std::uint64_t> first_run;
  std::uint64_t last_seq = 0;
  {
    StubGaritad garitad(dir / "pki", uplink_port);
    write_file(dir / "lane.toml", lane_config(reader_port, garitad.port()));
    BackgroundProcess lane({GARITA_LANE, "--config", (dir / "lane.toml").string(), "--ready-file",
                            (dir / "lane.ready").string()},
                           dir.path(), "lane1");
    REQUIRE(lane.wait_for_file(dir / "lane.ready", 10s));
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (garitad.acked().size() < 3 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
    }
    REQUIRE(garitad.acked().size() >= 3);
    const auto result = lane.stop(20s);
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK_FALSE(std::filesystem::exists(dir / "lane.ready"));
    CHECK(result.err.find("uplink: connected to https://127.0.0.1:") != std::string::npos);
    CHECK(result.err.find("uplink: acked ") != std::string::npos);
    first_run = stored_sequences(result.err);
    REQUIRE_FALSE(first_run.empty());
    for (std::size_t i = 0; i < first_run.size(); ++i) CHECK(first_run[i] == i + 1);
    last_seq = first_run.back();
    // Every acked crossing had been journaled first (and logged as such).
    for (std::uint64_t s : garitad.acked()) CHECK(s <= last_seq);
    // No card number in the log.
    for (const std::string& epc : pending_epcs(dir / "journal.db")) {
      CHECK(result.err.find(epc) == std::string::npos);
    }
  }
  // Crossings journaled while garitad is away wait; the restart resumes the
  // numbering and sends the leftovers, oldest first.
  const auto leftovers = pending_epcs(dir / "journal.db").size();
  StubGaritad garitad(dir / "pki", uplink_port);
  BackgroundProcess lane({GARITA_LANE, "--config", (dir / "lane.toml").string(), "--ready-file",
                          (dir / "lane.ready").string()},
                         dir.path(), "lane2");
  REQUIRE(lane.wait_for_file(dir / "lane.ready", 10s));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (garitad.acked().size() < leftovers + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  sim->stop();
  const auto result = lane.stop(20s);
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("next seq " + std::to_string(last_seq + 1)) != std::string::npos);
  const auto second_run = stored_sequences(result.err);
  REQUIRE_FALSE(second_run.empty());
  CHECK(second_run.front() == last_seq + 1);
  const auto acked = garitad.acked();
  REQUIRE(acked.size() > leftovers);
  // The leftovers of the first run went up before anything of the second.
  bool seen_new = false;
  std::size_t old_after_new = 0;
  for (std::uint64_t s : acked) {
    if (s > last_seq) seen_new = true;
    if (s <= last_seq && seen_new) ++old_after_new;
  }
  CHECK(old_after_new == 0);
  CHECK(std::count_if(acked.begin(), acked.end(), [&](std::uint64_t s) { return s <= last_seq; }) ==
        static_cast<std::ptrdiff_t>(leftovers));
}
