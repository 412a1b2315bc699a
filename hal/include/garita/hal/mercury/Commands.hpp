#pragma once
// Host commands garita sends to a Mercury module, as encoders (the driver)
// and decoders (the simulator, garita-sim serial). Each encoder returns the
// command's opcode and DATA; frame it with to_frame() / encode_host_frame().
// Byte layouts follow the Mercury API serial_reader_l3.c (TMR_SR_cmd*) and
// the Embedded Module User Guide command reference; multi-byte fields are
// big-endian.
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include "garita/hal/mercury/Frame.hpp"
#include "garita/hal/mercury/Opcode.hpp"
#include "garita/hal/mercury/Region.hpp"

namespace garita::hal::mercury {

// Air protocols (TMR_TagProtocol). garita reads Gen2 only.
enum class TagProtocol : std::uint8_t { none = 0x00, iso18000_6b = 0x03, gen2 = 0x05 };

// Metadata flags of READ_TAG_ID_MULTIPLE (tmr_tag_data.h, TMR_TRD_MetadataFlag):
// which fields precede the EPC in each streamed tag record, in this order.
namespace metadata {
inline constexpr std::uint16_t read_count = 0x0001;   // u8
inline constexpr std::uint16_t rssi = 0x0002;         // i8, dBm
inline constexpr std::uint16_t antenna_id = 0x0004;   // u8, TX port << 4 | RX port
inline constexpr std::uint16_t frequency = 0x0008;    // u24, kHz
inline constexpr std::uint16_t timestamp = 0x0010;    // u32, ms (see StreamMessages.hpp)
inline constexpr std::uint16_t phase = 0x0020;        // u16, degrees
inline constexpr std::uint16_t protocol = 0x0040;     // u8, TagProtocol
inline constexpr std::uint16_t data = 0x0080;         // u16 bit count + bytes (embedded read)
inline constexpr std::uint16_t gpio_status = 0x0100;  // u8, one bit per GPIO
// What the driver asks for: everything it hands on plus the embedded TID.
inline constexpr std::uint16_t garita_default =
    read_count | rssi | antenna_id | frequency | timestamp | protocol | data;
}  // namespace metadata

// Search flags of READ_TAG_ID_MULTIPLE (serial_reader_imp.h, TMR_SR_SearchFlag).
namespace search_flag {
inline constexpr std::uint16_t configured_list = 0x0003;   // use the SET_ANTENNA_PORT list
inline constexpr std::uint16_t embedded_command = 0x0004;  // a tag op follows (our TID read)
inline constexpr std::uint16_t tag_streaming = 0x0008;     // stream each tag as it is read
inline constexpr std::uint16_t large_tag_population = 0x0010;
inline constexpr std::uint16_t status_report_streaming = 0x0020;
inline constexpr std::uint16_t stats_report_streaming = 0x0100;  // stream ModuleStats frames
}  // namespace search_flag

// Gen2 memory banks (READ_TAG_DATA).
enum class Gen2Bank : std::uint8_t { reserved = 0, epc = 1, tid = 2, user = 3 };

struct HostCommand {
  Opcode opcode{};
  std::vector<std::uint8_t> data;
};

// The whole frame FF LEN OP DATA CRC. Commands built by the encoders below
// always fit (< 256 data bytes).
std::vector<std::uint8_t> to_frame(const HostCommand& command);

// --- encoders (driver) ---
HostCommand make_version_command();                               // 0x03, no data
HostCommand make_boot_firmware_command();                         // 0x04, no data
HostCommand make_get_current_program_command();                   // 0x0C, no data
HostCommand make_get_region_command();                            // 0x67, no data
HostCommand make_set_region_command(Region region);               // 0x97 [region]
HostCommand make_set_tag_protocol_command(TagProtocol protocol);  // 0x93 [u16 protocol]
// 0x91 option 0x02 (logical antenna search list) then TX,RX per antenna,
// monostatic: TX port = RX port = the antenna number (1-based).
HostCommand make_set_antenna_ports_command(std::span<const std::uint8_t> antennas);
HostCommand make_set_read_tx_power_command(std::uint16_t centi_dbm);  // 0x92 [u16 cdBm]
HostCommand make_set_gpo_command(std::uint8_t pin, bool high);        // 0x96 [pin, 0|1]
HostCommand make_get_temperature_command();                           // 0x72, no data
// 0x61 option 0x06: return loss of every port (GET_ANTENNA_PORT).
HostCommand make_get_return_loss_command();

// The continuous (streaming) inventory: MULTI_PROTOCOL_TAG_OP 0x2F wrapping
// READ_TAG_ID_MULTIPLE 0x22 with metadata, optionally with an embedded Gen2
// READ_TAG_DATA 0x28 of the TID bank, so every streamed record carries the
// TID in its DATA field (Mercury API TMR_SR_cmdMultipleProtocolSearch,
// TMR_SR_msgSetupReadTagMultipleWithMetadata, TMR_SR_msgAddGEN2DataRead).
//
//   2F: timeout u16 (0) | option u8 (0x01 = continuous) | 0x22 |
//       search flags u16 | protocol u8 (0x05) | sublen u8 |
//       [sub-command, `sublen` bytes after its opcode:]
//       0x22 | option u8 (0x10 = metadata follows) | search flags u16 |
//       timeout u16 (ms per search cycle) | metadata flags u16 |
//       [if embedded: count u8 (1) | len u8 | 0x28 | timeout u16 |
//        option u8 (0) | bank u8 (2 = TID) | word address u32 | word count u8]
struct ContinuousReadPlan {
  std::uint16_t search_flags = search_flag::configured_list | search_flag::tag_streaming |
                               search_flag::large_tag_population |
                               search_flag::stats_report_streaming;
  std::uint16_t metadata_flags = metadata::garita_default;
  std::uint16_t cycle_timeout_ms = 1000;  // one search cycle; a keep-alive follows each
  TagProtocol protocol = TagProtocol::gen2;
  // Embedded TID read; 0 words = no embedded read (and no embedded_command flag).
  std::uint8_t tid_words = 6;
  std::uint16_t tid_timeout_ms = 0;  // 0: the module's default

  friend bool operator==(const ContinuousReadPlan&, const ContinuousReadPlan&) = default;
};
HostCommand make_start_continuous_read_command(const ContinuousReadPlan& plan);
// 0x2F [00 00 02]: stop continuous reading (the module answers 0x2F).
HostCommand make_stop_continuous_read_command();

// --- decoders (simulator). Each checks the opcode and the exact length and
// returns Errc::wrong_opcode / field_truncated / trailing_bytes /
// unexpected_value with nothing written on failure. ---
std::error_code decode_set_region_command(const HostFrame& frame, std::uint8_t& region) noexcept;
std::error_code decode_set_tag_protocol_command(const HostFrame& frame,
                                                std::uint16_t& protocol) noexcept;
// Accepts option 0x02 lists (TX,RX pairs) and the two-byte TX,RX form.
struct AntennaPortPair {
  std::uint8_t tx = 0;
  std::uint8_t rx = 0;
  friend bool operator==(const AntennaPortPair&, const AntennaPortPair&) = default;
};
std::error_code decode_set_antenna_ports_command(const HostFrame& frame,
                                                 std::vector<AntennaPortPair>& ports);
std::error_code decode_set_read_tx_power_command(const HostFrame& frame,
                                                 std::uint16_t& centi_dbm) noexcept;
std::error_code decode_set_gpo_command(const HostFrame& frame, std::uint8_t& pin,
                                       bool& high) noexcept;

// MULTI_PROTOCOL_TAG_OP: either a start (plan filled) or a stop.
struct MultiProtocolCommand {
  bool stop = false;
  ContinuousReadPlan plan;  // when !stop
};
std::error_code decode_multi_protocol_command(const HostFrame& frame,
                                              MultiProtocolCommand& out) noexcept;

}  // namespace garita::hal::mercury
