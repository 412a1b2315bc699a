#include "garita/sim/llrp/FaultSpec.hpp"

#include <charconv>
#include <cmath>

#include "garita/common/Errc.hpp"

namespace garita::sim::llrp {
namespace {

struct KindName {
  FaultKind kind;
  std::string_view name;
};

constexpr KindName kKinds[] = {
    {FaultKind::drop, "drop"},     {FaultKind::stall, "stall"},
    {FaultKind::garble, "garble"}, {FaultKind::no_keepalive, "nokeepalive"},
    {FaultKind::reboot, "reboot"},
};

// Faults longer than a day of simulated time are typos, not tests.
constexpr double kMaxSeconds = 86'400.0;

std::error_code fail(std::string& error, std::string what) {
  error = std::move(what);
  return garita::Errc::config_bad_value;
}

// "1500ms", "2.5s", "2.5", "1m" -> microseconds.
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

std::string_view to_string(FaultKind kind) noexcept {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::error_code parse_fault_spec(std::string_view text, FaultSpec& out, std::string& error) {
  const std::string quoted = "fault '" + std::string(text) + "': ";
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) {
    return fail(error, quoted + "expected KIND@TIME[+DURATION][:lane=N], e.g. stall@40s+5s");
  }
  FaultSpec spec;
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
                           "' (drop, stall, garble, nokeepalive, reboot)");
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
  if (const std::size_t plus = rest.find('+'); plus != std::string_view::npos) {
    time = rest.substr(0, plus);
    duration = rest.substr(plus + 1);
  }
  if (!parse_time(time, spec.at_us)) {
    return fail(error, quoted + "bad time '" + std::string(time) +
                           "' (a number of seconds, optionally with ms, s or m)");
  }
  if (!duration.empty() || rest.find('+') != std::string_view::npos) {
    if (!parse_time(duration, spec.duration_us) || spec.duration_us == 0) {
      return fail(error, quoted + "bad duration '" + std::string(duration) +
                             "' (a positive number of seconds, optionally with ms, s or m)");
    }
  }
  switch (spec.kind) {
    case FaultKind::stall:
    case FaultKind::reboot:
      if (spec.duration_us == 0) {
        return fail(error, quoted + std::string(to_string(spec.kind)) + " needs a duration, e.g. " +
                               std::string(to_string(spec.kind)) + "@40s+5s");
      }
      break;
    case FaultKind::drop:
    case FaultKind::garble:
      if (spec.duration_us != 0) {
        return fail(error, quoted + std::string(to_string(spec.kind)) +
                               " is instantaneous and takes no +DURATION");
      }
      break;
    case FaultKind::no_keepalive: break;
  }
  out = spec;
  return {};
}

std::string to_string(const FaultSpec& fault) {
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

std::string_view fault_syntax_help() noexcept {
  return "Faults (--fault KIND@TIME[+DURATION][:lane=N], repeatable; times are simulated\n"
         "seconds with an optional unit ms|s|m, e.g. 1500ms, 2.5s, 1m; without :lane=N the\n"
         "fault hits every lane's reader; a connection fault due while no client is\n"
         "connected fires as soon as one connects):\n"
         "  drop@T             close the TCP connection (FIN after what was already written)\n"
         "  stall@T+D          stop reading and writing for D (the client must notice)\n"
         "  garble@T           write one frame with a corrupt header (length 3), then stay\n"
         "                     silent on that connection until the client hangs up\n"
         "  nokeepalive@T[+D]  stop KEEPALIVEs for D, or until the connection ends\n"
         "  reboot@T+D         drop the connection, forget all specs and configuration,\n"
         "                     refuse connections for D, then accept again\n";
}

}  // namespace garita::sim::llrp
