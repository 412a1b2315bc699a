#pragma once
// Error codes of the Mercury codec (category "mercury"): malformed bytes
// from a module (or, in the simulator, from a host). Nothing in the codec
// throws. Framing problems are never fatal: Mercury frames start with 0xFF
// and carry a CRC, so the lexer re-synchronises on the next 0xFF and only
// counts what it dropped (MercuryFrameLexer::Counters).
#include <system_error>

namespace garita::hal::mercury {

enum class Errc {
  frame_too_short = 1,  // fewer bytes than the frame's own header and CRC
  bad_start_byte,       // a frame that does not begin with 0xFF
  bad_crc,              // the CRC does not match the bytes
  length_mismatch,      // LEN disagrees with the number of bytes given
  data_too_long,        // more than 255 data bytes: LEN is a single byte
  wrong_opcode,         // a decoder was handed a frame of another opcode
  field_truncated,      // the data ends inside a field
  trailing_bytes,       // bytes left over after the last field
  unexpected_value,     // a field holds a value the protocol does not allow there
  not_a_tag_read,       // a streamed 0x22 frame that holds no tag read (keep-alive, stats)
};

const std::error_category& mercury_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), mercury_category()};
}

}  // namespace garita::hal::mercury

template <>
struct std::is_error_code_enum<garita::hal::mercury::Errc> : std::true_type {};
