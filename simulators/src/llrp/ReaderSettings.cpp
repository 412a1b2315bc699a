#include "garita/sim/llrp/ReaderSettings.hpp"

#include <string>

#include "garita/hal/llrp/ParameterType.hpp"
#include "garita/sim/llrp/ErrorStatus.hpp"

namespace garita::sim::llrp {
namespace codec = garita::hal::llrp;
using codec::ParameterType;
using codec::StatusCode;

namespace {

// Event types an LLRP 1.0.1 reader knows (§14.2.5.1: 0..8; 9 is 1.1's
// SpecLoopEvent).
constexpr std::size_t kEventTypes = 9;

// Gen2 sessions S0..S3 (C1G2SingulationControl.Session is 2 bits).
constexpr std::uint8_t kMaxGen2Session = 3;

// AntennaConfiguration fields/sub-parameters as numbered in LLRP 1.1
// §17.2.6.x for FieldError (fields count from 0 in each parameter).
constexpr std::uint16_t kAntennaIdField = 0;

}  // namespace

codec::RoReportSpec factory_report_spec() {
  codec::RoReportSpec s;
  s.trigger = codec::RoReportTrigger::upon_n_tags_or_end_of_ai_spec;
  s.n = 1;
  s.content.enable_antenna_id = true;
  s.content.enable_first_seen_timestamp = true;
  return s;
}

std::vector<codec::ParameterError> check_report_spec(const ReaderProfile& profile,
                                                     const codec::RoReportSpec& spec,
                                                     bool impinj_extensions, std::string& what) {
  if (static_cast<unsigned>(spec.trigger) > 2) {
    what += "ROReportTrigger " + std::to_string(static_cast<unsigned>(spec.trigger)) +
            " is not an LLRP 1.0.1 trigger (0-2)";
    return {bad_field(ParameterType::ro_report_spec, 0, StatusCode::a_out_of_range)};
  }
  if (spec.impinj) {
    if (!profile.is_impinj()) {
      what += "vendor parameter ImpinjTagReportContentSelector is not supported by this reader";
      return {in_parameter(ParameterType::ro_report_spec),
              bad_parameter(ParameterType::custom, StatusCode::p_unsupported_parameter)};
    }
    if (!impinj_extensions) {
      what +=
          "Impinj extensions are not enabled on this connection (send IMPINJ_ENABLE_EXTENSIONS)";
      return {in_parameter(ParameterType::ro_report_spec),
              bad_parameter(ParameterType::custom, StatusCode::p_unsupported_parameter)};
    }
  }
  return {};
}

std::vector<codec::ParameterError> check_antenna_configuration(
    const ReaderProfile& profile, const codec::AntennaConfiguration& config, std::string& what) {
  if (config.antenna_id > profile.antenna_count) {
    what += "AntennaConfiguration for antenna " + std::to_string(config.antenna_id) +
            ": the reader has antennas 1-" + std::to_string(profile.antenna_count);
    return {bad_field(ParameterType::antenna_configuration, kAntennaIdField,
                      StatusCode::a_out_of_range)};
  }
  if (config.rf_receiver &&
      !has_receive_sensitivity_index(config.rf_receiver->receiver_sensitivity)) {
    what += "ReceiverSensitivity index " +
            std::to_string(config.rf_receiver->receiver_sensitivity) +
            " is not in the reader's sensitivity table";
    return {in_parameter(ParameterType::antenna_configuration),
            bad_field(ParameterType::rf_receiver, 0, StatusCode::a_out_of_range)};
  }
  if (config.rf_transmitter) {
    const codec::RfTransmitter& tx = *config.rf_transmitter;
    if (!has_hop_table(tx.hop_table_id)) {
      what +=
          "HopTableID " + std::to_string(tx.hop_table_id) + " does not exist (the reader has 1)";
      return {in_parameter(ParameterType::antenna_configuration),
              bad_field(ParameterType::rf_transmitter, 0, StatusCode::a_out_of_range)};
    }
    if (!has_transmit_power_index(tx.transmit_power)) {
      what += "TransmitPower index " + std::to_string(tx.transmit_power) +
              " is not in the reader's power table (1-81)";
      return {in_parameter(ParameterType::antenna_configuration),
              bad_field(ParameterType::rf_transmitter, 2, StatusCode::a_out_of_range)};
    }
  }
  if (config.c1g2_inventory_command) {
    const codec::C1G2InventoryCommand& inv = *config.c1g2_inventory_command;
    if (inv.rf_control && !has_rf_mode(profile, inv.rf_control->mode_index)) {
      what += "C1G2RFControl ModeIndex " + std::to_string(inv.rf_control->mode_index) +
              " is not in the reader's RF mode table";
      return {in_parameter(ParameterType::antenna_configuration),
              in_parameter(ParameterType::c1g2_inventory_command),
              bad_field(ParameterType::c1g2_rf_control, 0, StatusCode::a_out_of_range)};
    }
    if (inv.singulation_control && inv.singulation_control->session > kMaxGen2Session) {
      what += "Gen2 session " + std::to_string(inv.singulation_control->session) + " (S0-S3 only)";
      return {in_parameter(ParameterType::antenna_configuration),
              in_parameter(ParameterType::c1g2_inventory_command),
              bad_field(ParameterType::c1g2_singulation_control, 0, StatusCode::a_out_of_range)};
    }
  }
  return {};
}

ReaderSettings::ReaderSettings(const ReaderProfile& profile) : profile_(profile) { reset(); }

void ReaderSettings::reset() {
  keepalive_ = codec::KeepaliveSpec{};
  events_.assign(kEventTypes, false);
  report_spec_ = factory_report_spec();
  access_report_ = codec::AccessReportSpec{};
  antennas_.clear();
  for (std::uint16_t a = 1; a <= profile_.antenna_count; ++a) {
    codec::AntennaConfiguration c;
    c.antenna_id = a;
    c.rf_receiver = codec::RfReceiver{1};
    c.rf_transmitter = codec::RfTransmitter{1, 0, 81};
    antennas_.push_back(c);
  }
  gpi_enabled_.assign(profile_.gpi_count, false);
  gpo_.assign(profile_.gpo_count, false);
  hold_on_reconnect_ = false;
  ++state_value_;
}

codec::LlrpStatus ReaderSettings::validate(const codec::SetReaderConfig& request,
                                           bool impinj_extensions) const {
  const codec::ReaderConfig& c = request.config;
  std::string what;
  if (!c.antenna_properties.empty()) {
    return parameter_error(
        {bad_parameter(ParameterType::antenna_properties, StatusCode::p_unsupported_parameter)},
        "AntennaProperties cannot be set on this reader (CanSetAntennaProperties = 0)");
  }
  for (const auto& antenna : c.antenna_configurations) {
    const auto chain = check_antenna_configuration(profile_, antenna, what);
    if (!chain.empty()) {
      codec::LlrpStatus s = parameter_error({}, what);
      s.parameter_errors = chain;
      return s;
    }
  }
  if (c.reader_event_notification_spec) {
    for (const auto& state : c.reader_event_notification_spec->states) {
      if (static_cast<std::size_t>(state.event) >= kEventTypes) {
        return parameter_error(
            {in_parameter(ParameterType::reader_event_notification_spec),
             bad_field(ParameterType::event_notification_state, 0, StatusCode::a_out_of_range)},
            "event type " + std::to_string(static_cast<unsigned>(state.event)) +
                " is not an LLRP 1.0.1 reader event (0-8)");
      }
    }
  }
  if (c.ro_report_spec) {
    const auto chain = check_report_spec(profile_, *c.ro_report_spec, impinj_extensions, what);
    if (!chain.empty()) {
      codec::LlrpStatus s = parameter_error({}, what);
      s.parameter_errors = chain;
      return s;
    }
  }
  if (c.access_report_spec && static_cast<unsigned>(c.access_report_spec->trigger) > 1) {
    return parameter_error(
        {bad_field(ParameterType::access_report_spec, 0, StatusCode::a_out_of_range)},
        "AccessReportTrigger must be 0 or 1");
  }
  if (c.keepalive_spec && c.keepalive_spec->trigger == codec::KeepaliveTrigger::periodic &&
      c.keepalive_spec->period_ms == 0) {
    return parameter_error(
        {bad_field(ParameterType::keepalive_spec, 1, StatusCode::a_out_of_range)},
        "a periodic KeepaliveSpec needs a period above 0 ms");
  }
  if (c.keepalive_spec && static_cast<unsigned>(c.keepalive_spec->trigger) > 1) {
    return parameter_error(
        {bad_field(ParameterType::keepalive_spec, 0, StatusCode::a_out_of_range)},
        "KeepaliveTriggerType must be 0 (null) or 1 (periodic)");
  }
  for (const auto& gpi : c.gpi_port_states) {
    if (gpi.port == 0 || gpi.port > profile_.gpi_count) {
      return parameter_error(
          {bad_field(ParameterType::gpi_port_current_state, 0, StatusCode::a_out_of_range)},
          "GPI port " + std::to_string(gpi.port) + ": the reader has GPIs 1-" +
              std::to_string(profile_.gpi_count));
    }
  }
  for (const auto& gpo : c.gpo_write_data) {
    if (gpo.port == 0 || gpo.port > profile_.gpo_count) {
      return parameter_error(
          {bad_field(ParameterType::gpo_write_data, 0, StatusCode::a_out_of_range)},
          "GPO port " + std::to_string(gpo.port) + ": the reader has GPOs 1-" +
              std::to_string(profile_.gpo_count));
    }
  }
  return success_status();
}

void ReaderSettings::apply(const codec::SetReaderConfig& request) {
  if (request.reset_to_factory_default) reset();
  const codec::ReaderConfig& c = request.config;
  for (const auto& given : c.antenna_configurations) {
    // AntennaID 0 applies the configuration to every antenna (§13.2.6);
    // sub-parameters left out keep their current values.
    for (auto& stored : antennas_) {
      if (given.antenna_id != 0 && given.antenna_id != stored.antenna_id) continue;
      if (given.rf_receiver) stored.rf_receiver = given.rf_receiver;
      if (given.rf_transmitter) stored.rf_transmitter = given.rf_transmitter;
      if (given.c1g2_inventory_command)
        stored.c1g2_inventory_command = given.c1g2_inventory_command;
    }
  }
  if (c.reader_event_notification_spec) {
    for (const auto& state : c.reader_event_notification_spec->states) {
      events_[static_cast<std::size_t>(state.event)] = state.enabled;
    }
  }
  if (c.ro_report_spec) report_spec_ = *c.ro_report_spec;
  if (c.access_report_spec) access_report_ = *c.access_report_spec;
  if (c.keepalive_spec) keepalive_ = *c.keepalive_spec;
  for (const auto& gpi : c.gpi_port_states) gpi_enabled_[gpi.port - 1u] = gpi.enabled;
  for (const auto& gpo : c.gpo_write_data) gpo_[gpo.port - 1u] = gpo.data;
  if (c.events_and_reports)
    hold_on_reconnect_ = c.events_and_reports->hold_events_and_reports_upon_reconnect;
  ++state_value_;
}

bool ReaderSettings::event_enabled(codec::ReaderEventType event) const noexcept {
  const auto i = static_cast<std::size_t>(event);
  return i < events_.size() && events_[i];
}

bool ReaderSettings::gpo(std::uint16_t port) const noexcept {
  return port >= 1 && port <= gpo_.size() && gpo_[port - 1u];
}

codec::GetReaderConfigResponse ReaderSettings::read(const codec::GetReaderConfig& request,
                                                    std::uint16_t lane_number) const {
  codec::GetReaderConfigResponse r;
  // GET_READER_CONFIG fields: 0 AntennaID, 1 RequestedData, 2 GPIPortNum, 3 GPOPortNum.
  if (request.antenna_id > profile_.antenna_count) {
    r.status = message_field_error(0, StatusCode::a_out_of_range,
                                   "antenna " + std::to_string(request.antenna_id) +
                                       ": the reader has antennas 1-" +
                                       std::to_string(profile_.antenna_count));
    return r;
  }
  if (static_cast<unsigned>(request.requested_data) > 11) {
    r.status = message_field_error(1, StatusCode::a_out_of_range, "RequestedData must be 0-11");
    return r;
  }
  if (request.gpi_port > profile_.gpi_count) {
    r.status = message_field_error(2, StatusCode::a_out_of_range, "no such GPI port");
    return r;
  }
  if (request.gpo_port > profile_.gpo_count) {
    r.status = message_field_error(3, StatusCode::a_out_of_range, "no such GPO port");
    return r;
  }
  using Req = codec::ReaderConfigRequest;
  const Req want = request.requested_data;
  const auto wants = [want](Req part) { return want == Req::all || want == part; };
  codec::ReaderConfig& c = r.config;
  if (wants(Req::identification)) {
    // An EUI-64 built from the maker's OUI (Impinj 00:16:25) or a locally
    // administered prefix, with the lane number in the last bytes.
    codec::Identification id;
    id.type = codec::IdentificationType::mac_address;
    if (profile_.is_impinj()) {
      id.reader_id = {0x00, 0x16, 0x25, 0xFF, 0xFE, 0x00};
    } else {
      id.reader_id = {0x02, 0x00, 0x00, 0xFF, 0xFE, 0x00};
    }
    id.reader_id.push_back(static_cast<std::uint8_t>(lane_number >> 8));
    id.reader_id.push_back(static_cast<std::uint8_t>(lane_number));
    c.identification = id;
  }
  const auto antenna_selected = [&request](std::uint16_t a) {
    return request.antenna_id == 0 || request.antenna_id == a;
  };
  if (wants(Req::antenna_properties)) {
    for (std::uint16_t a = 1; a <= profile_.antenna_count; ++a) {
      if (!antenna_selected(a)) continue;
      // Panels on the lane canopy: 8 dBic with 1 dB of cable, as the traffic model assumes.
      c.antenna_properties.push_back({a <= profile_.connected_antennas, a, 700});
    }
  }
  if (wants(Req::antenna_configuration)) {
    for (const auto& stored : antennas_) {
      if (antenna_selected(stored.antenna_id)) c.antenna_configurations.push_back(stored);
    }
  }
  if (wants(Req::ro_report_spec)) c.ro_report_spec = report_spec_;
  if (wants(Req::reader_event_notification_spec)) {
    codec::ReaderEventNotificationSpec spec;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      spec.states.push_back({static_cast<codec::ReaderEventType>(i), events_[i]});
    }
    c.reader_event_notification_spec = spec;
  }
  if (wants(Req::access_report_spec)) c.access_report_spec = access_report_;
  if (wants(Req::llrp_configuration_state_value)) c.llrp_configuration_state_value = state_value_;
  if (wants(Req::keepalive_spec)) c.keepalive_spec = keepalive_;
  if (wants(Req::gpi_port_current_state)) {
    for (std::uint16_t p = 1; p <= profile_.gpi_count; ++p) {
      if (request.gpi_port != 0 && request.gpi_port != p) continue;
      // Nothing is wired to the simulated GPIs: they read low when enabled.
      c.gpi_port_states.push_back(
          {p, gpi_enabled_[p - 1u],
           gpi_enabled_[p - 1u] ? codec::GpiState::low : codec::GpiState::unknown});
    }
  }
  if (wants(Req::gpo_write_data)) {
    for (std::uint16_t p = 1; p <= profile_.gpo_count; ++p) {
      if (request.gpo_port != 0 && request.gpo_port != p) continue;
      c.gpo_write_data.push_back({p, gpo_[p - 1u]});
    }
  }
  if (wants(Req::events_and_reports))
    c.events_and_reports = codec::EventsAndReports{hold_on_reconnect_};
  return r;
}

}  // namespace garita::sim::llrp
