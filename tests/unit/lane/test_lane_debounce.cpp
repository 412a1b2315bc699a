// Debounce rules of the lane pipeline with exact timing edges: gap,
// min_reads, min_rssi, rearm, direction, sequences, flush, decoding.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <stdexcept>

#include "LaneTestSupport.hpp"
#include "garita/common/Errc.hpp"

using namespace lanetest;

namespace {

PipelineConfig one_lane() { return lanes_config(1); }

}  // namespace

TEST_CASE("reads exactly `gap` apart stay one session, gap + 1 us splits it") {
  PipelineConfig c = one_lane();
  c.lanes[0].min_reads = 1;
  c.lanes[0].rearm_us = 0;  // so a second session is a second crossing
  SECTION("2 s apart: one crossing of two reads") {
    Driver d(c);
    d.read({.epc = 7, .t = kT0});
    d.read({.epc = 7, .t = kT0 + 2 * kS});
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.read_count == 2);
    CHECK(d.sink.crossings[0].crossing.first_seen_utc_us == kT0 + kHostBase);
    CHECK(d.sink.crossings[0].crossing.last_seen_utc_us == kT0 + 2 * kS + kHostBase);
  }
  SECTION("2 s + 1 us apart: two crossings") {
    Driver d(c);
    d.read({.epc = 7, .t = kT0});
    d.read({.epc = 7, .t = kT0 + 2 * kS + 1});
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 2);
    CHECK(d.sink.crossings[0].crossing.read_count == 1);
    CHECK(d.sink.crossings[1].crossing.first_seen_utc_us == kT0 + 2 * kS + 1 + kHostBase);
    CHECK(d.sink.crossings[1].crossing.sequence == d.sink.crossings[0].crossing.sequence + 1);
  }
}

TEST_CASE("advance closes a session once now - last read > gap + close_grace") {
  PipelineConfig c = one_lane();
  c.close_grace_us = 250 * kMs;
  Driver d(c);
  d.read({.epc = 1, .t = kT0});
  d.read({.epc = 1, .t = kT0 + 100 * kMs});
  const std::int64_t last = kT0 + 100 * kMs;
  d.advance(last + 2 * kS + 250 * kMs);
  CHECK(d.sink.crossings.empty());
  CHECK(d.pipeline.open_sessions(0) == 1);
  d.advance(last + 2 * kS + 250 * kMs + 1);
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].kind == CrossingEventKind::created);
  CHECK(d.pipeline.open_sessions(0) == 0);
}

TEST_CASE("a session needs min_reads reads to become a crossing") {
  PipelineConfig c = one_lane();
  c.lanes[0].min_reads = 3;
  Driver d(c);
  d.reads(0, 1, 1, kT0, kT0 + 200 * kMs, 100 * kMs);  // 3 reads
  d.reads(0, 1, 2, kT0, kT0 + 100 * kMs, 100 * kMs);  // 2 reads
  d.advance(kT0 + 10 * kS);
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.epc == epc(1));
  CHECK(d.sink.crossings[0].crossing.read_count == 3);
  CHECK(d.pipeline.lane_metrics(0).sessions_too_few_reads == 1);
  CHECK(d.pipeline.metrics().sessions_opened == 2);
}

TEST_CASE("TagSeenCount counts as that many reads") {
  Driver d(one_lane());
  TagRead r = make_read({.epc = 3, .t = kT0});
  r.seen_count = 4;
  d.pipeline.on_read(r, r.host_mono_us);
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.read_count == 4);
}

TEST_CASE("reads below min_rssi are ignored, reads at min_rssi count") {
  PipelineConfig c = one_lane();
  c.lanes[0].min_rssi_cdbm = -7000;
  SECTION("at the threshold") {
    Driver d(c);
    d.read({.epc = 1, .t = kT0, .rssi_cdbm = -7000});
    d.read({.epc = 1, .t = kT0 + kS, .rssi_cdbm = -7000});
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.peak_rssi_cdbm == -7000);
  }
  SECTION("one hundredth of a dBm below") {
    Driver d(c);
    d.read({.epc = 1, .t = kT0, .rssi_cdbm = -7000});
    for (int i = 1; i <= 20; ++i) d.read({.epc = 1, .t = kT0 + i * 100 * kMs, .rssi_cdbm = -7001});
    d.pipeline.flush();
    CHECK(d.sink.crossings.empty());
    CHECK(d.pipeline.metrics().reads_below_rssi == 20);
    CHECK(d.pipeline.lane_metrics(0).reads_below_rssi == 20);
    CHECK(d.pipeline.metrics().reads_in == 21);
  }
  SECTION("weak reads do not keep a session open") {
    Driver d(c);
    d.read({.epc = 1, .t = kT0});
    for (int i = 1; i <= 30; ++i) d.read({.epc = 1, .t = kT0 + i * 100 * kMs, .rssi_cdbm = -8000});
    // Last accepted read at kT0: the session closed at kT0 + 2.25 s despite weak reads.
    CHECK(d.pipeline.open_sessions(0) == 0);
  }
  SECTION("reads without RSSI are accepted and counted") {
    Driver d(c);
    TagRead r = make_read({.epc = 1, .t = kT0});
    r.peak_rssi_cdbm.reset();
    d.pipeline.on_read(r, r.host_mono_us);
    r = make_read({.epc = 1, .t = kT0 + kS});
    r.peak_rssi_cdbm.reset();
    d.pipeline.on_read(r, r.host_mono_us);
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 1);
    CHECK(d.sink.crossings[0].crossing.peak_rssi_cdbm == 0);  // documented: 0 = no RSSI
    CHECK(d.pipeline.metrics().reads_without_rssi == 2);
  }
}

TEST_CASE("a session starting 59.999 s after a crossing extends it, at 60 s it is new") {
  PipelineConfig c = one_lane();
  const std::int64_t last = kT0 + 500 * kMs;
  SECTION("59.999 s: extended, same identity") {
    Driver d(c);
    d.reads(0, 1, 5, kT0, last, 500 * kMs);
    d.advance(last + 5 * kS);
    REQUIRE(d.sink.crossings.size() == 1);
    const Crossing first = d.sink.crossings[0].crossing;
    d.reads(0, 2, 5, last + 59'999 * kMs, last + 60'999 * kMs, 500 * kMs, -4000);
    d.advance(last + 70 * kS);
    REQUIRE(d.sink.crossings.size() == 2);
    const CrossingEvent& ext = d.sink.crossings[1];
    CHECK(ext.kind == CrossingEventKind::extended);
    CHECK(ext.crossing.lane_id == first.lane_id);
    CHECK(ext.crossing.sequence == first.sequence);
    CHECK(ext.crossing.first_seen_utc_us == first.first_seen_utc_us);
    CHECK(ext.crossing.last_seen_utc_us == last + 60'999 * kMs + kHostBase);
    CHECK(ext.crossing.read_count == 2 + 3);
    CHECK(ext.crossing.peak_rssi_cdbm == -4000);
    CHECK(ext.crossing.antenna_mask == 0b11);
    CHECK(ext.crossing.direction == Direction::with_flow);  // entry first, exit later
    CHECK(d.pipeline.metrics().extended == 1);
    CHECK(d.pipeline.metrics().crossings == 1);
  }
  SECTION("60 s: a new crossing") {
    Driver d(c);
    d.reads(0, 1, 5, kT0, last, 500 * kMs);
    d.reads(0, 1, 5, last + 60 * kS, last + 61 * kS, 500 * kMs);
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 2);
    CHECK(d.sink.created() == 2);
    CHECK(d.sink.crossings[1].crossing.sequence == d.sink.crossings[0].crossing.sequence + 1);
  }
  SECTION("a single-read session within rearm still extends") {
    Driver d(c);
    d.reads(0, 1, 5, kT0, last, 500 * kMs);
    d.read({.epc = 5, .t = last + 30 * kS});
    d.pipeline.flush();
    REQUIRE(d.sink.crossings.size() == 2);
    CHECK(d.sink.crossings[1].kind == CrossingEventKind::extended);
    CHECK(d.sink.crossings[1].crossing.read_count == 3);
  }
  SECTION("a lingerer keeps extending one crossing") {
    Driver d(c);
    for (int k = 0; k < 10; ++k) {
      const std::int64_t t = kT0 + k * 5 * kS;  // 1 s of reads every 5 s, for 50 s
      d.reads(0, 1, 5, t, t + kS, 250 * kMs);
    }
    d.pipeline.flush();
    CHECK(d.sink.created() == 1);
    CHECK(d.sink.extended() == 9);
    CHECK(d.sink.crossings.back().crossing.read_count == 50);
  }
}

TEST_CASE("rearm memory is pruned once no session could extend it") {
  Driver d(one_lane());
  for (std::uint32_t n = 1; n <= 50; ++n) d.reads(0, 1, n, kT0, kT0 + 500 * kMs, 500 * kMs);
  d.advance(kT0 + 10 * kS);
  CHECK(d.sink.crossings.size() == 50);
  CHECK(d.pipeline.rearm_entries(0) == 50);
  // Horizon: rearm + close_grace + reader_jump_threshold after the last read.
  const std::int64_t horizon = 60 * kS + 250 * kMs + 2 * kS;
  d.advance(kT0 + 500 * kMs + horizon - 1);
  CHECK(d.pipeline.rearm_entries(0) == 50);
  d.advance(kT0 + 500 * kMs + horizon);
  CHECK(d.pipeline.rearm_entries(0) == 0);
  CHECK(d.pipeline.open_sessions(0) == 0);
  CHECK(d.pipeline.pending() == 0);
}

TEST_CASE("a rearm entry stays while a long session that may extend it is open") {
  Driver d(one_lane());
  d.reads(0, 1, 9, kT0, kT0 + 500 * kMs, 500 * kMs);
  d.advance(kT0 + 5 * kS);
  REQUIRE(d.sink.crossings.size() == 1);
  // Back 50 s later and standing in the lane for 100 s.
  d.reads(0, 1, 9, kT0 + 50 * kS, kT0 + 150 * kS, kS);
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 2);
  CHECK(d.sink.crossings[1].kind == CrossingEventKind::extended);
  CHECK(d.sink.crossings[1].crossing.read_count == 2 + 101);
}

TEST_CASE("direction from the order of first reads on entry and exit antennas") {
  PipelineConfig c = one_lane();
  c.lanes[0].direction_min_separation_us = 50 * kMs;
  Driver d(c);
  // with flow: entry at 0, exit at 0.6 s
  d.read({.antenna = 1, .epc = 1, .t = kT0});
  d.read({.antenna = 2, .epc = 1, .t = kT0 + 600 * kMs});
  d.read({.antenna = 1, .epc = 1, .t = kT0 + 700 * kMs});
  // counter flow: exit first
  d.read({.antenna = 2, .epc = 2, .t = kT0});
  d.read({.antenna = 1, .epc = 2, .t = kT0 + 800 * kMs});
  // only the entry antenna
  d.read({.antenna = 1, .epc = 3, .t = kT0});
  d.read({.antenna = 1, .epc = 3, .t = kT0 + 800 * kMs});
  // first reads 50 ms apart: too close to tell
  d.read({.antenna = 1, .epc = 4, .t = kT0});
  d.read({.antenna = 2, .epc = 4, .t = kT0 + 50 * kMs});
  // 51 ms apart: with flow
  d.read({.antenna = 1, .epc = 5, .t = kT0});
  d.read({.antenna = 2, .epc = 5, .t = kT0 + 51 * kMs});
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 5);
  std::map<std::uint32_t, Direction> dir;
  for (const auto& e : d.sink.crossings) dir[e.crossing.epc.view()[11]] = e.crossing.direction;
  CHECK(dir[1] == Direction::with_flow);
  CHECK(dir[2] == Direction::counter_flow);
  CHECK(dir[3] == Direction::unknown);
  CHECK(dir[4] == Direction::unknown);
  CHECK(dir[5] == Direction::with_flow);
}

TEST_CASE("a single antenna in role `both` gives no direction, antenna 0 binds a whole reader") {
  PipelineConfig c;
  LaneConfig l;
  l.lane_id = "P09";
  l.antennas = {{4, 0, AntennaRole::both}};
  c.lanes.push_back(l);
  Driver d(c);
  d.read({.reader = 4, .antenna = 3, .epc = 1, .t = kT0});
  d.read({.reader = 4, .antenna = 0, .epc = 1, .t = kT0 + kS});
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.direction == Direction::unknown);
  CHECK(d.sink.crossings[0].crossing.antenna_mask == 0b100);
}

TEST_CASE("sequences start after the configured last sequence and increase per lane") {
  PipelineConfig c = lanes_config(2);
  c.lanes[0].last_sequence = 41;
  c.lanes[1].last_sequence = 7'000'000'000ULL;
  c.lanes[0].rearm_us = 0;
  Driver d(c);
  for (std::uint32_t k = 0; k < 5; ++k) {
    const std::int64_t t = kT0 + k * 10 * kS;
    d.reads(0, 1, 100 + k, t, t + 500 * kMs, 500 * kMs);
    d.reads(1, 1, 200 + k, t, t + 500 * kMs, 500 * kMs);
    d.reads(0, 1, 1, t, t + 500 * kMs, 500 * kMs);  // the same card again and again: rearm 0
  }
  d.pipeline.flush();
  std::map<std::string, std::vector<std::uint64_t>> seqs;
  for (const auto& e : d.sink.crossings) {
    REQUIRE(e.kind == CrossingEventKind::created);
    seqs[e.crossing.lane_id].push_back(e.crossing.sequence);
  }
  REQUIRE(seqs["P01"].size() == 10);
  REQUIRE(seqs["P02"].size() == 5);
  for (std::size_t i = 0; i < seqs["P01"].size(); ++i) CHECK(seqs["P01"][i] == 42 + i);
  for (std::size_t i = 0; i < seqs["P02"].size(); ++i)
    CHECK(seqs["P02"][i] == 7'000'000'001ULL + i);
  CHECK(d.pipeline.last_sequence(0) == 51);
  CHECK(d.pipeline.last_sequence(1) == 7'000'000'005ULL);
}

TEST_CASE("flush on shutdown emits the sessions still open") {
  Driver d(lanes_config(2));
  d.reads(0, 1, 1, kT0, kT0 + 300 * kMs, 100 * kMs);
  d.reads(1, 1, 2, kT0, kT0 + 300 * kMs, 100 * kMs);
  d.read({.epc = 3, .t = kT0 + 300 * kMs});  // one read: not a crossing
  CHECK(d.sink.crossings.empty());
  d.pipeline.flush();
  CHECK(d.sink.crossings.size() == 2);
  CHECK(d.pipeline.open_sessions(0) == 0);
  CHECK(d.pipeline.open_sessions(1) == 0);
  CHECK(d.pipeline.pending() == 0);
  CHECK(d.pipeline.metrics().sessions_too_few_reads == 1);
}

TEST_CASE("a crossing carries the decoded EPC, TID, document and provenance") {
  PipelineConfig c = one_lane();
  auto issuers = std::make_shared<IssuerTable>();
  IssuerRule rule;
  rule.name = "demo BCC";
  rule.issuer = "demo";
  rule.document = DocumentType::bcc;
  rule.epc_bits = 96;
  rule.prefix = {0xE2, 0xC0, 0xDE, 0x01};
  rule.mask = {0xFF, 0xFF, 0xFF, 0xFF};
  issuers->add(rule);
  c.issuers = issuers;
  Driver d(c);
  d.pipeline.set_host_clock_synchronized(true);
  d.read({.epc = 0xABCD, .t = kT0});
  d.read({.antenna = 2, .epc = 0xABCD, .t = kT0 + kS});
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 1);
  const Crossing& x = d.sink.crossings[0].crossing;
  CHECK(x.lane_id == "P01");
  CHECK(x.port_code == "SYS");
  CHECK(x.epc_hex == "E2C0DE01000000000000ABCD");
  CHECK(x.epc_scheme == "raw");
  CHECK(x.epc_uri.rfind("urn:epc:raw:", 0) == 0);
  CHECK(x.pc == std::optional<std::uint16_t>{0x3000});
  CHECK(x.tid_hex == "E2801160200000000000ABCD");
  CHECK(x.tid_maker.find("Impinj") != std::string::npos);
  CHECK_FALSE(x.tid_model.empty());
  CHECK(x.tid_serial == "00000000ABCD");
  CHECK(x.document == DocumentType::bcc);
  CHECK(x.issuer_rule == "demo BCC");
  CHECK(x.source == "INM-RFID");
  CHECK(x.host_clock_synchronized);
  CHECK(x.time_source == TimeSource::reader_utc);
  CHECK(x.antenna_mask == 0b11);
  CHECK(x.direction == Direction::with_flow);
}

TEST_CASE("a TID first seen in an extension is decoded into the crossing") {
  Driver d(one_lane());
  d.read({.epc = 8, .t = kT0, .with_tid = false});
  d.read({.epc = 8, .t = kT0 + kS, .with_tid = false});
  d.advance(kT0 + 10 * kS);
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.tid_hex.empty());
  d.read({.epc = 8, .t = kT0 + 20 * kS});
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 2);
  CHECK(d.sink.crossings[1].kind == CrossingEventKind::extended);
  CHECK_FALSE(d.sink.crossings[1].crossing.tid_hex.empty());
  CHECK_FALSE(d.sink.crossings[1].crossing.tid_maker.empty());
}

TEST_CASE("reads from antennas no lane owns are ignored and reported once per antenna") {
  Driver d(one_lane());
  for (int i = 0; i < 10; ++i)
    d.read({.reader = 9, .antenna = 1, .epc = 1, .t = kT0 + i * 100 * kMs});
  d.read({.reader = 0, .antenna = 3, .epc = 1, .t = kT0 + 2 * kS});
  d.pipeline.flush();
  CHECK(d.sink.crossings.empty());
  CHECK(d.pipeline.metrics().reads_unknown_antenna == 11);
  REQUIRE(d.sink.count(PipelineEventKind::unknown_antenna) == 2);
  const PipelineEvent* e = d.sink.find(PipelineEventKind::unknown_antenna);
  CHECK(e->reader_id == 9);
  CHECK(e->antenna == 1);
  CHECK(describe(*e).find("reader 9 antenna 1") != std::string::npos);
}

TEST_CASE("a read delivered late (within the grace) still joins its session") {
  Driver d(one_lane());
  d.read({.epc = 1, .t = kT0});
  // Read at +1.9 s, delivered at +2.2 s, after an advance at +2.15 s.
  d.advance(kT0 + 2150 * kMs);
  d.read({.epc = 1, .t = kT0 + 1900 * kMs, .delay = 300 * kMs, .reader_offset = 0});
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 1);
  CHECK(d.sink.crossings[0].crossing.read_count == 2);
}

TEST_CASE("invalid configurations are refused with the key at fault") {
  std::string error;
  PipelineConfig c = lanes_config(2);
  CHECK_FALSE(validate(c, error));
  c.lanes[1].antennas[0] = {0, 1, AntennaRole::entry};
  CHECK(validate(c, error) == garita::Errc::config_bad_value);
  CHECK(error == "lanes[1].antennas[0]: reader 0 antenna 1 is bound twice");
  c = lanes_config(2);
  c.lanes[1].lane_id = "P01";
  CHECK(validate(c, error));
  CHECK(error.rfind("lanes[1].lane_id", 0) == 0);
  c = lanes_config(1);
  c.lanes[0].gap_us = 0;
  CHECK(validate(c, error));
  c = lanes_config(1);
  c.arbitration.overlap_slack_us = 3 * kS;
  CHECK(validate(c, error));
  CHECK(error.rfind("arbitration.overlap_slack_us", 0) == 0);
  c = PipelineConfig{};
  CHECK(validate(c, error));
  Recorder sink;
  CHECK_THROWS_AS(LanePipeline(c, sink), std::invalid_argument);
}
