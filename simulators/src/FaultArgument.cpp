#include "garita/sim/FaultArgument.hpp"

#include <charconv>
#include <cmath>

#include "garita/common/Errc.hpp"

namespace garita::sim {
namespace {

// Faults longer than a day of simulated time are typos, not tests.
constexpr double kMaxSeconds = 86'400.0;

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

std::error_code fault_argument_error(std::string_view text, std::string_view what,
                                     std::string& error) {
  error = "fault '" + std::string(text) + "': " + std::string(what);
  return garita::Errc::config_bad_value;
}

bool parse_fault_time(std::string_view text, std::int64_t& out_us) {
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

std::error_code parse_fault_argument(std::string_view text, std::span<const FaultKindSyntax> kinds,
                                     std::string_view example, FaultArgument& out,
                                     std::string& error) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) {
    return fault_argument_error(
        text, "expected KIND@TIME[+DURATION][:lane=N], e.g. " + std::string(example), error);
  }
  FaultArgument fault;
  const std::string_view kind = text.substr(0, at);
  bool known = false;
  for (std::size_t i = 0; i < kinds.size() && !known; ++i) {
    if (kinds[i].name == kind) {
      fault.kind = i;
      known = true;
    }
  }
  if (!known) {
    std::string what = "unknown kind '" + std::string(kind) + "' (";
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      if (i != 0) what += ", ";
      what += kinds[i].name;
    }
    what += ')';
    return fault_argument_error(text, what, error);
  }
  std::string_view rest = text.substr(at + 1);
  if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
    const std::string_view option = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!option.starts_with("lane=")) {
      return fault_argument_error(
          text, "unknown option '" + std::string(option) + "' (only lane=N)", error);
    }
    const std::string_view lane = option.substr(5);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(lane.data(), lane.data() + lane.size(), value);
    if (ec != std::errc{} || end != lane.data() + lane.size() || value == 0 || value > 1000) {
      return fault_argument_error(text, "lane must be a lane number 1..1000", error);
    }
    fault.lane = static_cast<LaneId>(value);
  }
  std::string_view time = rest;
  std::string_view duration;
  const std::size_t plus = rest.find('+');
  if (plus != std::string_view::npos) {
    time = rest.substr(0, plus);
    duration = rest.substr(plus + 1);
  }
  if (!parse_fault_time(time, fault.at_us)) {
    return fault_argument_error(
        text,
        "bad time '" + std::string(time) + "' (a number of seconds, optionally with ms, s or m)",
        error);
  }
  // A '+' promises a duration: "stall@40s+" and "stall@40s+0" are refused
  // rather than read as "no duration".
  if (plus != std::string_view::npos &&
      (!parse_fault_time(duration, fault.duration_us) || fault.duration_us == 0)) {
    return fault_argument_error(text,
                                "bad duration '" + std::string(duration) +
                                    "' (a positive number of seconds, optionally with ms, s or m)",
                                error);
  }
  const FaultKindSyntax& syntax = kinds[fault.kind];
  if (syntax.duration == FaultDuration::required && fault.duration_us == 0) {
    return fault_argument_error(
        text, std::string(syntax.name) + " needs a duration" + std::string(syntax.required_hint),
        error);
  }
  if (syntax.duration == FaultDuration::none && fault.duration_us != 0) {
    return fault_argument_error(
        text, std::string(syntax.name) + " is instantaneous and takes no +DURATION", error);
  }
  out = fault;
  return {};
}

std::string_view fault_kind_name(std::span<const FaultKindSyntax> kinds,
                                 std::size_t index) noexcept {
  return index < kinds.size() ? kinds[index].name : "unknown";
}

std::string format_fault_argument(std::string_view kind_name, std::int64_t at_us,
                                  std::int64_t duration_us, LaneId lane) {
  std::string out(kind_name);
  out += '@';
  append_time(out, at_us);
  if (duration_us != 0) {
    out += '+';
    append_time(out, duration_us);
  }
  if (lane != 0) out += ":lane=" + std::to_string(lane);
  return out;
}

}  // namespace garita::sim
