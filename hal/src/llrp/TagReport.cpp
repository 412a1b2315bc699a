#include "garita/hal/llrp/TagReport.hpp"

#include "garita/hal/llrp/BigEndian.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {

std::string_view to_string(C1G2ReadResult result) noexcept {
  switch (result) {
    case C1G2ReadResult::success: return "Success";
    case C1G2ReadResult::nonspecific_tag_error: return "Nonspecific_Tag_Error";
    case C1G2ReadResult::no_response_from_tag: return "No_Response_From_Tag";
    case C1G2ReadResult::nonspecific_reader_error: return "Nonspecific_Reader_Error";
    case C1G2ReadResult::memory_overrun_error: return "Memory_Overrun_Error";
    case C1G2ReadResult::memory_locked_error: return "Memory_Locked_Error";
  }
  return "unknown";
}

void TagReport::clear() noexcept {
  epc.bit_count = 0;
  antenna_id.reset();
  peak_rssi_dbm.reset();
  channel_index.reset();
  first_seen_utc_us.reset();
  first_seen_uptime_us.reset();
  last_seen_utc_us.reset();
  last_seen_uptime_us.reset();
  tag_seen_count.reset();
  ro_spec_id.reset();
  spec_index.reset();
  inventory_parameter_spec_id.reset();
  access_spec_id.reset();
  pc_bits.reset();
  xpc_w1.reset();
  xpc_w2.reset();
  crc.reset();
  client_request_op_spec_result.reset();
  read_result_count = 0;
  dropped_read_results = 0;
  other_op_spec_results = 0;
  impinj_serialized_tid.reset();
  skipped_parameters = 0;
}

namespace {

template <typename T>
void inherit(std::optional<T>& field, const std::optional<T>& previous) noexcept {
  if (!field && previous) field = previous;
}

void count_up(std::uint8_t& counter) noexcept {
  if (counter != 0xFF) ++counter;
}

}  // namespace

void inherit_unreported_fields(TagReport& report, const TagReport& previous) noexcept {
  inherit(report.antenna_id, previous.antenna_id);
  inherit(report.peak_rssi_dbm, previous.peak_rssi_dbm);
  inherit(report.channel_index, previous.channel_index);
  inherit(report.first_seen_utc_us, previous.first_seen_utc_us);
  inherit(report.first_seen_uptime_us, previous.first_seen_uptime_us);
  inherit(report.last_seen_utc_us, previous.last_seen_utc_us);
  inherit(report.last_seen_uptime_us, previous.last_seen_uptime_us);
  inherit(report.tag_seen_count, previous.tag_seen_count);
  inherit(report.ro_spec_id, previous.ro_spec_id);
  inherit(report.spec_index, previous.spec_index);
  inherit(report.inventory_parameter_spec_id, previous.inventory_parameter_spec_id);
  inherit(report.access_spec_id, previous.access_spec_id);
  inherit(report.pc_bits, previous.pc_bits);
  inherit(report.xpc_w1, previous.xpc_w1);
  inherit(report.xpc_w2, previous.xpc_w2);
  inherit(report.crc, previous.crc);
}

std::error_code read_tag_report_data(std::span<const std::uint8_t> body, TagReport& out) noexcept {
  out.clear();
  bool have_epc = false;
  ParameterWalker walker(body);
  Parameter p;
  while (walker.next(p)) {
    // TV bodies have exactly tv_body_size() bytes (the walker checked), so
    // the loads below are in bounds.
    const std::uint8_t* b = p.body.data();
    switch (p.type) {
      case ParameterType::epc_96:
        if (have_epc) return Errc::duplicate_parameter;
        out.epc.assign(p.body, 96);
        have_epc = true;
        break;
      case ParameterType::epc_data: {
        if (have_epc) return Errc::duplicate_parameter;
        FieldReader r(p.body);
        std::uint16_t bits = 0;
        const auto epc = r.bit_field(bits);
        if (!r.ok()) return Errc::field_truncated;
        if (!out.epc.assign(epc, bits)) return Errc::value_too_large;
        have_epc = true;
        break;
      }
      case ParameterType::antenna_id: out.antenna_id = load_be16(b); break;
      case ParameterType::peak_rssi: out.peak_rssi_dbm = static_cast<std::int8_t>(b[0]); break;
      case ParameterType::channel_index: out.channel_index = load_be16(b); break;
      case ParameterType::first_seen_timestamp_utc: out.first_seen_utc_us = load_be64(b); break;
      case ParameterType::first_seen_timestamp_uptime:
        out.first_seen_uptime_us = load_be64(b);
        break;
      case ParameterType::last_seen_timestamp_utc: out.last_seen_utc_us = load_be64(b); break;
      case ParameterType::last_seen_timestamp_uptime: out.last_seen_uptime_us = load_be64(b); break;
      case ParameterType::tag_seen_count: out.tag_seen_count = load_be16(b); break;
      case ParameterType::ro_spec_id: out.ro_spec_id = load_be32(b); break;
      case ParameterType::spec_index: out.spec_index = load_be16(b); break;
      case ParameterType::inventory_parameter_spec_id:
        out.inventory_parameter_spec_id = load_be16(b);
        break;
      case ParameterType::access_spec_id: out.access_spec_id = load_be32(b); break;
      case ParameterType::c1g2_pc: out.pc_bits = load_be16(b); break;
      case ParameterType::c1g2_xpc_w1: out.xpc_w1 = load_be16(b); break;
      case ParameterType::c1g2_xpc_w2: out.xpc_w2 = load_be16(b); break;
      case ParameterType::c1g2_crc: out.crc = load_be16(b); break;
      case ParameterType::client_request_op_spec_result:
        out.client_request_op_spec_result = load_be16(b);
        break;
      case ParameterType::c1g2_read_op_spec_result: {
        FieldReader r(p.body);
        const auto result = static_cast<C1G2ReadResult>(r.u8());
        const std::uint16_t op_spec_id = r.u16();
        std::uint16_t words = 0;
        const auto data = r.word_field(words);
        if (!r.ok()) return Errc::field_truncated;
        if (out.read_result_count == TagReport::kMaxReadResults) {
          count_up(out.dropped_read_results);
          break;
        }
        C1G2ReadOpSpecResult& rr = out.read_results[out.read_result_count++];
        rr.result = result;
        rr.op_spec_id = op_spec_id;
        rr.data.assign(data);
        break;
      }
      case ParameterType::c1g2_write_op_spec_result:
      case ParameterType::c1g2_kill_op_spec_result:
      case ParameterType::c1g2_lock_op_spec_result:
      case ParameterType::c1g2_block_erase_op_spec_result:
      case ParameterType::c1g2_block_write_op_spec_result:
      case ParameterType::c1g2_recommission_op_spec_result:
      case ParameterType::c1g2_block_permalock_op_spec_result:
      case ParameterType::c1g2_get_block_permalock_status_op_spec_result:
        count_up(out.other_op_spec_results);
        break;
      case ParameterType::custom:
        if (p.vendor == kImpinjVendorId &&
            p.subtype == static_cast<std::uint32_t>(ImpinjParameterSubtype::serialized_tid)) {
          if (out.impinj_serialized_tid) return Errc::duplicate_parameter;
          FieldReader r(p.body);
          std::uint16_t words = 0;
          const auto tid = r.word_field(words);
          if (!r.ok()) return Errc::field_truncated;
          out.impinj_serialized_tid.emplace().assign(tid);
        } else {
          count_up(out.skipped_parameters);
        }
        break;
      default: count_up(out.skipped_parameters); break;
    }
  }
  if (auto ec = walker.error()) return ec;
  if (!have_epc) return Errc::missing_parameter;
  return {};
}

void write_tag_report_data(MessageWriter& w, const TagReport& r) {
  const auto start = w.begin(ParameterType::tag_report_data);
  if (r.epc.bit_count == 96) {
    w.tv_bytes(ParameterType::epc_96, r.epc.bytes());
  } else {
    const auto epc = w.begin(ParameterType::epc_data);
    w.bit_field(r.epc.bytes(), r.epc.bit_count);
    w.end(epc);
  }
  if (r.ro_spec_id) w.tv_u32(ParameterType::ro_spec_id, *r.ro_spec_id);
  if (r.spec_index) w.tv_u16(ParameterType::spec_index, *r.spec_index);
  if (r.inventory_parameter_spec_id) {
    w.tv_u16(ParameterType::inventory_parameter_spec_id, *r.inventory_parameter_spec_id);
  }
  if (r.antenna_id) w.tv_u16(ParameterType::antenna_id, *r.antenna_id);
  if (r.peak_rssi_dbm)
    w.tv_u8(ParameterType::peak_rssi, static_cast<std::uint8_t>(*r.peak_rssi_dbm));
  if (r.channel_index) w.tv_u16(ParameterType::channel_index, *r.channel_index);
  if (r.first_seen_utc_us) w.tv_u64(ParameterType::first_seen_timestamp_utc, *r.first_seen_utc_us);
  if (r.first_seen_uptime_us)
    w.tv_u64(ParameterType::first_seen_timestamp_uptime, *r.first_seen_uptime_us);
  if (r.last_seen_utc_us) w.tv_u64(ParameterType::last_seen_timestamp_utc, *r.last_seen_utc_us);
  if (r.last_seen_uptime_us)
    w.tv_u64(ParameterType::last_seen_timestamp_uptime, *r.last_seen_uptime_us);
  if (r.tag_seen_count) w.tv_u16(ParameterType::tag_seen_count, *r.tag_seen_count);
  if (r.pc_bits) w.tv_u16(ParameterType::c1g2_pc, *r.pc_bits);
  if (r.xpc_w1) w.tv_u16(ParameterType::c1g2_xpc_w1, *r.xpc_w1);
  if (r.xpc_w2) w.tv_u16(ParameterType::c1g2_xpc_w2, *r.xpc_w2);
  if (r.crc) w.tv_u16(ParameterType::c1g2_crc, *r.crc);
  if (r.access_spec_id) w.tv_u32(ParameterType::access_spec_id, *r.access_spec_id);
  for (const C1G2ReadOpSpecResult& rr : r.reads()) {
    const auto read = w.begin(ParameterType::c1g2_read_op_spec_result);
    w.u8(static_cast<std::uint8_t>(rr.result));
    w.u16(rr.op_spec_id);
    w.word_field(rr.data.bytes());
    w.end(read);
  }
  if (r.client_request_op_spec_result) {
    w.tv_u16(ParameterType::client_request_op_spec_result, *r.client_request_op_spec_result);
  }
  if (r.impinj_serialized_tid) {
    const auto tid = w.begin_custom(
        kImpinjVendorId, static_cast<std::uint32_t>(ImpinjParameterSubtype::serialized_tid));
    w.word_field(r.impinj_serialized_tid->bytes());
    w.end(tid);
  }
  w.end(start);
}

}  // namespace garita::hal::llrp
