#pragma once
// The simulators' shared fault syntax, `KIND@TIME[+DURATION][:lane=N]`, as
// given to `garita-sim llrp --fault` (llrp/FaultSpec) and `garita-sim serial
// --fault` (serial/SerialFault). Each simulator has its own kinds and its own
// rules about which kinds need or refuse a duration; this is the part they
// share, so both spell times, lanes and errors the same way.
//
// TIME and DURATION are simulated seconds: a number with an optional unit
// ms, s (default), m, e.g. 1500ms, 2.5s, 2.5, 1m; at most one day. `+` with
// a DURATION that is empty or zero is refused. `:lane=N` takes a lane number
// 1..1000.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/sim/TrafficConfig.hpp"

namespace garita::sim {

// Whether a kind takes +DURATION.
enum class FaultDuration : std::uint8_t {
  none,      // instantaneous: "+DURATION" is refused
  optional,  // 0 (not given) has a meaning of its own
  required,  // refused without it
};

// One fault kind: its name in KIND and its duration rule. For a required
// duration, `required_hint` follows "KIND needs a duration" in the error
// (e.g. ", e.g. stall@40s+5s").
struct FaultKindSyntax {
  std::string_view name;
  FaultDuration duration = FaultDuration::optional;
  std::string_view required_hint;
};

struct FaultArgument {
  std::size_t kind = 0;          // index into the kind names it was parsed with
  std::int64_t at_us = 0;        // simulated time since the simulator started
  std::int64_t duration_us = 0;  // 0: no +DURATION given
  LaneId lane = 0;               // 0: every lane
};

// Parses one --fault argument whose KIND is one of `kinds` and checks the
// kind's duration rule. On failure returns Errc::config_bad_value, leaves
// `out` alone and sets `error` to "fault 'TEXT': what is wrong"; `example`
// (e.g. "stall@40s+5s") is shown when the '@' is missing.
std::error_code parse_fault_argument(std::string_view text, std::span<const FaultKindSyntax> kinds,
                                     std::string_view example, FaultArgument& out,
                                     std::string& error);

// parse_fault_argument() into a simulator's fault struct `Fault`, whose
// `kind` enum is indexed like `kinds` and which has at_us, duration_us and
// lane (llrp::FaultSpec, serial::SerialFault).
template <typename Fault>
std::error_code parse_fault(std::string_view text, std::span<const FaultKindSyntax> kinds,
                            std::string_view example, Fault& out, std::string& error) {
  FaultArgument parsed;
  if (const std::error_code ec = parse_fault_argument(text, kinds, example, parsed, error))
    return ec;
  Fault fault;
  fault.kind = static_cast<decltype(fault.kind)>(parsed.kind);
  fault.at_us = parsed.at_us;
  fault.duration_us = parsed.duration_us;
  fault.lane = parsed.lane;
  out = fault;
  return {};
}

// The name of kind `index` in `kinds`, "unknown" if out of range.
std::string_view fault_kind_name(std::span<const FaultKindSyntax> kinds,
                                 std::size_t index) noexcept;

// Sets `error` to "fault 'TEXT': WHAT" and returns Errc::config_bad_value:
// for the callers' own per-kind checks, worded like the parser's errors.
std::error_code fault_argument_error(std::string_view text, std::string_view what,
                                     std::string& error);

// "1500ms", "2.5s", "2.5", "1m" -> microseconds; false if not a time of at
// most one day.
bool parse_fault_time(std::string_view text, std::int64_t& out_us);

// The canonical text "KIND@TIME[+DURATION][:lane=N]" ("stall@40s+5s:lane=2"),
// for logs; a DURATION of 0 and a lane of 0 are left out.
std::string format_fault_argument(std::string_view kind_name, std::int64_t at_us,
                                  std::int64_t duration_us, LaneId lane);

}  // namespace garita::sim
