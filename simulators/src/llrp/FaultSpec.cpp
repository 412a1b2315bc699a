#include "garita/sim/llrp/FaultSpec.hpp"

#include <cstddef>
#include <iterator>

#include "garita/sim/FaultArgument.hpp"

namespace garita::sim::llrp {
namespace {

// Indexed by FaultKind; the syntax itself is garita::sim::FaultArgument's.
constexpr std::string_view kKindNames[] = {"drop", "stall", "garble", "nokeepalive", "reboot"};
static_assert(std::size(kKindNames) == static_cast<std::size_t>(FaultKind::reboot) + 1);

}  // namespace

std::string_view to_string(FaultKind kind) noexcept {
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(kKindNames) ? kKindNames[index] : "unknown";
}

std::error_code parse_fault_spec(std::string_view text, FaultSpec& out, std::string& error) {
  FaultArgument parsed;
  if (const std::error_code ec =
          parse_fault_argument(text, kKindNames, "stall@40s+5s", parsed, error)) {
    return ec;
  }
  FaultSpec spec;
  spec.kind = static_cast<FaultKind>(parsed.kind);
  spec.at_us = parsed.at_us;
  spec.duration_us = parsed.duration_us;
  spec.lane = parsed.lane;
  const std::string name(to_string(spec.kind));
  switch (spec.kind) {
    case FaultKind::stall:
    case FaultKind::reboot:
      if (spec.duration_us == 0) {
        return fault_argument_error(text, name + " needs a duration, e.g. " + name + "@40s+5s",
                                    error);
      }
      break;
    case FaultKind::drop:
    case FaultKind::garble:
      if (spec.duration_us != 0) {
        return fault_argument_error(text, name + " is instantaneous and takes no +DURATION", error);
      }
      break;
    case FaultKind::no_keepalive: break;
  }
  out = spec;
  return {};
}

std::string to_string(const FaultSpec& fault) {
  return format_fault_argument(to_string(fault.kind), fault.at_us, fault.duration_us, fault.lane);
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
