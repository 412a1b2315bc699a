#pragma once
// Messages that are only a header: KEEPALIVE (reader -> client, §14.1.3),
// KEEPALIVE_ACK (§14.1.4), ENABLE_EVENTS_AND_REPORTS (§14.1.6),
// CLOSE_CONNECTION (§13.1.5), GET_REPORT (§14.1.1), GET_ROSPECS (§11.1.13),
// GET_ACCESSSPECS (§12.1.9) and GET_SUPPORTED_VERSION (§9.1.1).
#include <cstdint>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/MessageType.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

bool is_empty_message(MessageType type) noexcept;

// Checks version and type and that any body bytes are well-formed
// parameters (the spec defines none for these messages; a body is ignored).
std::error_code decode_empty_message(const MessageView& message, MessageType expected);

std::error_code encode_empty_message(std::vector<std::uint8_t>& out, MessageType type,
                                     std::uint32_t message_id,
                                     ProtocolVersion version = kDefaultProtocolVersion);

}  // namespace garita::hal::llrp
