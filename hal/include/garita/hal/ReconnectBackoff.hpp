#pragma once
// The wait between reconnection attempts: exponential (initial, 2x, 4x, ...)
// up to a cap, each wait drawn uniformly from [d/2, d] ("equal jitter").
// Jitter matters at a port of entry: after a switch reboots, a dozen lane
// readers come back at once, and garita must not hammer them in lockstep.
// reset() after a successful session starts again from `initial`.
#include <chrono>
#include <cstdint>
#include <random>

namespace garita::hal {

class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                   std::uint64_t seed) noexcept;

  // The wait before the next attempt; each call doubles the next one's
  // ceiling until the cap.
  std::chrono::milliseconds next() noexcept;

  void reset() noexcept { failures_ = 0; }

  unsigned failures() const noexcept { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  unsigned failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace garita::hal
