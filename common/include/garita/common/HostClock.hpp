#pragma once
// The host's clocks, as the lane pipeline needs them: wall-clock UTC and a
// monotonic clock in microseconds, and whether the kernel considers the wall
// clock synchronised (NTP/chrony via adjtimex(2)). Every crossing records the
// latter, so an auditor can tell times from an unsynchronised host apart.
#include <cstdint>

namespace garita {

struct HostTime {
  std::int64_t utc_us = 0;   // CLOCK_REALTIME, µs since the Unix epoch
  std::int64_t mono_us = 0;  // CLOCK_MONOTONIC, µs
};

HostTime host_now() noexcept;

// True when adjtimex(2) reports the clock synchronised (no STA_UNSYNC and not
// TIME_ERROR). A host where the call fails counts as unsynchronised.
bool host_clock_synchronized() noexcept;

}  // namespace garita
