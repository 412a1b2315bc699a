#pragma once
// Reader device configuration messages (LLRP 1.1 §13.1): GET_READER_CONFIG,
// GET_READER_CONFIG_RESPONSE and SET_READER_CONFIG. A lane sets keepalives,
// which events it wants, the default ROReportSpec and its lane-light GPOs
// here; the reader simulator decodes the same structures.
#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"
#include "garita/hal/llrp/ReaderConfigParameters.hpp"

namespace garita::hal::llrp {

// GET_READER_CONFIG.RequestedData (§13.1.1).
enum class ReaderConfigRequest : std::uint8_t {
  all = 0,
  identification = 1,
  antenna_properties = 2,
  antenna_configuration = 3,
  ro_report_spec = 4,
  reader_event_notification_spec = 5,
  access_report_spec = 6,
  llrp_configuration_state_value = 7,
  keepalive_spec = 8,
  gpi_port_current_state = 9,
  gpo_write_data = 10,
  events_and_reports = 11,
};

struct GetReaderConfig {
  std::uint16_t antenna_id = 0;  // 0: all antennas
  ReaderConfigRequest requested_data = ReaderConfigRequest::all;
  std::uint16_t gpi_port = 0;  // 0: all ports
  std::uint16_t gpo_port = 0;  // 0: all ports
  friend bool operator==(const GetReaderConfig&, const GetReaderConfig&) = default;
};

// The configuration parameters shared by GET_READER_CONFIG_RESPONSE and
// SET_READER_CONFIG. identification and llrp_configuration_state_value are
// read-only: only a response carries them.
struct ReaderConfig {
  std::optional<Identification> identification;
  std::vector<AntennaProperties> antenna_properties;
  std::vector<AntennaConfiguration> antenna_configurations;
  std::optional<ReaderEventNotificationSpec> reader_event_notification_spec;
  std::optional<RoReportSpec> ro_report_spec;
  std::optional<AccessReportSpec> access_report_spec;
  std::optional<std::uint32_t> llrp_configuration_state_value;
  std::optional<KeepaliveSpec> keepalive_spec;
  std::vector<GpiPortCurrentState> gpi_port_states;
  std::vector<GpoWriteData> gpo_write_data;
  std::optional<EventsAndReports> events_and_reports;
  friend bool operator==(const ReaderConfig&, const ReaderConfig&) = default;
};

struct SetReaderConfig {
  bool reset_to_factory_default = false;  // applied before the parameters below
  ReaderConfig config;                    // identification/state value must be empty
  friend bool operator==(const SetReaderConfig&, const SetReaderConfig&) = default;
};

struct GetReaderConfigResponse {
  LlrpStatus status;
  ReaderConfig config;
  friend bool operator==(const GetReaderConfigResponse&, const GetReaderConfigResponse&) = default;
};

std::error_code encode_get_reader_config(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                         const GetReaderConfig& request,
                                         ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_get_reader_config(const MessageView& message, GetReaderConfig& out);

// Errc::unexpected_parameter if config.identification or
// config.llrp_configuration_state_value is set (they cannot be written).
std::error_code encode_set_reader_config(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                         const SetReaderConfig& request,
                                         ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_set_reader_config(const MessageView& message, SetReaderConfig& out);

std::error_code encode_get_reader_config_response(
    std::vector<std::uint8_t>& out, std::uint32_t message_id,
    const GetReaderConfigResponse& response, ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_get_reader_config_response(const MessageView& message,
                                                  GetReaderConfigResponse& out);

}  // namespace garita::hal::llrp
