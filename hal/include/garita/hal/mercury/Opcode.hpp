#pragma once
// Opcodes of the Mercury embedded-module serial protocol that garita uses
// (Mercury API serial_reader_imp.h, TMR_SR_OpCode; Embedded Module User
// Guide, "Command reference"). A response carries the opcode of its command.
#include <cstdint>
#include <string_view>

namespace garita::hal::mercury {

enum class Opcode : std::uint8_t {
  version = 0x03,                // firmware/hardware versions; works in bootloader too
  boot_firmware = 0x04,          // leave the bootloader, start the application
  get_current_program = 0x0C,    // which image runs: bootloader or application
  read_tag_id_multiple = 0x22,   // inventory; also the opcode of streamed tag/status frames
  read_tag_data = 0x28,          // Gen2 read of a memory bank (used embedded, for the TID)
  multi_protocol_tag_op = 0x2F,  // wrapper that starts/stops continuous (streaming) reading
  get_antenna_port = 0x61,       // antenna configuration, detection, return loss
  get_read_tx_power = 0x62,
  get_tag_protocol = 0x63,
  get_region = 0x67,
  get_temperature = 0x72,
  set_antenna_port = 0x91,
  set_read_tx_power = 0x92,
  set_tag_protocol = 0x93,
  set_user_gpio_outputs = 0x96,
  set_region = 0x97,
};

// "version", "set_region", ...; "0x5A" style for an opcode not listed.
std::string_view to_string(Opcode opcode) noexcept;

}  // namespace garita::hal::mercury
