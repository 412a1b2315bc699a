// Names of the driver enums, as the status page, logs and CLI print them.
#include "garita/hal/ReaderDriver.hpp"

#include "garita/hal/DriverLog.hpp"

namespace garita::hal {

std::string_view to_string(DriverState state) noexcept {
  switch (state) {
    case DriverState::disconnected: return "disconnected";
    case DriverState::connecting: return "connecting";
    case DriverState::configuring: return "configuring";
    case DriverState::running: return "running";
    case DriverState::backing_off: return "backing_off";
    case DriverState::stopping: return "stopping";
    case DriverState::stopped: return "stopped";
  }
  return "unknown";
}

std::string_view to_string(AntennaState state) noexcept {
  switch (state) {
    case AntennaState::unknown: return "unknown";
    case AntennaState::connected: return "connected";
    case AntennaState::disconnected: return "disconnected";
  }
  return "unknown";
}

std::string_view to_string(ReaderClockKind kind) noexcept {
  switch (kind) {
    case ReaderClockKind::unknown: return "unknown";
    case ReaderClockKind::utc: return "utc";
    case ReaderClockKind::uptime_only: return "uptime_only";
  }
  return "unknown";
}

std::string_view to_string(Severity severity) noexcept {
  switch (severity) {
    case Severity::debug: return "debug";
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "unknown";
}

}  // namespace garita::hal
