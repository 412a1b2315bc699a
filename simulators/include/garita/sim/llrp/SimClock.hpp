#pragma once
// Simulated time for the reader simulator: model time (µs since the Unix
// epoch, the traffic model's clock) runs `speed` times faster than the host's
// steady clock from a start instant. Every reader timer (KeepaliveSpec,
// ROSpec/AISpec durations, report flushes, faults) runs on this clock, so
// --speed 10 makes the whole reader ten times faster, as if on a faster
// crystal; a client's own timers are not scaled.
#include <chrono>
#include <cstdint>

namespace garita::sim::llrp {

class SimClock {
 public:
  using Steady = std::chrono::steady_clock;

  SimClock(std::int64_t start_us, double speed, Steady::time_point start = Steady::now()) noexcept
      : start_us_(start_us), speed_(speed), start_(start) {}

  // Model time now; never decreases.
  std::int64_t now_us() const noexcept {
    const auto real = std::chrono::duration_cast<std::chrono::duration<double, std::micro>>(
        Steady::now() - start_);
    const auto t = start_us_ + static_cast<std::int64_t>(real.count() * speed_);
    if (t > last_us_) last_us_ = t;
    return last_us_;
  }

  // Model time since the simulator started.
  std::int64_t elapsed_us() const noexcept { return now_us() - start_us_; }
  std::int64_t start_us() const noexcept { return start_us_; }
  double speed() const noexcept { return speed_; }

  // How long `model_us` of simulated time lasts on the host.
  Steady::duration real_duration(std::int64_t model_us) const noexcept {
    const double real_us = static_cast<double>(model_us) / speed_;
    return std::chrono::duration_cast<Steady::duration>(
        std::chrono::duration<double, std::micro>(real_us));
  }

 private:
  std::int64_t start_us_;
  double speed_;
  Steady::time_point start_;
  mutable std::int64_t last_us_ = 0;
};

}  // namespace garita::sim::llrp
