// End-to-end ingest, in process, as garitad wires it: the shared traffic
// model's observations become TagReads (reader clocks off by seconds,
// network delay), go through the LanePipeline (debounce, arbitration, one
// crossing per pass, documents from the example issuer table), and every
// crossing is handed to a GroupCommitter (gather window 5 ms, garitad's
// default) that commits it to a CrossingStore (SQLite, WAL,
// synchronous=FULL) in a temporary directory. One thread ingests (the
// daemon's io thread); the store's writer thread commits.
//
//   BM_Ingest_FlatOut   the whole stream as fast as the pipeline and the
//                       store take it: reads/s in, crossings/s committed
//                       (including waiting for the last COMMIT), and the
//                       session-close-to-COMMIT latency under that load
//   BM_Ingest_Paced     60 s of traffic replayed at 20x real time (busy
//                       lanes, the way readers deliver it): the latency a
//                       lane sees in normal operation (its reads/s and
//                       crossings/s are the offered load, not a capacity;
//                       the 5 ms gather window is most of its latency)
//   BM_Baseline_RawSqliteInsert/N   plain SQLite in the same run: a prepared
//                       INSERT into the same table, one transaction per N
//                       rows, WAL + synchronous=FULL (no validation, no
//                       upsert, no pipeline): the ceiling for the store
//   BM_Baseline_PipelineOnly   the same stream through the pipeline with a
//                       sink that drops the crossings
//
// "Session close" is the moment the pipeline hands the crossing to its sink
// (garitad submits it right there); "COMMIT" is when the committer calls
// back after its COMMIT returned (garitad logs "crossing committed" then).
// Counters: reads/s, crossings/s, close_to_commit p50/p99/max (ms), commits
// (transactions) and crossings per transaction.
//
//   build/release/tests/bench/bench_ingest   (docs/performance.md)
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "BenchSupport.hpp"
#include "garita/common/IssuerTable.hpp"
#include "garita/common/lane/LanePipeline.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/GroupCommitter.hpp"
#include "garita/sim/Random.hpp"
#include "garita/sim/TrafficModel.hpp"

namespace lane = garita::lane;
namespace sim = garita::sim;
namespace store = garita::store;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kS = 1'000'000;
constexpr std::int64_t kStartUtc = 1'780'000'000'000'000;
constexpr std::int64_t kHostBoot = kStartUtc - 86'400 * kS;
constexpr std::int64_t kTickUs = 50'000;  // garitad's tick (DaemonOptions::tick_us)

using garita::bench::TempDir;

struct Stream {
  std::vector<garita::TagRead> reads;  // in host receive order
  lane::PipelineConfig config;
};

// Busy lanes: 4 lanes, the realistic defaults, 20 travellers a minute per
// lane, `seconds` of arrivals; reader clocks seconds off, a few ms of
// network delay.
Stream make_stream(std::int64_t seconds, std::uint64_t seed) {
  sim::TrafficConfig sc = sim::TrafficConfig::defaults();
  sc.seed = seed;
  sc.arrivals.travelers_per_min_per_lane = 20.0;
  sc.arrivals.start_time_us = kStartUtc;
  sc.arrivals.end_time_us = kStartUtc + seconds * kS;
  sim::TrafficModel model(sc);
  Stream out;
  out.reads = garita::bench::reads_from_model(model, seed ^ 0x5EED, kHostBoot);
  auto issuers = std::make_shared<garita::IssuerTable>();
  std::string error;
  if (garita::IssuerTable::load_file(GARITA_EXAMPLE_ISSUERS, *issuers, error)) {
    std::cerr << "bench_ingest: " << error << "\n";
    std::abort();
  }
  out.config.issuers = std::move(issuers);
  out.config.hash_seed = 0x9E3779B97F4A7C15ULL;
  for (std::size_t i = 0; i < sc.lanes.lane_ids.size(); ++i) {
    lane::LaneConfig l;
    l.lane_id = "P0" + std::to_string(sc.lanes.lane_ids[i]);
    l.port_code = "SYS";
    for (const sim::AntennaInfo& a : model.antennas()) {
      if (a.lane_index != i) continue;
      l.antennas.push_back({a.reader, a.antenna,
                            a.role == sim::AntennaRole::entry  ? lane::AntennaRole::entry
                            : a.role == sim::AntennaRole::exit ? lane::AntennaRole::exit
                                                               : lane::AntennaRole::both});
    }
    out.config.lanes.push_back(l);
  }
  return out;
}

const Stream& long_stream() {
  static const Stream s = make_stream(1800, 99);  // 30 minutes, ~2 400 passes
  return s;
}

const Stream& short_stream() {
  static const Stream s = make_stream(60, 98);  // 1 minute, ~80 passes
  return s;
}

// Session close -> COMMIT latencies, recorded on the writer thread.
struct Latencies {
  std::mutex mutex;
  store::LogHistogram us;
};

// What garitad's Daemon does with each crossing: hand it to the committer
// with a callback that runs after its COMMIT returned.
struct CommitSink final : lane::LaneSink {
  store::GroupCommitter* committer = nullptr;
  Latencies* latencies = nullptr;
  std::uint64_t created = 0;
  std::uint64_t refused = 0;
  void on_crossing(const lane::CrossingEvent& e) override {
    created += e.kind == lane::CrossingEventKind::created ? 1 : 0;
    const auto closed = std::chrono::steady_clock::now();
    Latencies* l = latencies;
    auto on_committed = [l, closed](std::error_code ec) {
      if (ec) std::abort();
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - closed);
      std::lock_guard<std::mutex> lock(l->mutex);
      l->us.record(static_cast<std::uint64_t>(us.count()));
    };
    if (committer->submit(e, std::move(on_committed)))
      ++refused;  // garitad would hold it for retry
  }
  void on_event(const lane::PipelineEvent&) override {}
};

struct Run {
  TempDir dir{"garita-bench-ingest"};
  Latencies latencies;
  std::unique_ptr<store::GroupCommitter> committer;
  CommitSink sink;
  std::unique_ptr<lane::LanePipeline> pipeline;

  explicit Run(const Stream& s) {
    store::CrossingStore st;
    if (st.open(dir.file("crossings.db"))) std::abort();
    store::CommitterOptions co;
    co.gather_window = std::chrono::microseconds(5'000);  // group_commit_ms = 5
    committer = std::make_unique<store::GroupCommitter>(co);
    if (committer->start(std::move(st))) std::abort();
    sink.committer = committer.get();
    sink.latencies = &latencies;
    pipeline = std::make_unique<lane::LanePipeline>(s.config, sink);
    pipeline->set_host_clock_synchronized(true);
  }
};

void report(benchmark::State& state, std::uint64_t reads, std::uint64_t crossings, double seconds,
            const Latencies& l, const store::CommitterMetrics& m) {
  state.counters["reads/s"] = static_cast<double>(reads) / seconds;
  state.counters["crossings/s"] = static_cast<double>(crossings) / seconds;
  state.counters["close_to_commit_min_ms"] = static_cast<double>(l.us.min()) / 1000.0;
  state.counters["close_to_commit_p50_ms"] = static_cast<double>(l.us.percentile(50)) / 1000.0;
  state.counters["close_to_commit_p99_ms"] = static_cast<double>(l.us.percentile(99)) / 1000.0;
  state.counters["close_to_commit_max_ms"] = static_cast<double>(l.us.max()) / 1000.0;
  state.counters["crossings/commit"] =
      m.commits ? static_cast<double>(m.committed) / static_cast<double>(m.commits) : 0;
  state.counters["commit_p99_ms"] =
      static_cast<double>(m.commit_latency_us.percentile(99)) / 1000.0;
}

// The whole stream, flat out. Timed: replay + flush + waiting for the last
// COMMIT. Setup (temp dir, schema) is not timed.
void BM_Ingest_FlatOut(benchmark::State& state) {
  const Stream& s = long_stream();
  std::uint64_t reads = 0;
  std::uint64_t crossings = 0;
  double seconds = 0;
  Latencies all;
  store::CommitterMetrics last_metrics;
  for (auto _ : state) {
    state.PauseTiming();
    auto run = std::make_unique<Run>(s);
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    std::int64_t next_tick = s.reads.front().host_mono_us;
    for (const garita::TagRead& r : s.reads) {
      for (; next_tick <= r.host_mono_us; next_tick += kTickUs) run->pipeline->advance(next_tick);
      run->pipeline->on_read(r, r.host_mono_us);
    }
    run->pipeline->flush();
    if (run->committer->flush()) std::abort();
    const auto t1 = std::chrono::steady_clock::now();
    state.PauseTiming();
    seconds += std::chrono::duration<double>(t1 - t0).count();
    reads += s.reads.size();
    crossings += run->committer->metrics().committed;
    if (run->sink.refused != 0) std::abort();
    last_metrics = run->committer->metrics();
    (void)run->committer->stop();
    {
      std::lock_guard<std::mutex> lock(run->latencies.mutex);
      // Every iteration replays the same stream: report the last one's.
      all.us = run->latencies.us;
    }
    run.reset();
    state.ResumeTiming();
  }
  report(state, reads, crossings, seconds, all, last_metrics);
}
BENCHMARK(BM_Ingest_FlatOut)->Unit(benchmark::kMillisecond)->UseRealTime();

// 60 s of busy traffic at 20x real time (3 s per iteration): reads are fed
// when their host receive time comes, the 50 ms tick runs on time.
void BM_Ingest_Paced(benchmark::State& state) {
  const Stream& s = short_stream();
  constexpr double kSpeed = 20.0;
  std::uint64_t reads = 0;
  std::uint64_t crossings = 0;
  double seconds = 0;
  Latencies all;
  store::CommitterMetrics last_metrics;
  for (auto _ : state) {
    state.PauseTiming();
    auto run = std::make_unique<Run>(s);
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    const std::int64_t first = s.reads.front().host_mono_us;
    auto due = [&](std::int64_t mono_us) {
      return t0 + std::chrono::microseconds(
                      static_cast<std::int64_t>(static_cast<double>(mono_us - first) / kSpeed));
    };
    std::int64_t next_tick = first;
    for (const garita::TagRead& r : s.reads) {
      for (; next_tick <= r.host_mono_us; next_tick += kTickUs) {
        std::this_thread::sleep_until(due(next_tick));
        run->pipeline->advance(next_tick);
      }
      std::this_thread::sleep_until(due(r.host_mono_us));
      run->pipeline->on_read(r, r.host_mono_us);
    }
    // Let the last sessions close on the clock (gap + grace), then flush.
    const std::int64_t end = s.reads.back().host_mono_us + 2'500'000;
    for (; next_tick <= end; next_tick += kTickUs) {
      std::this_thread::sleep_until(due(next_tick));
      run->pipeline->advance(next_tick);
    }
    run->pipeline->flush();
    if (run->committer->flush()) std::abort();
    const auto t1 = std::chrono::steady_clock::now();
    state.PauseTiming();
    seconds += std::chrono::duration<double>(t1 - t0).count();
    reads += s.reads.size();
    crossings += run->committer->metrics().committed;
    last_metrics = run->committer->metrics();
    (void)run->committer->stop();
    {
      std::lock_guard<std::mutex> lock(run->latencies.mutex);
      all.us = run->latencies.us;
    }
    run.reset();
    state.ResumeTiming();
  }
  report(state, reads, crossings, seconds, all, last_metrics);
}
BENCHMARK(BM_Ingest_Paced)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// The pipeline alone on the long stream (crossings dropped).
struct DropSink final : lane::LaneSink {
  std::uint64_t created = 0;
  void on_crossing(const lane::CrossingEvent& e) override {
    created += e.kind == lane::CrossingEventKind::created ? 1 : 0;
    benchmark::DoNotOptimize(e.crossing.sequence);
  }
  void on_event(const lane::PipelineEvent&) override {}
};

void BM_Baseline_PipelineOnly(benchmark::State& state) {
  const Stream& s = long_stream();
  std::uint64_t crossings = 0;
  for (auto _ : state) {
    DropSink sink;
    lane::LanePipeline pipeline(s.config, sink);
    std::int64_t next_tick = s.reads.front().host_mono_us;
    for (const garita::TagRead& r : s.reads) {
      for (; next_tick <= r.host_mono_us; next_tick += kTickUs) pipeline.advance(next_tick);
      pipeline.on_read(r, r.host_mono_us);
    }
    pipeline.flush();
    crossings += sink.created;
  }
  const auto it = static_cast<double>(state.iterations());
  state.counters["reads/s"] =
      benchmark::Counter(it * static_cast<double>(s.reads.size()), benchmark::Counter::kIsRate);
  state.counters["crossings/s"] =
      benchmark::Counter(static_cast<double>(crossings), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Baseline_PipelineOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

// Plain SQLite: the store's own table (created by CrossingStore), a prepared
// INSERT, one transaction per N rows, WAL + synchronous=FULL. Rows are the
// crossings the pipeline made from the long stream (made once, untimed).
const std::vector<garita::Crossing>& stream_crossings() {
  static const std::vector<garita::Crossing> v = [] {
    struct Keep final : lane::LaneSink {
      std::vector<garita::Crossing> out;
      void on_crossing(const lane::CrossingEvent& e) override {
        if (e.kind == lane::CrossingEventKind::created) out.push_back(e.crossing);
      }
      void on_event(const lane::PipelineEvent&) override {}
    } keep;
    const Stream& s = long_stream();
    lane::LanePipeline pipeline(s.config, keep);
    std::int64_t next_tick = s.reads.front().host_mono_us;
    for (const garita::TagRead& r : s.reads) {
      for (; next_tick <= r.host_mono_us; next_tick += kTickUs) pipeline.advance(next_tick);
      pipeline.on_read(r, r.host_mono_us);
    }
    pipeline.flush();
    return keep.out;
  }();
  return v;
}

void BM_Baseline_RawSqliteInsert(benchmark::State& state) {
  const auto& crossings = stream_crossings();
  TempDir dir("garita-bench-ingest");
  const auto file = dir.file("raw.db");
  {
    store::CrossingStore st;
    if (st.open(file)) std::abort();
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) std::abort();
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    std::abort();
  }
  sqlite3_stmt* ins = nullptr;
  const char* sql =
      "INSERT INTO crossings (lane_id, sequence, port_code, epc, epc_hex, pc, epc_uri, epc_scheme, "
      "tid, tid_hex, tid_maker, tid_model, tid_serial, document, issuer_rule, first_seen_utc_us, "
      "last_seen_utc_us, time_source, clock_offset_us, host_clock_synchronized, read_count, "
      "peak_rssi_cdbm, antenna_mask, direction, source, created_at_us, updated_at_us) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
      "?21, ?22, ?23, ?24, ?25, ?26, ?26)";
  if (sqlite3_prepare_v2(db, sql, -1, &ins, nullptr) != SQLITE_OK) std::abort();
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::uint64_t sequence = 0;
  std::size_t at = 0;
  auto text = [&](int i, const std::string& t) {
    sqlite3_bind_text(ins, i, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
  };
  for (auto _ : state) {
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
    for (std::size_t i = 0; i < batch; ++i) {
      const garita::Crossing& c = crossings[at];
      at = (at + 1) % crossings.size();
      text(1, c.lane_id);
      sqlite3_bind_int64(ins, 2, static_cast<sqlite3_int64>(++sequence));  // unique across wraps
      text(3, c.port_code);
      sqlite3_bind_blob(ins, 4, c.epc.view().data(), static_cast<int>(c.epc.size()), SQLITE_STATIC);
      text(5, c.epc_hex);
      sqlite3_bind_int(ins, 6, c.pc.value_or(0));
      text(7, c.epc_uri);
      text(8, c.epc_scheme);
      sqlite3_bind_blob(ins, 9, c.tid.view().data(), static_cast<int>(c.tid.size()), SQLITE_STATIC);
      text(10, c.tid_hex);
      text(11, c.tid_maker);
      text(12, c.tid_model);
      text(13, c.tid_serial);
      const std::string_view doc = garita::to_string(c.document);
      sqlite3_bind_text(ins, 14, doc.data(), static_cast<int>(doc.size()), SQLITE_STATIC);
      text(15, c.issuer_rule);
      sqlite3_bind_int64(ins, 16, c.first_seen_utc_us);
      sqlite3_bind_int64(ins, 17, c.last_seen_utc_us);
      const std::string_view ts = garita::to_string(c.time_source);
      sqlite3_bind_text(ins, 18, ts.data(), static_cast<int>(ts.size()), SQLITE_STATIC);
      sqlite3_bind_int64(ins, 19, c.clock_offset_us);
      sqlite3_bind_int(ins, 20, c.host_clock_synchronized ? 1 : 0);
      sqlite3_bind_int64(ins, 21, c.read_count);
      sqlite3_bind_int(ins, 22, c.peak_rssi_cdbm);
      sqlite3_bind_int64(ins, 23, c.antenna_mask);
      const std::string_view dir_text = garita::to_string(c.direction);
      sqlite3_bind_text(ins, 24, dir_text.data(), static_cast<int>(dir_text.size()), SQLITE_STATIC);
      text(25, c.source);
      sqlite3_bind_int64(ins, 26, 1);
      if (sqlite3_step(ins) != SQLITE_DONE) {
        std::cerr << "bench_ingest: " << sqlite3_errmsg(db) << "\n";
        std::abort();
      }
      sqlite3_reset(ins);
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
  }
  sqlite3_finalize(ins);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(batch),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Baseline_RawSqliteInsert)->Arg(1)->Arg(16)->Arg(128)->Arg(1024)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
