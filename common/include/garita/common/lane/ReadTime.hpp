#pragma once
// When one read happened, as the clock tracking worked it out (see
// ReaderClockTracker): on the host's monotonic axis, which the debounce
// rules use, and in host UTC, which crossings record.
#include <cstdint>

#include "garita/common/Crossing.hpp"

namespace garita::lane {

struct ReadTime {
  std::int64_t mono_us = 0;  // host monotonic time of the read itself (not of its arrival)
  std::int64_t utc_us = 0;   // the same instant in host UTC
  // Reader-to-host offset applied: utc_us - reader time (0 for host_receive).
  std::int64_t offset_us = 0;
  TimeSource source = TimeSource::host_receive;
};

}  // namespace garita::lane
