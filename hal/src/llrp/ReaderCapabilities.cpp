#include "garita/hal/llrp/ReaderCapabilities.hpp"

#include "garita/hal/llrp/AirProtocol.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {
namespace {

bool bit(unsigned value, unsigned position) { return ((value >> position) & 1u) != 0; }

// u32v: u16 count + count u32 values.
std::vector<std::uint32_t> read_u32_list(FieldReader& r) {
  const std::uint16_t count = r.u16();
  const auto bytes = r.take(static_cast<std::size_t>(count) * 4);
  std::vector<std::uint32_t> values;
  values.reserve(bytes.size() / 4);
  for (std::size_t i = 0; i < bytes.size(); i += 4) values.push_back(load_be32(bytes.data() + i));
  return values;
}

void write_u32_list(MessageWriter& w, const std::vector<std::uint32_t>& values) {
  if (values.size() > 0xFFFF) {
    w.fail(Errc::value_too_large);
    return;
  }
  w.u16(static_cast<std::uint16_t>(values.size()));
  for (const std::uint32_t v : values) w.u32(v);
}

std::error_code read_general(std::span<const std::uint8_t> body, GeneralDeviceCapabilities& out) {
  FieldReader r(body);
  out.max_antennas = r.u16();
  const std::uint16_t flags = r.u16();
  out.can_set_antenna_properties = bit(flags, 15);
  out.has_utc_clock = bit(flags, 14);
  out.manufacturer = r.u32();
  out.model = r.u32();
  const auto firmware = r.byte_field();
  if (auto ec = r.error()) return ec;
  out.firmware_version.assign(firmware.begin(), firmware.end());
  bool have_gpio = false;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::receive_sensitivity_table_entry) {
      FieldReader e(p.body);
      ReceiveSensitivityEntry entry;
      entry.index = e.u16();
      entry.value_db = e.s16();
      if (auto ec = e.error()) return ec;
      out.receive_sensitivities.push_back(entry);
    } else if (p.type == ParameterType::gpio_capabilities) {
      if (have_gpio) return Errc::duplicate_parameter;
      have_gpio = true;
      FieldReader g(p.body);
      out.gpi_count = g.u16();
      out.gpo_count = g.u16();
      if (auto ec = g.error()) return ec;
    }
  }
  return walker.error();
}

void write_general(MessageWriter& w, const GeneralDeviceCapabilities& g) {
  const auto start = w.begin(ParameterType::general_device_capabilities);
  w.u16(g.max_antennas);
  w.u16(static_cast<std::uint16_t>((g.can_set_antenna_properties ? 0x8000u : 0u) |
                                   (g.has_utc_clock ? 0x4000u : 0u)));
  w.u32(g.manufacturer);
  w.u32(g.model);
  w.string_field(g.firmware_version);
  for (const ReceiveSensitivityEntry& e : g.receive_sensitivities) {
    const auto s = w.begin(ParameterType::receive_sensitivity_table_entry);
    w.u16(e.index);
    w.s16(e.value_db);
    w.end(s);
  }
  {
    const auto s = w.begin(ParameterType::gpio_capabilities);
    w.u16(g.gpi_count);
    w.u16(g.gpo_count);
    w.end(s);
  }
  for (std::uint16_t antenna = 1; antenna <= g.max_antennas && antenna != 0; ++antenna) {
    const auto s = w.begin(ParameterType::per_antenna_air_protocol);
    w.u16(antenna);
    w.u16(1);  // u8v with one protocol
    w.u8(static_cast<std::uint8_t>(AirProtocol::epc_global_class1_gen2));
    w.end(s);
  }
  w.end(start);
}

std::error_code read_llrp(std::span<const std::uint8_t> body, LlrpCapabilities& out) {
  FieldReader r(body);
  const std::uint8_t flags = r.u8();
  out.can_do_rf_survey = bit(flags, 7);
  out.can_report_buffer_fill_warning = bit(flags, 6);
  out.supports_client_request_op_spec = bit(flags, 5);
  out.can_do_tag_inventory_state_aware_singulation = bit(flags, 4);
  out.supports_event_and_report_holding = bit(flags, 3);
  out.max_priority_levels = r.u8();
  out.client_request_op_spec_timeout_ms = r.u16();
  out.max_ro_specs = r.u32();
  out.max_specs_per_ro_spec = r.u32();
  out.max_inventory_parameter_specs_per_ai_spec = r.u32();
  out.max_access_specs = r.u32();
  out.max_op_specs_per_access_spec = r.u32();
  return r.error();
}

void write_llrp(MessageWriter& w, const LlrpCapabilities& c) {
  const auto start = w.begin(ParameterType::llrp_capabilities);
  w.u8(static_cast<std::uint8_t>((c.can_do_rf_survey ? 0x80u : 0u) |
                                 (c.can_report_buffer_fill_warning ? 0x40u : 0u) |
                                 (c.supports_client_request_op_spec ? 0x20u : 0u) |
                                 (c.can_do_tag_inventory_state_aware_singulation ? 0x10u : 0u) |
                                 (c.supports_event_and_report_holding ? 0x08u : 0u)));
  w.u8(c.max_priority_levels);
  w.u16(c.client_request_op_spec_timeout_ms);
  w.u32(c.max_ro_specs);
  w.u32(c.max_specs_per_ro_spec);
  w.u32(c.max_inventory_parameter_specs_per_ai_spec);
  w.u32(c.max_access_specs);
  w.u32(c.max_op_specs_per_access_spec);
  w.end(start);
}

std::error_code read_rf_mode(std::span<const std::uint8_t> body, C1G2RfMode& m) {
  FieldReader r(body);
  m.mode_id = r.u32();
  const std::uint8_t flags = r.u8();
  m.divide_ratio_64_3 = bit(flags, 7);
  m.epc_hag_tc_conformance = bit(flags, 6);
  m.modulation = r.u8();
  m.forward_link_modulation = r.u8();
  m.spectral_mask = r.u8();
  m.backscatter_data_rate_bps = r.u32();
  m.pie_ratio_x1000 = r.u32();
  m.min_tari_ns = r.u32();
  m.max_tari_ns = r.u32();
  m.step_tari_ns = r.u32();
  return r.error();
}

std::error_code read_frequency_information(std::span<const std::uint8_t> body,
                                           RegulatoryCapabilities& out) {
  FieldReader r(body);
  out.hopping = bit(r.u8(), 7);
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::frequency_hop_table) {
      FieldReader t(p.body);
      FrequencyHopTable table;
      table.id = t.u8();
      t.u8();  // reserved
      table.frequencies_khz = read_u32_list(t);
      if (auto ec = t.error()) return ec;
      out.hop_tables.push_back(std::move(table));
    } else if (p.type == ParameterType::fixed_frequency_table) {
      FieldReader t(p.body);
      out.fixed_frequencies_khz = read_u32_list(t);
      if (auto ec = t.error()) return ec;
    }
  }
  return walker.error();
}

std::error_code read_uhf_band(std::span<const std::uint8_t> body, RegulatoryCapabilities& out) {
  ParameterWalker walker(body);
  Parameter p;
  while (walker.next(p)) {
    std::error_code ec;
    if (p.type == ParameterType::transmit_power_level_table_entry) {
      FieldReader r(p.body);
      TransmitPowerLevel level;
      level.index = r.u16();
      level.power_centi_dbm = r.s16();
      ec = r.error();
      out.transmit_power_levels.push_back(level);
    } else if (p.type == ParameterType::frequency_information) {
      ec = read_frequency_information(p.body, out);
    } else if (p.type == ParameterType::uhf_c1g2_rf_mode_table) {
      ParameterWalker modes(p.body);
      Parameter m;
      while (modes.next(m)) {
        if (m.type != ParameterType::uhf_c1g2_rf_mode_table_entry) continue;
        if ((ec = read_rf_mode(m.body, out.rf_modes.emplace_back()))) return ec;
      }
      ec = modes.error();
    }
    if (ec) return ec;
  }
  return walker.error();
}

std::error_code read_regulatory(std::span<const std::uint8_t> body, RegulatoryCapabilities& out) {
  FieldReader r(body);
  out.country_code = r.u16();
  out.communications_standard = r.u16();
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::uhf_band_capabilities) continue;
    if (auto ec = read_uhf_band(p.body, out)) return ec;
  }
  return walker.error();
}

void write_regulatory(MessageWriter& w, const RegulatoryCapabilities& c) {
  const auto start = w.begin(ParameterType::regulatory_capabilities);
  w.u16(c.country_code);
  w.u16(c.communications_standard);
  const auto band = w.begin(ParameterType::uhf_band_capabilities);
  for (const TransmitPowerLevel& level : c.transmit_power_levels) {
    const auto s = w.begin(ParameterType::transmit_power_level_table_entry);
    w.u16(level.index);
    w.s16(level.power_centi_dbm);
    w.end(s);
  }
  {
    const auto info = w.begin(ParameterType::frequency_information);
    w.flag_byte(c.hopping);
    for (const FrequencyHopTable& table : c.hop_tables) {
      const auto s = w.begin(ParameterType::frequency_hop_table);
      w.u8(table.id);
      w.u8(0);  // reserved
      write_u32_list(w, table.frequencies_khz);
      w.end(s);
    }
    if (!c.fixed_frequencies_khz.empty()) {
      const auto s = w.begin(ParameterType::fixed_frequency_table);
      write_u32_list(w, c.fixed_frequencies_khz);
      w.end(s);
    }
    w.end(info);
  }
  {
    const auto table = w.begin(ParameterType::uhf_c1g2_rf_mode_table);
    for (const C1G2RfMode& m : c.rf_modes) {
      const auto s = w.begin(ParameterType::uhf_c1g2_rf_mode_table_entry);
      w.u32(m.mode_id);
      w.u8(static_cast<std::uint8_t>((m.divide_ratio_64_3 ? 0x80u : 0u) |
                                     (m.epc_hag_tc_conformance ? 0x40u : 0u)));
      w.u8(m.modulation);
      w.u8(m.forward_link_modulation);
      w.u8(m.spectral_mask);
      w.u32(m.backscatter_data_rate_bps);
      w.u32(m.pie_ratio_x1000);
      w.u32(m.min_tari_ns);
      w.u32(m.max_tari_ns);
      w.u32(m.step_tari_ns);
      w.end(s);
    }
    w.end(table);
  }
  w.end(band);
  w.end(start);
}

std::error_code read_c1g2(std::span<const std::uint8_t> body, C1G2LlrpCapabilities& out) {
  FieldReader r(body);
  const std::uint8_t flags = r.u8();
  out.can_support_block_erase = bit(flags, 7);
  out.can_support_block_write = bit(flags, 6);
  out.can_support_block_permalock = bit(flags, 5);
  out.can_support_tag_recommissioning = bit(flags, 4);
  out.can_support_umi_method2 = bit(flags, 3);
  out.can_support_xpc = bit(flags, 2);
  out.max_select_filters_per_query = r.u16();
  return r.error();
}

void write_c1g2(MessageWriter& w, const C1G2LlrpCapabilities& c) {
  const auto start = w.begin(ParameterType::c1g2_llrp_capabilities);
  w.u8(static_cast<std::uint8_t>(
      (c.can_support_block_erase ? 0x80u : 0u) | (c.can_support_block_write ? 0x40u : 0u) |
      (c.can_support_block_permalock ? 0x20u : 0u) |
      (c.can_support_tag_recommissioning ? 0x10u : 0u) | (c.can_support_umi_method2 ? 0x08u : 0u) |
      (c.can_support_xpc ? 0x04u : 0u)));
  w.u16(c.max_select_filters_per_query);
  w.end(start);
}

template <typename T, typename Read>
std::error_code read_optional(std::optional<T>& slot, std::span<const std::uint8_t> body,
                              Read read) {
  if (slot) return Errc::duplicate_parameter;
  return read(body, slot.emplace());
}

}  // namespace

std::error_code encode_get_reader_capabilities(std::vector<std::uint8_t>& out,
                                               std::uint32_t message_id,
                                               CapabilitiesRequest requested,
                                               ProtocolVersion version) {
  MessageWriter w(out, MessageType::get_reader_capabilities, message_id, version);
  w.u8(static_cast<std::uint8_t>(requested));
  return w.finish();
}

std::error_code decode_get_reader_capabilities(const MessageView& message,
                                               CapabilitiesRequest& out) {
  if (auto ec = check_message(message, MessageType::get_reader_capabilities)) return ec;
  FieldReader r(message.body());
  out = static_cast<CapabilitiesRequest>(r.u8());
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());  // Custom only; checked for structure
  Parameter p;
  while (walker.next(p)) {
  }
  return walker.error();
}

std::error_code encode_get_reader_capabilities_response(std::vector<std::uint8_t>& out,
                                                        std::uint32_t message_id,
                                                        const ReaderCapabilities& c,
                                                        ProtocolVersion version) {
  MessageWriter w(out, MessageType::get_reader_capabilities_response, message_id, version);
  write_llrp_status(w, c.status);
  if (c.general) write_general(w, *c.general);
  if (c.llrp) write_llrp(w, *c.llrp);
  if (c.regulatory) write_regulatory(w, *c.regulatory);
  if (c.c1g2) write_c1g2(w, *c.c1g2);
  return w.finish();
}

std::error_code decode_get_reader_capabilities_response(const MessageView& message,
                                                        ReaderCapabilities& out) {
  if (auto ec = check_message(message, MessageType::get_reader_capabilities_response)) return ec;
  out = ReaderCapabilities{};
  if (auto ec = find_llrp_status(message.body(), out.status)) return ec;
  ParameterWalker walker(message.body());
  Parameter p;
  while (walker.next(p)) {
    std::error_code ec;
    switch (p.type) {
      case ParameterType::general_device_capabilities:
        ec = read_optional(out.general, p.body, read_general);
        break;
      case ParameterType::llrp_capabilities: ec = read_optional(out.llrp, p.body, read_llrp); break;
      case ParameterType::regulatory_capabilities:
        ec = read_optional(out.regulatory, p.body, read_regulatory);
        break;
      case ParameterType::c1g2_llrp_capabilities:
        ec = read_optional(out.c1g2, p.body, read_c1g2);
        break;
      default: break;
    }
    if (ec) return ec;
  }
  return walker.error();
}

}  // namespace garita::hal::llrp
