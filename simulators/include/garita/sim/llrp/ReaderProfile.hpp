#pragma once
// Who the simulated reader claims to be and what it can do: the values of
// its GET_READER_CAPABILITIES_RESPONSE (LLRP 1.1 §10) and the limits its
// spec validation enforces.
//
// --vendor impinj answers like an Impinj Speedway R420 (PEN 25882, model
// 2001002, four ports, one ROSpec, power table 10.00-30.00 dBm in 0.25 dB
// steps, Impinj's RF mode numbers) and accepts IMPINJ_ENABLE_EXTENSIONS and
// the FastID selector; --vendor generic answers as a plain LLRP 1.0.1 reader
// under IANA's documentation PEN 32473 (RFC 5612), so nothing mistakes it
// for a real maker's product, and rejects vendor extensions.
#include <cstdint>
#include <string_view>

#include "garita/hal/llrp/ReaderCapabilities.hpp"

namespace garita::sim::llrp {

enum class ReaderVendor : std::uint8_t { generic, impinj };

// What the reader's timestamps count: a wall clock (UTCTimestamp,
// FirstSeenTimestampUTC) or, like readers without a real-time clock, time
// since boot (Uptime, FirstSeenTimestampUptime).
enum class ReaderClock : std::uint8_t { utc, uptime };

std::string_view to_string(ReaderVendor vendor) noexcept;
std::string_view to_string(ReaderClock clock) noexcept;

inline constexpr std::uint32_t kGenericVendorPen = 32473;  // RFC 5612 documentation PEN
inline constexpr std::uint32_t kImpinjSpeedwayR420Model = 2001002;

struct ReaderProfile {
  ReaderVendor vendor = ReaderVendor::generic;
  ReaderClock clock = ReaderClock::utc;
  std::uint16_t antenna_count = 4;  // ports; the traffic model feeds 1 (entry) and 2 (exit)
  std::uint16_t connected_antennas = 2;
  std::uint16_t gpi_count = 4;
  std::uint16_t gpo_count = 4;
  std::uint32_t max_ro_specs = 1;
  std::uint32_t max_access_specs = 16;
  std::uint8_t max_priority_levels = 1;

  bool is_impinj() const noexcept { return vendor == ReaderVendor::impinj; }
};

// The profile for a vendor and clock mode.
ReaderProfile make_reader_profile(ReaderVendor vendor, ReaderClock clock);

// The full capabilities (every part; the engine leaves out what the client
// did not ask for).
hal::llrp::ReaderCapabilities make_reader_capabilities(const ReaderProfile& profile);

// Whether `mode_id` is in the RF mode table, `power_index` in the power
// table, `hop_table_id` a hop table, `sensitivity_index` in the receive
// sensitivity table of make_reader_capabilities(profile).
bool has_rf_mode(const ReaderProfile& profile, std::uint32_t mode_id);
bool has_transmit_power_index(std::uint16_t power_index);
bool has_hop_table(std::uint16_t hop_table_id);
bool has_receive_sensitivity_index(std::uint16_t sensitivity_index);

}  // namespace garita::sim::llrp
