#include "garita/hal/mercury/Commands.hpp"

#include "ByteCursor.hpp"
#include "garita/hal/mercury/Errc.hpp"

namespace garita::hal::mercury {
namespace {

using detail::ByteCursor;
using detail::put_u16;
using detail::put_u32;
using detail::put_u8;

constexpr std::uint8_t kOptionMetadataFlag = 0x10;  // READ_TAG_ID_MULTIPLE: metadata flags follow
constexpr std::uint8_t kMultiProtocolContinuous = 0x01;  // option: start continuous reading
constexpr std::uint8_t kMultiProtocolStop = 0x02;        // option: stop continuous reading
constexpr std::uint8_t kAntennaSearchListOption = 0x02;  // SET_ANTENNA_PORT logical list
constexpr std::uint8_t kReturnLossOption = 0x06;         // GET_ANTENNA_PORT return loss

HostCommand command(Opcode opcode, std::vector<std::uint8_t> data = {}) {
  return HostCommand{opcode, std::move(data)};
}

std::error_code check_opcode(const HostFrame& frame, Opcode opcode) noexcept {
  return frame.opcode == static_cast<std::uint8_t>(opcode) ? std::error_code{}
                                                           : make_error_code(Errc::wrong_opcode);
}

std::error_code finish(const ByteCursor& in) noexcept {
  if (in.failed()) return Errc::field_truncated;
  if (!in.at_end()) return Errc::trailing_bytes;
  return {};
}

}  // namespace

std::vector<std::uint8_t> to_frame(const HostCommand& c) {
  std::vector<std::uint8_t> out;
  out.reserve(c.data.size() + kHostOverhead);
  // Encoders below never exceed 255 bytes; a caller-built command that does
  // yields an empty frame rather than a wrong one.
  if (encode_host_frame(static_cast<std::uint8_t>(c.opcode), c.data, out)) out.clear();
  return out;
}

HostCommand make_version_command() { return command(Opcode::version); }
HostCommand make_boot_firmware_command() { return command(Opcode::boot_firmware); }
HostCommand make_get_current_program_command() { return command(Opcode::get_current_program); }
HostCommand make_get_region_command() { return command(Opcode::get_region); }
HostCommand make_get_temperature_command() { return command(Opcode::get_temperature); }

HostCommand make_set_region_command(Region region) {
  return command(Opcode::set_region, {static_cast<std::uint8_t>(region)});
}

HostCommand make_set_tag_protocol_command(TagProtocol protocol) {
  // The protocol is a 16-bit field (TMR_SR_cmdSetProtocol).
  return command(Opcode::set_tag_protocol, {0x00, static_cast<std::uint8_t>(protocol)});
}

HostCommand make_set_antenna_ports_command(std::span<const std::uint8_t> antennas) {
  std::vector<std::uint8_t> d{kAntennaSearchListOption};
  for (std::uint8_t a : antennas) {
    d.push_back(a);  // TX port
    d.push_back(a);  // RX port: monostatic antennas
  }
  return command(Opcode::set_antenna_port, std::move(d));
}

HostCommand make_set_read_tx_power_command(std::uint16_t centi_dbm) {
  std::vector<std::uint8_t> d;
  put_u16(d, centi_dbm);
  return command(Opcode::set_read_tx_power, std::move(d));
}

HostCommand make_set_gpo_command(std::uint8_t pin, bool high) {
  return command(Opcode::set_user_gpio_outputs, {pin, static_cast<std::uint8_t>(high ? 1 : 0)});
}

HostCommand make_get_return_loss_command() {
  return command(Opcode::get_antenna_port, {kReturnLossOption});
}

HostCommand make_start_continuous_read_command(const ContinuousReadPlan& plan) {
  const bool embedded = plan.tid_words > 0;
  std::uint16_t flags = plan.search_flags;
  if (embedded) {
    flags |= search_flag::embedded_command;
  } else {
    flags &= static_cast<std::uint16_t>(~search_flag::embedded_command);
  }

  std::vector<std::uint8_t> sub;  // the READ_TAG_ID_MULTIPLE after its opcode
  put_u8(sub, kOptionMetadataFlag);
  put_u16(sub, flags);
  put_u16(sub, plan.cycle_timeout_ms);
  put_u16(sub, plan.metadata_flags);
  if (embedded) {
    std::vector<std::uint8_t> read;  // embedded READ_TAG_DATA of the TID bank
    put_u8(read, static_cast<std::uint8_t>(Opcode::read_tag_data));
    put_u16(read, plan.tid_timeout_ms);
    put_u8(read, 0x00);  // option: no select filter
    put_u8(read, static_cast<std::uint8_t>(Gen2Bank::tid));
    put_u32(read, 0);  // word address 0: class id, maker, model, serial
    put_u8(read, plan.tid_words);
    put_u8(sub, 1);                                           // one embedded command
    put_u8(sub, static_cast<std::uint8_t>(read.size() - 1));  // its length after the opcode
    sub.insert(sub.end(), read.begin(), read.end());
  }

  std::vector<std::uint8_t> d;
  put_u16(d, 0);  // timeout: unused for continuous reading
  put_u8(d, kMultiProtocolContinuous);
  put_u8(d, static_cast<std::uint8_t>(Opcode::read_tag_id_multiple));
  put_u16(d, flags);
  put_u8(d, static_cast<std::uint8_t>(plan.protocol));
  put_u8(d, static_cast<std::uint8_t>(sub.size()));
  put_u8(d, static_cast<std::uint8_t>(Opcode::read_tag_id_multiple));
  d.insert(d.end(), sub.begin(), sub.end());
  return command(Opcode::multi_protocol_tag_op, std::move(d));
}

HostCommand make_stop_continuous_read_command() {
  return command(Opcode::multi_protocol_tag_op, {0x00, 0x00, kMultiProtocolStop});
}

std::error_code decode_set_region_command(const HostFrame& frame, std::uint8_t& region) noexcept {
  if (auto ec = check_opcode(frame, Opcode::set_region)) return ec;
  // An optional second byte enables listen-before-talk (TMR_SR_cmdSetRegionLbt).
  if (frame.data.empty()) return Errc::field_truncated;
  if (frame.data.size() > 2) return Errc::trailing_bytes;
  region = frame.data[0];
  return {};
}

std::error_code decode_set_tag_protocol_command(const HostFrame& frame,
                                                std::uint16_t& protocol) noexcept {
  if (auto ec = check_opcode(frame, Opcode::set_tag_protocol)) return ec;
  ByteCursor in(frame.data);
  const std::uint16_t p = in.u16();
  if (auto ec = finish(in)) return ec;
  protocol = p;
  return {};
}

std::error_code decode_set_antenna_ports_command(const HostFrame& frame,
                                                 std::vector<AntennaPortPair>& ports) {
  if (auto ec = check_opcode(frame, Opcode::set_antenna_port)) return ec;
  const auto d = frame.data;
  std::vector<AntennaPortPair> out;
  if (d.size() == 2) {  // TX, RX (TMR_SR_cmdSetTxRxPorts)
    out.push_back({d[0], d[1]});
  } else {
    if (d.empty()) return Errc::field_truncated;
    if (d[0] != kAntennaSearchListOption) return Errc::unexpected_value;
    if ((d.size() - 1) % 2 != 0) return Errc::field_truncated;
    if (d.size() == 1) return Errc::field_truncated;  // an empty list reads nothing
    for (std::size_t i = 1; i < d.size(); i += 2) out.push_back({d[i], d[i + 1]});
  }
  for (const auto& p : out) {
    if (p.tx == 0 || p.rx == 0) return Errc::unexpected_value;  // ports are 1-based
  }
  ports = std::move(out);
  return {};
}

std::error_code decode_set_read_tx_power_command(const HostFrame& frame,
                                                 std::uint16_t& centi_dbm) noexcept {
  if (auto ec = check_opcode(frame, Opcode::set_read_tx_power)) return ec;
  ByteCursor in(frame.data);
  const std::uint16_t p = in.u16();
  if (auto ec = finish(in)) return ec;
  centi_dbm = p;
  return {};
}

std::error_code decode_set_gpo_command(const HostFrame& frame, std::uint8_t& pin,
                                       bool& high) noexcept {
  if (auto ec = check_opcode(frame, Opcode::set_user_gpio_outputs)) return ec;
  ByteCursor in(frame.data);
  const std::uint8_t p = in.u8();
  const std::uint8_t level = in.u8();
  if (auto ec = finish(in)) return ec;
  if (level > 1) return Errc::unexpected_value;
  pin = p;
  high = level == 1;
  return {};
}

std::error_code decode_multi_protocol_command(const HostFrame& frame,
                                              MultiProtocolCommand& out) noexcept {
  if (auto ec = check_opcode(frame, Opcode::multi_protocol_tag_op)) return ec;
  ByteCursor in(frame.data);
  in.u16();  // timeout
  const std::uint8_t option = in.u8();
  if (in.failed()) return Errc::field_truncated;
  if (option == kMultiProtocolStop) {
    if (!in.at_end()) return Errc::trailing_bytes;
    out = MultiProtocolCommand{};
    out.stop = true;
    return {};
  }
  if (option != kMultiProtocolContinuous) return Errc::unexpected_value;
  ContinuousReadPlan plan;
  if (in.u8() != static_cast<std::uint8_t>(Opcode::read_tag_id_multiple) && !in.failed()) {
    return Errc::unexpected_value;
  }
  const std::uint16_t outer_flags = in.u16();
  plan.protocol = static_cast<TagProtocol>(in.u8());
  const std::uint8_t sublen = in.u8();
  const std::uint8_t sub_opcode = in.u8();
  if (in.failed()) return Errc::field_truncated;
  if (sub_opcode != static_cast<std::uint8_t>(Opcode::read_tag_id_multiple)) {
    return Errc::unexpected_value;
  }
  if (in.remaining() != sublen)
    return in.remaining() < sublen ? make_error_code(Errc::field_truncated)
                                   : make_error_code(Errc::trailing_bytes);
  const std::uint8_t sub_option = in.u8();
  plan.search_flags = in.u16();
  plan.cycle_timeout_ms = in.u16();
  plan.metadata_flags = in.u16();
  if (in.failed()) return Errc::field_truncated;
  // garita always asks for metadata (option 0x10) and nothing else.
  if (sub_option != kOptionMetadataFlag) return Errc::unexpected_value;
  if (plan.search_flags != outer_flags) return Errc::unexpected_value;
  plan.tid_words = 0;
  plan.tid_timeout_ms = 0;
  if ((plan.search_flags & search_flag::embedded_command) != 0) {
    const std::uint8_t count = in.u8();
    const std::uint8_t len = in.u8();
    const std::uint8_t op = in.u8();
    const std::uint16_t timeout = in.u16();
    const std::uint8_t read_option = in.u8();
    const std::uint8_t bank = in.u8();
    const std::uint32_t address = in.u32();
    const std::uint8_t words = in.u8();
    if (in.failed()) return Errc::field_truncated;
    if (count != 1 || len != 9 || op != static_cast<std::uint8_t>(Opcode::read_tag_data) ||
        read_option != 0 || bank != static_cast<std::uint8_t>(Gen2Bank::tid) || address != 0 ||
        words == 0) {
      // garita only ever embeds one plain TID read; anything else is not ours.
      return Errc::unexpected_value;
    }
    plan.tid_timeout_ms = timeout;
    plan.tid_words = words;
  }
  if (!in.at_end()) return Errc::trailing_bytes;
  out.stop = false;
  out.plan = plan;
  return {};
}

}  // namespace garita::hal::mercury
