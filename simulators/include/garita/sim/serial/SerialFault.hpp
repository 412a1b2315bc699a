#pragma once
// A fault the simulated serial module injects at a given simulated time,
// parsed from `--fault KIND@TIME[+DURATION][:lane=N]` (the syntax of
// `garita-sim llrp`'s FaultSpec, with the faults of a serial line):
//
//   junk@30s            random bytes on the line between two frames (line
//                       noise, a glitching USB-UART bridge); nothing is lost
//   badcrc@30s          the next frame goes out with a wrong CRC; if it carries a
//                       tag read, that read is lost (sent log: lost/bad_crc)
//   truncate@30s        the next frame is cut short (a byte-dropping bridge);
//                       its read, if any, is lost (lost/truncated_frame)
//   hangup@30s+2s       the module is unplugged: the pty is closed (the host's
//                       reads fail), bytes it had not read yet are lost, the
//                       module is unpowered for 2 s, then a NEW pty appears
//                       under the same --link (like a udev by-id link) with
//                       the module in its bootloader, as after power-up
//   reboot@30s[+D]      the module resets (watchdog, brown-out): streaming
//                       stops, queued records are lost, it is silent for D
//                       (default 250 ms), then answers from its bootloader
//                       until the host boots the firmware again
//   nocrc@30s[+D]       the module's responses go out without CRC for D, or
//                       until the next boot (the USB transport of some
//                       firmware; Mercury API "crcEnabled" off)
//
// TIME and DURATION are simulated seconds (--speed scales them): a number
// with an optional unit ms, s (default), m. `:lane=N` limits the fault to
// lane N's module; without it every module gets it.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/sim/TrafficConfig.hpp"

namespace garita::sim::serial {

enum class SerialFaultKind : std::uint8_t { junk, bad_crc, truncate, hangup, reboot, no_crc };

// "junk", "badcrc", "truncate", "hangup", "reboot", "nocrc".
std::string_view to_string(SerialFaultKind kind) noexcept;

struct SerialFault {
  SerialFaultKind kind = SerialFaultKind::junk;
  std::int64_t at_us = 0;        // simulated time since the simulator started
  std::int64_t duration_us = 0;  // hangup (required), reboot (0: default), nocrc (0: until boot)
  LaneId lane = 0;               // 0: every lane

  friend bool operator==(const SerialFault&, const SerialFault&) = default;
};

// How long a module stays silent after a reboot without +DURATION: an M6e
// takes about a quarter of a second to come back in its bootloader.
inline constexpr std::int64_t kDefaultRebootUs = 250'000;

// Parses one --fault argument. On failure returns Errc::config_bad_value and
// sets `error` to what is wrong ("hangup needs a duration: hangup@40s+2s").
std::error_code parse_serial_fault(std::string_view text, SerialFault& out, std::string& error);

// The canonical text of `fault` ("hangup@40s+2s:lane=2"), for logs.
std::string to_string(const SerialFault& fault);

// The --help text describing the syntax above.
std::string_view serial_fault_syntax_help() noexcept;

}  // namespace garita::sim::serial
