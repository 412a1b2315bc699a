#pragma once
// What the lane pipeline hands out: crossings (new, or an existing one
// extended by the rearm rule) and pipeline events (clock jumps, caps hit,
// reads from antennas no lane owns, arbitration outcomes), through a sink
// the caller implements. The pipeline calls the sink synchronously from
// on_read/advance/flush; the sink must not call back into the pipeline and
// must not throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "garita/common/Crossing.hpp"
#include "garita/common/TagRead.hpp"

namespace garita::lane {

enum class CrossingEventKind : std::uint8_t {
  created,   // a new crossing: insert it
  extended,  // the crossing with the same (lane_id, sequence) grew: upsert it
};

struct CrossingEvent {
  CrossingEventKind kind = CrossingEventKind::created;
  Crossing crossing;
};

enum class PipelineEventKind : std::uint8_t {
  reader_clock_jump,     // reader_id; old/new offset (host UTC - reader time, µs)
  reader_clock_restart,  // reader_id switched between UTC and uptime timestamps
  host_clock_jump,       // old/new (host UTC - host monotonic, µs)
  unknown_antenna,       // reader_id, antenna: first read from an antenna no lane owns
  session_cap_hit,   // lane: open sessions full, the oldest closed early; count since last report
  rearm_cap_hit,     // lane: rearm memory full, the oldest crossing forgotten; count
  pending_cap_hit,   // arbitration queue full, the oldest decided at once; count
  arbitration_lost,  // lane saw epc, other_lane got the crossing
  arbitration_timeout,  // lane decided epc before other_lane's overlapping session closed
};

std::string_view to_string(CrossingEventKind kind) noexcept;
std::string_view to_string(PipelineEventKind kind) noexcept;

struct PipelineEvent {
  PipelineEventKind kind = PipelineEventKind::unknown_antenna;
  std::int64_t mono_us = 0;  // host monotonic time the pipeline noticed it
  std::uint32_t reader_id = 0;
  std::uint16_t antenna = 0;
  // Lane ids are views of the pipeline's configuration (valid while it lives).
  std::string_view lane_id;
  std::string_view other_lane_id;
  EpcBytes epc;  // for arbitration events
  std::int64_t old_value_us = 0;
  std::int64_t new_value_us = 0;
  std::uint64_t count = 0;  // occurrences this report stands for (caps)
};

// One line for a log, e.g. "reader 2 clock jump: offset -1.500000 s -> +3598.500000 s".
std::string describe(const PipelineEvent& event);

class LaneSink {
 public:
  virtual ~LaneSink() = default;
  virtual void on_crossing(const CrossingEvent& event) = 0;
  virtual void on_event(const PipelineEvent& event) = 0;
};

}  // namespace garita::lane
