#include "garita/sim/serial/SerialFault.hpp"

#include <cstddef>
#include <iterator>

#include "garita/sim/FaultArgument.hpp"

namespace garita::sim::serial {
namespace {

// Indexed by SerialFaultKind; the syntax itself is garita::sim::FaultArgument's,
// shared with the llrp simulator's FaultSpec.
constexpr FaultKindSyntax kKinds[] = {
    {"junk", FaultDuration::none, {}},
    {"badcrc", FaultDuration::none, {}},
    {"truncate", FaultDuration::none, {}},
    {"hangup", FaultDuration::required,
     " (how long the module stays unplugged), e.g. hangup@40s+2s"},
    // 0: kDefaultRebootUs.
    {"reboot", FaultDuration::optional, {}},
    // 0: until the next boot.
    {"nocrc", FaultDuration::optional, {}},
};
static_assert(std::size(kKinds) == static_cast<std::size_t>(SerialFaultKind::no_crc) + 1);

}  // namespace

std::string_view to_string(SerialFaultKind kind) noexcept {
  return fault_kind_name(kKinds, static_cast<std::size_t>(kind));
}

std::error_code parse_serial_fault(std::string_view text, SerialFault& out, std::string& error) {
  return parse_fault(text, kKinds, "hangup@40s+2s", out, error);
}

std::string to_string(const SerialFault& fault) {
  return format_fault_argument(to_string(fault.kind), fault.at_us, fault.duration_us, fault.lane);
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
