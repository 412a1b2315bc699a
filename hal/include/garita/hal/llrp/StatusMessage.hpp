#pragma once
// Messages whose whole body is one LLRPStatus: the responses to commands
// that return nothing else, and ERROR_MESSAGE (LLRP 1.1 §15.1.1), which a
// reader sends for messages it cannot parse or does not support.
#include <cstdint>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageType.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

// CLOSE_CONNECTION_RESPONSE, SET_READER_CONFIG_RESPONSE,
// {ADD,DELETE,START,STOP,ENABLE,DISABLE}_ROSPEC_RESPONSE,
// {ADD,DELETE,ENABLE,DISABLE}_ACCESSSPEC_RESPONSE,
// SET_PROTOCOL_VERSION_RESPONSE and ERROR_MESSAGE.
bool is_status_message(MessageType type) noexcept;

// Decodes any of the above (Errc::wrong_message_type for other types).
std::error_code decode_status_message(const MessageView& message, LlrpStatus& out);

std::error_code encode_status_message(std::vector<std::uint8_t>& out, MessageType type,
                                      std::uint32_t message_id, const LlrpStatus& status,
                                      ProtocolVersion version = kDefaultProtocolVersion);

}  // namespace garita::hal::llrp
