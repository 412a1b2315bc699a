#pragma once
// Frames of the Mercury embedded-module serial protocol (Embedded Module
// User Guide, "Host-to-reader communication"; Mercury API serial_reader.c
// TMR_SR_sendMessage / TMR_SR_receiveMessage):
//
//   host -> module:  FF LEN OP DATA[LEN] CRC_HI CRC_LO
//   module -> host:  FF LEN OP ST_HI ST_LO DATA[LEN] CRC_HI CRC_LO
//
// LEN counts DATA only (0..255); the status word is not in it. The CRC
// (Crc.hpp) covers LEN..DATA. Readers on a native USB bulk link may leave
// the CRC off their responses (USB already checks every packet);
// ReaderFrame::had_crc says which form arrived, and encode_reader_frame()
// can produce either, for the simulator.
//
// Views (HostFrame, ReaderFrame) point into the caller's bytes; they are only
// valid as long as those bytes are.
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

namespace garita::hal::mercury {

inline constexpr std::uint8_t kStartByte = 0xFF;
inline constexpr std::size_t kMaxDataLength = 255;
// FF LEN OP + CRC
inline constexpr std::size_t kHostOverhead = 5;
// FF LEN OP STATUS(2) + CRC
inline constexpr std::size_t kReaderOverhead = 7;
inline constexpr std::size_t kMaxFrameSize = kMaxDataLength + kReaderOverhead;

struct HostFrame {
  std::uint8_t opcode = 0;
  std::span<const std::uint8_t> data;
};

struct ReaderFrame {
  std::uint8_t opcode = 0;
  std::uint16_t status = 0;  // 0 = success; see ModuleStatus.hpp
  std::span<const std::uint8_t> data;
  bool had_crc = true;  // false: the frame came without its two CRC bytes
};

// Appends one whole frame to `out`. Returns Errc::data_too_long (and
// appends nothing) when data has more than 255 bytes.
std::error_code encode_host_frame(std::uint8_t opcode, std::span<const std::uint8_t> data,
                                  std::vector<std::uint8_t>& out);
std::error_code encode_reader_frame(std::uint8_t opcode, std::uint16_t status,
                                    std::span<const std::uint8_t> data,
                                    std::vector<std::uint8_t>& out, bool with_crc = true);

// Decodes exactly one whole frame (no junk before or after). Reader frames
// without CRC are accepted only when `crc_expected` is false.
std::error_code decode_host_frame(std::span<const std::uint8_t> bytes, HostFrame& out) noexcept;
std::error_code decode_reader_frame(std::span<const std::uint8_t> bytes, ReaderFrame& out,
                                    bool crc_expected = true) noexcept;

}  // namespace garita::hal::mercury
