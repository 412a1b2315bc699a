#include "garita/sim/llrp/ReaderProfile.hpp"

#include <vector>

#include "garita/hal/llrp/Impinj.hpp"

namespace garita::sim::llrp {
namespace codec = garita::hal::llrp;
namespace {

// Transmit power table: 10.00 to 30.00 dBm in 0.25 dB steps, indexes 1..81,
// the table of an Impinj Speedway R420 (FCC) and close to a Zebra FX9600's.
constexpr std::uint16_t kPowerLevels = 81;
constexpr std::int16_t kMinPowerCdbm = 1000;
constexpr std::int16_t kPowerStepCdbm = 25;

// Receive sensitivity table: index 1 is the maximum sensitivity (0 dB), then
// -30 .. -70 dB relative steps as Impinj lists them (indexes 2..42).
constexpr std::uint16_t kSensitivityEntries = 42;

// FCC Part 15.247 hopping: 50 channels 500 kHz apart from 902.75 MHz, one
// hop table (id 1), matching the traffic model's 50-channel hop sequence.
constexpr std::uint8_t kHopTableId = 1;
constexpr std::uint32_t kChannels = 50;
constexpr std::uint32_t kFirstChannelKhz = 902'750;
constexpr std::uint32_t kChannelSpacingKhz = 500;

codec::C1G2RfMode mode(std::uint32_t id, bool dr_64_3, std::uint8_t m, std::uint8_t forward,
                       std::uint8_t mask, std::uint32_t bdr, std::uint32_t pie,
                       std::uint32_t min_tari, std::uint32_t max_tari) {
  codec::C1G2RfMode r;
  r.mode_id = id;
  r.divide_ratio_64_3 = dr_64_3;
  r.epc_hag_tc_conformance = false;
  r.modulation = m;
  r.forward_link_modulation = forward;
  r.spectral_mask = mask;
  r.backscatter_data_rate_bps = bdr;
  r.pie_ratio_x1000 = pie;
  r.min_tari_ns = min_tari;
  r.max_tari_ns = max_tari;
  r.step_tari_ns = 0;
  return r;
}

// Impinj's RF modes for the Speedway (Octane 5 mode numbers: 0 Max
// Throughput, 1 Hybrid, 2 Dense Reader M=4, 3 Dense Reader M=8, 4 Max Miller,
// 1000 AutoSet Dense Reader, 1002 AutoSet Static). A generic reader offers
// the first four.
std::vector<codec::C1G2RfMode> rf_modes(const ReaderProfile& profile) {
  std::vector<codec::C1G2RfMode> modes = {
      mode(0, true, 0, 2, 1, 640'000, 1500, 6250, 6250),
      mode(1, true, 1, 2, 1, 640'000, 1500, 6250, 6250),
      mode(2, true, 2, 2, 3, 274'000, 2000, 20'000, 20'000),
      mode(3, true, 3, 2, 3, 170'600, 2000, 20'000, 20'000),
  };
  if (profile.is_impinj()) {
    modes.push_back(mode(4, true, 2, 2, 1, 640'000, 1500, 7140, 7140));
    modes.push_back(mode(1000, true, 2, 2, 3, 40'000, 1500, 6250, 25'000));
    modes.push_back(mode(1002, true, 2, 2, 3, 40'000, 1500, 6250, 25'000));
  }
  return modes;
}

}  // namespace

std::string_view to_string(ReaderVendor vendor) noexcept {
  return vendor == ReaderVendor::impinj ? "impinj" : "generic";
}

std::string_view to_string(ReaderClock clock) noexcept {
  return clock == ReaderClock::uptime ? "uptime" : "utc";
}

ReaderProfile make_reader_profile(ReaderVendor vendor, ReaderClock clock) {
  ReaderProfile p;
  p.vendor = vendor;
  p.clock = clock;
  if (vendor == ReaderVendor::impinj) {
    // Octane firmware holds one ROSpec and one priority level.
    p.max_ro_specs = 1;
    p.max_priority_levels = 1;
    p.max_access_specs = 1508;
  } else {
    p.max_ro_specs = 8;
    p.max_priority_levels = 8;
    p.max_access_specs = 16;
  }
  return p;
}

codec::ReaderCapabilities make_reader_capabilities(const ReaderProfile& profile) {
  codec::ReaderCapabilities c;
  auto& g = c.general.emplace();
  g.max_antennas = profile.antenna_count;
  g.can_set_antenna_properties = false;
  g.has_utc_clock = profile.clock == ReaderClock::utc;
  if (profile.is_impinj()) {
    g.manufacturer = codec::kImpinjVendorId;
    g.model = kImpinjSpeedwayR420Model;
    g.firmware_version = "5.14.0.240 (garita-sim)";
  } else {
    g.manufacturer = kGenericVendorPen;
    g.model = 1;
    g.firmware_version = "garita-sim 1.0";
  }
  g.receive_sensitivities.push_back({1, 0});
  for (std::uint16_t i = 2; i <= kSensitivityEntries; ++i) {
    g.receive_sensitivities.push_back({i, static_cast<std::int16_t>(-30 - (i - 2))});
  }
  g.gpi_count = profile.gpi_count;
  g.gpo_count = profile.gpo_count;

  auto& l = c.llrp.emplace();
  l.can_do_rf_survey = false;
  l.can_report_buffer_fill_warning = true;
  l.supports_client_request_op_spec = false;
  l.can_do_tag_inventory_state_aware_singulation = false;
  l.supports_event_and_report_holding = true;
  l.max_priority_levels = profile.max_priority_levels;
  l.client_request_op_spec_timeout_ms = 0;
  l.max_ro_specs = profile.max_ro_specs;
  l.max_specs_per_ro_spec = 32;
  l.max_inventory_parameter_specs_per_ai_spec = 1;
  l.max_access_specs = profile.max_access_specs;
  l.max_op_specs_per_access_spec = 8;

  auto& r = c.regulatory.emplace();
  r.country_code = 840;           // ISO 3166 numeric: United States
  r.communications_standard = 1;  // US FCC Part 15
  for (std::uint16_t i = 1; i <= kPowerLevels; ++i) {
    r.transmit_power_levels.push_back(
        {i, static_cast<std::int16_t>(kMinPowerCdbm + (i - 1) * kPowerStepCdbm)});
  }
  r.hopping = true;
  auto& hop = r.hop_tables.emplace_back();
  hop.id = kHopTableId;
  for (std::uint32_t k = 0; k < kChannels; ++k) {
    hop.frequencies_khz.push_back(kFirstChannelKhz + k * kChannelSpacingKhz);
  }
  r.rf_modes = rf_modes(profile);

  auto& g2 = c.c1g2.emplace();
  g2.can_support_block_erase = false;
  g2.can_support_block_write = false;
  g2.can_support_block_permalock = false;
  g2.can_support_tag_recommissioning = false;
  g2.can_support_umi_method2 = true;
  g2.can_support_xpc = false;
  g2.max_select_filters_per_query = 2;
  return c;
}

bool has_rf_mode(const ReaderProfile& profile, std::uint32_t mode_id) {
  for (const auto& m : rf_modes(profile)) {
    if (m.mode_id == mode_id) return true;
  }
  return false;
}

bool has_transmit_power_index(std::uint16_t power_index) {
  return power_index >= 1 && power_index <= kPowerLevels;
}

bool has_hop_table(std::uint16_t hop_table_id) { return hop_table_id == kHopTableId; }

bool has_receive_sensitivity_index(std::uint16_t sensitivity_index) {
  return sensitivity_index >= 1 && sensitivity_index <= kSensitivityEntries;
}

}  // namespace garita::sim::llrp
