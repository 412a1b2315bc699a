#include "garita/sim/serial/SerialFault.hpp"

#include <charconv>
#include <cmath>

#include "garita/common/Errc.hpp"

namespace garita::sim::serial {
namespace {

struct KindName {
  SerialFaultKind kind;
  std::string_view name;
};

constexpr KindName kKinds[] = {
    {SerialFaultKind::junk, "junk"},         {SerialFaultKind::bad_crc, "badcrc"},
    {SerialFaultKind::truncate, "truncate"}, {SerialFaultKind::hangup, "hangup"},
    {SerialFaultKind::reboot, "reboot"},     {SerialFaultKind::no_crc, "nocrc"},
};

// Faults longer than a day of simulated time are typos, not tests.
constexpr double kMaxSeconds = 86'400.0;

std::error_code fail(std::string& error, std::string what) {
  error = std::move(what);
  return garita::Errc::config_bad_value;
}

// "1500ms", "2.5s", "2.5", "1m" -> microseconds (the llrp simulator's syntax).
bool parse_time(std::string_view text, std::int64_t& out_us) {
  double scale = 1e6;
  if (text.ends_with("ms")) {
    scale = 1e3;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  } else if (text.ends_with("m")) {
    scale = 60e6;
    text.remove_suffix(1);
  }
  if (text.empty()) return false;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return false;
  if (!std::isfinite(value) || value < 0 || value * scale > kMaxSeconds * 1e6) return false;
  out_us = static_cast<std::int64_t>(std::llround(value * scale));
  return true;
}

void append_time(std::string& out, std::int64_t us) {
  if (us % 1'000'000 == 0) {
    out += std::to_string(us / 1'000'000) + "s";
  } else if (us % 1'000 == 0) {
    out += std::to_string(us / 1'000) + "ms";
  } else {
    out += std::to_string(us) + "us";
  }
}

}  // namespace

std::string_view to_string(SerialFaultKind kind) noexcept {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::error_code parse_serial_fault(std::string_view text, SerialFault& out, std::string& error) {
  const std::string quoted = "fault '" + std::string(text) + "': ";
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) {
    return fail(error, quoted + "expected KIND@TIME[+DURATION][:lane=N], e.g. hangup@40s+2s");
  }
  SerialFault spec;
  const std::string_view kind = text.substr(0, at);
  bool known = false;
  for (const KindName& k : kKinds) {
    if (k.name == kind) {
      spec.kind = k.kind;
      known = true;
    }
  }
  if (!known) {
    return fail(error, quoted + "unknown kind '" + std::string(kind) +
                           "' (junk, badcrc, truncate, hangup, reboot, nocrc)");
  }
  std::string_view rest = text.substr(at + 1);
  if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
    const std::string_view option = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!option.starts_with("lane=")) {
      return fail(error, quoted + "unknown option '" + std::string(option) + "' (only lane=N)");
    }
    const std::string_view lane = option.substr(5);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(lane.data(), lane.data() + lane.size(), value);
    if (ec != std::errc{} || end != lane.data() + lane.size() || value == 0 || value > 1000) {
      return fail(error, quoted + "lane must be a lane number 1..1000");
    }
    spec.lane = static_cast<LaneId>(value);
  }
  std::string_view time = rest;
  std::string_view duration;
  const bool has_plus = rest.find('+') != std::string_view::npos;
  if (has_plus) {
    const std::size_t plus = rest.find('+');
    time = rest.substr(0, plus);
    duration = rest.substr(plus + 1);
  }
  if (!parse_time(time, spec.at_us)) {
    return fail(error, quoted + "bad time '" + std::string(time) +
                           "' (a number of seconds, optionally with ms, s or m)");
  }
  if (has_plus && (!parse_time(duration, spec.duration_us) || spec.duration_us == 0)) {
    return fail(error, quoted + "bad duration '" + std::string(duration) +
                           "' (a positive number of seconds, optionally with ms, s or m)");
  }
  switch (spec.kind) {
    case SerialFaultKind::hangup:
      if (spec.duration_us == 0) {
        return fail(error, quoted +
                               "hangup needs a duration (how long the module stays "
                               "unplugged), e.g. hangup@40s+2s");
      }
      break;
    case SerialFaultKind::junk:
    case SerialFaultKind::bad_crc:
    case SerialFaultKind::truncate:
      if (spec.duration_us != 0) {
        return fail(error, quoted + std::string(to_string(spec.kind)) +
                               " is instantaneous and takes no +DURATION");
      }
      break;
    case SerialFaultKind::reboot:
    case SerialFaultKind::no_crc: break;
  }
  out = spec;
  return {};
}

std::string to_string(const SerialFault& fault) {
  std::string out(to_string(fault.kind));
  out += '@';
  append_time(out, fault.at_us);
  if (fault.duration_us != 0) {
    out += '+';
    append_time(out, fault.duration_us);
  }
  if (fault.lane != 0) out += ":lane=" + std::to_string(fault.lane);
  return out;
}

std::string_view serial_fault_syntax_help() noexcept {
  return "Faults (--fault KIND@TIME[+DURATION][:lane=N], repeatable; times are simulated\n"
         "seconds with an optional unit ms|s|m, e.g. 1500ms, 2.5s, 1m; without :lane=N the\n"
         "fault hits every lane's module):\n"
         "  junk@T             random bytes on the line between two frames (nothing lost)\n"
         "  badcrc@T           the next frame has a wrong CRC (its read: lost/bad_crc)\n"
         "  truncate@T         the next frame is cut short (its read: lost/truncated_frame)\n"
         "  hangup@T+D         unplug: the pty closes, unread bytes are lost, after D a new\n"
         "                     pty appears under --link with the module in its bootloader\n"
         "  reboot@T[+D]       the module resets: streaming stops, queued records are lost,\n"
         "                     silent for D (default 250ms), then in its bootloader\n"
         "  nocrc@T[+D]        responses without CRC for D, or until the next boot\n";
}

}  // namespace garita::sim::serial
