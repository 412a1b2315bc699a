#include "garita/sim/llrp/FaultSpec.hpp"

#include <cstddef>
#include <iterator>

#include "garita/sim/FaultArgument.hpp"

namespace garita::sim::llrp {
namespace {

// Indexed by FaultKind; the syntax itself is garita::sim::FaultArgument's.
constexpr FaultKindSyntax kKinds[] = {
    {"drop", FaultDuration::none, {}},
    {"stall", FaultDuration::required, ", e.g. stall@40s+5s"},
    {"garble", FaultDuration::none, {}},
    // 0: until the connection ends.
    {"nokeepalive", FaultDuration::optional, {}},
    {"reboot", FaultDuration::required, ", e.g. reboot@40s+5s"},
};
static_assert(std::size(kKinds) == static_cast<std::size_t>(FaultKind::reboot) + 1);

}  // namespace

std::string_view to_string(FaultKind kind) noexcept {
  return fault_kind_name(kKinds, static_cast<std::size_t>(kind));
}

std::error_code parse_fault_spec(std::string_view text, FaultSpec& out, std::string& error) {
  return parse_fault(text, kKinds, "stall@40s+5s", out, error);
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
