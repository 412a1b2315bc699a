#pragma once
// Which reader a lane talks to, as one URI in the configuration:
//   llrp://host[:5084]                  LLRP over TCP (IANA-assigned port 5084)
//   llrps://host[:5085]                 LLRP over TLS (IANA port 5085)
//   llrp://0.0.0.0[:5084]?listen=1      LLRP, the reader dials garita (LLRP 1.1
//                                       §19 reader-initiated connection); the
//                                       host is the local address to listen on
//   serial:///dev/ttyUSB0[?baud=115200] a serial/USB-CDC reader module
//   usb://VID:PID[?serial=S]            a reader with vendor bulk endpoints (libusb)
// serial and usb readers (Mercury modules) also take region=NAME (the
// regulatory region to set), power=CDBM (read power, centi-dBm) and
// antennas=1,2 (antenna ports to inventory); docs/readers/mercury.md.
// Parsing is strict: an unknown scheme, a bad port or an unknown query key
// is an error naming what was wrong, so a typo never silently picks defaults.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace garita::hal {

enum class ReaderScheme : std::uint8_t { llrp, llrps, serial, usb };

struct ReaderUri {
  ReaderScheme scheme = ReaderScheme::llrp;
  std::string host;        // llrp, llrps: host name, IPv4, or IPv6 without brackets
  std::uint16_t port = 0;  // llrp, llrps: defaulted to 5084 / 5085
  bool listen = false;     // llrp, llrps: wait for the reader to connect to host:port
  std::string device;      // serial: absolute device path
  unsigned baud = 0;       // serial: defaulted to 115200
  std::uint16_t vid = 0;   // usb
  std::uint16_t pid = 0;   // usb
  std::string usb_serial;  // usb: optional iSerial to pick one of several
  // serial, usb (module settings; empty = keep the module's / driver default):
  std::string region;                            // e.g. "NA2", checked by the driver
  std::optional<std::uint16_t> read_power_cdbm;  // 0..3150
  std::vector<std::uint16_t> antennas;           // 1-based, no duplicates

  // Canonical text form, defaults filled in (for logs and status).
  std::string to_string() const;
};

std::string_view to_string(ReaderScheme scheme) noexcept;

// Parses `text`. On failure returns Errc::config_bad_value and sets `why` to
// a one-line reason ("unknown scheme 'llrpx' (expected llrp, llrps, serial, usb)").
std::error_code parse_reader_uri(std::string_view text, ReaderUri& out, std::string& why);

}  // namespace garita::hal
