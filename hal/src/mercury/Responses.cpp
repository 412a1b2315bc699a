#include "garita/hal/mercury/Responses.hpp"

#include <cstdio>

#include "ByteCursor.hpp"
#include "garita/hal/mercury/Errc.hpp"
#include "garita/hal/mercury/Opcode.hpp"

namespace garita::hal::mercury {
namespace {

using detail::ByteCursor;

std::error_code check(const ReaderFrame& frame, Opcode opcode) noexcept {
  if (frame.opcode != static_cast<std::uint8_t>(opcode)) return Errc::wrong_opcode;
  return {};
}

std::error_code finish(const ByteCursor& in) noexcept {
  if (in.failed()) return Errc::field_truncated;
  if (!in.at_end()) return Errc::trailing_bytes;
  return {};
}

template <std::size_t N>
void read_array(ByteCursor& in, std::array<std::uint8_t, N>& out) {
  const auto b = in.bytes(N);
  if (b.size() == N) std::copy(b.begin(), b.end(), out.begin());
}

}  // namespace

std::error_code decode_version_response(const ReaderFrame& frame, VersionInfo& out) noexcept {
  if (auto ec = check(frame, Opcode::version)) return ec;
  ByteCursor in(frame.data);
  VersionInfo v;
  read_array(in, v.bootloader);
  read_array(in, v.hardware);
  read_array(in, v.firmware_date);
  read_array(in, v.firmware_version);
  v.supported_protocols = in.u32();
  // Newer firmware may append fields (product group, ...): ignore them, the
  // 20 bytes above are common to every Mercury module.
  if (in.failed()) return Errc::field_truncated;
  out = v;
  return {};
}

std::vector<std::uint8_t> encode_version_data(const VersionInfo& info) {
  std::vector<std::uint8_t> d;
  for (const auto* a :
       {&info.bootloader, &info.hardware, &info.firmware_date, &info.firmware_version}) {
    d.insert(d.end(), a->begin(), a->end());
  }
  detail::put_u32(d, info.supported_protocols);
  return d;
}

std::string model_name(const VersionInfo& info) {
  switch (info.hardware[0]) {
    case 0x18: return "M6e";
    case 0x19: return "M6e-I";
    case 0x20: return "M6e Micro";
    case 0x30: return "M6e Nano";
    case 0x38: return "M7e";
    default: break;
  }
  char text[32];
  // One byte in hex: always fits in 32.
  static_cast<void>(std::snprintf(text, sizeof text, "Mercury model 0x%02X", info.hardware[0]));
  return text;
}

std::string firmware_text(const VersionInfo& info) {
  const auto& f = info.firmware_version;
  const auto& d = info.firmware_date;
  char text[48];
  // Eight bytes in hex, 28 characters: always fits in 48.
  static_cast<void>(std::snprintf(text, sizeof text, "%02X.%02X.%02X.%02X (%02X%02X-%02X-%02X)",
                                  f[0], f[1], f[2], f[3], d[0], d[1], d[2], d[3]));
  return text;
}

std::error_code decode_current_program_response(const ReaderFrame& frame,
                                                RunningProgram& out) noexcept {
  if (auto ec = check(frame, Opcode::get_current_program)) return ec;
  ByteCursor in(frame.data);
  const std::uint8_t program = in.u8();
  if (auto ec = finish(in)) return ec;
  switch (program & 0x03) {
    case 1: out = RunningProgram::bootloader; return {};
    case 2: out = RunningProgram::application; return {};
    default: return Errc::unexpected_value;
  }
}

std::vector<std::uint8_t> encode_current_program_data(RunningProgram program) {
  return {static_cast<std::uint8_t>(0x10 | static_cast<std::uint8_t>(program))};
}

std::vector<std::uint8_t> encode_region_data(std::uint8_t region) { return {region}; }

std::vector<std::uint8_t> encode_temperature_data(std::int8_t celsius) {
  return {static_cast<std::uint8_t>(celsius)};
}

std::error_code decode_region_response(const ReaderFrame& frame, std::uint8_t& region) noexcept {
  if (auto ec = check(frame, Opcode::get_region)) return ec;
  ByteCursor in(frame.data);
  const std::uint8_t r = in.u8();
  if (auto ec = finish(in)) return ec;
  region = r;
  return {};
}

std::error_code decode_temperature_response(const ReaderFrame& frame,
                                            std::int8_t& celsius) noexcept {
  if (auto ec = check(frame, Opcode::get_temperature)) return ec;
  ByteCursor in(frame.data);
  const auto t = static_cast<std::int8_t>(in.u8());
  if (auto ec = finish(in)) return ec;
  celsius = t;
  return {};
}

std::error_code decode_return_loss_response(const ReaderFrame& frame,
                                            std::vector<PortReturnLoss>& out) {
  if (auto ec = check(frame, Opcode::get_antenna_port)) return ec;
  const auto d = frame.data;
  if (d.empty()) return Errc::field_truncated;
  if (d[0] != 0x06) return Errc::unexpected_value;
  if ((d.size() - 1) % 2 != 0) return Errc::field_truncated;
  std::vector<PortReturnLoss> ports;
  for (std::size_t i = 1; i < d.size(); i += 2) {
    if (d[i] == 0) return Errc::unexpected_value;  // ports are 1-based
    ports.push_back({d[i], d[i + 1]});
  }
  out = std::move(ports);
  return {};
}

std::vector<std::uint8_t> encode_return_loss_data(std::span<const PortReturnLoss> ports) {
  std::vector<std::uint8_t> d{0x06};
  for (const auto& p : ports) {
    d.push_back(p.port);
    d.push_back(p.return_loss_db);
  }
  return d;
}

}  // namespace garita::hal::mercury
