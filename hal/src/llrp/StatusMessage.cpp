#include "garita/hal/llrp/StatusMessage.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

bool is_status_message(MessageType type) noexcept {
  switch (type) {
    case MessageType::close_connection_response:
    case MessageType::set_reader_config_response:
    case MessageType::add_rospec_response:
    case MessageType::delete_rospec_response:
    case MessageType::start_rospec_response:
    case MessageType::stop_rospec_response:
    case MessageType::enable_rospec_response:
    case MessageType::disable_rospec_response:
    case MessageType::add_accessspec_response:
    case MessageType::delete_accessspec_response:
    case MessageType::enable_accessspec_response:
    case MessageType::disable_accessspec_response:
    case MessageType::set_protocol_version_response:
    case MessageType::error_message: return true;
    default: return false;
  }
}

std::error_code decode_status_message(const MessageView& message, LlrpStatus& out) {
  if (!is_supported_version(message.header.version)) return Errc::unsupported_version;
  if (!is_status_message(message.header.type)) return Errc::wrong_message_type;
  return find_llrp_status(message.body(), out);
}

std::error_code encode_status_message(std::vector<std::uint8_t>& out, MessageType type,
                                      std::uint32_t message_id, const LlrpStatus& status,
                                      ProtocolVersion version) {
  if (!is_status_message(type)) return Errc::wrong_message_type;
  MessageWriter w(out, type, message_id, version);
  write_llrp_status(w, status);
  return w.finish();
}

}  // namespace garita::hal::llrp
