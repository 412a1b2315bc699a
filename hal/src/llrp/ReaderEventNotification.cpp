#include "garita/hal/llrp/ReaderEventNotification.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {
namespace {

// Sets a 0-1 event from a parameter body with `read`; a second one is an error.
template <typename T, typename Read>
std::error_code read_once(std::optional<T>& slot, std::span<const std::uint8_t> body, Read read) {
  if (slot) return Errc::duplicate_parameter;
  FieldReader r(body);
  T value = read(r);
  if (auto ec = r.error()) return ec;
  slot = std::move(value);
  return {};
}

std::error_code read_reader_exception(std::span<const std::uint8_t> body,
                                      ReaderExceptionEvent& out) {
  FieldReader r(body);
  const auto text = r.byte_field();
  if (auto ec = r.error()) return ec;
  out.message.assign(text.begin(), text.end());
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    const std::uint8_t* b = p.body.data();
    switch (p.type) {
      case ParameterType::ro_spec_id: out.ro_spec_id = load_be32(b); break;
      case ParameterType::spec_index: out.spec_index = load_be16(b); break;
      case ParameterType::inventory_parameter_spec_id:
        out.inventory_parameter_spec_id = load_be16(b);
        break;
      case ParameterType::antenna_id: out.antenna_id = load_be16(b); break;
      case ParameterType::access_spec_id: out.access_spec_id = load_be32(b); break;
      case ParameterType::op_spec_id: out.op_spec_id = load_be16(b); break;
      default: break;
    }
  }
  return walker.error();
}

std::error_code read_event_data(std::span<const std::uint8_t> body, ReaderEventNotification& out) {
  bool have_timestamp = false;
  ParameterWalker walker(body);
  Parameter p;
  std::error_code ec;
  while (walker.next(p)) {
    switch (p.type) {
      case ParameterType::utc_timestamp:
      case ParameterType::uptime: {
        if (have_timestamp) return Errc::duplicate_parameter;
        FieldReader r(p.body);
        out.timestamp.microseconds = r.u64();
        out.timestamp.is_uptime = p.type == ParameterType::uptime;
        if ((ec = r.error())) return ec;
        have_timestamp = true;
        break;
      }
      case ParameterType::hopping_event:
        ec = read_once(out.hopping, p.body, [](FieldReader& r) {
          return HoppingEvent{r.u16(), r.u16()};
        });
        break;
      case ParameterType::gpi_event:
        ec = read_once(out.gpi, p.body, [](FieldReader& r) {
          GpiEvent e;
          e.port = r.u16();
          e.event = (r.u8() & 0x80u) != 0;
          return e;
        });
        break;
      case ParameterType::ro_spec_event:
        ec = read_once(out.ro_spec, p.body, [](FieldReader& r) {
          RoSpecEvent e;
          e.type = static_cast<RoSpecEventType>(r.u8());
          e.ro_spec_id = r.u32();
          e.preempting_ro_spec_id = r.u32();
          return e;
        });
        break;
      case ParameterType::report_buffer_level_warning_event:
        ec = read_once(out.report_buffer_level_warning_percent, p.body,
                       [](FieldReader& r) { return r.u8(); });
        break;
      case ParameterType::report_buffer_overflow_error_event:
        if (out.report_buffer_overflow) return Errc::duplicate_parameter;
        out.report_buffer_overflow = true;
        break;
      case ParameterType::reader_exception_event:
        if (out.reader_exception) return Errc::duplicate_parameter;
        ec = read_reader_exception(p.body, out.reader_exception.emplace());
        break;
      case ParameterType::ai_spec_event:
        ec = read_once(out.ai_spec, p.body, [](FieldReader& r) {
          AiSpecEvent e;
          e.type = r.u8();
          e.ro_spec_id = r.u32();
          e.spec_index = r.u16();
          return e;
        });
        break;
      case ParameterType::antenna_event:
        ec = read_once(out.antenna, p.body, [](FieldReader& r) {
          AntennaEvent e;
          e.type = static_cast<AntennaEventType>(r.u8());
          e.antenna_id = r.u16();
          return e;
        });
        break;
      case ParameterType::connection_attempt_event:
        ec = read_once(out.connection_attempt, p.body, [](FieldReader& r) {
          return static_cast<ConnectionAttemptStatus>(r.u16());
        });
        break;
      case ParameterType::connection_close_event:
        if (out.connection_close) return Errc::duplicate_parameter;
        out.connection_close = true;
        break;
      default: break;  // RFSurveyEvent, SpecLoopEvent (1.1), Custom: not used by garita
    }
    if (ec) return ec;
  }
  if ((ec = walker.error())) return ec;
  return have_timestamp ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

}  // namespace

std::error_code decode_reader_event_notification(const MessageView& message,
                                                 ReaderEventNotification& out) {
  if (auto ec = check_message(message, MessageType::reader_event_notification)) return ec;
  out = ReaderEventNotification{};
  bool found = false;
  ParameterWalker walker(message.body());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::reader_event_notification_data) continue;
    if (found) return Errc::duplicate_parameter;
    if (auto ec = read_event_data(p.body, out)) return ec;
    found = true;
  }
  if (auto ec = walker.error()) return ec;
  return found ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

std::error_code encode_reader_event_notification(std::vector<std::uint8_t>& out,
                                                 std::uint32_t message_id,
                                                 const ReaderEventNotification& e,
                                                 ProtocolVersion version) {
  MessageWriter w(out, MessageType::reader_event_notification, message_id, version);
  const auto data = w.begin(ParameterType::reader_event_notification_data);
  {
    const auto ts =
        w.begin(e.timestamp.is_uptime ? ParameterType::uptime : ParameterType::utc_timestamp);
    w.u64(e.timestamp.microseconds);
    w.end(ts);
  }
  if (e.hopping) {
    const auto s = w.begin(ParameterType::hopping_event);
    w.u16(e.hopping->hop_table_id);
    w.u16(e.hopping->next_channel_index);
    w.end(s);
  }
  if (e.gpi) {
    const auto s = w.begin(ParameterType::gpi_event);
    w.u16(e.gpi->port);
    w.flag_byte(e.gpi->event);
    w.end(s);
  }
  if (e.ro_spec) {
    const auto s = w.begin(ParameterType::ro_spec_event);
    w.u8(static_cast<std::uint8_t>(e.ro_spec->type));
    w.u32(e.ro_spec->ro_spec_id);
    w.u32(e.ro_spec->preempting_ro_spec_id);
    w.end(s);
  }
  if (e.report_buffer_level_warning_percent) {
    const auto s = w.begin(ParameterType::report_buffer_level_warning_event);
    w.u8(*e.report_buffer_level_warning_percent);
    w.end(s);
  }
  if (e.report_buffer_overflow) w.end(w.begin(ParameterType::report_buffer_overflow_error_event));
  if (e.reader_exception) {
    const ReaderExceptionEvent& x = *e.reader_exception;
    const auto s = w.begin(ParameterType::reader_exception_event);
    w.string_field(x.message);
    if (x.ro_spec_id) w.tv_u32(ParameterType::ro_spec_id, *x.ro_spec_id);
    if (x.spec_index) w.tv_u16(ParameterType::spec_index, *x.spec_index);
    if (x.inventory_parameter_spec_id) {
      w.tv_u16(ParameterType::inventory_parameter_spec_id, *x.inventory_parameter_spec_id);
    }
    if (x.antenna_id) w.tv_u16(ParameterType::antenna_id, *x.antenna_id);
    if (x.access_spec_id) w.tv_u32(ParameterType::access_spec_id, *x.access_spec_id);
    if (x.op_spec_id) w.tv_u16(ParameterType::op_spec_id, *x.op_spec_id);
    w.end(s);
  }
  if (e.ai_spec) {
    const auto s = w.begin(ParameterType::ai_spec_event);
    w.u8(e.ai_spec->type);
    w.u32(e.ai_spec->ro_spec_id);
    w.u16(e.ai_spec->spec_index);
    w.end(s);
  }
  if (e.antenna) {
    const auto s = w.begin(ParameterType::antenna_event);
    w.u8(static_cast<std::uint8_t>(e.antenna->type));
    w.u16(e.antenna->antenna_id);
    w.end(s);
  }
  if (e.connection_attempt) {
    const auto s = w.begin(ParameterType::connection_attempt_event);
    w.u16(static_cast<std::uint16_t>(*e.connection_attempt));
    w.end(s);
  }
  if (e.connection_close) w.end(w.begin(ParameterType::connection_close_event));
  w.end(data);
  return w.finish();
}

}  // namespace garita::hal::llrp
