#pragma once
// What a Mercury module sends on its own while reading continuously
// (after MULTI_PROTOCOL_TAG_OP 0x2F option 0x01, until the stop command):
// frames with opcode 0x22 (READ_TAG_ID_MULTIPLE), of three kinds.
//
// 1. Keep-alive: status 0x0400 ("no tags found"), no data, once per search
//    cycle (about one a second). Other non-zero statuses in the stream are
//    health events: 0x0504 temperature exceeded (the module throttles),
//    0x0505 high return loss (an antenna is bad). StreamFrameKind::status.
//
// 2. Tag read: status 0x0000 and (Mercury API serial_reader.c
//    TMR_SR_hasMoreTags / TMR_SR_parseMetadataFromMessage):
//      option u8 | search flags u16 | [metadata flags u16 if option & 0x10] |
//      response type u8 (0x01: a tag, more may follow) |
//      metadata fields in flag order (Commands.hpp, namespace metadata) |
//      EPC length u16 in BITS, counting PC + EPC + tag CRC | PC u16 | EPC |
//      tag CRC u16
//    Response type 0x00 ends a (non-continuous) stream: StreamFrameKind::end.
//
// 3. Stats report (search flag stats_report_streaming): status 0x0000,
//    response type 0x02, then a stats-flags u16 and, in flag-bit order, the
//    fields garita knows:
//      0x0080 frequency u24 kHz | 0x0100 temperature i8 °C |
//      0x0200 current antenna u8 (TX << 4 | RX) | 0x0400 protocol u8
//    (TMR_Reader_StatsFlag values). A report carrying any other flag bit is
//    refused (Errc::unexpected_value): its field width is unknown, so
//    guessing would misread the rest.
#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

#include "garita/common/TagRead.hpp"
#include "garita/hal/mercury/Frame.hpp"

namespace garita::hal::mercury {

enum class StreamFrameKind : std::uint8_t {
  tag_read,
  keep_alive,    // 0x22, status 0x0400, no data
  status,        // 0x22 with another non-zero status (temperature, return loss, ...)
  stats_report,  // 0x22, response type 0x02
  end,           // 0x22, response type 0x00
  other,         // not a streamed frame (e.g. the 0x2F answer to start/stop)
};

// Looks only at opcode, status and the response-type byte.
StreamFrameKind classify_stream_frame(const ReaderFrame& frame) noexcept;

inline constexpr std::uint8_t kResponseTypeEnd = 0x00;
inline constexpr std::uint8_t kResponseTypeTag = 0x01;
inline constexpr std::uint8_t kResponseTypeStats = 0x02;
// Option byte of streamed frames: bit 0x10 = metadata flags follow.
inline constexpr std::uint8_t kOptionMetadata = 0x10;

// One streamed tag record. Fields absent from metadata_flags stay empty.
struct StreamTagRead {
  std::uint8_t option = kOptionMetadata;
  std::uint16_t search_flags = 0;
  std::uint16_t metadata_flags = 0;
  std::optional<std::uint8_t> read_count;
  std::optional<std::int8_t> rssi_dbm;
  std::optional<std::uint8_t> antenna;  // TX port << 4 | RX port, as sent
  std::optional<std::uint32_t> frequency_khz;
  // The module's DSP timer in ms since the search began / the last
  // keep-alive (ThingMagic AutoConfigTool guide via SparkFun's library):
  // relative, so garita reports the module as uptime_only.
  std::optional<std::uint32_t> timestamp_ms;
  std::optional<std::uint16_t> phase;
  std::optional<std::uint8_t> protocol;
  // The embedded read's data (the TID words), when metadata::data is set.
  // Longer embedded data than this holds is refused (Errc::unexpected_value).
  InlineBytes<128> data;
  std::optional<std::uint8_t> gpio;
  std::uint16_t pc = 0;  // Gen2 protocol only; 0 otherwise
  EpcBytes epc;
  std::uint16_t tag_crc = 0;

  // The 1-based antenna number: the RX port of a monostatic read.
  std::optional<std::uint16_t> antenna_number() const noexcept;
};

std::error_code decode_stream_tag_read(const ReaderFrame& frame, StreamTagRead& out) noexcept;
// The DATA of a streamed tag frame (status 0x0000, opcode 0x22) for the
// simulator: fields written according to read.metadata_flags.
std::error_code encode_stream_tag_read(const StreamTagRead& read, std::vector<std::uint8_t>& data);

namespace stats_flag {
inline constexpr std::uint16_t frequency = 0x0080;
inline constexpr std::uint16_t temperature = 0x0100;
inline constexpr std::uint16_t antenna = 0x0200;
inline constexpr std::uint16_t protocol = 0x0400;
inline constexpr std::uint16_t known = frequency | temperature | antenna | protocol;
}  // namespace stats_flag

struct ModuleStats {
  std::uint8_t option = kOptionMetadata;
  std::uint16_t search_flags = 0;
  std::uint16_t metadata_flags = 0;  // on the wire only when option & kOptionMetadata
  std::optional<std::uint32_t> frequency_khz;
  std::optional<std::int8_t> temperature_c;
  std::optional<std::uint8_t> antenna;
  std::optional<std::uint8_t> protocol;

  friend bool operator==(const ModuleStats&, const ModuleStats&) = default;
};
std::error_code decode_stats_report(const ReaderFrame& frame, ModuleStats& out) noexcept;
std::vector<std::uint8_t> encode_stats_report_data(const ModuleStats& stats);

}  // namespace garita::hal::mercury
