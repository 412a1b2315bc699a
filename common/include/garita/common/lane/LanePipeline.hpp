#pragma once
// The lane pipeline: tag reads in, one timestamped crossing per traveller
// out. A pure state machine (docs/lane-pipeline.md): no threads, clocks or
// I/O; the caller passes the host monotonic time in, and results go to a
// LaneSink synchronously.
//
//   on_read(read, now)  routes the read by (reader, antenna) to its lane,
//                       times it (reader clock tracking), drops it below the
//                       lane's min_rssi, and adds it to the EPC's session.
//   advance(now)        closes sessions whose gap has passed, arbitrates
//                       between lanes, emits crossings, prunes memory. Call
//                       it regularly (e.g. every 100 ms) and before on_read.
//   flush()             closes and decides everything (shutdown).
//
// Not thread-safe: one thread drives one pipeline.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "garita/common/TagRead.hpp"
#include "garita/common/lane/HostClockMonitor.hpp"
#include "garita/common/lane/LaneConfig.hpp"
#include "garita/common/lane/PipelineEvents.hpp"
#include "garita/common/lane/PipelineMetrics.hpp"
#include "garita/common/lane/ReaderClockTracker.hpp"

namespace garita::lane {

class LanePipeline {
 public:
  // Throws std::invalid_argument with validate()'s message when the
  // configuration is invalid. `sink` must outlive the pipeline.
  LanePipeline(PipelineConfig config, LaneSink& sink);
  ~LanePipeline();
  LanePipeline(const LanePipeline&) = delete;
  LanePipeline& operator=(const LanePipeline&) = delete;

  // Whether the host clock is NTP-synchronised now (the caller asks
  // adjtimex/timedatectl). Recorded in crossings whose first read comes
  // after the call. Initially false.
  void set_host_clock_synchronized(bool synced) noexcept;

  // One read; now_mono_us is the host monotonic time (normally
  // read.host_mono_us). Time never goes back: an earlier `now` is taken as
  // the latest one seen.
  void on_read(const TagRead& read, std::int64_t now_mono_us);
  // Closes sessions whose gap has passed by now_mono_us and emits what is decided.
  void advance(std::int64_t now_mono_us);
  // Closes every session and decides every pending one now (shutdown).
  void flush();

  // After a restart: tells the lane about a crossing stored before it, so a
  // card still in the lane (a pass cut in two by a crash, kill -9 or reboot)
  // extends that stored crossing (same lane and sequence, stored as
  // "extended") instead of making a second one. Times are mapped from UTC to
  // host monotonic time through (now_utc_us, now_mono_us). Returns false
  // (and keeps nothing) for an unknown lane or a crossing whose rearm time
  // has passed. Call before the first read.
  bool restore_crossing(const Crossing& crossing, std::int64_t now_mono_us,
                        std::int64_t now_utc_us);

  PipelineMetrics metrics() const noexcept;
  LaneMetrics lane_metrics(std::size_t lane) const;
  std::size_t lane_count() const noexcept;
  const LaneConfig& lane_config(std::size_t lane) const;
  std::optional<std::size_t> lane_index(std::string_view lane_id) const noexcept;
  // The sequence of the lane's latest crossing (LaneConfig::last_sequence
  // until the first one).
  std::uint64_t last_sequence(std::size_t lane) const;
  std::uint32_t open_sessions(std::size_t lane) const;
  std::uint32_t rearm_entries(std::size_t lane) const;
  // Slots ever allocated for open sessions / rearm entries (memory high-water mark).
  std::size_t session_slots_allocated(std::size_t lane) const;
  std::size_t rearm_slots_allocated(std::size_t lane) const;
  std::size_t pending() const noexcept;
  // Clock state of a configured reader; nullptr when none of the lanes uses it.
  const ReaderClockTracker* reader_clock(std::uint32_t reader_id) const noexcept;
  const HostClockMonitor& host_clock() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace garita::lane
