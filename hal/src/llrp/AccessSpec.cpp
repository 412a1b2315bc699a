#include "garita/hal/llrp/AccessSpec.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {
namespace {

std::error_code read_target_tag(std::span<const std::uint8_t> body, C1G2TargetTag& out) {
  FieldReader r(body);
  const std::uint8_t flags = r.u8();
  out.bank = static_cast<MemoryBank>(flags >> 6);
  out.match = (flags & 0x20u) != 0;
  out.pointer = r.u16();
  const auto mask = r.bit_field(out.mask_bit_count);
  const auto data = r.bit_field(out.data_bit_count);
  if (auto ec = r.error()) return ec;
  out.mask.assign(mask.begin(), mask.end());
  out.data.assign(data.begin(), data.end());
  return {};
}

void write_target_tag(MessageWriter& w, const C1G2TargetTag& t) {
  const auto s = w.begin(ParameterType::c1g2_target_tag);
  w.u8(static_cast<std::uint8_t>(((static_cast<unsigned>(t.bank) & 0x3u) << 6) |
                                 (t.match ? 0x20u : 0u)));
  w.u16(t.pointer);
  w.bit_field(t.mask, t.mask_bit_count);
  w.bit_field(t.data, t.data_bit_count);
  w.end(s);
}

std::error_code read_c1g2_read(std::span<const std::uint8_t> body, C1G2Read& out) {
  FieldReader r(body);
  out.op_spec_id = r.u16();
  out.access_password = r.u32();
  out.bank = static_cast<MemoryBank>(r.u8() >> 6);
  out.word_pointer = r.u16();
  out.word_count = r.u16();
  return r.error();
}

std::error_code read_access_command(std::span<const std::uint8_t> body, AccessSpec& out) {
  bool have_tag_spec = false;
  ParameterWalker walker(body);
  Parameter p;
  while (walker.next(p)) {
    switch (p.type) {
      case ParameterType::c1g2_tag_spec: {
        if (have_tag_spec) return Errc::duplicate_parameter;
        have_tag_spec = true;
        ParameterWalker patterns(p.body);
        Parameter t;
        while (patterns.next(t)) {
          if (t.type != ParameterType::c1g2_target_tag) continue;
          if (auto ec = read_target_tag(t.body, out.tag_patterns.emplace_back())) return ec;
        }
        if (auto ec = patterns.error()) return ec;
        if (out.tag_patterns.empty()) return Errc::missing_parameter;
        break;
      }
      case ParameterType::c1g2_read:
        if (auto ec = read_c1g2_read(p.body, out.reads.emplace_back())) return ec;
        break;
      case ParameterType::custom: break;
      default:
        if (out.skipped_op_specs != 0xFFFF) ++out.skipped_op_specs;
        break;
    }
  }
  if (auto ec = walker.error()) return ec;
  return have_tag_spec ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

}  // namespace

std::error_code read_access_spec(std::span<const std::uint8_t> body, AccessSpec& out) {
  out = AccessSpec{};
  FieldReader r(body);
  out.id = r.u32();
  out.antenna_id = r.u16();
  out.protocol = static_cast<AirProtocol>(r.u8());
  out.is_active = (r.u8() & 0x80u) != 0;
  out.ro_spec_id = r.u32();
  if (auto ec = r.error()) return ec;
  bool have_stop = false;
  bool have_command = false;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    std::error_code ec;
    switch (p.type) {
      case ParameterType::access_spec_stop_trigger: {
        if (have_stop) return Errc::duplicate_parameter;
        have_stop = true;
        FieldReader t(p.body);
        out.stop_trigger = static_cast<AccessSpecStopTriggerType>(t.u8());
        out.operation_count = t.u16();
        ec = t.error();
        break;
      }
      case ParameterType::access_command:
        if (have_command) return Errc::duplicate_parameter;
        have_command = true;
        ec = read_access_command(p.body, out);
        break;
      case ParameterType::access_report_spec:
        if (out.report_spec) return Errc::duplicate_parameter;
        ec = read_access_report_spec(p.body, out.report_spec.emplace());
        break;
      default: break;
    }
    if (ec) return ec;
  }
  if (auto ec = walker.error()) return ec;
  return have_stop && have_command ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

void write_access_spec(MessageWriter& w, const AccessSpec& spec) {
  const auto start = w.begin(ParameterType::access_spec);
  w.u32(spec.id);
  w.u16(spec.antenna_id);
  w.u8(static_cast<std::uint8_t>(spec.protocol));
  w.flag_byte(spec.is_active);
  w.u32(spec.ro_spec_id);
  {
    const auto s = w.begin(ParameterType::access_spec_stop_trigger);
    w.u8(static_cast<std::uint8_t>(spec.stop_trigger));
    w.u16(spec.operation_count);
    w.end(s);
  }
  {
    if (spec.tag_patterns.empty() || spec.tag_patterns.size() > 2) w.fail(Errc::missing_parameter);
    const auto command = w.begin(ParameterType::access_command);
    const auto tag_spec = w.begin(ParameterType::c1g2_tag_spec);
    for (const C1G2TargetTag& t : spec.tag_patterns) write_target_tag(w, t);
    w.end(tag_spec);
    for (const C1G2Read& read : spec.reads) {
      const auto s = w.begin(ParameterType::c1g2_read);
      w.u16(read.op_spec_id);
      w.u32(read.access_password);
      w.u8(static_cast<std::uint8_t>((static_cast<unsigned>(read.bank) & 0x3u) << 6));
      w.u16(read.word_pointer);
      w.u16(read.word_count);
      w.end(s);
    }
    w.end(command);
  }
  if (spec.report_spec) write_access_report_spec(w, *spec.report_spec);
  w.end(start);
}

std::error_code encode_add_accessspec(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                      const AccessSpec& spec, ProtocolVersion version) {
  MessageWriter w(out, MessageType::add_accessspec, message_id, version);
  write_access_spec(w, spec);
  return w.finish();
}

std::error_code decode_add_accessspec(const MessageView& message, AccessSpec& out) {
  if (auto ec = check_message(message, MessageType::add_accessspec)) return ec;
  bool found = false;
  ParameterWalker walker(message.body());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::access_spec) continue;
    if (found) return Errc::duplicate_parameter;
    if (auto ec = read_access_spec(p.body, out)) return ec;
    found = true;
  }
  if (auto ec = walker.error()) return ec;
  return found ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

bool is_accessspec_command(MessageType type) noexcept {
  return type == MessageType::delete_accessspec || type == MessageType::enable_accessspec ||
         type == MessageType::disable_accessspec;
}

std::error_code encode_accessspec_command(std::vector<std::uint8_t>& out, MessageType type,
                                          std::uint32_t message_id, std::uint32_t access_spec_id,
                                          ProtocolVersion version) {
  if (!is_accessspec_command(type)) return Errc::wrong_message_type;
  MessageWriter w(out, type, message_id, version);
  w.u32(access_spec_id);
  return w.finish();
}

std::error_code decode_accessspec_command(const MessageView& message, MessageType expected,
                                          std::uint32_t& access_spec_id) {
  if (!is_accessspec_command(expected)) return Errc::wrong_message_type;
  if (auto ec = check_message(message, expected)) return ec;
  FieldReader r(message.body());
  access_spec_id = r.u32();
  return r.error();
}

std::error_code encode_get_accessspecs_response(std::vector<std::uint8_t>& out,
                                                std::uint32_t message_id,
                                                const GetAccessSpecsResponse& response,
                                                ProtocolVersion version) {
  MessageWriter w(out, MessageType::get_accessspecs_response, message_id, version);
  write_llrp_status(w, response.status);
  for (const AccessSpec& spec : response.access_specs) write_access_spec(w, spec);
  return w.finish();
}

std::error_code decode_get_accessspecs_response(const MessageView& message,
                                                GetAccessSpecsResponse& out) {
  if (auto ec = check_message(message, MessageType::get_accessspecs_response)) return ec;
  out.access_specs.clear();
  if (auto ec = find_llrp_status(message.body(), out.status)) return ec;
  ParameterWalker walker(message.body());
  Parameter p;
  while (walker.next(p)) {
    if (p.type != ParameterType::access_spec) continue;
    if (auto ec = read_access_spec(p.body, out.access_specs.emplace_back())) return ec;
  }
  return walker.error();
}

}  // namespace garita::hal::llrp
