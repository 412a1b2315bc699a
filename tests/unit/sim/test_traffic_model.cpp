#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"
#include "garita/sim/TrafficModel.hpp"

using namespace garita::sim;

namespace {

constexpr std::int64_t kSecond = 1'000'000;

struct Run {
  std::vector<TagObservation> obs;
  std::vector<GroundTruthRecord> truth;
  std::uint64_t arrived = 0;
  std::size_t peak_active = 0;
};

// Arrivals for `seconds`, then everyone walks out and the stream ends.
Run run_for(TrafficConfig c, std::int64_t seconds) {
  c.arrivals.end_time_us = c.arrivals.start_time_us + seconds * kSecond;
  TrafficModel m(c);
  Run r;
  while (auto o = m.next()) r.obs.push_back(*o);
  REQUIRE(m.finished());
  r.truth.assign(m.truth().begin(), m.truth().end());
  r.arrived = m.travelers_arrived();
  r.peak_active = m.peak_active_travelers();
  return r;
}

TrafficConfig one_lane(TrafficConfig c) {
  c.lanes.lane_ids = {7};
  return c;
}

std::map<std::uint32_t, std::vector<TagObservation>> by_traveler(const Run& r) {
  std::map<std::uint32_t, std::vector<TagObservation>> m;
  for (const auto& o : r.obs) m[o.traveler_id].push_back(o);
  return m;
}

const GroundTruthRecord& card_record(const Run& r, std::uint32_t traveler) {
  for (const auto& t : r.truth) {
    if (t.traveler_id == traveler && t.is_traveler_card) return t;
  }
  throw std::runtime_error("no record for traveller " + std::to_string(traveler));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

TEST_CASE("the same seed gives an identical stream and another seed does not") {
  TrafficConfig c;
  c.seed = 12345;
  const Run a = run_for(c, 600);
  const Run b = run_for(c, 600);
  REQUIRE(a.obs.size() > 3000);
  CHECK(a.obs == b.obs);
  CHECK(a.truth == b.truth);

  c.seed = 12346;
  const Run d = run_for(c, 600);
  CHECK(d.obs != a.obs);
  std::set<std::string> epcs_a, epcs_d;
  for (const auto& t : a.truth) epcs_a.insert(t.epc_hex);
  for (const auto& t : d.truth) epcs_d.insert(t.epc_hex);
  std::vector<std::string> common;
  std::set_intersection(epcs_a.begin(), epcs_a.end(), epcs_d.begin(), epcs_d.end(),
                        std::back_inserter(common));
  CHECK(common.empty());
}

TEST_CASE("pulling with next() and with advance_until() gives the same stream") {
  TrafficConfig c;
  c.seed = 3;
  const Run a = run_for(c, 300);
  c.arrivals.end_time_us = 300 * kSecond;
  TrafficModel m(c);
  std::vector<TagObservation> chunked;
  std::int64_t t = 0;
  while (!m.finished()) {
    t += 250'000;
    m.advance_until(t, [&](const TagObservation& o) {
      CHECK(o.time_us <= t);
      chunked.push_back(o);
    });
    CHECK(m.now_us() == t);
  }
  CHECK(chunked == a.obs);
}

TEST_CASE("observations are time-ordered and well-formed") {
  TrafficConfig c;
  c.seed = 99;
  c.arrivals.start_time_us = 1'700'000'000LL * kSecond;  // a UTC epoch works as t = 0
  const Run r = run_for(c, 900);
  REQUIRE(r.obs.size() > 5000);
  TrafficModel model(c);
  const auto antennas = model.antennas();
  REQUIRE(antennas.size() == 8);
  bool ordered = true, well_formed = true;
  std::set<std::uint16_t> channels;
  for (std::size_t i = 0; i < r.obs.size(); ++i) {
    const auto& o = r.obs[i];
    if (i > 0 && o.time_us < r.obs[i - 1].time_us) ordered = false;
    // reader_per_lane: reader = lane index, antenna 1 (entry) or 2 (exit).
    const bool antenna_ok = o.reader < 4 && (o.antenna == 1 || o.antenna == 2) &&
                            antennas[o.reader * 2U + o.antenna - 1U].lane == o.lane;
    const bool epc_ok = o.epc_len == 12 && o.tid_len == 12 && o.pc == 0x3000 &&
                        (o.epc[0] == 0xE2 || o.epc[0] == 0x30) && o.tid[0] == 0xE2;
    const bool rssi_ok = o.peak_rssi_dbm >= -78 && o.peak_rssi_dbm <= -20 &&
                         std::abs(o.rssi_cdbm - o.peak_rssi_dbm * 100) <= 50;
    if (!antenna_ok || !epc_ok || !rssi_ok || o.channel_index < 1 || o.channel_index > 50 ||
        o.time_us < c.arrivals.start_time_us) {
      well_formed = false;
    }
    channels.insert(o.channel_index);
  }
  CHECK(ordered);
  CHECK(well_formed);
  CHECK(channels.size() == 50);
}

TEST_CASE("readers hop over 50 channels with a 400 ms dwell") {
  TrafficConfig c;
  c.seed = 17;
  c.arrivals.end_time_us = 600 * kSecond;
  TrafficModel m(c);
  constexpr std::int64_t dwell = 400'000;
  for (std::uint16_t reader = 0; reader < 2; ++reader) {
    // Find a hop boundary to the microsecond.
    std::int64_t lo = 0, hi = 0;
    for (std::int64_t t = 1000; t <= dwell + 1000; t += 1000) {
      if (m.channel_at(reader, t) != m.channel_at(reader, 0)) {
        lo = t - 1000;
        hi = t;
        break;
      }
    }
    REQUIRE(hi > 0);
    while (hi - lo > 1) {
      const std::int64_t mid = (lo + hi) / 2;
      (m.channel_at(reader, mid) == m.channel_at(reader, lo) ? lo : hi) = mid;
    }
    // From there: constant for 400 ms, then the next channel; every channel
    // once per 50 dwells (FCC 15.247 equal use), and the cycle repeats.
    std::set<std::uint16_t> cycle;
    bool steady = true;
    for (std::int64_t k = 0; k < 100; ++k) {
      const std::int64_t start = hi + k * dwell;
      const auto ch = m.channel_at(reader, start);
      steady = steady && ch >= 1 && ch <= 50 && m.channel_at(reader, start + dwell - 1) == ch &&
               m.channel_at(reader, start - 1) != ch &&
               m.channel_at(reader, start + 50 * dwell) == ch;
      if (k < 50) cycle.insert(ch);
    }
    CHECK(steady);
    CHECK(cycle.size() == 50);
  }
  // Each lane's reader has its own sequence.
  std::size_t same = 0;
  for (std::int64_t t = 0; t < 100 * dwell; t += dwell) {
    if (m.channel_at(0, t) == m.channel_at(1, t)) ++same;
  }
  CHECK(same < 10);
  // And every read carries its reader's channel of the moment.
  bool consistent = true;
  while (auto o = m.next())
    consistent = consistent && o->channel_index == m.channel_at(o->reader, o->time_us);
  CHECK(consistent);
}

TEST_CASE("a normal walker gets a realistic number of reads with the defaults") {
  TrafficConfig c;
  c.seed = 2024;
  const Run r = run_for(c, 3600);
  std::vector<double> reads;
  std::size_t in_range = 0, detectable = 0;
  for (const auto& t : r.truth) {
    if (t.behaviours != behaviour::none || !t.is_traveler_card) continue;
    reads.push_back(t.reads_true_lane);
    if (t.reads_true_lane >= 5 && t.reads_true_lane <= 100) ++in_range;
    if (t.detectable) ++detectable;
  }
  REQUIRE(reads.size() > 500);
  INFO("median reads " << median(reads));
  CHECK(in_range >= reads.size() * 95 / 100);
  CHECK(median(reads) >= 30);
  CHECK(median(reads) <= 60);
  // A real lane misses a percent or two of passes; not more.
  CHECK(detectable >= reads.size() * 97 / 100);
  CHECK(detectable < reads.size());
}

TEST_CASE("RSSI rises then falls along a straight walk") {
  TrafficConfig c = one_lane(TrafficConfig::clean());
  c.lanes.antennas_per_lane = 1;
  c.arrivals.travelers_per_min_per_lane = 4;
  const Run r = run_for(c, 120);
  const auto per = by_traveler(r);
  REQUIRE(per.size() >= 4);
  for (const auto& [id, reads] : per) {
    REQUIRE(reads.size() > 10);
    std::size_t peak = 0;
    for (std::size_t i = 0; i < reads.size(); ++i) {
      if (reads[i].rssi_cdbm > reads[peak].rssi_cdbm) peak = i;
    }
    // Without fading the RSSI is a function of distance alone.
    for (std::size_t i = 1; i <= peak; ++i) CHECK(reads[i].rssi_cdbm >= reads[i - 1].rssi_cdbm);
    for (std::size_t i = peak + 1; i < reads.size(); ++i) {
      CHECK(reads[i].rssi_cdbm <= reads[i - 1].rssi_cdbm);
    }
    CHECK(peak > reads.size() / 4);
    CHECK(peak < reads.size() * 3 / 4);
    CHECK(reads[peak].rssi_cdbm - reads.front().rssi_cdbm > 500);  // > 5 dB swing
  }

  // With fading and noise the trend is still there on average: the middle
  // third of each pass is stronger than the first and last thirds.
  TrafficConfig d = one_lane(TrafficConfig{});
  d.lanes.antennas_per_lane = 1;  // two antennas give two humps
  d.behaviour = TrafficConfig::clean().behaviour;
  d.arrivals.travelers_per_min_per_lane = 10;
  d.seed = 8;
  const Run f = run_for(d, 1200);
  std::size_t passes = 0, shaped = 0;
  double rise_db = 0, fall_db = 0;
  for (const auto& [id, reads] : by_traveler(f)) {
    if (reads.size() < 15) continue;
    const std::size_t third = reads.size() / 3;
    double a = 0, b = 0, e = 0;
    for (std::size_t i = 0; i < third; ++i) a += reads[i].rssi_cdbm;
    for (std::size_t i = third; i < 2 * third; ++i) b += reads[i].rssi_cdbm;
    for (std::size_t i = reads.size() - third; i < reads.size(); ++i) e += reads[i].rssi_cdbm;
    const double n = static_cast<double>(third) * 100.0;
    rise_db += (b - a) / n;
    fall_db += (b - e) / n;
    ++passes;
    if (b > a && b > e) ++shaped;
  }
  REQUIRE(passes > 100);
  const auto p = static_cast<double>(passes);
  INFO("middle third stronger by " << rise_db / p << " / " << fall_db / p << " dB");
  CHECK(rise_db / p > 3.0);
  CHECK(fall_db / p > 3.0);
  CHECK(shaped >= passes * 3 / 4);
}

TEST_CASE("the neighbour lane sees fewer and weaker reads than the true lane") {
  TrafficConfig c;
  c.seed = 77;
  c.lanes.lane_ids = {1, 2, 3};
  c.arrivals.per_lane_travelers_per_min = {0, 4, 0};  // only the middle lane walks
  const Run r = run_for(c, 3600);
  std::uint64_t true_reads = 0, other_reads = 0;
  std::int64_t true_peak_sum = 0, other_peak_sum = 0;
  std::size_t with_other = 0, cards = 0;
  std::map<LaneId, std::size_t> reads_by_lane;
  for (const auto& o : r.obs) ++reads_by_lane[o.lane];
  for (const auto& t : r.truth) {
    if (!t.is_traveler_card || (t.behaviours & behaviour::shielded)) continue;
    ++cards;
    CHECK(t.lane == 2);
    true_reads += t.reads_true_lane;
    other_reads += t.reads_other_lanes;
    if (t.peak_rssi_other_lanes_cdbm) {
      ++with_other;
      REQUIRE(t.peak_rssi_true_lane_cdbm);
      true_peak_sum += *t.peak_rssi_true_lane_cdbm;
      other_peak_sum += *t.peak_rssi_other_lanes_cdbm;
      CHECK((t.busiest_other_lane == 1 || t.busiest_other_lane == 3));
    }
  }
  REQUIRE(cards > 200);
  // Bleed happens (geometry), but is a small fraction and much weaker.
  CHECK(with_other > cards / 10);
  CHECK(other_reads * 10 < true_reads);
  const double db_weaker =
      static_cast<double>(true_peak_sum - other_peak_sum) / 100.0 / static_cast<double>(with_other);
  INFO("neighbour peak weaker by " << db_weaker << " dB");
  CHECK(db_weaker > 10.0);
  std::uint64_t all_true = 0, all_other = 0;
  for (const auto& t : r.truth) {
    all_true += t.reads_true_lane;
    all_other += t.reads_other_lanes;
  }
  CHECK(reads_by_lane[2] == all_true);
  CHECK(reads_by_lane[1] + reads_by_lane[3] == all_other);

  // The bleed is tunable: no extra attenuation gives more, a lot gives none.
  c.radio.neighbour_extra_attenuation_db = 0;
  const Run more = run_for(c, 1200);
  c.radio.neighbour_extra_attenuation_db = 40;
  const Run none = run_for(c, 1200);
  std::uint64_t more_other = 0, none_other = 0;
  for (const auto& t : more.truth) more_other += t.reads_other_lanes;
  for (const auto& t : none.truth) none_other += t.reads_other_lanes;
  CHECK(more_other * 3 > other_reads);  // a third of the run, more than a third of the bleed
  CHECK(none_other == 0);
}

TEST_CASE("lingerers are read throughout their stop") {
  TrafficConfig c = one_lane(TrafficConfig::clean());
  c.behaviour.lingerer_probability = 1.0;
  c.behaviour.linger_min_s = 10.0;
  c.behaviour.linger_max_s = 10.0;
  const Run r = run_for(c, 600);
  REQUIRE(r.truth.size() >= 20);
  for (const auto& t : r.truth) {
    CHECK(t.behaviours == behaviour::lingerer);
    REQUIRE(t.first_read_true_lane_us);
    const auto span = *t.last_read_true_lane_us - *t.first_read_true_lane_us;
    CHECK(span > 10 * kSecond);
    CHECK(span < 20 * kSecond);
    CHECK(t.max_read_gap_true_lane_us < 2 * kSecond);  // one session
    CHECK(t.detectable);
  }

  // With the default radio (fades, misses) lingerers still span their stop.
  TrafficConfig d = one_lane(TrafficConfig{});
  d.seed = 5;
  d.behaviour.lingerer_probability = 1.0;
  d.behaviour.step_back_probability = 0;
  d.behaviour.group_probability = 0;
  d.behaviour.shielded_probability = 0;
  const Run f = run_for(d, 1200);
  std::size_t n = 0, long_enough = 0;
  for (const auto& t : f.truth) {
    if (!t.is_traveler_card || !t.first_read_true_lane_us) continue;
    ++n;
    if (*t.last_read_true_lane_us - *t.first_read_true_lane_us > 3 * kSecond) ++long_enough;
  }
  REQUIRE(n > 40);
  CHECK(long_enough >= n * 95 / 100);
}

TEST_CASE("a step-back leaves a read gap over 2 s but is one crossing in truth") {
  TrafficConfig c = one_lane(TrafficConfig::clean());
  c.behaviour.step_back_probability = 1.0;
  const Run r = run_for(c, 600);
  REQUIRE(r.truth.size() >= 20);
  CHECK(r.truth.size() == r.arrived);  // one record per traveller
  std::set<std::uint32_t> ids;
  for (const auto& t : r.truth) {
    ids.insert(t.traveler_id);
    CHECK(t.behaviours == behaviour::step_back);
    CHECK(t.detectable);
    CHECK(t.max_read_gap_true_lane_us > 2 * kSecond);
    CHECK(*t.last_read_true_lane_us - *t.first_read_true_lane_us < 60 * kSecond);
  }
  CHECK(ids.size() == r.truth.size());
  // The same gap is visible in the stream itself.
  for (const auto& [id, reads] : by_traveler(r)) {
    std::int64_t gap = 0;
    for (std::size_t i = 1; i < reads.size(); ++i) {
      gap = std::max(gap, reads[i].time_us - reads[i - 1].time_us);
    }
    CHECK(gap == card_record(r, id).max_read_gap_true_lane_us);
  }

  // With fading too: the retreat goes past the hard read bound, so the gap
  // is at least the wait out there (>= 2 s) however lucky the fades.
  TrafficConfig d = one_lane(TrafficConfig{});
  d.seed = 19;
  d.behaviour.step_back_probability = 1.0;
  d.behaviour.lingerer_probability = 0;
  d.behaviour.shielded_probability = 0;
  d.behaviour.extra_tag_probability = 0;
  d.behaviour.group_probability = 0;
  const Run f = run_for(d, 1200);
  REQUIRE(f.truth.size() > 40);
  CHECK(f.truth.size() == f.arrived);
  std::size_t detectable = 0;
  for (const auto& t : f.truth) {
    if (t.reads_true_lane >= 2) CHECK(t.max_read_gap_true_lane_us > 2 * kSecond);
    if (t.detectable) ++detectable;
  }
  CHECK(detectable >= f.truth.size() * 95 / 100);
}

TEST_CASE("shielded cards give at most one read and are not detectable") {
  TrafficConfig c;
  c.seed = 31;
  c.behaviour.shielded_probability = 1.0;
  c.behaviour.extra_tag_probability = 0;
  const Run r = run_for(c, 1800);
  REQUIRE(r.truth.size() > 50);
  std::size_t one = 0, walked_through = 0;
  for (const auto& t : r.truth) {
    CHECK((t.behaviours & behaviour::shielded) != 0);
    CHECK(t.reads_true_lane + t.reads_other_lanes <= 1);
    CHECK_FALSE(t.detectable);
    if (t.first_in_range_us) ++walked_through;  // without the sleeve it would have read
    if (t.reads_true_lane == 1) ++one;
  }
  CHECK(walked_through >= r.truth.size() * 95 / 100);
  CHECK(r.obs.size() == one);
  // shield_leak_probability 0.3: about 30% leak once (some leaks fail the link).
  CHECK(one > r.truth.size() / 10);
  CHECK(one < r.truth.size() * 4 / 10);

  c.behaviour.shield_leak_probability = 0;
  CHECK(run_for(c, 600).obs.empty());
}

TEST_CASE("counter-flow walkers reach the exit antenna first") {
  TrafficConfig c = one_lane(TrafficConfig::clean());
  c.behaviour.counter_flow_probability = 1.0;
  const Run r = run_for(c, 600);
  const auto per = by_traveler(r);
  REQUIRE(per.size() >= 20);
  for (const auto& [id, reads] : per) {
    CHECK(reads.front().antenna == 2);  // exit
    CHECK(reads.back().antenna == 1);   // entry
    CHECK(card_record(r, id).direction == Direction::exit_to_entry);
  }

  // With fading, nearly always; and normal walkers are the mirror image.
  TrafficConfig d = one_lane(TrafficConfig{});
  d.seed = 11;
  d.arrivals.travelers_per_min_per_lane = 12;
  d.behaviour.counter_flow_probability = 0.5;
  const Run f = run_for(d, 1800);
  std::size_t counter = 0, counter_exit_first = 0, normal = 0, normal_entry_first = 0;
  for (const auto& [id, reads] : by_traveler(f)) {
    const auto& t = card_record(f, id);
    if (t.behaviours & (behaviour::step_back | behaviour::shielded)) continue;
    if (t.direction == Direction::exit_to_entry) {
      ++counter;
      if (reads.front().antenna == 2) ++counter_exit_first;
    } else {
      ++normal;
      if (reads.front().antenna == 1) ++normal_entry_first;
    }
  }
  REQUIRE(counter > 100);
  REQUIRE(normal > 100);
  CHECK(counter_exit_first >= counter * 97 / 100);
  CHECK(normal_entry_first >= normal * 97 / 100);
}

TEST_CASE("arrivals match the configured rate") {
  TrafficConfig c;  // defaults, groups included: the rate counts every traveller
  c.seed = 4;
  c.arrivals.travelers_per_min_per_lane = 6.0;
  c.radio.attempts_per_s = 1.0;  // reads do not matter here; keep it fast
  const std::int64_t hours = 20;
  const Run r = run_for(c, hours * 3600);
  std::map<LaneId, std::size_t> per_lane;
  std::set<std::uint32_t> travelers;
  for (const auto& t : r.truth) {
    if (t.is_traveler_card) ++per_lane[t.lane];
    travelers.insert(t.traveler_id);
  }
  CHECK(travelers.size() == r.arrived);
  const double expected = 6.0 * 60 * static_cast<double>(hours);  // 7200 per lane
  REQUIRE(per_lane.size() == 4);
  for (const auto& [lane, n] : per_lane) {
    INFO("lane " << lane << ": " << n << " travellers, expected " << expected);
    CHECK(static_cast<double>(n) == Approx(expected).epsilon(0.04));
  }

  // A per-lane rate overrides the common one; 0 closes a lane.
  c.arrivals.per_lane_travelers_per_min = {12.0, 0.0, 3.0, 6.0};
  const Run p = run_for(c, 4 * 3600);
  std::map<LaneId, double> got;
  for (const auto& t : p.truth) {
    if (t.is_traveler_card) got[t.lane] += 1;
  }
  CHECK(got[1] == Approx(2880).epsilon(0.07));
  CHECK(got.count(2) == 0);
  CHECK(got[3] == Approx(720).epsilon(0.12));
  CHECK(got[4] == Approx(1440).epsilon(0.09));
}

TEST_CASE("memory stays bounded: only travellers near the lanes are kept") {
  TrafficConfig c;
  c.seed = 6;
  c.lanes.lane_ids = {1, 2, 3, 4, 5, 6, 7, 8};
  c.arrivals.travelers_per_min_per_lane = 20;
  c.radio.attempts_per_s = 2.0;
  c.truth.retain_records = false;
  c.arrivals.end_time_us = 4 * 3600 * kSecond;
  TrafficModel m(c);
  std::uint64_t sunk = 0;
  m.set_truth_sink([&](const GroundTruthRecord&) { ++sunk; });
  std::size_t peak_first_hour = 0;
  std::size_t max_active = 0;
  for (std::int64_t t = 60 * kSecond; t <= 4 * 3600 * kSecond; t += 60 * kSecond) {
    m.advance_until(t, [](const TagObservation&) {});
    max_active = std::max(max_active, m.active_travelers());
    if (t == 3600 * kSecond) peak_first_hour = m.peak_active_travelers();
  }
  // Little's law: 8 lanes x 20/min x ~8-20 s in the stretch = 20-50 people.
  CHECK(m.travelers_arrived() > 10000);
  CHECK(m.peak_active_travelers() < 90);
  CHECK(m.peak_active_travelers() <= peak_first_hour + 15);  // does not grow with run length
  CHECK(max_active > 5);
  CHECK(m.truth().empty());
  CHECK(sunk + m.active_travelers() >= m.travelers_arrived());
}

TEST_CASE("extra tags, groups and the document mix") {
  TrafficConfig c = one_lane(TrafficConfig{});
  c.seed = 21;
  c.behaviour.extra_tag_probability = 1.0;
  c.behaviour.group_probability = 0.5;
  c.arrivals.travelers_per_min_per_lane = 10;
  const Run r = run_for(c, 3 * 3600);
  std::map<std::uint32_t, std::vector<const GroundTruthRecord*>> per;
  for (const auto& t : r.truth) per[t.traveler_id].push_back(&t);
  REQUIRE(per.size() == r.arrived);
  std::map<garita::DocumentType, std::size_t> docs;
  for (const auto& [id, recs] : per) {
    REQUIRE(recs.size() == 2);
    const auto* card = recs[0]->is_traveler_card ? recs[0] : recs[1];
    const auto* retail = recs[0]->is_traveler_card ? recs[1] : recs[0];
    CHECK(card->is_traveler_card);
    CHECK_FALSE(retail->is_traveler_card);
    CHECK(card->epc_hex.substr(0, 6) == "E2C0DE");
    CHECK(retail->epc_hex.substr(0, 2) == "30");
    CHECK(retail->document == garita::DocumentType::unknown);
    CHECK((card->behaviours & behaviour::extra_tag) != 0);
    ++docs[card->document];
  }
  // Groups: every traveller flagged 'group' has a partner within 0.8 s.
  std::vector<std::int64_t> group_arrivals;
  for (const auto& [id, recs] : per) {
    // (A companion due after arrivals end never comes: skip the last second.)
    if ((recs[0]->behaviours & behaviour::group) &&
        recs[0]->arrival_us < (3 * 3600 - 1) * kSecond) {
      group_arrivals.push_back(recs[0]->arrival_us);
    }
  }
  std::sort(group_arrivals.begin(), group_arrivals.end());
  REQUIRE(group_arrivals.size() > 100);
  for (std::size_t i = 0; i < group_arrivals.size(); ++i) {
    const bool near_prev = i > 0 && group_arrivals[i] - group_arrivals[i - 1] <= 800'000;
    const bool near_next =
        i + 1 == group_arrivals.size() || group_arrivals[i + 1] - group_arrivals[i] <= 800'000;
    CHECK((near_prev || near_next));
  }
  // Mexican Nationals lane: BCC dominates (weight 0.80).
  const double n = static_cast<double>(per.size());
  CHECK(static_cast<double>(docs[garita::DocumentType::bcc]) / n == Approx(0.80).margin(0.03));
  CHECK(static_cast<double>(docs[garita::DocumentType::prc]) / n == Approx(0.08).margin(0.02));
  CHECK(docs.count(garita::DocumentType::global_entry) == 0);
}

TEST_CASE("truth's read-zone times agree with the reads when nothing is random") {
  TrafficConfig c = TrafficConfig::clean();
  c.seed = 2;
  const Run r = run_for(c, 600);
  REQUIRE(r.truth.size() > 50);
  for (const auto& t : r.truth) {
    CHECK(t.detectable);
    CHECK(t.reads_other_lanes == 0);
    REQUIRE(t.first_in_range_us);
    CHECK(t.first_in_range_us == t.first_read_true_lane_us);
    CHECK(t.last_in_range_us == t.last_read_true_lane_us);
    CHECK(t.arrival_us < *t.first_in_range_us);
    CHECK(*t.last_in_range_us < t.departure_us);
    CHECK(t.qualifying_reads_true_lane <= t.reads_true_lane);
  }
}

TEST_CASE("antenna numbering follows the reader layout") {
  TrafficConfig c;
  c.lanes.lane_ids = {3, 4, 5};
  TrafficModel per_lane(c);
  const auto a = per_lane.antennas();
  REQUIRE(a.size() == 6);
  CHECK(a[0].reader == 0);
  CHECK(a[0].antenna == 1);
  CHECK(a[0].role == AntennaRole::entry);
  CHECK(a[1].antenna == 2);
  CHECK(a[1].role == AntennaRole::exit);
  CHECK(a[5].reader == 2);
  CHECK(a[5].antenna == 2);
  CHECK(a[5].lane == 5);
  CHECK(a[0].y_m < a[1].y_m);
  CHECK(a[2].x_m - a[0].x_m == Approx(1.2));

  c.lanes.layout = ReaderLayout::one_reader;
  c.lanes.antennas_per_lane = 1;
  TrafficModel one(c);
  const auto b = one.antennas();
  REQUIRE(b.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(b[i].reader == 0);
    CHECK(static_cast<std::size_t>(b[i].antenna) == i + 1);
    CHECK(b[i].role == AntennaRole::single);
  }
  c.arrivals.end_time_us = 120 * kSecond;
  TrafficModel m(c);
  while (auto o = m.next()) {
    REQUIRE(o->reader == 0);
    REQUIRE(o->antenna >= 1);
    REQUIRE(o->antenna <= 3);
    REQUIRE(b[o->antenna - 1U].lane == o->lane);
  }
}

TEST_CASE("the read zone is a lane's, and step-backs leave it") {
  TrafficModel m(TrafficConfig{});
  // The hard bound (best body loss, strongest fade) stays within a few
  // metres; the stretch people walk reaches past it.
  CHECK(m.max_read_distance_m() > 1.5);
  CHECK(m.max_read_distance_m() < 5.0);
  CHECK(m.max_read_distance_other_lane_m() < m.max_read_distance_m());
  CHECK(m.stretch_half_length_m() > m.max_read_distance_m() + 0.9);
}

TEST_CASE("invalid configurations are refused with the key named") {
  std::string error;
  TrafficConfig c;
  CHECK_FALSE(validate(c, error));
  CHECK_FALSE(validate(TrafficConfig::clean(), error));

  c.lanes.antennas_per_lane = 3;
  CHECK(validate(c, error) == garita::Errc::config_bad_value);
  CHECK(error == "lanes.antennas_per_lane: must be 1 or 2");
  CHECK_THROWS_AS(TrafficModel(c), std::invalid_argument);

  c = TrafficConfig{};
  c.lanes.lane_ids = {1, 2, 1};
  CHECK(validate(c, error) == garita::Errc::config_bad_value);
  CHECK(error.rfind("lanes.lane_ids:", 0) == 0);

  c = TrafficConfig{};
  c.behaviour.lingerer_probability = 0.7;
  c.behaviour.step_back_probability = 0.5;
  CHECK(validate(c, error) == garita::Errc::config_bad_value);

  c = TrafficConfig{};
  c.arrivals.per_lane_travelers_per_min = {1, 2};
  CHECK(validate(c, error) == garita::Errc::config_bad_value);
  CHECK(error.rfind("arrivals.per_lane_travelers_per_min:", 0) == 0);

  c = TrafficConfig{};
  c.walking.tag_height_max_m = 3.0;
  CHECK(validate(c, error) == garita::Errc::config_bad_value);
}
