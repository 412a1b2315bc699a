// Crossing store write cost, beside a baseline measured in the same run:
// plain SQLite inserting the same rows into the same table with a prepared
// INSERT, one transaction per batch, WAL + synchronous=FULL. Every case
// commits (fsyncs) for real, in a temporary directory on the build machine's
// disk, so the figures are about that disk as much as about the code.
// docs/data-formats.md ("Performance") records them.
//   build/release/tests/bench/bench_store
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "BenchSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/GroupCommitter.hpp"

namespace {

namespace fs = std::filesystem;
using garita::Crossing;

using garita::bench::TempDir;

// A crossing as a lane makes it: 96-bit non-GS1 card number, a TID, a document.
Crossing make_crossing(std::uint64_t sequence) {
  Crossing c;
  c.lane_id = "P0" + std::to_string(sequence % 8);
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
                                static_cast<std::uint8_t>(sequence >> 24),
                                static_cast<std::uint8_t>(sequence >> 16),
                                static_cast<std::uint8_t>(sequence >> 8),
                                static_cast<std::uint8_t>(sequence)};
  c.epc.assign(epc);
  c.pc = 0x3000;
  c.epc_hex = garita::to_hex(c.epc.view());
  c.epc_uri = "urn:epc:raw:96.x" + c.epc_hex;
  c.epc_scheme = "raw";
  const std::uint8_t tid[12] = {0xE2, 0x80, 0x11, 0x30, 0x20, 0x00,
                                0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};
  c.tid.assign(tid);
  c.tid_hex = garita::to_hex(c.tid.view());
  c.tid_maker = "Impinj";
  c.tid_model = "Monza R6";
  c.tid_serial = "123456789ABC";
  c.document = garita::DocumentType::bcc;
  c.issuer_rule = "bcc";
  c.first_seen_utc_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(sequence) * 1000;
  c.last_seen_utc_us = c.first_seen_utc_us + 400'000;
  c.time_source = garita::TimeSource::reader_utc;
  c.read_count = 14;
  c.peak_rssi_cdbm = -5200;
  c.antenna_mask = 0x3;
  c.direction = garita::Direction::with_flow;
  return c;
}

std::vector<Crossing> rows(std::uint64_t first, std::size_t n) {
  std::vector<Crossing> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) v.push_back(make_crossing(first + i));
  return v;
}

garita::store::CrossingStore open_store(const fs::path& file) {
  garita::store::CrossingStore store;
  if (store.open(file)) std::abort();
  return store;
}

// Baseline: the same table (created by the store), filled with plain
// prepared INSERTs, no validation, no upsert.
void BM_RawSqlite_BatchInsert(benchmark::State& state) {
  TempDir dir("garita-bench-store");
  const auto file = dir.file("raw.db");
  open_store(file).close();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) std::abort();
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
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
  std::uint64_t next = 1;
  auto text = [&](int i, const std::string& t) {
    sqlite3_bind_text(ins, i, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
  };
  for (auto _ : state) {
    state.PauseTiming();
    const auto batch_rows = rows(next, batch);
    next += batch;
    state.ResumeTiming();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (const Crossing& c : batch_rows) {
      text(1, c.lane_id);
      sqlite3_bind_int64(ins, 2, static_cast<sqlite3_int64>(c.sequence));
      text(3, c.port_code);
      sqlite3_bind_blob(ins, 4, c.epc.view().data(), static_cast<int>(c.epc.size()), SQLITE_STATIC);
      text(5, c.epc_hex);
      sqlite3_bind_int(ins, 6, *c.pc);
      text(7, c.epc_uri);
      text(8, c.epc_scheme);
      sqlite3_bind_blob(ins, 9, c.tid.view().data(), static_cast<int>(c.tid.size()), SQLITE_STATIC);
      text(10, c.tid_hex);
      text(11, c.tid_maker);
      text(12, c.tid_model);
      text(13, c.tid_serial);
      sqlite3_bind_text(ins, 14, "BCC", 3, SQLITE_STATIC);
      text(15, c.issuer_rule);
      sqlite3_bind_int64(ins, 16, c.first_seen_utc_us);
      sqlite3_bind_int64(ins, 17, c.last_seen_utc_us);
      sqlite3_bind_text(ins, 18, "reader_utc", -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 19, c.clock_offset_us);
      sqlite3_bind_int(ins, 20, 0);
      sqlite3_bind_int64(ins, 21, c.read_count);
      sqlite3_bind_int(ins, 22, c.peak_rssi_cdbm);
      sqlite3_bind_int64(ins, 23, c.antenna_mask);
      sqlite3_bind_text(ins, 24, "with_flow", -1, SQLITE_STATIC);
      text(25, c.source);
      sqlite3_bind_int64(ins, 26, 1);
      if (sqlite3_step(ins) != SQLITE_DONE) std::abort();
      sqlite3_reset(ins);
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
  }
  sqlite3_finalize(ins);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(BM_RawSqlite_BatchInsert)->Arg(1)->Arg(16)->Arg(128)->Arg(1024)->UseRealTime();

void BM_CrossingStore_WriteBatch(benchmark::State& state) {
  TempDir dir("garita-bench-store");
  auto store = open_store(dir.file("store.db"));
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::uint64_t next = 1;
  std::vector<garita::store::WriteOutcome> outcomes;
  for (auto _ : state) {
    state.PauseTiming();
    const auto batch_rows = rows(next, batch);
    next += batch;
    state.ResumeTiming();
    if (store.write_batch(batch_rows, &outcomes)) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(BM_CrossingStore_WriteBatch)->Arg(1)->Arg(16)->Arg(128)->Arg(1024)->UseRealTime();

// Extending existing rows (the "session re-opened" path: insert misses,
// update hits).
void BM_CrossingStore_ExtendBatch(benchmark::State& state) {
  TempDir dir("garita-bench-store");
  auto store = open_store(dir.file("store.db"));
  const auto batch = static_cast<std::size_t>(state.range(0));
  auto base = rows(1, batch);
  if (store.write_batch(base)) std::abort();
  for (auto _ : state) {
    for (auto& c : base) {
      c.last_seen_utc_us += 1000;
      ++c.read_count;
    }
    if (store.write_batch(base)) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(BM_CrossingStore_ExtendBatch)->Arg(128)->UseRealTime();

// End to end: one submitter thread, the writer thread, a callback per
// crossing. Each iteration submits `range(0)` crossings and flushes.
void BM_GroupCommitter_EndToEnd(benchmark::State& state) {
  TempDir dir("garita-bench-store");
  garita::store::CommitterOptions opts;
  opts.max_submit_wait = std::chrono::milliseconds{60'000};
  garita::store::GroupCommitter gc(opts);
  if (gc.start(open_store(dir.file("gc.db")))) std::abort();
  const auto per_iteration = static_cast<std::size_t>(state.range(0));
  std::uint64_t next = 1;
  std::uint64_t acked = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto batch_rows = rows(next, per_iteration);
    next += per_iteration;
    state.ResumeTiming();
    for (auto& c : batch_rows) {
      if (gc.submit(std::move(c), [&acked](std::error_code ec) {
            if (!ec) ++acked;
          })) {
        std::abort();
      }
    }
    if (gc.flush()) std::abort();
  }
  const auto m = gc.metrics();
  if (gc.stop() || acked != m.committed) std::abort();
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
  state.counters["commits"] = static_cast<double>(m.commits);
  state.counters["batch_mean"] = m.batch_size.mean();
  state.counters["commit_p50_us"] = static_cast<double>(m.commit_latency_us.percentile(50));
  state.counters["commit_p99_us"] = static_cast<double>(m.commit_latency_us.percentile(99));
  state.counters["ack_p50_us"] = static_cast<double>(m.ack_latency_us.percentile(50));
  state.counters["ack_p99_us"] = static_cast<double>(m.ack_latency_us.percentile(99));
}
BENCHMARK(BM_GroupCommitter_EndToEnd)->Arg(1)->Arg(100)->Arg(5000)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
