#pragma once
// Helpers for the lane pipeline tests: a recording sink, lane layouts, and
// a driver that feeds reads with explicit times (no sleeping, no clocks).
#include <cstdint>
#include <string>
#include <vector>

#include "garita/common/TagRead.hpp"
#include "garita/common/lane/LanePipeline.hpp"

namespace lanetest {

using namespace garita;
using namespace garita::lane;

constexpr std::int64_t kS = 1'000'000;
constexpr std::int64_t kMs = 1'000;
// Host UTC - host monotonic in the tests (the host booted a while ago).
constexpr std::int64_t kHostBase = 1'780'000'000'000'000;
// Monotonic time the tests start at.
constexpr std::int64_t kT0 = 1'000 * kS;

struct Recorder final : LaneSink {
  std::vector<CrossingEvent> crossings;
  std::vector<PipelineEvent> events;
  void on_crossing(const CrossingEvent& e) override { crossings.push_back(e); }
  void on_event(const PipelineEvent& e) override { events.push_back(e); }

  std::size_t created() const;
  std::size_t extended() const;
  std::size_t count(PipelineEventKind kind) const;
  const PipelineEvent* find(PipelineEventKind kind) const;
};

// A 96-bit EPC on the demo WHTI prefix E2 C0 DE 01 (BCC) numbered `n`.
EpcBytes epc(std::uint32_t n);
// A 96-bit Impinj Monza R6 TID with serial `n`.
TidBytes tid(std::uint32_t n);

// `lanes` lanes "P01", "P02", ...: lane i is reader i, antenna 1 entry and
// antenna 2 exit; port "SYS".
PipelineConfig lanes_config(std::size_t lanes);

// What one read looks like to the helpers.
struct ReadSpec {
  std::uint32_t reader = 0;
  std::uint16_t antenna = 1;
  std::uint32_t epc = 1;
  std::int64_t t = kT0;  // when the tag was read (host monotonic axis)
  std::int16_t rssi_cdbm = -5000;
  std::int64_t delay = 0;          // host receive = t + delay
  std::int64_t reader_offset = 0;  // reader clock = true UTC + reader_offset
  bool reader_utc = true;          // reader reports a UTC first-seen time
  std::optional<std::uint64_t> uptime =
      std::nullopt;  // reader reports this uptime instead (if set)
  std::int64_t host_base = kHostBase;
  bool with_tid = true;
};

TagRead make_read(const ReadSpec& s);

// Drives a pipeline: advance(receive time) then on_read, like a daemon
// that advances before each read.
struct Driver {
  explicit Driver(PipelineConfig config) : pipeline(std::move(config), sink) {}
  void read(const ReadSpec& s);
  // Reads of `epc` on (reader, antenna) every `step` from `from` (inclusive) to `to` (inclusive).
  void reads(std::uint32_t reader, std::uint16_t antenna, std::uint32_t epc, std::int64_t from,
             std::int64_t to, std::int64_t step, std::int16_t rssi_cdbm = -5000);
  void advance(std::int64_t t) { pipeline.advance(t); }

  Recorder sink;
  LanePipeline pipeline;
};

}  // namespace lanetest
