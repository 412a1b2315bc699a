#include "garita/common/lane/HostClockMonitor.hpp"

#include <limits>

namespace garita::lane {

std::optional<ClockJump> HostClockMonitor::observe(std::int64_t host_utc_us,
                                                   std::int64_t host_mono_us) noexcept {
  std::int64_t base = 0;
  if (__builtin_sub_overflow(host_utc_us, host_mono_us, &base)) return std::nullopt;
  if (!has_base_) {
    has_base_ = true;
    base_ = base;
    last_mono_us_ = host_mono_us;
    return std::nullopt;
  }
  std::int64_t elapsed = host_mono_us - last_mono_us_;
  if (elapsed < 0) elapsed = -elapsed;
  const std::int64_t slew =
      elapsed > std::numeric_limits<std::int64_t>::max() / 1'000'000
          ? std::numeric_limits<std::int64_t>::max() / 4
          : elapsed * static_cast<std::int64_t>(config_.host_slew_ppm) / 1'000'000;
  const std::int64_t limit = config_.host_jump_threshold_us + slew;
  const std::int64_t delta = base - base_;
  std::optional<ClockJump> jump;
  if (delta > limit || -delta > limit) {
    jump = ClockJump{base_, base};
    ++jumps_;
  }
  base_ = base;
  last_mono_us_ = host_mono_us;
  return jump;
}

}  // namespace garita::lane
