#pragma once
// LLRP parameter type numbers and the fixed body size of every TV parameter.
//
// Sources checked against each other: the LTK binary definition
// llrp-1x0-def.xml (LLRP 1.0.1 §16.2/§16.3 = LLRP 1.1 §17.2/§17.3), sllurp's
// TV table and EdgeX device-rfid-llrp-go's LLRP 1.1 definitions (types 15,
// 19, 20 and 355-365 are LLRP 1.1 additions).
//
// Section numbers cited across this codec are LLRP 1.1's. They were mapped
// from the LTK's LLRP 1.0.1 references: 1.1 inserted §9 (protocol version
// management), moving 1.0.1 chapters 9-18 up by one (ROSpec 10.2 -> 11.2,
// binary encoding 16 -> 17, TCP transport 18 -> 19).
//
// A TV parameter (LLRP 1.1 §17.2.1.1) is 1 bit set + 7-bit type + a body
// whose size only the type tells; a TLV (§17.2.1.2) is 6 reserved bits +
// 10-bit type + 16-bit length (header included) + body.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace garita::hal::llrp {

enum class ParameterType : std::uint16_t {
  // --- TV-encoded (1..127) ---
  antenna_id = 1,                      // u16
  first_seen_timestamp_utc = 2,        // u64 µs since the Unix epoch
  first_seen_timestamp_uptime = 3,     // u64 µs since reader boot
  last_seen_timestamp_utc = 4,         // u64
  last_seen_timestamp_uptime = 5,      // u64
  peak_rssi = 6,                       // s8 dBm
  channel_index = 7,                   // u16, one-based
  tag_seen_count = 8,                  // u16
  ro_spec_id = 9,                      // u32
  inventory_parameter_spec_id = 10,    // u16
  c1g2_crc = 11,                       // u16
  c1g2_pc = 12,                        // u16
  epc_96 = 13,                         // 96 bits
  spec_index = 14,                     // u16
  client_request_op_spec_result = 15,  // u16 OpSpecID (LLRP 1.1)
  access_spec_id = 16,                 // u32
  op_spec_id = 17,                     // u16
  c1g2_singulation_details = 18,       // u16 NumCollisionSlots + u16 NumEmptySlots
  c1g2_xpc_w1 = 19,                    // u16 (LLRP 1.1)
  c1g2_xpc_w2 = 20,                    // u16 (LLRP 1.1)

  // --- TLV-encoded (128..1023) ---
  utc_timestamp = 128,
  uptime = 129,
  general_device_capabilities = 137,
  receive_sensitivity_table_entry = 139,
  per_antenna_air_protocol = 140,
  gpio_capabilities = 141,
  llrp_capabilities = 142,
  regulatory_capabilities = 143,
  uhf_band_capabilities = 144,
  transmit_power_level_table_entry = 145,
  frequency_information = 146,
  frequency_hop_table = 147,
  fixed_frequency_table = 148,
  per_antenna_receive_sensitivity_range = 149,
  ro_spec = 177,
  ro_boundary_spec = 178,
  ro_spec_start_trigger = 179,
  periodic_trigger_value = 180,
  gpi_trigger_value = 181,
  ro_spec_stop_trigger = 182,
  ai_spec = 183,
  ai_spec_stop_trigger = 184,
  tag_observation_trigger = 185,
  inventory_parameter_spec = 186,
  rf_survey_spec = 187,
  rf_survey_spec_stop_trigger = 188,
  access_spec = 207,
  access_spec_stop_trigger = 208,
  access_command = 209,
  client_request_op_spec = 210,
  client_request_response = 211,
  llrp_configuration_state_value = 217,
  identification = 218,
  gpo_write_data = 219,
  keepalive_spec = 220,
  antenna_properties = 221,
  antenna_configuration = 222,
  rf_receiver = 223,
  rf_transmitter = 224,
  gpi_port_current_state = 225,
  events_and_reports = 226,
  ro_report_spec = 237,
  tag_report_content_selector = 238,
  access_report_spec = 239,
  tag_report_data = 240,
  epc_data = 241,
  rf_survey_report_data = 242,
  frequency_rssi_level_entry = 243,
  reader_event_notification_spec = 244,
  event_notification_state = 245,
  reader_event_notification_data = 246,
  hopping_event = 247,
  gpi_event = 248,
  ro_spec_event = 249,
  report_buffer_level_warning_event = 250,
  report_buffer_overflow_error_event = 251,
  reader_exception_event = 252,
  rf_survey_event = 253,
  ai_spec_event = 254,
  antenna_event = 255,
  connection_attempt_event = 256,
  connection_close_event = 257,
  llrp_status = 287,
  field_error = 288,
  parameter_error = 289,
  c1g2_llrp_capabilities = 327,
  uhf_c1g2_rf_mode_table = 328,
  uhf_c1g2_rf_mode_table_entry = 329,
  c1g2_inventory_command = 330,
  c1g2_filter = 331,
  c1g2_tag_inventory_mask = 332,
  c1g2_tag_inventory_state_aware_filter_action = 333,
  c1g2_tag_inventory_state_unaware_filter_action = 334,
  c1g2_rf_control = 335,
  c1g2_singulation_control = 336,
  c1g2_tag_inventory_state_aware_singulation_action = 337,
  c1g2_tag_spec = 338,
  c1g2_target_tag = 339,
  c1g2_read = 341,
  c1g2_write = 342,
  c1g2_kill = 343,
  c1g2_lock = 344,
  c1g2_lock_payload = 345,
  c1g2_block_erase = 346,
  c1g2_block_write = 347,
  c1g2_epc_memory_selector = 348,
  c1g2_read_op_spec_result = 349,
  c1g2_write_op_spec_result = 350,
  c1g2_kill_op_spec_result = 351,
  c1g2_lock_op_spec_result = 352,
  c1g2_block_erase_op_spec_result = 353,
  c1g2_block_write_op_spec_result = 354,
  loop_spec = 355,                                       // LLRP 1.1
  spec_loop_event = 356,                                 // LLRP 1.1
  c1g2_recommission = 357,                               // LLRP 1.1
  c1g2_block_permalock = 358,                            // LLRP 1.1
  c1g2_get_block_permalock_status = 359,                 // LLRP 1.1
  c1g2_recommission_op_spec_result = 360,                // LLRP 1.1
  c1g2_block_permalock_op_spec_result = 361,             // LLRP 1.1
  c1g2_get_block_permalock_status_op_spec_result = 362,  // LLRP 1.1
  maximum_receive_sensitivity = 363,                     // LLRP 1.1
  rf_survey_frequency_capabilities = 365,                // LLRP 1.1
  custom = 1023,                                         // vendor u32 + subtype u32 + data (§8.2)
};

// Body size in bytes (after the 1-byte TV header) of TV type `tv_type`
// (0..127), or 0 for a type LLRP 1.1 does not define. Every TV type has a
// non-zero body, so 0 unambiguously means "unknown".
constexpr std::size_t tv_body_size(std::uint8_t tv_type) noexcept {
  constexpr std::array<std::uint8_t, 21> kSizes = {
      0,   // 0: not a parameter
      2,   // 1  AntennaID
      8,   // 2  FirstSeenTimestampUTC
      8,   // 3  FirstSeenTimestampUptime
      8,   // 4  LastSeenTimestampUTC
      8,   // 5  LastSeenTimestampUptime
      1,   // 6  PeakRSSI
      2,   // 7  ChannelIndex
      2,   // 8  TagSeenCount
      4,   // 9  ROSpecID
      2,   // 10 InventoryParameterSpecID
      2,   // 11 C1G2_CRC
      2,   // 12 C1G2_PC
      12,  // 13 EPC-96
      2,   // 14 SpecIndex
      2,   // 15 ClientRequestOpSpecResult
      4,   // 16 AccessSpecID
      2,   // 17 OpSpecID
      4,   // 18 C1G2SingulationDetails
      2,   // 19 C1G2_XPC_W1
      2,   // 20 C1G2_XPC_W2
  };
  return tv_type < kSizes.size() ? kSizes[tv_type] : 0;
}

constexpr bool is_tv_type(ParameterType type) noexcept {
  return static_cast<std::uint16_t>(type) < 128;
}

}  // namespace garita::hal::llrp
