#pragma once
// Test support for the LLRP codec: capture files, the LTK XML decodes beside
// them, and a rendering of decoded messages in the same "path=value" form,
// so a capture's every listed value can be compared with what we decode.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/MessageView.hpp"

namespace garita::hal::llrp::test {

std::vector<std::uint8_t> read_file_bytes(const std::string& path);
std::string read_file_text(const std::string& path);
std::string capture_path(std::string_view name);  // GARITA_TEST_DATA "/llrp-captures/" + name

// One message of an LTK XML packet sequence: its element name, MessageID,
// and every leaf value as "Parent/Child/Leaf=value" (attributes of a leaf
// as "Parent/Leaf@Attr=value"), sorted.
struct LtkMessage {
  std::string name;
  std::uint32_t message_id = 0;
  std::vector<std::string> leaves;
};

std::vector<LtkMessage> parse_ltk_xml(std::string_view xml);

// The same form for a message decoded by our codec (RO_ACCESS_REPORT and
// READER_EVENT_NOTIFICATION, the kinds the captures hold). Sorted leaves.
std::error_code render_decoded(const MessageView& message, LtkMessage& out);

// "2013-11-27T20:44:01.558537Z" for µs since the Unix epoch (LTK's format).
std::string format_utc_microseconds(std::uint64_t microseconds);

// Runs the decoder matching the message's type (any message the codec
// knows); for robustness tests.
std::error_code decode_any(const MessageView& message);

// Copies `message` with its bytes cut to `length` and the header's length
// field patched to match: a well-framed but internally truncated message.
std::vector<std::uint8_t> truncated_copy(std::span<const std::uint8_t> message, std::size_t length);

}  // namespace garita::hal::llrp::test
