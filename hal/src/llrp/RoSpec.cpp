#include "garita/hal/llrp/RoSpec.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {
namespace {

std::error_code read_gpi_trigger(std::span<const std::uint8_t> body, GpiTriggerValue& out) {
  FieldReader r(body);
  out.port = r.u16();
  out.event = (r.u8() & 0x80u) != 0;
  out.timeout_ms = r.u32();
  return r.error();
}

void write_gpi_trigger(MessageWriter& w, const GpiTriggerValue& v) {
  const auto s = w.begin(ParameterType::gpi_trigger_value);
  w.u16(v.port);
  w.flag_byte(v.event);
  w.u32(v.timeout_ms);
  w.end(s);
}

std::error_code read_periodic_trigger(std::span<const std::uint8_t> body,
                                      PeriodicTriggerValue& out) {
  FieldReader r(body);
  out.offset_ms = r.u32();
  out.period_ms = r.u32();
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::utc_timestamp) continue;
    if (out.utc_start_us) return Errc::duplicate_parameter;
    FieldReader t(p.body);
    out.utc_start_us = t.u64();
    if (auto ec = t.error()) return ec;
  }
  return walker.error();
}

std::error_code read_start_trigger(std::span<const std::uint8_t> body, RoSpecStartTrigger& out) {
  FieldReader r(body);
  out.type = static_cast<RoSpecStartTriggerType>(r.u8());
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    std::error_code ec;
    if (p.type == ParameterType::periodic_trigger_value) {
      if (out.periodic) return Errc::duplicate_parameter;
      ec = read_periodic_trigger(p.body, out.periodic.emplace());
    } else if (p.type == ParameterType::gpi_trigger_value) {
      if (out.gpi) return Errc::duplicate_parameter;
      ec = read_gpi_trigger(p.body, out.gpi.emplace());
    }
    if (ec) return ec;
  }
  return walker.error();
}

std::error_code read_stop_trigger(std::span<const std::uint8_t> body, RoSpecStopTrigger& out) {
  FieldReader r(body);
  out.type = static_cast<RoSpecStopTriggerType>(r.u8());
  out.duration_ms = r.u32();
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::gpi_trigger_value) continue;
    if (out.gpi) return Errc::duplicate_parameter;
    if (auto ec = read_gpi_trigger(p.body, out.gpi.emplace())) return ec;
  }
  return walker.error();
}

std::error_code read_boundary_spec(std::span<const std::uint8_t> body, RoSpec& out) {
  bool have_start = false;
  bool have_stop = false;
  ParameterWalker walker(body);
  Parameter p;
  while (walker.next(p)) {
    std::error_code ec;
    if (p.type == ParameterType::ro_spec_start_trigger) {
      if (have_start) return Errc::duplicate_parameter;
      have_start = true;
      ec = read_start_trigger(p.body, out.start_trigger);
    } else if (p.type == ParameterType::ro_spec_stop_trigger) {
      if (have_stop) return Errc::duplicate_parameter;
      have_stop = true;
      ec = read_stop_trigger(p.body, out.stop_trigger);
    }
    if (ec) return ec;
  }
  if (auto ec = walker.error()) return ec;
  return have_start && have_stop ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

std::error_code read_ai_stop_trigger(std::span<const std::uint8_t> body, AiSpecStopTrigger& out) {
  FieldReader r(body);
  out.type = static_cast<AiSpecStopTriggerType>(r.u8());
  out.duration_ms = r.u32();
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::gpi_trigger_value) {
      if (out.gpi) return Errc::duplicate_parameter;
      if (auto ec = read_gpi_trigger(p.body, out.gpi.emplace())) return ec;
    } else if (p.type == ParameterType::tag_observation_trigger) {
      if (out.tag_observation) return Errc::duplicate_parameter;
      FieldReader t(p.body);
      TagObservationTrigger& o = out.tag_observation.emplace();
      o.type = t.u8();
      t.u8();  // reserved
      o.number_of_tags = t.u16();
      o.number_of_attempts = t.u16();
      o.t_ms = t.u16();
      o.timeout_ms = t.u32();
      if (auto ec = t.error()) return ec;
    }
  }
  return walker.error();
}

std::error_code read_inventory_parameter_spec(std::span<const std::uint8_t> body,
                                              InventoryParameterSpec& out) {
  FieldReader r(body);
  out.id = r.u16();
  out.protocol = static_cast<AirProtocol>(r.u8());
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::antenna_configuration) continue;
    AntennaConfiguration c;
    if (auto ec = read_antenna_configuration(p.body, c)) return ec;
    out.antenna_configurations.push_back(c);
  }
  return walker.error();
}

std::error_code read_ai_spec(std::span<const std::uint8_t> body, AiSpec& out) {
  FieldReader r(body);
  std::uint16_t count = 0;
  const auto ids = r.word_field(count);
  if (auto ec = r.error()) return ec;
  out.antenna_ids.reserve(count);
  for (std::size_t i = 0; i < ids.size(); i += 2)
    out.antenna_ids.push_back(load_be16(ids.data() + i));
  bool have_stop = false;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    std::error_code ec;
    if (p.type == ParameterType::ai_spec_stop_trigger) {
      if (have_stop) return Errc::duplicate_parameter;
      have_stop = true;
      ec = read_ai_stop_trigger(p.body, out.stop_trigger);
    } else if (p.type == ParameterType::inventory_parameter_spec) {
      ec = read_inventory_parameter_spec(p.body, out.inventory_parameter_specs.emplace_back());
    }
    if (ec) return ec;
  }
  if (auto ec = walker.error()) return ec;
  if (!have_stop || out.inventory_parameter_specs.empty()) return Errc::missing_parameter;
  return {};
}

void write_ai_spec(MessageWriter& w, const AiSpec& a) {
  const auto start = w.begin(ParameterType::ai_spec);
  w.word_field(std::span<const std::uint16_t>(a.antenna_ids));
  {
    const AiSpecStopTrigger& t = a.stop_trigger;
    const auto s = w.begin(ParameterType::ai_spec_stop_trigger);
    w.u8(static_cast<std::uint8_t>(t.type));
    w.u32(t.duration_ms);
    if (t.gpi) write_gpi_trigger(w, *t.gpi);
    if (t.tag_observation) {
      const TagObservationTrigger& o = *t.tag_observation;
      const auto obs = w.begin(ParameterType::tag_observation_trigger);
      w.u8(o.type);
      w.u8(0);  // reserved
      w.u16(o.number_of_tags);
      w.u16(o.number_of_attempts);
      w.u16(o.t_ms);
      w.u32(o.timeout_ms);
      w.end(obs);
    }
    w.end(s);
  }
  for (const InventoryParameterSpec& ips : a.inventory_parameter_specs) {
    const auto s = w.begin(ParameterType::inventory_parameter_spec);
    w.u16(ips.id);
    w.u8(static_cast<std::uint8_t>(ips.protocol));
    for (const AntennaConfiguration& c : ips.antenna_configurations)
      write_antenna_configuration(w, c);
    w.end(s);
  }
  w.end(start);
}

}  // namespace

std::error_code read_ro_spec(std::span<const std::uint8_t> body, RoSpec& out) {
  out = RoSpec{};
  FieldReader r(body);
  out.id = r.u32();
  out.priority = r.u8();
  out.current_state = static_cast<RoSpecState>(r.u8());
  if (auto ec = r.error()) return ec;
  bool have_boundary = false;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    std::error_code ec;
    switch (p.type) {
      case ParameterType::ro_boundary_spec:
        if (have_boundary) return Errc::duplicate_parameter;
        have_boundary = true;
        ec = read_boundary_spec(p.body, out);
        break;
      case ParameterType::ai_spec: ec = read_ai_spec(p.body, out.ai_specs.emplace_back()); break;
      case ParameterType::ro_report_spec:
        if (out.report_spec) return Errc::duplicate_parameter;
        ec = read_ro_report_spec(p.body, out.report_spec.emplace());
        break;
      default:
        if (out.skipped_specs != 0xFFFF) ++out.skipped_specs;
        break;
    }
    if (ec) return ec;
  }
  if (auto ec = walker.error()) return ec;
  return have_boundary ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

void write_ro_spec(MessageWriter& w, const RoSpec& spec) {
  const auto start = w.begin(ParameterType::ro_spec);
  w.u32(spec.id);
  w.u8(spec.priority);
  w.u8(static_cast<std::uint8_t>(spec.current_state));
  {
    const auto boundary = w.begin(ParameterType::ro_boundary_spec);
    const auto st = w.begin(ParameterType::ro_spec_start_trigger);
    w.u8(static_cast<std::uint8_t>(spec.start_trigger.type));
    if (spec.start_trigger.periodic) {
      const PeriodicTriggerValue& v = *spec.start_trigger.periodic;
      const auto s = w.begin(ParameterType::periodic_trigger_value);
      w.u32(v.offset_ms);
      w.u32(v.period_ms);
      if (v.utc_start_us) {
        const auto ts = w.begin(ParameterType::utc_timestamp);
        w.u64(*v.utc_start_us);
        w.end(ts);
      }
      w.end(s);
    }
    if (spec.start_trigger.gpi) write_gpi_trigger(w, *spec.start_trigger.gpi);
    w.end(st);
    const auto sp = w.begin(ParameterType::ro_spec_stop_trigger);
    w.u8(static_cast<std::uint8_t>(spec.stop_trigger.type));
    w.u32(spec.stop_trigger.duration_ms);
    if (spec.stop_trigger.gpi) write_gpi_trigger(w, *spec.stop_trigger.gpi);
    w.end(sp);
    w.end(boundary);
  }
  for (const AiSpec& a : spec.ai_specs) write_ai_spec(w, a);
  if (spec.report_spec) write_ro_report_spec(w, *spec.report_spec);
  w.end(start);
}

std::error_code encode_add_rospec(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                  const RoSpec& spec, ProtocolVersion version) {
  MessageWriter w(out, MessageType::add_rospec, message_id, version);
  write_ro_spec(w, spec);
  return w.finish();
}

std::error_code decode_add_rospec(const MessageView& message, RoSpec& out) {
  if (auto ec = check_message(message, MessageType::add_rospec)) return ec;
  bool found = false;
  ParameterWalker walker(message.body());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::ro_spec) continue;
    if (found) return Errc::duplicate_parameter;
    if (auto ec = read_ro_spec(p.body, out)) return ec;
    found = true;
  }
  if (auto ec = walker.error()) return ec;
  return found ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

bool is_rospec_command(MessageType type) noexcept {
  switch (type) {
    case MessageType::delete_rospec:
    case MessageType::start_rospec:
    case MessageType::stop_rospec:
    case MessageType::enable_rospec:
    case MessageType::disable_rospec: return true;
    default: return false;
  }
}

std::error_code encode_rospec_command(std::vector<std::uint8_t>& out, MessageType type,
                                      std::uint32_t message_id, std::uint32_t ro_spec_id,
                                      ProtocolVersion version) {
  if (!is_rospec_command(type)) return Errc::wrong_message_type;
  MessageWriter w(out, type, message_id, version);
  w.u32(ro_spec_id);
  return w.finish();
}

std::error_code decode_rospec_command(const MessageView& message, MessageType expected,
                                      std::uint32_t& ro_spec_id) {
  if (!is_rospec_command(expected)) return Errc::wrong_message_type;
  if (auto ec = check_message(message, expected)) return ec;
  FieldReader r(message.body());
  ro_spec_id = r.u32();
  return r.error();
}

std::error_code encode_get_rospecs_response(std::vector<std::uint8_t>& out,
                                            std::uint32_t message_id,
                                            const GetRoSpecsResponse& response,
                                            ProtocolVersion version) {
  MessageWriter w(out, MessageType::get_rospecs_response, message_id, version);
  write_llrp_status(w, response.status);
  for (const RoSpec& spec : response.ro_specs) write_ro_spec(w, spec);
  return w.finish();
}

std::error_code decode_get_rospecs_response(const MessageView& message, GetRoSpecsResponse& out) {
  if (auto ec = check_message(message, MessageType::get_rospecs_response)) return ec;
  out.ro_specs.clear();
  if (auto ec = find_llrp_status(message.body(), out.status)) return ec;
  ParameterWalker walker(message.body());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::ro_spec) continue;
    if (auto ec = read_ro_spec(p.body, out.ro_specs.emplace_back())) return ec;
  }
  return walker.error();
}

}  // namespace garita::hal::llrp
