#include "garita/hal/mercury/StreamMessages.hpp"

#include "ByteCursor.hpp"
#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/Errc.hpp"
#include "garita/hal/mercury/ModuleStatus.hpp"
#include "garita/hal/mercury/Opcode.hpp"

namespace garita::hal::mercury {
namespace {

using detail::ByteCursor;
using detail::put_u16;
using detail::put_u24;
using detail::put_u32;
using detail::put_u8;

constexpr auto kStreamOpcode = static_cast<std::uint8_t>(Opcode::read_tag_id_multiple);

// Where the response-type byte sits in a streamed frame's data: after the
// option byte, the search flags and (when option says so) the metadata flags.
std::size_t response_type_offset(std::uint8_t option) noexcept {
  return (option & kOptionMetadata) != 0 ? 5 : 3;
}

}  // namespace

std::optional<std::uint16_t> StreamTagRead::antenna_number() const noexcept {
  if (!antenna) return std::nullopt;
  const std::uint16_t rx = *antenna & 0x0F;
  if (rx == 0) return std::nullopt;
  return rx;
}

StreamFrameKind classify_stream_frame(const ReaderFrame& frame) noexcept {
  if (frame.opcode != kStreamOpcode) return StreamFrameKind::other;
  if (frame.status == static_cast<std::uint16_t>(ModuleStatus::no_tags_found)) {
    return frame.data.empty() ? StreamFrameKind::keep_alive : StreamFrameKind::status;
  }
  if (frame.status != 0) return StreamFrameKind::status;
  if (frame.data.empty()) return StreamFrameKind::other;
  const std::size_t at = response_type_offset(frame.data[0]);
  if (frame.data.size() <= at) return StreamFrameKind::other;
  switch (frame.data[at]) {
    case kResponseTypeTag: return StreamFrameKind::tag_read;
    case kResponseTypeStats: return StreamFrameKind::stats_report;
    case kResponseTypeEnd: return StreamFrameKind::end;
    default: return StreamFrameKind::other;
  }
}

std::error_code decode_stream_tag_read(const ReaderFrame& frame, StreamTagRead& out) noexcept {
  if (frame.opcode != kStreamOpcode) return Errc::wrong_opcode;
  if (frame.status != 0) return Errc::not_a_tag_read;
  ByteCursor in(frame.data);
  StreamTagRead r;
  r.option = in.u8();
  r.search_flags = in.u16();
  r.metadata_flags = (r.option & kOptionMetadata) != 0 ? in.u16() : 0;
  const std::uint8_t type = in.u8();
  if (in.failed()) return Errc::field_truncated;
  if (type != kResponseTypeTag) return Errc::not_a_tag_read;

  const std::uint16_t f = r.metadata_flags;
  if (f & metadata::read_count) r.read_count = in.u8();
  if (f & metadata::rssi) r.rssi_dbm = static_cast<std::int8_t>(in.u8());
  if (f & metadata::antenna_id) r.antenna = in.u8();
  if (f & metadata::frequency) r.frequency_khz = in.u24();
  if (f & metadata::timestamp) r.timestamp_ms = in.u32();
  if (f & metadata::phase) r.phase = in.u16();
  if (f & metadata::protocol) r.protocol = in.u8();
  if (f & metadata::data) {
    // Length in bits (Mercury API: GETU16 / 8); a partial byte still
    // occupies a whole byte on the wire.
    const std::uint16_t bits = in.u16();
    const auto bytes = in.bytes((bits + 7U) / 8U);
    if (in.failed()) return Errc::field_truncated;
    if (!r.data.assign(bytes)) return Errc::unexpected_value;
  }
  if (f & metadata::gpio_status) r.gpio = in.u8();
  // Metadata flags above 0x0100 (Gen2 Q, LF, target, ...) have widths garita
  // does not track: refuse rather than misread the EPC.
  if ((f & ~std::uint16_t{0x01FF}) != 0) return Errc::unexpected_value;

  const std::uint16_t epc_bits = in.u16();
  if (in.failed()) return Errc::field_truncated;
  if (epc_bits % 8 != 0) return Errc::unexpected_value;
  std::size_t epc_bytes = epc_bits / 8U;
  const bool gen2 = !r.protocol || *r.protocol == static_cast<std::uint8_t>(TagProtocol::gen2);
  const std::size_t overhead = gen2 ? 4 : 2;  // PC (Gen2) and the tag's CRC-16
  if (epc_bytes < overhead) return Errc::unexpected_value;
  epc_bytes -= overhead;
  if (gen2) r.pc = in.u16();
  const auto epc = in.bytes(epc_bytes);
  r.tag_crc = in.u16();
  if (in.failed()) return Errc::field_truncated;
  if (!in.at_end()) return Errc::trailing_bytes;
  if (!r.epc.assign(epc)) return Errc::unexpected_value;
  out = r;
  return {};
}

std::error_code encode_stream_tag_read(const StreamTagRead& r, std::vector<std::uint8_t>& d) {
  const std::size_t start = d.size();
  const auto fail = [&](Errc e) {
    d.resize(start);
    return make_error_code(e);
  };
  const std::uint16_t f = r.metadata_flags;
  if ((r.option & kOptionMetadata) == 0 && f != 0) return fail(Errc::unexpected_value);
  if ((f & ~std::uint16_t{0x01FF}) != 0) return fail(Errc::unexpected_value);
  put_u8(d, r.option);
  put_u16(d, r.search_flags);
  if (r.option & kOptionMetadata) put_u16(d, f);
  put_u8(d, kResponseTypeTag);
  if (f & metadata::read_count) put_u8(d, r.read_count.value_or(1));
  if (f & metadata::rssi) put_u8(d, static_cast<std::uint8_t>(r.rssi_dbm.value_or(0)));
  if (f & metadata::antenna_id) put_u8(d, r.antenna.value_or(0x11));
  if (f & metadata::frequency) put_u24(d, r.frequency_khz.value_or(0));
  if (f & metadata::timestamp) put_u32(d, r.timestamp_ms.value_or(0));
  if (f & metadata::phase) put_u16(d, r.phase.value_or(0));
  if (f & metadata::protocol) {
    put_u8(d, r.protocol.value_or(static_cast<std::uint8_t>(TagProtocol::gen2)));
  }
  if (f & metadata::data) {
    put_u16(d, static_cast<std::uint16_t>(r.data.size() * 8));
    d.insert(d.end(), r.data.view().begin(), r.data.view().end());
  }
  if (f & metadata::gpio_status) put_u8(d, r.gpio.value_or(0));
  const bool gen2 = !r.protocol || *r.protocol == static_cast<std::uint8_t>(TagProtocol::gen2);
  const std::size_t epc_bytes = r.epc.size() + (gen2 ? 4 : 2);
  put_u16(d, static_cast<std::uint16_t>(epc_bytes * 8));
  if (gen2) put_u16(d, r.pc);
  d.insert(d.end(), r.epc.view().begin(), r.epc.view().end());
  put_u16(d, r.tag_crc);
  if (d.size() - start > kMaxDataLength) return fail(Errc::data_too_long);
  return {};
}

std::error_code decode_stats_report(const ReaderFrame& frame, ModuleStats& out) noexcept {
  if (frame.opcode != kStreamOpcode) return Errc::wrong_opcode;
  if (frame.status != 0) return Errc::unexpected_value;
  ByteCursor in(frame.data);
  ModuleStats s;
  s.option = in.u8();
  s.search_flags = in.u16();
  s.metadata_flags = (s.option & kOptionMetadata) != 0 ? in.u16() : 0;
  const std::uint8_t type = in.u8();
  const std::uint16_t flags = in.u16();
  if (in.failed()) return Errc::field_truncated;
  if (type != kResponseTypeStats) return Errc::unexpected_value;
  if ((flags & ~stats_flag::known) != 0) return Errc::unexpected_value;
  if (flags & stats_flag::frequency) s.frequency_khz = in.u24();
  if (flags & stats_flag::temperature) s.temperature_c = static_cast<std::int8_t>(in.u8());
  if (flags & stats_flag::antenna) s.antenna = in.u8();
  if (flags & stats_flag::protocol) s.protocol = in.u8();
  if (in.failed()) return Errc::field_truncated;
  if (!in.at_end()) return Errc::trailing_bytes;
  out = s;
  return {};
}

std::vector<std::uint8_t> encode_stats_report_data(const ModuleStats& s) {
  std::vector<std::uint8_t> d;
  put_u8(d, s.option);
  put_u16(d, s.search_flags);
  if (s.option & kOptionMetadata) put_u16(d, s.metadata_flags);
  put_u8(d, kResponseTypeStats);
  std::uint16_t flags = 0;
  if (s.frequency_khz) flags |= stats_flag::frequency;
  if (s.temperature_c) flags |= stats_flag::temperature;
  if (s.antenna) flags |= stats_flag::antenna;
  if (s.protocol) flags |= stats_flag::protocol;
  put_u16(d, flags);
  if (s.frequency_khz) put_u24(d, *s.frequency_khz);
  if (s.temperature_c) put_u8(d, static_cast<std::uint8_t>(*s.temperature_c));
  if (s.antenna) put_u8(d, *s.antenna);
  if (s.protocol) put_u8(d, *s.protocol);
  return d;
}

}  // namespace garita::hal::mercury
