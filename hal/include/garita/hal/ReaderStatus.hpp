#pragma once
// A snapshot of one reader as its driver sees it: what the status page, the
// metrics and `garita reader check` show a technician at 3 a.m.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace garita::hal {

enum class DriverState : std::uint8_t {
  disconnected,  // created, not started
  connecting,    // dialling the reader (or, in listen mode, waiting for it to dial)
  configuring,   // connected; sending the reader its configuration
  running,       // the reader is inventorying and reporting
  backing_off,   // the last attempt failed; waiting before the next one
  stopping,      // stop() called; saying goodbye to the reader
  stopped,       // for good
};

std::string_view to_string(DriverState state) noexcept;

struct ReaderIdentity {
  std::uint32_t manufacturer = 0;  // IANA Private Enterprise Number (25882 = Impinj)
  std::string manufacturer_name;   // "Impinj", or "PEN 12345" when garita does not know it
  std::uint32_t model = 0;         // the maker's model number
  std::string firmware_version;
  std::uint16_t antenna_count = 0;
  std::uint16_t gpi_count = 0;
  std::uint16_t gpo_count = 0;
  bool has_utc_clock = false;
  bool impinj_extensions = false;  // FastID TIDs instead of an AccessSpec
};

enum class AntennaState : std::uint8_t { unknown, connected, disconnected };

std::string_view to_string(AntennaState state) noexcept;

struct AntennaStatus {
  std::uint16_t id = 0;  // 1-based
  AntennaState state = AntennaState::unknown;
  std::uint64_t read_count = 0;  // since the driver started
};

enum class ReaderClockKind : std::uint8_t {
  unknown,      // no timestamp seen yet
  utc,          // the reader stamps reads in UTC
  uptime_only,  // the reader has no wall clock: only µs since it booted
};

std::string_view to_string(ReaderClockKind kind) noexcept;

struct ReaderClock {
  ReaderClockKind kind = ReaderClockKind::unknown;
  // Reader UTC minus host UTC at the last timestamped message (network and
  // reader latency included, so a few ms is normal; seconds mean NTP is off).
  std::optional<std::int64_t> reader_minus_host_us;
  // The reader's uptime at the last timestamped message (uptime_only readers).
  std::optional<std::uint64_t> reader_uptime_us;
  std::optional<std::int64_t> measured_at_utc_us;  // host UTC when the above were measured
};

// What a reader module says about its own condition (Mercury modules today;
// LLRP readers leave it empty). A technician reads this before climbing a
// gantry: a hot module reads fewer cards, a bad antenna cable none.
struct ReaderHealth {
  std::optional<std::int16_t> temperature_c;  // last module temperature reported
  std::optional<std::int64_t> temperature_at_utc_us;
  bool throttled = false;  // the module reported "temperature exceeded" in its last cycle
  std::uint64_t throttle_events = 0;     // such reports since the driver started
  std::uint64_t return_loss_events = 0;  // "high return loss" reports since the driver started
  // Per antenna port, return loss in dB at the last session start (higher is
  // better; under ~10 dB the cable or antenna is bad). Index i is port i+1;
  // empty when the module does not report it.
  std::vector<std::optional<std::uint8_t>> return_loss_db;
  // The byte link: frames dropped and why (noise, unplugging, a baud mismatch
  // shows as many bad CRCs).
  std::uint64_t frames = 0;
  std::uint64_t junk_bytes = 0;
  std::uint64_t bad_crc = 0;
  std::uint64_t truncated = 0;
  std::string link;  // e.g. "/dev/ttyUSB0 at 115200 baud", "usb 1325:c029 bus 1 addr 4"
};

struct ReaderStatus {
  DriverState state = DriverState::disconnected;
  std::string uri;                         // canonical, e.g. "llrp://10.0.4.21:5084"
  std::string peer;                        // address:port of the current connection
  std::optional<ReaderIdentity> identity;  // from the last capabilities the reader sent
  std::optional<std::int64_t> connected_since_utc_us;
  std::optional<std::int64_t> running_since_utc_us;
  std::optional<std::int64_t> last_message_utc_us;  // anything from the reader, keepalives included

  // The last thing that went wrong, as one line for a person (LLRPStatus
  // code name and the reader's ErrorDescription included), and its code.
  std::string last_error;
  std::error_code last_error_code;
  std::optional<std::int64_t> last_error_utc_us;
  std::optional<std::int64_t> next_attempt_utc_us;  // while backing_off

  std::uint64_t reconnect_count = 0;    // connection attempts after the first
  std::uint64_t read_count = 0;         // TagReads handed to the sink
  std::uint64_t error_count = 0;        // errors recorded in last_error
  std::vector<AntennaStatus> antennas;  // index i is antenna i+1
  ReaderClock clock;
  std::optional<ReaderHealth> health;  // module readers (serial://, usb://)
};

}  // namespace garita::hal
