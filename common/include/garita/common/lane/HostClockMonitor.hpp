#pragma once
// Watches the host's own clocks: every read carries host UTC and host
// monotonic time taken together, so (UTC - monotonic) is constant while the
// wall clock only slews. A change larger than ClockConfig::host_jump_threshold_us
// (plus the slew NTP may apply over the elapsed time) is a host clock jump:
// an NTP step, a manual `date`, a bad RTC at boot. Crossings always use the
// base current at their first read; the jump is reported so an operator can
// see which records straddle it.
#include <cstdint>
#include <optional>

#include "garita/common/lane/LaneConfig.hpp"
#include "garita/common/lane/ReaderClockTracker.hpp"

namespace garita::lane {

class HostClockMonitor {
 public:
  explicit HostClockMonitor(const ClockConfig& config) noexcept : config_(config) {}

  // The base (host UTC - host monotonic) before and after, when it jumped.
  std::optional<ClockJump> observe(std::int64_t host_utc_us, std::int64_t host_mono_us) noexcept;

  bool tracking() const noexcept { return has_base_; }
  std::int64_t base_us() const noexcept { return base_; }
  std::uint64_t jumps() const noexcept { return jumps_; }

 private:
  ClockConfig config_;
  bool has_base_ = false;
  std::int64_t base_ = 0;
  std::int64_t last_mono_us_ = 0;
  std::uint64_t jumps_ = 0;
};

}  // namespace garita::lane
