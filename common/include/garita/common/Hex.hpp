#pragma once
// Hex text <-> bytes. Used for EPC/TID input from technicians, configs and
// logs; accepts what people paste (upper/lower case, an optional 0x prefix,
// spaces, ':' or '-' between digits) and rejects anything else.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace garita {

// Parses `text` into `out` (replacing its contents). Returns Errc::hex_* on
// failure, leaving `out` empty. At most `max_bytes` bytes are accepted.
std::error_code parse_hex(std::string_view text, std::vector<std::uint8_t>& out,
                          std::size_t max_bytes = 1024);

// Upper-case hex, no separators ("E2801160...").
std::string to_hex(std::span<const std::uint8_t> bytes);

// Appends upper-case hex of `bytes` to `out`.
void append_hex(std::string& out, std::span<const std::uint8_t> bytes);

}  // namespace garita
