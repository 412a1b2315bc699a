#pragma once
// Talks to systemd for garitad (Type=notify): READY=1 once the lanes are up,
// STATUS= lines a technician sees in `systemctl status garitad`, STOPPING=1,
// and WATCHDOG=1 pings while the daemon's loop is alive. Outside systemd
// (no NOTIFY_SOCKET) every call is a harmless no-op.
#include <chrono>
#include <optional>
#include <string_view>

namespace garita::daemon {

class SystemdNotifier {
 public:
  void ready() noexcept;
  void stopping() noexcept;
  void status(std::string_view text) noexcept;
  void watchdog() noexcept;
  // The watchdog interval systemd asked for (WatchdogSec=), if any.
  static std::optional<std::chrono::microseconds> watchdog_interval() noexcept;
};

}  // namespace garita::daemon
