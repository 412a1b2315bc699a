#include "garita/daemon/SystemdNotifier.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace garita::daemon {

void SystemdNotifier::ready() noexcept { (void)sd_notify(0, "READY=1"); }

void SystemdNotifier::stopping() noexcept { (void)sd_notify(0, "STOPPING=1"); }

void SystemdNotifier::status(std::string_view text) noexcept {
  try {
    const std::string message = "STATUS=" + std::string(text);
    (void)sd_notify(0, message.c_str());
  } catch (...) {
    // Out of memory: the status line is not worth failing for.
  }
}

void SystemdNotifier::watchdog() noexcept { (void)sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() noexcept {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    return std::chrono::microseconds(static_cast<std::int64_t>(usec));
  }
  return std::nullopt;
}

}  // namespace garita::daemon
