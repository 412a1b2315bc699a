#pragma once
// Logging for garita's programs: one line per event on stderr, which
// journald keeps with its priority when the line starts with "<N>" (sd-daemon
// priority prefixes; systemd's default SyslogLevelPrefix=yes). On a terminal
// the prefix is written as a word instead ("info", "warning", ...).
//
// Personal data (EPCs, TIDs, names) never goes to the log at info or above:
// callers log counts and ids of lanes/readers, not card numbers.
#include <string_view>

namespace garita::log {

// syslog(3) priorities, which journald understands.
enum class Severity : int { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

// Writes "<N>COMPONENT: MESSAGE\n" (or "severity COMPONENT: MESSAGE\n" on a
// terminal) with a single write(2), so lines from threads never interleave.
void write(Severity severity, std::string_view component, std::string_view message) noexcept;

// Lines below this severity are dropped (default: info).
void set_threshold(Severity lowest_kept) noexcept;

inline void error(std::string_view component, std::string_view message) noexcept {
  write(Severity::error, component, message);
}
inline void warning(std::string_view component, std::string_view message) noexcept {
  write(Severity::warning, component, message);
}
inline void info(std::string_view component, std::string_view message) noexcept {
  write(Severity::info, component, message);
}
inline void debug(std::string_view component, std::string_view message) noexcept {
  write(Severity::debug, component, message);
}

}  // namespace garita::log
