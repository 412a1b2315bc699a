#pragma once
// Reader capabilities discovery (LLRP 1.1 §10): GET_READER_CAPABILITIES and
// its response. garita reads the antenna count, clock kind (UTC or uptime
// timestamps), maker (IANA PEN; 25882 = Impinj), GPIO counts for lane
// lights and loop detectors, the transmit power table (power is set by
// index) and the C1G2 RF mode table.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

// GET_READER_CAPABILITIES.RequestedData (§10.1.1).
enum class CapabilitiesRequest : std::uint8_t {
  all = 0,
  general_device_capabilities = 1,
  llrp_capabilities = 2,
  regulatory_capabilities = 3,
  air_protocol_llrp_capabilities = 4,
};

struct ReceiveSensitivityEntry {
  std::uint16_t index = 0;
  std::int16_t value_db = 0;  // relative to the maximum sensitivity
  friend bool operator==(const ReceiveSensitivityEntry&, const ReceiveSensitivityEntry&) = default;
};

// GeneralDeviceCapabilities (§10.2.1) with its GPIOCapabilities.
// PerAntennaAirProtocol is not kept: every LLRP reader in scope is Gen2 on
// every antenna; the encoder declares C1G2 for antennas 1..max_antennas.
struct GeneralDeviceCapabilities {
  std::uint16_t max_antennas = 0;
  bool can_set_antenna_properties = false;
  bool has_utc_clock = false;
  std::uint32_t manufacturer = 0;  // IANA Private Enterprise Number
  std::uint32_t model = 0;
  std::string firmware_version;
  std::vector<ReceiveSensitivityEntry> receive_sensitivities;  // 1-N
  std::uint16_t gpi_count = 0;
  std::uint16_t gpo_count = 0;
  friend bool operator==(const GeneralDeviceCapabilities&,
                         const GeneralDeviceCapabilities&) = default;
};

// LLRPCapabilities (§10.2.2).
struct LlrpCapabilities {
  bool can_do_rf_survey = false;
  bool can_report_buffer_fill_warning = false;
  bool supports_client_request_op_spec = false;
  bool can_do_tag_inventory_state_aware_singulation = false;
  bool supports_event_and_report_holding = false;
  std::uint8_t max_priority_levels = 0;
  std::uint16_t client_request_op_spec_timeout_ms = 0;
  std::uint32_t max_ro_specs = 0;
  std::uint32_t max_specs_per_ro_spec = 0;
  std::uint32_t max_inventory_parameter_specs_per_ai_spec = 0;
  std::uint32_t max_access_specs = 0;
  std::uint32_t max_op_specs_per_access_spec = 0;
  friend bool operator==(const LlrpCapabilities&, const LlrpCapabilities&) = default;
};

struct TransmitPowerLevel {
  std::uint16_t index = 0;
  std::int16_t power_centi_dbm = 0;  // dBm * 100 at the connector
  friend bool operator==(const TransmitPowerLevel&, const TransmitPowerLevel&) = default;
};

struct FrequencyHopTable {
  std::uint8_t id = 0;
  std::vector<std::uint32_t> frequencies_khz;  // ChannelIndex 1 is the first
  friend bool operator==(const FrequencyHopTable&, const FrequencyHopTable&) = default;
};

// UHFC1G2RFModeTableEntry (§16.2.1.1.2.1).
struct C1G2RfMode {
  std::uint32_t mode_id = 0;
  bool divide_ratio_64_3 = false;  // DR: false = 8, true = 64/3
  bool epc_hag_tc_conformance = false;
  std::uint8_t modulation = 0;               // M: 0 FM0, 1 Miller-2, 2 Miller-4, 3 Miller-8
  std::uint8_t forward_link_modulation = 0;  // 0 PR-ASK, 1 SSB-ASK, 2 DSB-ASK
  std::uint8_t spectral_mask = 0;            // 0 unknown, 1 single, 2 multi, 3 dense interrogator
  std::uint32_t backscatter_data_rate_bps = 0;
  std::uint32_t pie_ratio_x1000 = 0;
  std::uint32_t min_tari_ns = 0;
  std::uint32_t max_tari_ns = 0;
  std::uint32_t step_tari_ns = 0;
  friend bool operator==(const C1G2RfMode&, const C1G2RfMode&) = default;
};

// RegulatoryCapabilities (§10.2.4) with its UHFBandCapabilities.
struct RegulatoryCapabilities {
  std::uint16_t country_code = 0;             // ISO 3166 numeric
  std::uint16_t communications_standard = 0;  // 1 = US FCC Part 15, 2 = ETSI 302 208, ...
  std::vector<TransmitPowerLevel> transmit_power_levels;
  bool hopping = false;
  std::vector<FrequencyHopTable> hop_tables;
  std::vector<std::uint32_t> fixed_frequencies_khz;
  std::vector<C1G2RfMode> rf_modes;
  friend bool operator==(const RegulatoryCapabilities&, const RegulatoryCapabilities&) = default;
};

// C1G2LLRPCapabilities (§16.2.1.1.1); the last four flags are LLRP 1.1.
struct C1G2LlrpCapabilities {
  bool can_support_block_erase = false;
  bool can_support_block_write = false;
  bool can_support_block_permalock = false;
  bool can_support_tag_recommissioning = false;
  bool can_support_umi_method2 = false;
  bool can_support_xpc = false;
  std::uint16_t max_select_filters_per_query = 0;
  friend bool operator==(const C1G2LlrpCapabilities&, const C1G2LlrpCapabilities&) = default;
};

struct ReaderCapabilities {
  LlrpStatus status;
  std::optional<GeneralDeviceCapabilities> general;
  std::optional<LlrpCapabilities> llrp;
  std::optional<RegulatoryCapabilities> regulatory;
  std::optional<C1G2LlrpCapabilities> c1g2;
  friend bool operator==(const ReaderCapabilities&, const ReaderCapabilities&) = default;
};

std::error_code encode_get_reader_capabilities(std::vector<std::uint8_t>& out,
                                               std::uint32_t message_id,
                                               CapabilitiesRequest requested,
                                               ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_get_reader_capabilities(const MessageView& message,
                                               CapabilitiesRequest& out);

std::error_code encode_get_reader_capabilities_response(
    std::vector<std::uint8_t>& out, std::uint32_t message_id,
    const ReaderCapabilities& capabilities, ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_get_reader_capabilities_response(const MessageView& message,
                                                        ReaderCapabilities& out);

}  // namespace garita::hal::llrp
