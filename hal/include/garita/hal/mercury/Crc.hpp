#pragma once
// The CRC of the ThingMagic/JADAK Mercury embedded-module serial protocol.
//
// Every frame ends in a 16-bit CRC, big-endian, computed over LEN, OPCODE,
// (STATUS,) DATA: everything but the 0xFF start byte (Mercury API
// serial_reader_l3.c, "ThingMagic-mutated CRC"). It is the CCITT polynomial
// 0x1021 with initial value 0xFFFF, but the message bits are shifted INTO the
// register (no augmentation), four bits at a time through a 16-entry table.
// So it is not CRC-16/CCITT-FALSE: the known answer is
//   mercury_crc({0x00, 0x03}) == 0x1D0C   (the version command FF 00 03 1D 0C).
#include <cstdint>
#include <span>

namespace garita::hal::mercury {

std::uint16_t mercury_crc(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace garita::hal::mercury
