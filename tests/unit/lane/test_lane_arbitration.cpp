// Arbitration between lanes: one crossing for a card seen in two lanes at
// once, in the lane with the stronger evidence (peak RSSI, then reads).
#include <catch2/catch.hpp>

#include "LaneTestSupport.hpp"

using namespace lanetest;

namespace {

// `n` reads of `epc` on lane `lane` (reader = lane, entry antenna), `step`
// apart from `from`, at `rssi`.
void burst(Driver& d, std::uint32_t lane, std::uint32_t epc_n, std::int64_t from, int n,
           std::int64_t step, std::int16_t rssi) {
  for (int i = 0; i < n; ++i) {
    d.read({.reader = lane, .antenna = 1, .epc = epc_n, .t = from + i * step, .rssi_cdbm = rssi});
  }
}

// Interleaves bursts on two lanes in time order.
void two_lane_bursts(Driver& d, std::uint32_t epc_n, std::int64_t from_a, int n_a,
                     std::int16_t rssi_a, std::int64_t from_b, int n_b, std::int16_t rssi_b,
                     std::int64_t step) {
  int i = 0, j = 0;
  while (i < n_a || j < n_b) {
    const std::int64_t ta = from_a + i * step;
    const std::int64_t tb = from_b + j * step;
    if (j >= n_b || (i < n_a && ta <= tb)) {
      d.read({.reader = 0, .epc = epc_n, .t = ta, .rssi_cdbm = rssi_a});
      ++i;
    } else {
      d.read({.reader = 1, .epc = epc_n, .t = tb, .rssi_cdbm = rssi_b});
      ++j;
    }
  }
}

}  // namespace

TEST_CASE("overlapping sessions in two lanes: the higher peak RSSI gets the crossing") {
  SECTION("the stronger lane closes first") {
    Driver d(lanes_config(2));
    two_lane_bursts(d, 1, kT0, 5, -5000, kT0 + 500 * kMs, 10, -6000, 200 * kMs);
    d.advance(kT0 + 30 * kS);
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.lane_id == "P01");
    CHECK(d.sink.crossings[0].crossing.read_count == 5);
    REQUIRE(d.sink.count(PipelineEventKind::arbitration_lost) == 1);
    const PipelineEvent* e = d.sink.find(PipelineEventKind::arbitration_lost);
    CHECK(e->lane_id == "P02");
    CHECK(e->other_lane_id == "P01");
    CHECK(e->epc == epc(1));
    CHECK(d.pipeline.lane_metrics(1).arbitration_losses == 1);
    CHECK(d.pipeline.metrics().arbitration_losses == 1);
    CHECK(d.pipeline.metrics().arbitration_timeouts == 0);
  }
  SECTION("the stronger lane closes last") {
    Driver d(lanes_config(2));
    two_lane_bursts(d, 1, kT0 + 500 * kMs, 10, -5000, kT0, 5, -6000, 200 * kMs);
    d.advance(kT0 + 30 * kS);
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.lane_id == "P01");
    CHECK(d.pipeline.lane_metrics(1).arbitration_losses == 1);
  }
  SECTION("peak RSSI beats read count") {
    Driver d(lanes_config(2));
    two_lane_bursts(d, 1, kT0, 3, -6000, kT0, 20, -5900, 100 * kMs);
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.lane_id == "P02");
  }
}

TEST_CASE("equal peak RSSI: the lane with more reads gets the crossing") {
  Driver d(lanes_config(2));
  two_lane_bursts(d, 1, kT0, 6, -5500, kT0 + 100 * kMs, 5, -5500, 200 * kMs);
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.lane_id == "P01");
  CHECK(d.sink.crossings[0].crossing.read_count == 6);

  Driver d2(lanes_config(2));
  two_lane_bursts(d2, 1, kT0, 5, -5500, kT0 + 100 * kMs, 6, -5500, 200 * kMs);
  d2.pipeline.flush();
  REQUIRE(d2.sink.crossings.size() == 1);
  CHECK(d2.sink.crossings[0].crossing.lane_id == "P02");
}

TEST_CASE("sessions in two lanes that do not overlap both count") {
  SECTION("far apart") {
    Driver d(lanes_config(2));
    burst(d, 0, 1, kT0, 5, 200 * kMs, -5000);
    burst(d, 1, 1, kT0 + 30 * kS, 5, 200 * kMs, -6000);
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 2);
    CHECK(d.sink.crossings[0].crossing.lane_id == "P01");
    CHECK(d.sink.crossings[1].crossing.lane_id == "P02");
    CHECK(d.pipeline.metrics().arbitration_losses == 0);
  }
  SECTION("exactly overlap_slack apart: they compete") {
    Driver d(lanes_config(2));
    burst(d, 0, 1, kT0, 5, 200 * kMs, -5000);  // last read kT0 + 0.8 s
    burst(d, 1, 1, kT0 + 800 * kMs + 2 * kS, 5, 200 * kMs, -6000);
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.lane_id == "P01");
  }
  SECTION("overlap_slack + 1 us apart: both count") {
    Driver d(lanes_config(2));
    burst(d, 0, 1, kT0, 5, 200 * kMs, -5000);
    burst(d, 1, 1, kT0 + 800 * kMs + 2 * kS + 1, 5, 200 * kMs, -6000);
    d.pipeline.flush();
    CHECK(d.sink.crossings.size() == 2);
  }
}

TEST_CASE("the wait for an overlapping session is bounded, then the evidence so far decides") {
  SECTION("the open session is weaker so far: the closed one wins at the time limit") {
    Driver d(lanes_config(2));
    // Lane 2 sees the card weakly for a minute (it lies near the divider);
    // lane 1 has a clear pass at the start.
    std::int64_t emitted_at = 0;
    for (std::int64_t t = kT0; t <= kT0 + 60 * kS; t += 500 * kMs) {
      if (t <= kT0 + kS) d.read({.reader = 0, .epc = 1, .t = t, .rssi_cdbm = -5000});
      d.read({.reader = 1, .epc = 1, .t = t + 1, .rssi_cdbm = -6500});
      if (emitted_at == 0 && !d.sink.crossings.empty()) emitted_at = t;
    }
    // Lane 1's session closed at ~kT0 + 3.25 s and waited max_wait (10 s).
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.lane_id == "P01");
    CHECK(emitted_at >= kT0 + kS + 2'250 * kMs + 10 * kS);
    CHECK(emitted_at <= kT0 + kS + 2'250 * kMs + 10 * kS + 500 * kMs);
    CHECK(d.sink.count(PipelineEventKind::arbitration_timeout) == 1);
    CHECK(d.pipeline.metrics().arbitration_timeouts == 1);
    d.pipeline.flush();
    // Lane 2's long session, weaker, loses to the standing decision.
    CHECK(d.sink.crossings.size() == 1);
    CHECK(d.pipeline.lane_metrics(1).arbitration_losses == 1);
  }
  SECTION("the open session is already stronger: it keeps the card") {
    Driver d(lanes_config(2));
    for (std::int64_t t = kT0; t <= kT0 + 60 * kS; t += 500 * kMs) {
      if (t <= kT0 + kS) d.read({.reader = 0, .epc = 1, .t = t, .rssi_cdbm = -6000});
      d.read({.reader = 1, .epc = 1, .t = t + 1, .rssi_cdbm = -4500});
    }
    CHECK(d.sink.crossings.empty());
    CHECK(d.pipeline.lane_metrics(0).arbitration_losses == 1);
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.lane_id == "P02");
  }
}

TEST_CASE("three lanes: the middle one, strongest, gets the card") {
  Driver d(lanes_config(3));
  for (int i = 0; i < 6; ++i) {
    const std::int64_t t = kT0 + i * 200 * kMs;
    d.read({.reader = 0, .epc = 1, .t = t, .rssi_cdbm = -6200});
    d.read({.reader = 1, .epc = 1, .t = t + 1, .rssi_cdbm = -4800});
    d.read({.reader = 2, .epc = 1, .t = t + 2, .rssi_cdbm = -6300});
  }
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.lane_id == "P02");
  CHECK(d.pipeline.metrics().arbitration_losses == 2);
}

TEST_CASE("a rival that cannot make a crossing (too few reads) does not take the card") {
  Driver d(lanes_config(2));
  burst(d, 0, 1, kT0, 5, 200 * kMs, -5000);
  d.read(
      {.reader = 1, .epc = 1, .t = kT0 + 300 * kMs, .rssi_cdbm = -3000});  // one strong bleed read
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.lane_id == "P01");
  CHECK(d.pipeline.lane_metrics(1).sessions_too_few_reads == 1);
}

TEST_CASE("lanes in different arbitration groups do not compete") {
  PipelineConfig c = lanes_config(2);
  c.lanes[1].arbitration_group = 1;
  Driver d(c);
  two_lane_bursts(d, 1, kT0, 5, -5000, kT0, 5, -6000, 200 * kMs);
  d.pipeline.flush();
  CHECK(d.sink.crossings.size() == 2);
}

TEST_CASE("extensions take part in arbitration like any session") {
  Driver d(lanes_config(2));
  burst(d, 0, 1, kT0, 5, 200 * kMs, -5000);
  d.advance(kT0 + 20 * kS);
  REQUIRE(d.sink.crossings.size() == 1);
  // 20 s later the card is back in lane 1 and bleeds weakly into lane 2.
  two_lane_bursts(d, 1, kT0 + 20 * kS, 5, -5000, kT0 + 20 * kS, 5, -6500, 200 * kMs);
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 2);
  CHECK(d.sink.crossings[1].kind == CrossingEventKind::extended);
  CHECK(d.sink.crossings[1].crossing.lane_id == "P01");
  CHECK(d.pipeline.lane_metrics(1).arbitration_losses == 1);
}

TEST_CASE("the arbitration queue is bounded, when full the oldest is decided at once") {
  PipelineConfig c = lanes_config(2);
  c.arbitration.max_pending = 8;
  Driver d(c);
  // 100 cards each read briefly in lane 1 while lane 2 keeps seeing all of
  // them weakly: every lane-1 session waits for lane 2.
  std::size_t worst_pending = 0;
  for (std::uint32_t k = 0; k < 100; ++k) {
    const std::int64_t t = kT0 + k * 100 * kMs;
    d.read({.reader = 0, .epc = 1 + k, .t = t, .rssi_cdbm = -5000});
    d.read({.reader = 0, .epc = 1 + k, .t = t + 10, .rssi_cdbm = -5000});
    for (std::uint32_t j = 0; j <= k; ++j) {
      d.read({.reader = 1, .epc = 1 + j, .t = t + 20 + j, .rssi_cdbm = -7000});
    }
    worst_pending = std::max(worst_pending, d.pipeline.pending());
  }
  CHECK(worst_pending <= 8);
  CHECK(d.pipeline.metrics().pending_cap_hits > 0);
  CHECK(d.sink.count(PipelineEventKind::pending_cap_hit) == 1);  // throttled: one report a minute
  d.pipeline.flush();
  // Every card still has exactly one crossing, in lane 1 (the stronger).
  CHECK(d.sink.crossings.size() == 100);
  for (const auto& e : d.sink.crossings) CHECK(e.crossing.lane_id == "P01");
}
