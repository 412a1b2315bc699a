// Footprint of garita-lane on a lane board: starts garita-sim llrp (one
// lane), an in-process stub of garitad's uplink listener (mutual TLS 1.3,
// acks every crossing; the same test server the unit tests use), and the
// real garita-lane binary; samples its resident memory (VmRSS, VmHWM from
// /proc/PID/status) and CPU time (utime + stime from /proc/PID/stat) while
// idle (reader connected, no traffic) and under a steady flow of travellers.
// Prints figures; asserts nothing about them.
//
//   bench_lane_footprint [--idle-seconds 20] [--flow-seconds 30] [--rate 60]
#include <sys/types.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "../unit/firmware/UplinkTestServer.hpp"
#include "BackgroundProcess.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"

namespace {

using namespace std::chrono_literals;
using garita::test::BackgroundProcess;
namespace ft = garita::firmware::test;

struct Sample {
  long rss_kib = 0;
  long hwm_kib = 0;
  long anon_kib = 0;  // private heap/stack: what the process itself adds
  double cpu_s = 0;
};

Sample sample(pid_t pid) {
  Sample s;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::atol(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) s.hwm_kib = std::atol(line.c_str() + 6);
    if (line.rfind("RssAnon:", 0) == 0) s.anon_kib = std::atol(line.c_str() + 8);
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after ')'.
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long utime = 0;
  unsigned long stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  s.cpu_s = static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return s;
}

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "garita-lane-bench-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::unique_ptr<BackgroundProcess> start_sim(const std::filesystem::path& dir, unsigned short port,
                                             int rate, const std::string& name) {
  const auto ready = dir / (name + ".ready");
  auto sim = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{GARITA_SIM, "llrp", "--port", std::to_string(port), "--lanes", "1",
                               "--rate", std::to_string(rate), "--preset", "clean", "--quiet",
                               "--ready-file", ready.string()},
      dir, name);
  if (!sim->wait_for_file(ready, 10s)) throw std::runtime_error("garita-sim did not start");
  return sim;
}

// Waits `seconds`, then returns the figures over the window.
void measure(pid_t pid, const char* phase, int seconds, std::size_t crossings_before,
             const std::function<std::size_t()>& crossings) {
  const Sample a = sample(pid);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const Sample b = sample(pid);
  const double cpu = b.cpu_s - a.cpu_s;
  std::printf(
      "%-6s %3d s: VmRSS %6ld KiB (RssAnon %5ld KiB), VmHWM %6ld KiB, CPU %.2f s (%.2f %% of "
      "one core), %zu crossings acked by the stub\n",
      phase, seconds, b.rss_kib, b.anon_kib, b.hwm_kib, cpu, 100.0 * cpu / seconds,
      crossings() - crossings_before);
}

}  // namespace

int main(int argc, char** argv) {
  int idle_seconds = 20;
  int flow_seconds = 30;
  int rate = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string opt = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (opt == "--idle-seconds")
      idle_seconds = v;
    else if (opt == "--flow-seconds")
      flow_seconds = v;
    else if (opt == "--rate")
      rate = v;
    else {
      std::cerr << "usage: bench_lane_footprint [--idle-seconds N] [--flow-seconds N] [--rate N]\n";
      return 2;
    }
  }
  const std::filesystem::path dir = make_temp_dir();
  int status = 0;
  try {
    if (!ft::make_test_pki(dir / "pki")) throw std::runtime_error("scripts/test-pki.sh failed");

    // The stub garitad, on its own thread.
    boost::asio::io_context io;
    std::atomic<std::size_t> acked{0};
    ft::UplinkTestServer server(
        io, {dir / "pki/server.pem", dir / "pki/server.key", dir / "pki/ca.pem"},
        [&](const ft::Request& req, const std::string&) {
          std::string why;
          if (req.target() == "/v1/uplink/hello") {
            garita::uplink::Hello h;
            (void)garita::uplink::decode(req.body(), h, why);
            return ft::json_response(
                200, garita::uplink::encode(garita::uplink::HelloResponse{h.lane, 0, 500}));
          }
          garita::uplink::CrossingBatch b;
          if (garita::uplink::decode(req.body(), b, why)) return ft::json_response(400, "{}");
          garita::uplink::CrossingsResponse r;
          for (const auto& c : b.crossings) r.acked.push_back(c.sequence);
          acked += r.acked.size();
          return ft::json_response(200, garita::uplink::encode(r));
        });
    auto work = boost::asio::make_work_guard(io);
    std::thread server_thread([&] { io.run(); });

    const unsigned short reader_port = free_port();
    auto sim = start_sim(dir, reader_port, 0, "sim-idle");
    {
      std::ofstream cfg(dir / "lane.toml");
      cfg << "[lane]\nid = \"L1\"\nport_code = \"SYS\"\ntime_zone = \"UTC\"\n"
          << "[[lane.antenna]]\nantenna = 1\nrole = \"entry\"\n"
          << "[[lane.antenna]]\nantenna = 2\nrole = \"exit\"\n"
          << "[reader]\nuri = \"llrp://127.0.0.1:" << reader_port << "\"\n"
          << "[uplink]\nurl = \"https://127.0.0.1:" << server.port() << "\"\n"
          << "ca_file = \"pki/ca.pem\"\ncert_file = \"pki/L1.pem\"\nkey_file = \"pki/L1.key\"\n"
          << "[journal]\npath = \"journal.db\"\n"
          << "[light]\nkind = \"gpo\"\n";
    }
    BackgroundProcess lane({GARITA_LANE, "--config", (dir / "lane.toml").string(), "--ready-file",
                            (dir / "lane.ready").string()},
                           dir, "garita-lane");
    if (!lane.wait_for_file(dir / "lane.ready", 10s)) {
      throw std::runtime_error("garita-lane did not start: " + lane.stderr_text());
    }
    std::this_thread::sleep_for(2s);  // reader configured, uplink connected
    const auto count = [&] { return acked.load(); };
    std::printf("garita-lane footprint (1 lane, garita-sim llrp, stub uplink over mTLS 1.3)\n");
    const Sample start = sample(lane.pid());
    std::printf("start        : VmRSS %6ld KiB (RssAnon %5ld KiB), VmHWM %6ld KiB, CPU %.2f s\n",
                start.rss_kib, start.anon_kib, start.hwm_kib, start.cpu_s);
    measure(lane.pid(), "idle", idle_seconds, count(), count);

    // Steady flow: the reader restarts with traffic (the lane reconnects).
    sim->stop();
    sim = start_sim(dir, reader_port, rate, "sim-flow");
    std::this_thread::sleep_for(3s);
    std::printf("flow at %d travellers/min:\n", rate);
    measure(lane.pid(), "flow", flow_seconds, count(), count);

    sim->stop();
    const auto result = lane.stop(20s);
    const std::string err = result.err;
    std::size_t stored = 0;
    for (std::size_t p = 0; (p = err.find("journal: crossing stored", p)) != std::string::npos;
         ++p) {
      ++stored;
    }
    std::printf("garita-lane exit %d; %zu crossing(s) journaled, %zu acked by the stub\n",
                result.exit_code, stored, acked.load());
    if (std::getenv("GARITA_BENCH_VERBOSE") != nullptr) std::fprintf(stderr, "%s", err.c_str());
    if (result.exit_code != 0) {
      std::fprintf(stderr, "%s\n", err.c_str());
      status = 1;
    }
    work.reset();
    server.stop();
    io.stop();
    server_thread.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_lane_footprint: %s\n", e.what());
    status = 1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return status;
}
