#include "garita/hal/mercury/Opcode.hpp"

#include <array>

namespace garita::hal::mercury {

std::string_view to_string(Opcode opcode) noexcept {
  switch (opcode) {
    case Opcode::version: return "version";
    case Opcode::boot_firmware: return "boot_firmware";
    case Opcode::get_current_program: return "get_current_program";
    case Opcode::read_tag_id_multiple: return "read_tag_id_multiple";
    case Opcode::read_tag_data: return "read_tag_data";
    case Opcode::multi_protocol_tag_op: return "multi_protocol_tag_op";
    case Opcode::get_antenna_port: return "get_antenna_port";
    case Opcode::get_read_tx_power: return "get_read_tx_power";
    case Opcode::get_tag_protocol: return "get_tag_protocol";
    case Opcode::get_region: return "get_region";
    case Opcode::get_temperature: return "get_temperature";
    case Opcode::set_antenna_port: return "set_antenna_port";
    case Opcode::set_read_tx_power: return "set_read_tx_power";
    case Opcode::set_tag_protocol: return "set_tag_protocol";
    case Opcode::set_user_gpio_outputs: return "set_user_gpio_outputs";
    case Opcode::set_region: return "set_region";
  }
  // "0xNN" for the rest, from a static table so the view stays valid.
  static constexpr auto kHex = [] {
    std::array<std::array<char, 4>, 256> t{};
    constexpr char digits[] = "0123456789ABCDEF";
    for (std::size_t i = 0; i < 256; ++i) t[i] = {'0', 'x', digits[i >> 4], digits[i & 15]};
    return t;
  }();
  const auto& s = kHex[static_cast<std::uint8_t>(opcode)];
  return {s.data(), s.size()};
}

}  // namespace garita::hal::mercury
