#pragma once
// A fault the simulated reader injects at a given simulated time, parsed
// from `--fault KIND@TIME[+DURATION][:lane=N]`:
//
//   drop@30s            the reader closes the TCP connection (FIN after what
//                       it already wrote; no LLRP goodbye)
//   stall@40s+5s        the reader stops reading and writing for 5 s (the
//                       client's dead-link detection must fire)
//   garble@50s          the reader writes one frame with a corrupt header
//                       (length 3 < the 10-byte header), then nothing more on
//                       that connection
//   nokeepalive@60s     the reader stops sending KEEPALIVE, for +DURATION or,
//                       without one, until the connection ends
//   reboot@70s+3s       the reader drops the connection, forgets its specs
//                       and configuration, refuses connections for 3 s, then
//                       accepts again with a fresh ConnectionAttemptEvent
//
// TIME and DURATION are simulated seconds (`--speed` scales them like every
// other reader timer): a number with an optional unit ms, s (default), m,
// e.g. 1500ms, 2.5s, 1m. `:lane=N` limits the fault to lane N's reader;
// without it every reader gets it.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/sim/TrafficConfig.hpp"

namespace garita::sim::llrp {

enum class FaultKind : std::uint8_t { drop, stall, garble, no_keepalive, reboot };

// "drop", "stall", "garble", "nokeepalive", "reboot".
std::string_view to_string(FaultKind kind) noexcept;

struct FaultSpec {
  FaultKind kind = FaultKind::drop;
  std::int64_t at_us = 0;        // simulated time since the simulator started
  std::int64_t duration_us = 0;  // stall, reboot (required), nokeepalive (0 = until disconnect)
  LaneId lane = 0;               // 0: every lane

  friend bool operator==(const FaultSpec&, const FaultSpec&) = default;
};

// Parses one --fault argument. On failure returns Errc::config_bad_value and
// sets `error` to what is wrong ("stall needs a duration: stall@40s+5s").
std::error_code parse_fault_spec(std::string_view text, FaultSpec& out, std::string& error);

// The canonical text of `fault` ("stall@40s+5s:lane=2"), for logs.
std::string to_string(const FaultSpec& fault);

// The --help text describing the syntax above.
std::string_view fault_syntax_help() noexcept;

}  // namespace garita::sim::llrp
