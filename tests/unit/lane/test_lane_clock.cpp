// Timestamps: reader-to-host offset tracking (windowed minimum), uptime-only
// readers, readers without timestamps, reader and host clock jumps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <vector>

#include "LaneTestSupport.hpp"
#include "garita/common/lane/HostClockMonitor.hpp"
#include "garita/common/lane/ReaderClockTracker.hpp"

using namespace lanetest;

namespace {

// Deterministic network/report delay for read k: 2 ms at best, up to 80 ms,
// the best case at least every 10th read.
std::int64_t jitter(std::uint32_t k) {
  if (k % 10 == 3) return 2 * kMs;
  return 2 * kMs + static_cast<std::int64_t>((k * 7919U) % 78U) * kMs;
}

// Travellers k = 0..n-1: 6 reads over 1 s starting at start + k * every,
// delivered in order of arrival (read time + delay).
template <class Spec>
void walk(Driver& d, std::uint32_t n, std::int64_t start, std::int64_t every, Spec&& spec) {
  std::vector<ReadSpec> reads;
  std::uint32_t k_read = 0;
  for (std::uint32_t k = 0; k < n; ++k) {
    for (int i = 0; i < 6; ++i) {
      ReadSpec s;
      s.epc = 1000 + k;
      s.antenna = i < 3 ? 1 : 2;
      s.t = start + k * every + i * 200 * kMs;
      s.delay = jitter(k_read++);
      spec(s);
      reads.push_back(s);
    }
  }
  std::stable_sort(reads.begin(), reads.end(), [](const ReadSpec& a, const ReadSpec& b) {
    return a.t + a.delay < b.t + b.delay;
  });
  for (const ReadSpec& s : reads) d.read(s);
}

std::int64_t true_first(std::int64_t start, std::int64_t every, std::uint32_t k) {
  return start + static_cast<std::int64_t>(k) * every + kHostBase;
}

}  // namespace

TEST_CASE("the reader offset is the minimum delay sample, not the mean") {
  Driver d(lanes_config(1));
  const std::int64_t every = 3 * kS;
  walk(d, 40, kT0, every, [](ReadSpec& s) { s.reader_offset = -3'500 * kMs; });
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 40);
  std::int64_t worst_late = 0;
  for (const auto& e : d.sink.crossings) {
    const Crossing& x = e.crossing;
    const std::uint32_t k = x.epc.view()[11] + 256U * x.epc.view()[10] - 1000U;
    const std::int64_t err = x.first_seen_utc_us - true_first(kT0, every, k);
    CHECK(x.time_source == TimeSource::reader_utc);
    if (k >= 2) {
      // Once a best-case sample has been seen, the time is exact to the best-case delay.
      CHECK(err == 2 * kMs);
      CHECK(x.clock_offset_us == 3'500 * kMs + 2 * kMs);
    }
    CHECK(err >= 0);
    worst_late = std::max(worst_late, err);
  }
  // A mean of the samples would be ~40 ms late; a host receive time up to 80 ms.
  CHECK(worst_late <= 80 * kMs);
  const ReaderClockTracker* clock = d.pipeline.reader_clock(0);
  REQUIRE(clock != nullptr);
  CHECK(clock->tracking());
  CHECK(clock->jumps() == 0);
  CHECK(d.pipeline.metrics().reads_host_timed == 0);
}

TEST_CASE("the windowed minimum follows a drifting reader clock") {
  Driver d(lanes_config(1));
  const std::int64_t every = 3 * kS;
  // The reader clock runs 100 ppm fast: 60 ms over the 10 minutes.
  walk(d, 200, kT0, every, [](ReadSpec& s) { s.reader_offset = (s.t - kT0) / 10'000; });
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 200);
  std::int64_t worst = 0;
  for (const auto& e : d.sink.crossings) {
    const Crossing& x = e.crossing;
    const std::uint32_t k = x.epc.view()[11] + 256U * x.epc.view()[10] - 1000U;
    if (k < 2) continue;
    worst = std::max(worst, std::abs(x.first_seen_utc_us - true_first(kT0, every, k)));
  }
  // Error <= best-case delay + drift over one window (60 s * 100 ppm = 6 ms).
  CHECK(worst <= 2 * kMs + 6 * kMs);
  CHECK(d.sink.count(PipelineEventKind::reader_clock_jump) == 0);
}

TEST_CASE("an uptime-only reader is mapped onto host UTC") {
  Driver d(lanes_config(1));
  const std::int64_t boot = kT0 - 3'600 * kS;  // the reader booted an hour before
  const std::int64_t every = 3 * kS;
  walk(d, 10, kT0, every, [&](ReadSpec& s) { s.uptime = static_cast<std::uint64_t>(s.t - boot); });
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 10);
  for (const auto& e : d.sink.crossings) {
    const Crossing& x = e.crossing;
    const std::uint32_t k = x.epc.view()[11] + 256U * x.epc.view()[10] - 1000U;
    CHECK(x.time_source == TimeSource::reader_uptime);
    if (k >= 2) {
      CHECK(x.first_seen_utc_us - true_first(kT0, every, k) == 2 * kMs);
      CHECK(x.clock_offset_us == boot + kHostBase + 2 * kMs);  // host UTC - uptime
    }
  }
}

TEST_CASE("a reader without timestamps is timed by host receive") {
  Driver d(lanes_config(1));
  walk(d, 3, kT0, 3 * kS, [](ReadSpec& s) { s.reader_utc = false; });
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 3);
  const Crossing& x = d.sink.crossings[0].crossing;
  CHECK(x.time_source == TimeSource::host_receive);
  CHECK(x.clock_offset_us == 0);
  CHECK(x.first_seen_utc_us == kT0 + jitter(0) + kHostBase);
  CHECK(d.pipeline.metrics().reads_host_timed == 18);
}

TEST_CASE("a reader clock jump is detected, reported once and not baked into records") {
  Driver d(lanes_config(1));
  const std::int64_t every = 3 * kS;
  const std::int64_t jump_at = kT0 + 30 * kS;
  // The reader's clock is stepped one hour forward at jump_at.
  walk(d, 30, kT0, every, [&](ReadSpec& s) { s.reader_offset = s.t >= jump_at ? 3'600 * kS : 0; });
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 30);
  REQUIRE(d.sink.count(PipelineEventKind::reader_clock_jump) == 1);
  const PipelineEvent* e = d.sink.find(PipelineEventKind::reader_clock_jump);
  CHECK(e->reader_id == 0);
  CHECK(e->old_value_us == 2 * kMs);                             // host UTC - reader UTC before
  CHECK(std::abs(e->new_value_us - (-3'600 * kS)) < 100 * kMs);  // and after
  CHECK(e->mono_us >= jump_at + 2 * kS);  // confirmed after 2 s of agreeing samples
  CHECK(d.pipeline.metrics().reader_clock_jumps == 1);
  bool some_host_timed = false;
  for (const auto& c : d.sink.crossings) {
    const Crossing& x = c.crossing;
    const std::uint32_t k = x.epc.view()[11] + 256U * x.epc.view()[10] - 1000U;
    // Never an hour off: at worst timed by host receive (<= 80 ms late).
    const std::int64_t err = x.first_seen_utc_us - true_first(kT0, every, k);
    CHECK(err >= 0);
    CHECK(err <= 80 * kMs);
    some_host_timed = some_host_timed || x.time_source == TimeSource::host_receive;
  }
  CHECK(some_host_timed);  // the crossings during the confirmation
  CHECK(d.sink.crossings.back().crossing.time_source == TimeSource::reader_utc);
}

TEST_CASE("an uptime reader's reboot is a clock jump, the tracker re-converges") {
  Driver d(lanes_config(1));
  const std::int64_t every = 3 * kS;
  const std::int64_t reboot = kT0 + 30 * kS;
  walk(d, 30, kT0, every, [&](ReadSpec& s) {
    const std::int64_t since = s.t >= reboot ? s.t - reboot : s.t - (kT0 - 86'400 * kS);
    s.uptime = static_cast<std::uint64_t>(since);
  });
  d.pipeline.flush();
  REQUIRE(d.sink.crossings.size() == 30);
  CHECK(d.sink.count(PipelineEventKind::reader_clock_jump) == 1);
  for (const auto& c : d.sink.crossings) {
    const Crossing& x = c.crossing;
    const std::uint32_t k = x.epc.view()[11] + 256U * x.epc.view()[10] - 1000U;
    const std::int64_t err = x.first_seen_utc_us - true_first(kT0, every, k);
    CHECK(err >= 0);
    CHECK(err <= 80 * kMs);
  }
}

TEST_CASE("a short burst of late reports is an outlier, not a jump") {
  Driver d(lanes_config(1));
  const std::int64_t every = 3 * kS;
  std::uint32_t n = 0;
  walk(d, 20, kT0, every, [&](ReadSpec& s) {
    // Reads 60..62 (within 0.4 s) arrive 5 s late, as after a reconnect.
    if (n >= 60 && n <= 62) s.delay = 5 * kS;
    ++n;
  });
  d.pipeline.flush();
  CHECK(d.sink.count(PipelineEventKind::reader_clock_jump) == 0);
  CHECK(d.pipeline.metrics().reads_host_timed == 3);
  CHECK(d.pipeline.reader_clock(0)->outliers() == 3);
  // Nothing lost: every traveller still has a crossing.
  std::set<std::uint32_t> seen;
  for (const auto& c : d.sink.crossings) seen.insert(c.crossing.epc.view()[11]);
  CHECK(seen.size() == 20);
}

TEST_CASE("a host clock step is reported and crossings after it use the new clock") {
  Driver d(lanes_config(1));
  const std::int64_t every = 3 * kS;
  const std::int64_t step_at = kT0 + 30 * kS;
  // NTP steps the host clock 30 s forward at step_at (it was 30 s slow).
  walk(d, 20, kT0, every, [&](ReadSpec& s) {
    if (s.t + s.delay >= step_at) s.host_base = kHostBase + 30 * kS;
  });
  d.pipeline.flush();
  REQUIRE(d.sink.count(PipelineEventKind::host_clock_jump) == 1);
  const PipelineEvent* e = d.sink.find(PipelineEventKind::host_clock_jump);
  CHECK(e->new_value_us - e->old_value_us == 30 * kS);
  CHECK(d.pipeline.metrics().host_clock_jumps == 1);
  // The reader offset is tracked on the monotonic clock: no reader jump.
  CHECK(d.sink.count(PipelineEventKind::reader_clock_jump) == 0);
  REQUIRE(d.sink.crossings.size() == 20);
  for (const auto& c : d.sink.crossings) {
    const Crossing& x = c.crossing;
    const std::uint32_t k = x.epc.view()[11] + 256U * x.epc.view()[10] - 1000U;
    const std::int64_t t = kT0 + k * every;
    const std::int64_t expect = t + kHostBase + (t >= step_at ? 30 * kS : 0);
    if (k >= 2) CHECK(std::abs(x.first_seen_utc_us - expect) <= 80 * kMs);
  }
  INFO(describe(*e));
  CHECK(describe(*e).find("+30.000000 s") != std::string::npos);
}

TEST_CASE("NTP slew is not a host clock jump") {
  HostClockMonitor m(ClockConfig{});
  CHECK_FALSE(m.observe(kHostBase, 0));
  // 400 ppm slew for 10 minutes: 240 ms in all, never a jump.
  for (std::int64_t t = kS; t <= 600 * kS; t += kS) {
    CHECK_FALSE(m.observe(kHostBase + t + t / 2'500, t));
  }
  // 1.001 s in one second is.
  const auto j = m.observe(kHostBase + 601 * kS + 600 * kS / 2'500 + 1'001 * kMs, 601 * kS);
  REQUIRE(j);
  CHECK(j->new_offset_us - j->old_offset_us == 1'001 * kMs);
  CHECK(m.jumps() == 1);
}

TEST_CASE(
    "ReaderClockTracker: threshold edges, drift allowance after idle, restart on kind change") {
  ClockConfig cfg;
  cfg.reader_drift_ppm = 0;  // exact edges first
  ReaderClockTracker t(cfg);
  // Offset 1000 us (host mono - reader).
  auto r = t.observe(0, TimeSource::reader_utc, 1'000);
  CHECK(r.mono_us == 1'000);
  CHECK_FALSE(r.outlier);
  r = t.observe(kS, TimeSource::reader_utc,
                kS + 1'000 + 2 * kS);  // exactly the threshold: accepted
  CHECK_FALSE(r.outlier);
  CHECK(r.mono_us == kS + 1'000);
  r = t.observe(2 * kS, TimeSource::reader_utc,
                2 * kS + 1'000 + 2 * kS + 1);  // 1 us beyond: outlier
  CHECK(r.outlier);
  CHECK(r.mono_us == 2 * kS + 1'000 + 2 * kS + 1);
  CHECK(t.offset_us() == 1'000);
  // With the default 100 ppm, after ten idle hours a 3 s move is drift
  // (2 s + 100 ppm * 36000 s = 5.6 s allowed).
  ReaderClockTracker t2(ClockConfig{});
  t2.observe(0, TimeSource::reader_utc, 1'000);
  const std::int64_t later = 36'000 * kS;
  r = t2.observe(later, TimeSource::reader_utc, later + 1'000 + 3 * kS);
  CHECK_FALSE(r.outlier);
  CHECK(t2.offset_us() == 1'000 + 3 * kS);
  // Switching to uptime restarts tracking.
  r = t2.observe(5 * kS, TimeSource::reader_uptime, later + 4 * kS);
  CHECK(r.restarted);
  CHECK(t2.kind() == TimeSource::reader_uptime);
  CHECK(t2.offset_us() == later - kS);
}
