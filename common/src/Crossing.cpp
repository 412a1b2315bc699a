#include "garita/common/Crossing.hpp"

namespace garita {

std::string_view to_string(Direction direction) noexcept {
  switch (direction) {
    case Direction::unknown: return "unknown";
    case Direction::with_flow: return "with_flow";
    case Direction::counter_flow: return "counter_flow";
  }
  return "unknown";
}

std::string_view to_string(TimeSource source) noexcept {
  switch (source) {
    case TimeSource::reader_utc: return "reader_utc";
    case TimeSource::reader_uptime: return "reader_uptime";
    case TimeSource::host_receive: return "host_receive";
  }
  return "host_receive";
}

}  // namespace garita
