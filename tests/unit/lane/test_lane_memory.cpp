// Bounded memory: caps on open sessions and rearm memory under a flood of
// distinct EPCs, what happens to the overflow, and the EPC table itself.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "LaneTestSupport.hpp"
#include "garita/common/lane/EpcTable.hpp"

using namespace lanetest;

TEST_CASE("a flood of distinct EPCs keeps memory bounded and loses no valid crossing") {
  PipelineConfig c = lanes_config(1);
  c.lanes[0].max_open_sessions = 64;
  c.lanes[0].max_rearm_entries = 128;
  Driver d(c);
  constexpr std::uint32_t kCards = 10'000;
  std::uint32_t worst_open = 0;
  // Each card read twice, 50 us apart; a new card every 100 us (10 000 cards/s).
  for (std::uint32_t k = 0; k < kCards; ++k) {
    const std::int64_t t = kT0 + k * 100;
    d.read({.epc = 1 + k, .t = t});
    d.read({.antenna = 2, .epc = 1 + k, .t = t + 50});
    worst_open = std::max(worst_open, d.pipeline.open_sessions(0));
  }
  CHECK(worst_open == 64);
  CHECK(d.pipeline.session_slots_allocated(0) == 64);
  CHECK(d.pipeline.rearm_entries(0) <= 128);
  CHECK(d.pipeline.rearm_slots_allocated(0) <= 128);
  const PipelineMetrics m = d.pipeline.metrics();
  CHECK(m.session_cap_hits == kCards - 64);
  CHECK(m.rearm_cap_hits > 0);
  // Throttled: the first hit is reported at once, then at most once a minute.
  CHECK(d.sink.count(PipelineEventKind::session_cap_hit) == 1);
  CHECK(d.sink.count(PipelineEventKind::rearm_cap_hit) == 1);
  CHECK(d.sink.find(PipelineEventKind::session_cap_hit)->lane_id == "P01");
  CHECK(describe(*d.sink.find(PipelineEventKind::session_cap_hit)).find("P01") !=
        std::string::npos);
  d.pipeline.flush();
  // Overflow policy: the oldest session is closed early and judged like any
  // other, so every card that had its two reads still becomes a crossing.
  CHECK(d.sink.created() == kCards);
  CHECK(d.pipeline.metrics().crossings == kCards);
}

TEST_CASE("garbage reads (one each) leave no state behind once quiet") {
  PipelineConfig c = lanes_config(2);
  c.lanes[0].max_open_sessions = 256;
  Driver d(c);
  for (std::uint32_t k = 0; k < 5'000; ++k) d.read({.epc = 1 + k, .t = kT0 + k * 200});
  CHECK(d.pipeline.open_sessions(0) <= 256);
  d.advance(kT0 + 10 * kS);
  CHECK(d.sink.crossings.empty());
  CHECK(d.pipeline.open_sessions(0) == 0);
  CHECK(d.pipeline.pending() == 0);
  CHECK(d.pipeline.metrics().sessions_too_few_reads == 5'000);
  d.advance(kT0 + 100 * kS);
  CHECK(d.pipeline.rearm_entries(0) == 0);
  CHECK(d.pipeline.metrics().open_sessions == 0);
}

TEST_CASE("state for tags that left is dropped after rearm") {
  Driver d(lanes_config(4));
  for (std::uint32_t k = 0; k < 400; ++k) {
    const std::int64_t t = kT0 + k * 150 * kMs;
    d.read({.reader = k % 4, .epc = 1 + k, .t = t});
    d.read({.reader = k % 4, .antenna = 2, .epc = 1 + k, .t = t + 100 * kMs});
  }
  d.advance(kT0 + 70 * kS);
  CHECK(d.sink.created() == 400);
  d.advance(kT0 + 60 * kS + 70 * kS);
  const PipelineMetrics m = d.pipeline.metrics();
  CHECK(m.open_sessions == 0);
  CHECK(m.rearm_entries == 0);
  CHECK(m.pending == 0);
}

TEST_CASE("EpcTable agrees with std::map through random inserts, erases and touches") {
  using garita::lane::EpcTable;
  EpcTable<int> table(200, 42);
  std::map<std::uint32_t, int> ref;
  std::mt19937 rng(7);
  for (int step = 0; step < 200'000; ++step) {
    const auto n = static_cast<std::uint32_t>(rng() % 400);
    const EpcBytes key = epc(n);
    const std::uint32_t slot = table.find(key);
    REQUIRE((slot != EpcTable<int>::npos) == (ref.count(n) == 1));
    if (slot != EpcTable<int>::npos) {
      REQUIRE(table.value(slot) == ref[n]);
      if (rng() % 2) {
        table.erase(slot);
        ref.erase(n);
      } else {
        table.touch(slot);
      }
    } else if (!table.full()) {
      const std::uint32_t s = table.insert(key);
      table.value(s) = step;
      ref[n] = step;
    } else {
      const std::uint32_t old = table.oldest();
      const std::uint32_t old_n = table.key(old).view()[11] + 256U * table.key(old).view()[10];
      table.erase(old);
      ref.erase(old_n);
    }
    REQUIRE(table.size() == ref.size());
  }
  // The recency list holds every entry exactly once.
  std::size_t walked = 0;
  for (std::uint32_t s = table.oldest(); s != EpcTable<int>::npos; s = table.next(s)) ++walked;
  CHECK(walked == ref.size());
  CHECK(table.allocated() <= 200);
}

TEST_CASE("EpcTable keys on the bytes and the length") {
  using garita::lane::EpcTable;
  EpcTable<int> table(4);
  EpcBytes a, b;
  const std::uint8_t x[] = {1, 2, 3, 4};
  const std::uint8_t y[] = {1, 2, 3, 4, 0, 0};
  a.assign(x);
  b.assign(y);
  table.value(table.insert(a)) = 1;
  CHECK(table.find(b) == EpcTable<int>::npos);
  table.value(table.insert(b)) = 2;
  CHECK(table.value(table.find(a)) == 1);
  CHECK(table.value(table.find(b)) == 2);
}

// A pass cut in two by a restart (crash, kill -9, power loss): the restarted
// pipeline is told about the stored crossing and extends it, so the store
// sees the same (lane, sequence) again instead of a second crossing.
TEST_CASE("a crossing restored after a restart is extended, not duplicated") {
  Driver before(lanes_config(1));
  before.reads(0, 1, 7, kT0, kT0 + 500 * kMs, 100 * kMs);
  before.reads(0, 2, 7, kT0 + 600 * kMs, kT0 + 900 * kMs, 100 * kMs);
  before.advance(kT0 + 5 * kS);
  REQUIRE(before.sink.created() == 1);
  const Crossing stored = before.sink.crossings.back().crossing;
  REQUIRE(stored.direction == Direction::with_flow);

  // The daemon restarts 10 s later; the card is still in the lane.
  const std::int64_t restart = kT0 + 10 * kS;
  PipelineConfig config = lanes_config(1);
  config.lanes[0].last_sequence = stored.sequence;
  Driver after(config);
  REQUIRE(after.pipeline.restore_crossing(stored, restart, restart + kHostBase));
  CHECK(after.pipeline.rearm_entries(0) == 1);
  after.reads(0, 2, 7, restart + 1 * kS, restart + 2 * kS, 100 * kMs);
  after.advance(restart + 10 * kS);
  CHECK(after.sink.created() == 0);
  REQUIRE(after.sink.extended() == 1);
  const Crossing& grown = after.sink.crossings.back().crossing;
  CHECK(grown.sequence == stored.sequence);
  CHECK(grown.first_seen_utc_us == stored.first_seen_utc_us);
  CHECK(grown.last_seen_utc_us > stored.last_seen_utc_us);
  CHECK(grown.read_count > stored.read_count);
  CHECK(grown.direction == Direction::with_flow);  // kept across the restart

  // Another card afterwards gets the next sequence number.
  after.reads(0, 1, 8, restart + 20 * kS, restart + 21 * kS, 100 * kMs);
  after.advance(restart + 30 * kS);
  REQUIRE(after.sink.created() == 1);
  CHECK(after.sink.crossings.back().crossing.sequence == stored.sequence + 1);
}

TEST_CASE("crossings past their rearm time, or of another lane, are not restored") {
  Driver before(lanes_config(1));
  before.reads(0, 1, 7, kT0, kT0 + 500 * kMs, 100 * kMs);
  before.advance(kT0 + 5 * kS);
  REQUIRE(before.sink.created() == 1);
  Crossing stored = before.sink.crossings.back().crossing;

  const std::int64_t restart = kT0 + 120 * kS;  // rearm is 60 s
  Driver after(lanes_config(1));
  CHECK_FALSE(after.pipeline.restore_crossing(stored, restart, restart + kHostBase));
  stored.lane_id = "P99";
  CHECK_FALSE(after.pipeline.restore_crossing(stored, kT0 + 6 * kS, kT0 + 6 * kS + kHostBase));
  CHECK(after.pipeline.rearm_entries(0) == 0);
  after.reads(0, 1, 7, restart + 1 * kS, restart + 2 * kS, 100 * kMs);
  after.advance(restart + 10 * kS);
  CHECK(after.sink.created() == 1);
}
