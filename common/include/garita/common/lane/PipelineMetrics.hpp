#pragma once
// Counters of the lane pipeline, per lane and in total. Counters only grow;
// the fields marked "gauge" are current sizes.
#include <cstdint>

namespace garita::lane {

struct LaneMetrics {
  std::uint64_t reads_in = 0;          // reads routed to this lane
  std::uint64_t reads_below_rssi = 0;  // ignored: PeakRSSI < min_rssi
  std::uint64_t sessions_opened = 0;
  std::uint64_t sessions_too_few_reads = 0;  // closed below min_reads with nothing to extend
  std::uint64_t session_cap_hits = 0;        // sessions closed early because the lane was full
  std::uint64_t crossings = 0;               // created
  std::uint64_t extended = 0;                // extension events
  std::uint64_t arbitration_losses = 0;      // sessions that lost to another lane
  std::uint64_t rearm_cap_hits = 0;          // crossings forgotten early (rearm memory full)
  std::uint64_t open_sessions = 0;           // gauge
  std::uint64_t rearm_entries = 0;           // gauge
};

struct PipelineMetrics {
  std::uint64_t reads_in = 0;               // every read given to on_read
  std::uint64_t reads_unknown_antenna = 0;  // ignored: (reader, antenna) bound to no lane
  std::uint64_t reads_below_rssi = 0;       // ignored: PeakRSSI < the lane's min_rssi
  std::uint64_t reads_without_rssi = 0;     // accepted without an RSSI to check
  std::uint64_t reads_host_timed = 0;       // timed by arrival: no reader time, or a clock outlier
  std::uint64_t sessions_opened = 0;
  std::uint64_t sessions_too_few_reads = 0;
  std::uint64_t crossings = 0;
  std::uint64_t extended = 0;
  std::uint64_t arbitration_losses = 0;
  std::uint64_t arbitration_timeouts = 0;  // decided while an overlapping session was still open
  std::uint64_t session_cap_hits = 0;
  std::uint64_t rearm_cap_hits = 0;
  std::uint64_t pending_cap_hits = 0;
  std::uint64_t reader_clock_jumps = 0;
  std::uint64_t host_clock_jumps = 0;
  std::uint64_t open_sessions = 0;  // gauge
  std::uint64_t rearm_entries = 0;  // gauge
  std::uint64_t pending = 0;        // gauge: closed sessions awaiting arbitration
};

}  // namespace garita::lane
