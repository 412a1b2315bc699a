#include "garita/hal/llrp/ReaderConfig.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {
namespace {

template <typename T, typename Read>
std::error_code read_optional(std::optional<T>& slot, std::span<const std::uint8_t> body,
                              Read read) {
  if (slot) return Errc::duplicate_parameter;
  return read(body, slot.emplace());
}

template <typename T, typename Read>
std::error_code read_repeated(std::vector<T>& list, std::span<const std::uint8_t> body, Read read) {
  T value;
  if (auto ec = read(body, value)) return ec;
  list.push_back(std::move(value));
  return {};
}

// Reads the configuration parameters in `parameters` into `out`; the
// LLRPStatus of a response is left to the caller. `writable_only` rejects
// the read-only parameters (a SET_READER_CONFIG cannot carry them).
std::error_code read_reader_config(std::span<const std::uint8_t> parameters, ReaderConfig& out,
                                   bool writable_only) {
  out = ReaderConfig{};
  ParameterWalker walker(parameters);
  Parameter p;
  std::error_code ec;
  while (walker.next(p)) {
    switch (p.type) {
      case ParameterType::identification:
        if (writable_only) return Errc::unexpected_parameter;
        ec = read_optional(out.identification, p.body, read_identification);
        break;
      case ParameterType::antenna_properties:
        ec = read_repeated(out.antenna_properties, p.body, read_antenna_properties);
        break;
      case ParameterType::antenna_configuration:
        ec = read_repeated(out.antenna_configurations, p.body, read_antenna_configuration);
        break;
      case ParameterType::reader_event_notification_spec:
        ec = read_optional(out.reader_event_notification_spec, p.body,
                           read_reader_event_notification_spec);
        break;
      case ParameterType::ro_report_spec:
        ec = read_optional(out.ro_report_spec, p.body, read_ro_report_spec);
        break;
      case ParameterType::access_report_spec:
        ec = read_optional(out.access_report_spec, p.body, read_access_report_spec);
        break;
      case ParameterType::llrp_configuration_state_value: {
        if (writable_only) return Errc::unexpected_parameter;
        if (out.llrp_configuration_state_value) return Errc::duplicate_parameter;
        FieldReader r(p.body);
        out.llrp_configuration_state_value = r.u32();
        ec = r.error();
        break;
      }
      case ParameterType::keepalive_spec:
        ec = read_optional(out.keepalive_spec, p.body, read_keepalive_spec);
        break;
      case ParameterType::gpi_port_current_state:
        ec = read_repeated(out.gpi_port_states, p.body, read_gpi_port_current_state);
        break;
      case ParameterType::gpo_write_data:
        ec = read_repeated(out.gpo_write_data, p.body, read_gpo_write_data);
        break;
      case ParameterType::events_and_reports:
        ec = read_optional(out.events_and_reports, p.body, read_events_and_reports);
        break;
      default: break;  // LLRPStatus (read by the caller), Custom (vendor settings)
    }
    if (ec) return ec;
  }
  return walker.error();
}

}  // namespace

std::error_code encode_get_reader_config(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                         const GetReaderConfig& request, ProtocolVersion version) {
  MessageWriter w(out, MessageType::get_reader_config, message_id, version);
  w.u16(request.antenna_id);
  w.u8(static_cast<std::uint8_t>(request.requested_data));
  w.u16(request.gpi_port);
  w.u16(request.gpo_port);
  return w.finish();
}

std::error_code decode_get_reader_config(const MessageView& message, GetReaderConfig& out) {
  if (auto ec = check_message(message, MessageType::get_reader_config)) return ec;
  FieldReader r(message.body());
  out.antenna_id = r.u16();
  out.requested_data = static_cast<ReaderConfigRequest>(r.u8());
  out.gpi_port = r.u16();
  out.gpo_port = r.u16();
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());  // Custom only; checked for structure
  Parameter p;
  while (walker.next(p)) {
  }
  return walker.error();
}

std::error_code encode_set_reader_config(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                         const SetReaderConfig& request, ProtocolVersion version) {
  const ReaderConfig& c = request.config;
  if (c.identification || c.llrp_configuration_state_value) return Errc::unexpected_parameter;
  MessageWriter w(out, MessageType::set_reader_config, message_id, version);
  w.flag_byte(request.reset_to_factory_default);
  // Parameter order of §13.1.3.
  if (c.reader_event_notification_spec)
    write_reader_event_notification_spec(w, *c.reader_event_notification_spec);
  for (const auto& v : c.antenna_properties) write_antenna_properties(w, v);
  for (const auto& v : c.antenna_configurations) write_antenna_configuration(w, v);
  if (c.ro_report_spec) write_ro_report_spec(w, *c.ro_report_spec);
  if (c.access_report_spec) write_access_report_spec(w, *c.access_report_spec);
  if (c.keepalive_spec) write_keepalive_spec(w, *c.keepalive_spec);
  for (const auto& v : c.gpo_write_data) write_gpo_write_data(w, v);
  for (const auto& v : c.gpi_port_states) write_gpi_port_current_state(w, v);
  if (c.events_and_reports) write_events_and_reports(w, *c.events_and_reports);
  return w.finish();
}

std::error_code decode_set_reader_config(const MessageView& message, SetReaderConfig& out) {
  if (auto ec = check_message(message, MessageType::set_reader_config)) return ec;
  FieldReader r(message.body());
  out.reset_to_factory_default = (r.u8() & 0x80u) != 0;
  if (auto ec = r.error()) return ec;
  return read_reader_config(r.rest(), out.config, /*writable_only=*/true);
}

std::error_code encode_get_reader_config_response(std::vector<std::uint8_t>& out,
                                                  std::uint32_t message_id,
                                                  const GetReaderConfigResponse& response,
                                                  ProtocolVersion version) {
  const ReaderConfig& c = response.config;
  MessageWriter w(out, MessageType::get_reader_config_response, message_id, version);
  // Parameter order of §13.1.2.
  write_llrp_status(w, response.status);
  if (c.identification) write_identification(w, *c.identification);
  for (const auto& v : c.antenna_properties) write_antenna_properties(w, v);
  for (const auto& v : c.antenna_configurations) write_antenna_configuration(w, v);
  if (c.reader_event_notification_spec)
    write_reader_event_notification_spec(w, *c.reader_event_notification_spec);
  if (c.ro_report_spec) write_ro_report_spec(w, *c.ro_report_spec);
  if (c.access_report_spec) write_access_report_spec(w, *c.access_report_spec);
  if (c.llrp_configuration_state_value) {
    const auto s = w.begin(ParameterType::llrp_configuration_state_value);
    w.u32(*c.llrp_configuration_state_value);
    w.end(s);
  }
  if (c.keepalive_spec) write_keepalive_spec(w, *c.keepalive_spec);
  for (const auto& v : c.gpi_port_states) write_gpi_port_current_state(w, v);
  for (const auto& v : c.gpo_write_data) write_gpo_write_data(w, v);
  if (c.events_and_reports) write_events_and_reports(w, *c.events_and_reports);
  return w.finish();
}

std::error_code decode_get_reader_config_response(const MessageView& message,
                                                  GetReaderConfigResponse& out) {
  if (auto ec = check_message(message, MessageType::get_reader_config_response)) return ec;
  if (auto ec = find_llrp_status(message.body(), out.status)) return ec;
  return read_reader_config(message.body(), out.config, /*writable_only=*/false);
}

}  // namespace garita::hal::llrp
