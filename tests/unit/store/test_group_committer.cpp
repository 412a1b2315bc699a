// GroupCommitter: batching, on_committed only after COMMIT, flush, stop,
// backpressure on a full queue, retry on failure without dropping, the
// shutdown deadline, raw reads, and the latency histogram.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "StoreTestSupport.hpp"
#include "garita/common/lane/PipelineEvents.hpp"
#include "garita/common/store/GroupCommitter.hpp"

using garita::Crossing;
using garita::store::CommitterOptions;
using garita::store::CrossingStore;
using garita::store::Errc;
using garita::store::GroupCommitter;
using garita::store::LogHistogram;
using garita::store::StoreOptions;
using garita::store::test::make_crossing;
using garita::store::test::RawDb;
using garita::store::test::TempDir;
using namespace std::chrono_literals;

namespace {

CrossingStore open_store(const std::filesystem::path& file, const StoreOptions& opts = {}) {
  CrossingStore s;
  const auto ec = s.open(file, opts);
  INFO(s.last_error());
  REQUIRE_FALSE(ec);
  return s;
}

std::uint64_t rows_in(const std::filesystem::path& file) {
  RawDb raw(file);
  return static_cast<std::uint64_t>(raw.integer("SELECT count(*) FROM crossings"));
}

// Collects callback results from the writer thread.
struct Results {
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::error_code>> got;
  GroupCommitter::OnCommitted callback(std::uint64_t seq) {
    return [this, seq](std::error_code ec) {
      std::lock_guard lock(mutex);
      got.emplace_back(seq, ec);
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return got.size();
  }
};

}  // namespace

TEST_CASE("committer: many crossings go in few transactions") {
  TempDir dir;
  const auto file = dir / "c.db";
  CommitterOptions opts;
  opts.gather_window = 5ms;
  GroupCommitter gc(opts);
  REQUIRE_FALSE(gc.start(open_store(file)));
  Results results;
  constexpr std::uint64_t kCount = 3000;
  // Part one: crossings pile up while the writer is busy (held by a job),
  // then go in max_batch-sized transactions.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  REQUIRE_FALSE(gc.post([&entered, released](CrossingStore&) {
    entered.set_value();
    released.wait();
  }));
  entered.get_future().wait();
  for (std::uint64_t i = 1; i <= kCount; ++i) {
    REQUIRE_FALSE(
        gc.submit(make_crossing("P01", i, static_cast<std::uint32_t>(i)), results.callback(i)));
  }
  release.set_value();
  REQUIRE_FALSE(gc.flush(10s));
  auto m = gc.metrics();
  CHECK(m.commits == 3);  // 1024 + 1024 + 952
  CHECK(m.batch_size.max() == 1024);
  CHECK(m.batch_size.min() == 952);
  // Part two: a steady stream still shares transactions (gather window).
  for (std::uint64_t i = kCount + 1; i <= 2 * kCount; ++i) {
    REQUIRE_FALSE(
        gc.submit(make_crossing("P01", i, static_cast<std::uint32_t>(i)), results.callback(i)));
  }
  REQUIRE_FALSE(gc.flush(10s));
  m = gc.metrics();
  const std::uint64_t total = 2 * kCount;
  CHECK(m.submitted == total);
  CHECK(m.committed == total);
  CHECK(m.inserted == total);
  CHECK(m.commit_errors == 0);
  CHECK(m.commits < 3 + kCount / 10);  // on average well over 10 per transaction
  CHECK(m.batch_size.count() == m.commits);
  CHECK(m.commit_latency_us.count() == m.commits);
  CHECK(m.ack_latency_us.count() == total);
  CHECK(m.queue_depth == 0);
  CHECK(m.queue_high_water >= kCount);
  REQUIRE(results.size() == total);
  // Callbacks come in submission order, all successful.
  for (std::uint64_t i = 0; i < total; ++i) {
    CHECK(results.got[i].first == i + 1);
    CHECK_FALSE(results.got[i].second);
  }
  CHECK(rows_in(file) == total);
  CHECK_FALSE(gc.stop());
}

TEST_CASE("committer: on_committed runs only after COMMIT (another connection sees the row)") {
  TempDir dir;
  const auto file = dir / "c.db";
  GroupCommitter gc;
  REQUIRE_FALSE(gc.start(open_store(file)));
  std::atomic<int> seen{0};
  std::atomic<int> missing{0};
  constexpr int kCount = 40;
  for (int i = 1; i <= kCount; ++i) {
    const auto seq = static_cast<std::uint64_t>(i);
    REQUIRE_FALSE(gc.submit(make_crossing("P05", seq), [&, seq](std::error_code ec) {
      if (ec) {
        missing++;
        return;
      }
      RawDb other(file);  // a separate connection, like another process
      const auto n =
          other.integer("SELECT count(*) FROM crossings WHERE lane_id = 'P05' AND sequence = " +
                        std::to_string(seq));
      (n == 1 ? seen : missing)++;
    }));
    if (i % 10 == 0) std::this_thread::sleep_for(3ms);  // several batches
  }
  REQUIRE_FALSE(gc.flush(10s));
  CHECK(seen == kCount);
  CHECK(missing == 0);
  CHECK_FALSE(gc.stop());
}

TEST_CASE("committer: stop commits what is queued and accepts nothing after it") {
  TempDir dir;
  const auto file = dir / "c.db";
  Results results;
  {
    CommitterOptions opts;
    opts.gather_window = 20ms;
    GroupCommitter gc(opts);
    REQUIRE_FALSE(gc.start(open_store(file)));
    for (std::uint64_t i = 1; i <= 500; ++i)
      REQUIRE_FALSE(gc.submit(make_crossing("P01", i), results.callback(i)));
    CHECK_FALSE(gc.stop());  // no flush first
    CHECK(results.size() == 500);
    CHECK(gc.submit(make_crossing("P01", 501)) == Errc::not_running);
    CHECK(gc.post([](CrossingStore&) {}) == Errc::not_running);
    CHECK_FALSE(gc.stop());  // idempotent
    CHECK_FALSE(gc.flush(10ms));
  }
  CHECK(rows_in(file) == 500);

  // The destructor stops too.
  {
    GroupCommitter gc;
    REQUIRE_FALSE(gc.start(open_store(file)));
    for (std::uint64_t i = 501; i <= 600; ++i) REQUIRE_FALSE(gc.submit(make_crossing("P01", i)));
  }
  CHECK(rows_in(file) == 600);
}

TEST_CASE("committer: start and submit refuse what they cannot take") {
  TempDir dir;
  GroupCommitter gc;
  CHECK(gc.submit(make_crossing("P01", 1)) == Errc::not_running);
  CHECK(gc.start(CrossingStore{}) == Errc::not_open);
  REQUIRE_FALSE(gc.start(open_store(dir / "c.db")));
  CHECK(gc.start(open_store(dir / "d.db")) == Errc::invalid_argument);
  std::string why;
  Crossing bad = make_crossing("P01", 1);
  bad.lane_id.clear();
  CHECK(gc.submit(bad, {}, &why) == Errc::invalid_crossing);
  CHECK(why.find("lane_id") != std::string::npos);
  CHECK(gc.metrics().submitted == 0);
}

TEST_CASE("committer: the lane pipeline's CrossingEvent is accepted as is") {
  using garita::lane::CrossingEvent;
  using garita::lane::CrossingEventKind;
  TempDir dir;
  const auto file = dir / "c.db";
  GroupCommitter gc;
  REQUIRE_FALSE(gc.start(open_store(file)));
  CrossingEvent created{CrossingEventKind::created, make_crossing("P03", 8)};
  CrossingEvent extended = created;
  extended.kind = CrossingEventKind::extended;
  extended.crossing.last_seen_utc_us += 5'000'000;
  extended.crossing.read_count = 30;
  std::vector<std::error_code> got(2, Errc::timed_out);
  REQUIRE_FALSE(gc.submit(created, [&](std::error_code ec) { got[0] = ec; }));
  REQUIRE_FALSE(gc.submit(extended, [&](std::error_code ec) { got[1] = ec; }));
  REQUIRE_FALSE(gc.flush(10s));
  CHECK_FALSE(got[0]);
  CHECK_FALSE(got[1]);
  const auto m = gc.metrics();
  CHECK(m.inserted == 1);
  CHECK(m.extended == 1);
  REQUIRE_FALSE(gc.stop());
  RawDb raw(file);
  CHECK(raw.integer("SELECT read_count FROM crossings WHERE lane_id = 'P03' AND sequence = 8") ==
        30);
}

TEST_CASE(
    "committer: a full queue blocks the submitter briefly then says queue_full and drops nothing") {
  TempDir dir;
  const auto file = dir / "c.db";
  CommitterOptions opts;
  opts.queue_capacity = 4;
  opts.gather_window = 0us;
  opts.max_submit_wait = 100ms;
  GroupCommitter gc(opts);
  REQUIRE_FALSE(gc.start(open_store(file)));

  // Hold the writer in a job so the queue cannot drain.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  REQUIRE_FALSE(gc.post([&, released](CrossingStore&) {
    entered.set_value();
    released.wait();
  }));
  entered.get_future().wait();

  Results results;
  for (std::uint64_t i = 1; i <= 4; ++i)
    REQUIRE_FALSE(gc.submit(make_crossing("P01", i), results.callback(i)));
  const auto t0 = std::chrono::steady_clock::now();
  std::string why;
  CHECK(gc.submit(make_crossing("P01", 5), results.callback(5), &why) == Errc::queue_full);
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= 90ms);  // it blocked (backpressure) before giving up
  CHECK(waited < 5s);
  CHECK(why.find("not taken") != std::string::npos);

  // A submitter blocked on the full queue goes on as soon as there is room.
  std::error_code late_ec = Errc::queue_full;  // checked on this thread (Catch is not thread-safe)
  std::thread late([&] {
    GroupCommitter::OnCommitted cb = results.callback(5);
    for (int tries = 0; tries < 50 && late_ec == Errc::queue_full; ++tries) {
      late_ec = gc.submit(make_crossing("P01", 5), cb);
    }
  });
  std::this_thread::sleep_for(20ms);
  release.set_value();
  late.join();
  CHECK_FALSE(late_ec);
  REQUIRE_FALSE(gc.flush(10s));
  CHECK(results.size() == 5);
  const auto m = gc.metrics();
  CHECK(m.submit_blocked >= 2);
  CHECK(m.submit_timeouts >= 1);
  CHECK(m.committed == 5);
  REQUIRE_FALSE(gc.stop());
  CHECK(rows_in(file) == 5);
}

TEST_CASE("committer: a failing commit is retried with backoff and reported and never dropped") {
  TempDir dir;
  const auto file = dir / "c.db";
  CrossingStore store = open_store(file);
  // Fill the store up to a small size cap: the disk is "full".
  REQUIRE_FALSE(store.set_max_size(64 * 1024));
  std::uint64_t seq = 0;
  while (!store.write(make_crossing("P01", seq + 1, static_cast<std::uint32_t>(seq + 1)))) ++seq;
  REQUIRE(seq > 10);

  std::mutex mutex;
  std::vector<std::pair<std::error_code, std::string>> errors;
  CommitterOptions opts;
  opts.retry_initial = 2ms;
  opts.retry_max = 20ms;
  opts.on_error = [&](std::error_code ec, std::string_view message) {
    std::lock_guard lock(mutex);
    errors.emplace_back(ec, std::string(message));
  };
  GroupCommitter gc(opts);
  REQUIRE_FALSE(gc.start(std::move(store)));
  Results results;
  for (std::uint64_t i = 1; i <= 50; ++i) {
    REQUIRE_FALSE(gc.submit(make_crossing("P02", i, 100000 + static_cast<std::uint32_t>(i)),
                            results.callback(i)));
  }
  CHECK(gc.flush(150ms) == Errc::timed_out);
  CHECK(results.size() == 0);  // nothing acknowledged while the disk is full
  auto m = gc.metrics();
  CHECK(m.commit_errors >= 2);
  CHECK(m.last_error == Errc::disk_full);
  {
    std::lock_guard lock(mutex);
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.front().first == Errc::disk_full);
    CHECK(errors.front().second.find(file.string()) != std::string::npos);
    CHECK(errors.front().second.find("retrying") != std::string::npos);
  }

  // The operator frees space: everything held goes in.
  std::atomic<bool> lifted{false};
  REQUIRE_FALSE(gc.post([&](CrossingStore& s) { lifted = !s.set_max_size(0); }));
  REQUIRE_FALSE(gc.flush(10s));
  CHECK(lifted);
  CHECK(results.size() == 50);
  for (const auto& [s, ec] : results.got) CHECK_FALSE(ec);
  m = gc.metrics();
  CHECK(m.committed == 50);
  REQUIRE_FALSE(gc.stop());
  RawDb raw(file);
  CHECK(raw.integer("SELECT count(*) FROM crossings WHERE lane_id = 'P02'") == 50);
}

TEST_CASE("committer: at the shutdown deadline uncommitted crossings are reported and not faked") {
  TempDir dir;
  const auto file = dir / "c.db";
  CrossingStore store = open_store(file);
  REQUIRE_FALSE(store.set_max_size(64 * 1024));
  std::uint64_t seq = 0;
  while (!store.write(make_crossing("P01", seq + 1, static_cast<std::uint32_t>(seq + 1)))) ++seq;

  CommitterOptions opts;
  opts.retry_initial = 5ms;
  opts.shutdown_deadline = 200ms;
  GroupCommitter gc(opts);
  REQUIRE_FALSE(gc.start(std::move(store)));
  Results results;
  for (std::uint64_t i = 1; i <= 10; ++i) {
    REQUIRE_FALSE(gc.submit(make_crossing("P02", i, 500000 + static_cast<std::uint32_t>(i)),
                            results.callback(i)));
  }
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(gc.stop() == Errc::uncommitted_at_shutdown);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  REQUIRE(results.size() == 10);
  for (const auto& [s, ec] : results.got) CHECK(ec == Errc::uncommitted_at_shutdown);
  CHECK(gc.metrics().failed_at_shutdown == 10);
}

TEST_CASE("committer: conflicts and rejections reach on_committed as codes") {
  TempDir dir;
  const auto file = dir / "c.db";
  CrossingStore store = open_store(file);
  REQUIRE_FALSE(store.write(make_crossing("P01", 1, 1)));
  GroupCommitter gc;
  REQUIRE_FALSE(gc.start(std::move(store)));
  Results results;
  REQUIRE_FALSE(gc.submit(make_crossing("P01", 1, 2), results.callback(1)));  // another card
  REQUIRE_FALSE(gc.submit(make_crossing("P01", 2, 3), results.callback(2)));
  REQUIRE_FALSE(gc.flush(10s));
  REQUIRE(results.size() == 2);
  CHECK(results.got[0].second == Errc::sequence_conflict);
  CHECK_FALSE(results.got[1].second);
  const auto m = gc.metrics();
  CHECK(m.conflicts == 1);
  CHECK(m.committed == 1);
  CHECK(m.last_error == Errc::sequence_conflict);
}

TEST_CASE("committer: a throwing callback does not stop the writer") {
  TempDir dir;
  GroupCommitter gc;
  REQUIRE_FALSE(gc.start(open_store(dir / "c.db")));
  REQUIRE_FALSE(gc.submit(make_crossing("P01", 1),
                          [](std::error_code) { throw std::runtime_error("boom"); }));
  REQUIRE_FALSE(gc.flush(10s));
  std::atomic<bool> second{false};
  REQUIRE_FALSE(gc.submit(make_crossing("P01", 2), [&](std::error_code ec) { second = !ec; }));
  REQUIRE_FALSE(gc.flush(10s));
  CHECK(second);
  CHECK(gc.metrics().callback_errors == 1);
  // flush() from inside a callback would wait for itself: refused.
  std::error_code inner;
  REQUIRE_FALSE(gc.submit(make_crossing("P01", 3), [&](std::error_code) { inner = gc.flush(1s); }));
  REQUIRE_FALSE(gc.flush(10s));
  CHECK(inner == Errc::invalid_argument);
}

TEST_CASE("committer: raw reads are written only when capture is on") {
  TempDir dir;
  const auto file = dir / "c.db";
  garita::TagRead r;
  r.reader_id = 1;
  r.antenna = 1;
  const std::uint8_t epc[] = {0xE2, 0x00};
  r.epc.assign(epc);
  r.host_utc_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::vector<garita::TagRead> reads(30, r);
  {
    GroupCommitter gc;
    REQUIRE_FALSE(gc.start(open_store(file)));
    CHECK(gc.submit_reads(reads) == 0);
  }
  StoreOptions capture;
  capture.raw_capture.enabled = true;
  {
    CommitterOptions opts;
    opts.raw_queue_capacity = 20;
    GroupCommitter gc(opts);
    REQUIRE_FALSE(gc.start(open_store(file, capture)));
    CHECK(gc.submit_reads(reads) == 20);  // the rest dropped, counted
    CHECK(gc.metrics().raw_reads_dropped == 10);
    REQUIRE_FALSE(gc.stop());
    CHECK(gc.metrics().raw_reads_written == 20);
  }
  RawDb raw(file);
  CHECK(raw.integer("SELECT count(*) FROM tag_reads") == 20);
}

TEST_CASE("committer: posted jobs run on the writer between transactions") {
  TempDir dir;
  GroupCommitter gc;
  REQUIRE_FALSE(gc.start(open_store(dir / "c.db")));
  for (std::uint64_t i = 1; i <= 5; ++i) REQUIRE_FALSE(gc.submit(make_crossing("P04", i)));
  REQUIRE_FALSE(gc.flush(10s));
  std::promise<std::optional<std::uint64_t>> max;
  std::atomic<bool> in_txn{true};
  REQUIRE_FALSE(gc.post([&](CrossingStore& s) {
    std::optional<std::uint64_t> m;
    in_txn = s.in_transaction();
    if (s.max_sequence("P04", m)) m = 0xdead;
    max.set_value(m);
  }));
  auto f = max.get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  CHECK(f.get() == 5u);
  CHECK_FALSE(in_txn);
}

TEST_CASE("committer: latency histogram percentiles") {
  LogHistogram h;
  CHECK(h.percentile(50) == 0);
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  CHECK(h.count() == 100);
  CHECK(h.min() == 1);
  CHECK(h.max() == 100);
  CHECK(h.mean() == Approx(50.5));
  // Within 12.5% above the exact value, never above the maximum.
  CHECK(h.percentile(50) >= 50);
  CHECK(h.percentile(50) <= 57);
  CHECK(h.percentile(99) >= 99);
  CHECK(h.percentile(99) <= 100);
  CHECK(h.percentile(100) == 100);
  h.record(0);
  CHECK(h.min() == 0);
  LogHistogram big;
  big.record(std::uint64_t{1} << 62);
  CHECK(big.percentile(50) == std::uint64_t{1} << 62);
  for (int i = 0; i < 7; ++i) big.record(3);
  CHECK(big.percentile(50) == 3);
}
