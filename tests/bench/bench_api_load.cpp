// Load on garitad's people-facing API while crossings are being stored:
// an in-process ApiService on a real HTTPS listener (loopback), a
// GroupCommitter writing synthetic crossings into the same SQLite file as
// fast as it can (each commit also goes to the live feed), then
//   phase 1: ingest alone, for --seconds;
//   phase 2: ingest + --searchers threads each running searches back to
//            back (a new TLS connection per request, as `garita search` does)
//            + --websockets live-feed clients, for --seconds.
// Prints requests/s, search latency p50/p99/max, live messages delivered,
// and the ingest rate without and with the load. Bounded in time and count;
// asserts nothing about time (tests/bench rule).
//
//   bench_api_load [--seconds 10] [--searchers 8] [--websockets 16] [--ingest-rate N]
// (--benchmark_min_time=... as CTest's smoke run passes it: 1 s phases.)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../unit/api/ApiTestSupport.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/store/GroupCommitter.hpp"

using namespace garita;
using namespace garita::daemon::api;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  double seconds = 10;
  int searchers = 8;
  int websockets = 16;
  double ingest_rate = 0;  // crossings/s; 0: as fast as the writer takes them
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    const auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (s == "--seconds") {
      a.seconds = std::max(0.5, std::stod(next()));
    } else if (s == "--searchers") {
      a.searchers = std::clamp(std::stoi(next()), 1, 64);
    } else if (s == "--websockets") {
      a.websockets = std::clamp(std::stoi(next()), 0, 30);
    } else if (s == "--ingest-rate") {
      a.ingest_rate = std::max(0.0, std::stod(next()));
    } else if (s.starts_with("--benchmark_min_time")) {
      a.seconds = 1;  // CTest smoke run
      a.searchers = 2;
      a.websockets = 2;
    }
  }
  return a;
}

// Writes crossings through the group committer for `seconds`; returns how
// many were committed. Each committed crossing is published to the feed.
std::uint64_t ingest(store::GroupCommitter& committer, ApiService& service,
                     std::uint64_t& next_sequence, double seconds, double rate) {
  std::atomic<std::uint64_t> committed{0};
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::uint64_t submitted = 0;
  const auto start = Clock::now();
  while (Clock::now() < end) {
    if (rate > 0) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(submitted) / rate));
      if (due > Clock::now()) std::this_thread::sleep_until(due);
    }
    Crossing c = test::fixture_crossing(static_cast<int>(next_sequence % 1000));
    c.lane_id = "P0" + std::to_string(1 + next_sequence % 4);
    c.sequence = 1000 + next_sequence++;
    c.first_seen_utc_us = host_now().utc_us;
    c.last_seen_utc_us = c.first_seen_utc_us + 1'000'000;
    const Crossing copy = c;
    if (committer.submit(std::move(c), [&committed, &service, copy](std::error_code ec) {
          if (ec) return;
          committed.fetch_add(1);
          service.publish_crossing(copy);
        })) {
      std::this_thread::sleep_for(1ms);  // queue full: back off
      continue;
    }
    ++submitted;
  }
  (void)committer.flush(30s);
  return committed.load();
}

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  test::ServiceOptions so;
  so.service.per_token = {1e9, 1e9, 64};  // measure the service, not the limiter
  so.service.max_live_clients = 32;
  so.service.workers = 2;
  so.listener.max_connections = 512;
  test::ApiFixture f(so);

  store::CrossingStore db;
  if (db.open(f.dir() / "crossings.db")) {
    std::fprintf(stderr, "bench_api_load: %s\n", db.last_error().c_str());
    return 1;
  }
  store::GroupCommitter committer;
  if (committer.start(std::move(db))) {
    std::fprintf(stderr, "bench_api_load: the writer did not start\n");
    return 1;
  }
  std::uint64_t sequence = 0;

  // Seed enough rows that searches page through a real table.
  (void)ingest(committer, f.service(), sequence, std::min(2.0, args.seconds), 0);

  char pace[48] = "as fast as possible";
  if (args.ingest_rate > 0) std::snprintf(pace, sizeof pace, "%.0f/s", args.ingest_rate);
  std::printf("bench_api_load: %.1f s per phase, %d searchers, %d live clients, ingest %s\n",
              args.seconds, args.searchers, args.websockets, pace);
  const std::uint64_t alone =
      ingest(committer, f.service(), sequence, args.seconds, args.ingest_rate);
  const double alone_rate = static_cast<double>(alone) / args.seconds;

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> live_messages{0};
  std::vector<std::thread> watchers;
  for (int i = 0; i < args.websockets; ++i) {
    watchers.emplace_back([&] {
      auto c = f.client(security::Role::technician);
      ApiReply refusal;
      std::string error;
      (void)c.websocket(
          "/v1/live",
          [&](const std::string&) {
            live_messages.fetch_add(1);
            return !stop.load();
          },
          std::chrono::milliseconds(static_cast<std::int64_t>(args.seconds * 1000) + 3000), refusal,
          error);
    });
  }
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(args.searchers));
  std::atomic<std::uint64_t> failures{0};
  std::vector<std::thread> searchers;
  const auto load_start = Clock::now();
  for (int i = 0; i < args.searchers; ++i) {
    searchers.emplace_back([&, i] {
      auto c = f.client(security::Role::officer);
      const char* lanes[] = {"P01", "P02", "P03", "P04"};
      int n = 0;
      while (!stop.load()) {
        const std::string target =
            std::string("/v1/crossings?limit=50&lane=") + lanes[n++ % 4] + "&since=1h";
        const auto t0 = Clock::now();
        ApiReply r;
        std::string error;
        if (c.get(target, r, error) || r.status != 200) {
          failures.fetch_add(1);
          continue;
        }
        latencies[static_cast<std::size_t>(i)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  const std::uint64_t loaded =
      ingest(committer, f.service(), sequence, args.seconds, args.ingest_rate);
  stop = true;
  const double load_s = std::chrono::duration<double>(Clock::now() - load_start).count();
  for (auto& t : searchers) t.join();
  // Wake the watchers: one more crossing ends each (they return false).
  (void)ingest(committer, f.service(), sequence, 0.2, 0);
  for (auto& t : watchers) t.join();
  (void)committer.stop();

  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  const double requests = static_cast<double>(all.size());
  const double loaded_rate = static_cast<double>(loaded) / args.seconds;
  const double p50 = quantile(all, 0.50);
  const double p99 = quantile(all, 0.99);
  const double worst = all.empty() ? 0 : all.back();
  std::printf("  searches          %8.0f requests, %7.1f requests/s, %llu failed\n", requests,
              requests / load_s, static_cast<unsigned long long>(failures.load()));
  std::printf(
      "  search latency    p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms (TLS handshake "
      "included)\n",
      p50, p99, worst);
  std::printf(
      "  live feed         %llu messages to %d clients; %llu clients dropped for a full "
      "queue (%zu messages each)\n",
      static_cast<unsigned long long>(live_messages.load()), args.websockets,
      static_cast<unsigned long long>(f.service().counters().live_dropped), std::size_t{256});
  std::printf("  ingest alone      %8.0f crossings/s\n", alone_rate);
  std::printf("  ingest under load %8.0f crossings/s (%.0f %% of alone)\n", loaded_rate,
              alone_rate > 0 ? 100.0 * loaded_rate / alone_rate : 0.0);
  return failures.load() == 0 ? 0 : 1;
}
