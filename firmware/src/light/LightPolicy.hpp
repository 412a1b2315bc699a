#pragma once
// What the lane light shows, as a pure function of the lane's state and the
// time (passed in, µs on the host monotonic clock):
//   - steady red while the reader is down, the uplink is down or the journal
//     is full: the lane is degraded and a technician is needed. Red wins over
//     everything, so "steady" really is steady.
//   - a green pulse of `pulse_us` after each crossing otherwise (the card was
//     read and journaled); crossings during a pulse extend it.
//   - off when idle.
#include <cstdint>
#include <optional>

#include "LaneLight.hpp"

namespace garita::firmware {

struct LaneHealth {
  bool reader_up = false;
  bool uplink_up = false;
  bool journal_full = false;
};

class LightPolicy {
 public:
  explicit LightPolicy(std::int64_t pulse_us) noexcept : pulse_us_(pulse_us) {}

  void on_crossing(std::int64_t now_us) noexcept { green_until_us_ = now_us + pulse_us_; }

  LightColor color(const LaneHealth& health, std::int64_t now_us) const noexcept;

  // When color() may change with no new input (the end of the pulse), or
  // nothing when it cannot.
  std::optional<std::int64_t> next_change_us(std::int64_t now_us) const noexcept;

 private:
  std::int64_t pulse_us_;
  std::int64_t green_until_us_ = INT64_MIN;
};

}  // namespace garita::firmware
