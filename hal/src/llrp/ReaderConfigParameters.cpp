#include "garita/hal/llrp/ReaderConfigParameters.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {
namespace {

bool bit(std::uint32_t value, unsigned position) { return ((value >> position) & 1u) != 0; }

// Reads a parameter whose body is only fixed fields, with `read`.
template <typename T, typename Read>
std::error_code read_fields(std::span<const std::uint8_t> body, T& out, Read read) {
  FieldReader r(body);
  read(r, out);
  return r.error();
}

std::error_code read_c1g2_inventory_command(std::span<const std::uint8_t> body,
                                            C1G2InventoryCommand& out) {
  out = C1G2InventoryCommand{};
  FieldReader r(body);
  out.tag_inventory_state_aware = bit(r.u8(), 7);
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::c1g2_rf_control) {
      if (out.rf_control) return Errc::duplicate_parameter;
      FieldReader f(p.body);
      C1G2RfControl rf;
      rf.mode_index = f.u16();
      rf.tari_ns = f.u16();
      if (auto ec = f.error()) return ec;
      out.rf_control = rf;
    } else if (p.type == ParameterType::c1g2_singulation_control) {
      if (out.singulation_control) return Errc::duplicate_parameter;
      FieldReader f(p.body);
      C1G2SingulationControl sc;
      sc.session = static_cast<std::uint8_t>(f.u8() >> 6);
      sc.tag_population = f.u16();
      sc.tag_transit_time_ms = f.u32();
      if (auto ec = f.error()) return ec;
      out.singulation_control = sc;
    }
    // C1G2Filter and Custom: not modelled, skipped.
  }
  return walker.error();
}

void write_c1g2_inventory_command(MessageWriter& w, const C1G2InventoryCommand& v) {
  const auto start = w.begin(ParameterType::c1g2_inventory_command);
  w.flag_byte(v.tag_inventory_state_aware);
  if (v.rf_control) {
    const auto s = w.begin(ParameterType::c1g2_rf_control);
    w.u16(v.rf_control->mode_index);
    w.u16(v.rf_control->tari_ns);
    w.end(s);
  }
  if (v.singulation_control) {
    if (v.singulation_control->session > 3) w.fail(Errc::value_too_large);
    const auto s = w.begin(ParameterType::c1g2_singulation_control);
    w.u8(static_cast<std::uint8_t>((v.singulation_control->session & 0x3u) << 6));
    w.u16(v.singulation_control->tag_population);
    w.u32(v.singulation_control->tag_transit_time_ms);
    w.end(s);
  }
  w.end(start);
}

std::error_code read_impinj_selector(std::span<const std::uint8_t> body,
                                     ImpinjTagReportContentSelector& out) {
  out = ImpinjTagReportContentSelector{};
  ParameterWalker walker(body);
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::custom && p.vendor == kImpinjVendorId &&
        p.subtype == static_cast<std::uint32_t>(ImpinjParameterSubtype::enable_serialized_tid)) {
      FieldReader r(p.body);
      out.enable_serialized_tid = r.u16() == 1;
      if (auto ec = r.error()) return ec;
    }
  }
  return walker.error();
}

}  // namespace

std::error_code read_keepalive_spec(std::span<const std::uint8_t> body, KeepaliveSpec& out) {
  return read_fields(body, out, [](FieldReader& r, KeepaliveSpec& v) {
    v.trigger = static_cast<KeepaliveTrigger>(r.u8());
    v.period_ms = r.u32();
  });
}

void write_keepalive_spec(MessageWriter& w, const KeepaliveSpec& v) {
  const auto start = w.begin(ParameterType::keepalive_spec);
  w.u8(static_cast<std::uint8_t>(v.trigger));
  w.u32(v.period_ms);
  w.end(start);
}

std::error_code read_reader_event_notification_spec(std::span<const std::uint8_t> body,
                                                    ReaderEventNotificationSpec& out) {
  out.states.clear();
  ParameterWalker walker(body);
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::event_notification_state) continue;
    FieldReader r(p.body);
    EventNotificationState s;
    s.event = static_cast<ReaderEventType>(r.u16());
    s.enabled = bit(r.u8(), 7);
    if (auto ec = r.error()) return ec;
    out.states.push_back(s);
  }
  return walker.error();
}

void write_reader_event_notification_spec(MessageWriter& w, const ReaderEventNotificationSpec& v) {
  const auto start = w.begin(ParameterType::reader_event_notification_spec);
  for (const EventNotificationState& s : v.states) {
    const auto state = w.begin(ParameterType::event_notification_state);
    w.u16(static_cast<std::uint16_t>(s.event));
    w.flag_byte(s.enabled);
    w.end(state);
  }
  w.end(start);
}

std::error_code read_gpo_write_data(std::span<const std::uint8_t> body, GpoWriteData& out) {
  return read_fields(body, out, [](FieldReader& r, GpoWriteData& v) {
    v.port = r.u16();
    v.data = bit(r.u8(), 7);
  });
}

void write_gpo_write_data(MessageWriter& w, const GpoWriteData& v) {
  const auto start = w.begin(ParameterType::gpo_write_data);
  w.u16(v.port);
  w.flag_byte(v.data);
  w.end(start);
}

std::error_code read_gpi_port_current_state(std::span<const std::uint8_t> body,
                                            GpiPortCurrentState& out) {
  return read_fields(body, out, [](FieldReader& r, GpiPortCurrentState& v) {
    v.port = r.u16();
    v.enabled = bit(r.u8(), 7);
    v.state = static_cast<GpiState>(r.u8());
  });
}

void write_gpi_port_current_state(MessageWriter& w, const GpiPortCurrentState& v) {
  const auto start = w.begin(ParameterType::gpi_port_current_state);
  w.u16(v.port);
  w.flag_byte(v.enabled);
  w.u8(static_cast<std::uint8_t>(v.state));
  w.end(start);
}

std::error_code read_events_and_reports(std::span<const std::uint8_t> body, EventsAndReports& out) {
  return read_fields(body, out, [](FieldReader& r, EventsAndReports& v) {
    v.hold_events_and_reports_upon_reconnect = bit(r.u8(), 7);
  });
}

void write_events_and_reports(MessageWriter& w, const EventsAndReports& v) {
  const auto start = w.begin(ParameterType::events_and_reports);
  w.flag_byte(v.hold_events_and_reports_upon_reconnect);
  w.end(start);
}

std::error_code read_access_report_spec(std::span<const std::uint8_t> body, AccessReportSpec& out) {
  return read_fields(body, out, [](FieldReader& r, AccessReportSpec& v) {
    v.trigger = static_cast<AccessReportTrigger>(r.u8());
  });
}

void write_access_report_spec(MessageWriter& w, const AccessReportSpec& v) {
  const auto start = w.begin(ParameterType::access_report_spec);
  w.u8(static_cast<std::uint8_t>(v.trigger));
  w.end(start);
}

std::error_code read_ro_report_spec(std::span<const std::uint8_t> body, RoReportSpec& out) {
  out = RoReportSpec{};
  FieldReader r(body);
  out.trigger = static_cast<RoReportTrigger>(r.u8());
  out.n = r.u16();
  if (auto ec = r.error()) return ec;
  bool have_selector = false;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::tag_report_content_selector) {
      if (have_selector) return Errc::duplicate_parameter;
      have_selector = true;
      FieldReader f(p.body);
      const std::uint16_t flags = f.u16();
      if (auto ec = f.error()) return ec;
      TagReportContentSelector& c = out.content;
      c.enable_ro_spec_id = bit(flags, 15);
      c.enable_spec_index = bit(flags, 14);
      c.enable_inventory_parameter_spec_id = bit(flags, 13);
      c.enable_antenna_id = bit(flags, 12);
      c.enable_channel_index = bit(flags, 11);
      c.enable_peak_rssi = bit(flags, 10);
      c.enable_first_seen_timestamp = bit(flags, 9);
      c.enable_last_seen_timestamp = bit(flags, 8);
      c.enable_tag_seen_count = bit(flags, 7);
      c.enable_access_spec_id = bit(flags, 6);
      ParameterWalker selectors(f.rest());
      Parameter s;
      while (selectors.next(s)) {
        if (s.type != ParameterType::c1g2_epc_memory_selector) continue;
        FieldReader m(s.body);
        const std::uint8_t bits = m.u8();
        if (auto ec = m.error()) return ec;
        c.c1g2_epc_memory_selector =
            C1G2EpcMemorySelector{bit(bits, 7), bit(bits, 6), bit(bits, 5)};
      }
      if (auto ec = selectors.error()) return ec;
    } else if (p.type == ParameterType::custom && p.vendor == kImpinjVendorId &&
               p.subtype == static_cast<std::uint32_t>(
                                ImpinjParameterSubtype::tag_report_content_selector)) {
      if (auto ec = read_impinj_selector(p.body, out.impinj.emplace())) return ec;
    }
  }
  if (auto ec = walker.error()) return ec;
  return have_selector ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

void write_ro_report_spec(MessageWriter& w, const RoReportSpec& v) {
  const auto start = w.begin(ParameterType::ro_report_spec);
  w.u8(static_cast<std::uint8_t>(v.trigger));
  w.u16(v.n);
  {
    const TagReportContentSelector& c = v.content;
    const auto selector = w.begin(ParameterType::tag_report_content_selector);
    unsigned flags = 0;
    flags |= c.enable_ro_spec_id ? 1u << 15 : 0u;
    flags |= c.enable_spec_index ? 1u << 14 : 0u;
    flags |= c.enable_inventory_parameter_spec_id ? 1u << 13 : 0u;
    flags |= c.enable_antenna_id ? 1u << 12 : 0u;
    flags |= c.enable_channel_index ? 1u << 11 : 0u;
    flags |= c.enable_peak_rssi ? 1u << 10 : 0u;
    flags |= c.enable_first_seen_timestamp ? 1u << 9 : 0u;
    flags |= c.enable_last_seen_timestamp ? 1u << 8 : 0u;
    flags |= c.enable_tag_seen_count ? 1u << 7 : 0u;
    flags |= c.enable_access_spec_id ? 1u << 6 : 0u;
    w.u16(static_cast<std::uint16_t>(flags));
    if (c.c1g2_epc_memory_selector) {
      const C1G2EpcMemorySelector& m = *c.c1g2_epc_memory_selector;
      const auto s = w.begin(ParameterType::c1g2_epc_memory_selector);
      w.u8(static_cast<std::uint8_t>((m.enable_crc ? 0x80u : 0u) | (m.enable_pc_bits ? 0x40u : 0u) |
                                     (m.enable_xpc_bits ? 0x20u : 0u)));
      w.end(s);
    }
    w.end(selector);
  }
  if (v.impinj) {
    const auto impinj = w.begin_custom(
        kImpinjVendorId,
        static_cast<std::uint32_t>(ImpinjParameterSubtype::tag_report_content_selector));
    const auto tid = w.begin_custom(
        kImpinjVendorId, static_cast<std::uint32_t>(ImpinjParameterSubtype::enable_serialized_tid));
    w.u16(v.impinj->enable_serialized_tid ? 1 : 0);
    w.end(tid);
    w.end(impinj);
  }
  w.end(start);
}

std::error_code read_antenna_configuration(std::span<const std::uint8_t> body,
                                           AntennaConfiguration& out) {
  out = AntennaConfiguration{};
  FieldReader r(body);
  out.antenna_id = r.u16();
  if (auto ec = r.error()) return ec;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::rf_receiver) {
      if (out.rf_receiver) return Errc::duplicate_parameter;
      FieldReader f(p.body);
      RfReceiver rx{f.u16()};
      if (auto ec = f.error()) return ec;
      out.rf_receiver = rx;
    } else if (p.type == ParameterType::rf_transmitter) {
      if (out.rf_transmitter) return Errc::duplicate_parameter;
      FieldReader f(p.body);
      RfTransmitter tx;
      tx.hop_table_id = f.u16();
      tx.channel_index = f.u16();
      tx.transmit_power = f.u16();
      if (auto ec = f.error()) return ec;
      out.rf_transmitter = tx;
    } else if (p.type == ParameterType::c1g2_inventory_command) {
      if (out.c1g2_inventory_command) return Errc::duplicate_parameter;
      if (auto ec = read_c1g2_inventory_command(p.body, out.c1g2_inventory_command.emplace()))
        return ec;
    }
  }
  return walker.error();
}

void write_antenna_configuration(MessageWriter& w, const AntennaConfiguration& v) {
  const auto start = w.begin(ParameterType::antenna_configuration);
  w.u16(v.antenna_id);
  if (v.rf_receiver) {
    const auto s = w.begin(ParameterType::rf_receiver);
    w.u16(v.rf_receiver->receiver_sensitivity);
    w.end(s);
  }
  if (v.rf_transmitter) {
    const auto s = w.begin(ParameterType::rf_transmitter);
    w.u16(v.rf_transmitter->hop_table_id);
    w.u16(v.rf_transmitter->channel_index);
    w.u16(v.rf_transmitter->transmit_power);
    w.end(s);
  }
  if (v.c1g2_inventory_command) write_c1g2_inventory_command(w, *v.c1g2_inventory_command);
  w.end(start);
}

std::error_code read_antenna_properties(std::span<const std::uint8_t> body,
                                        AntennaProperties& out) {
  return read_fields(body, out, [](FieldReader& r, AntennaProperties& v) {
    v.connected = bit(r.u8(), 7);
    v.antenna_id = r.u16();
    v.gain_centi_dbi = r.s16();
  });
}

void write_antenna_properties(MessageWriter& w, const AntennaProperties& v) {
  const auto start = w.begin(ParameterType::antenna_properties);
  w.flag_byte(v.connected);
  w.u16(v.antenna_id);
  w.s16(v.gain_centi_dbi);
  w.end(start);
}

std::error_code read_identification(std::span<const std::uint8_t> body, Identification& out) {
  FieldReader r(body);
  out.type = static_cast<IdentificationType>(r.u8());
  const auto id = r.byte_field();
  if (auto ec = r.error()) return ec;
  out.reader_id.assign(id.begin(), id.end());
  return {};
}

void write_identification(MessageWriter& w, const Identification& v) {
  const auto start = w.begin(ParameterType::identification);
  w.u8(static_cast<std::uint8_t>(v.type));
  w.byte_field(v.reader_id);
  w.end(start);
}

}  // namespace garita::hal::llrp
