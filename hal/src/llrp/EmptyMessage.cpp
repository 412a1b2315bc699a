#include "garita/hal/llrp/EmptyMessage.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {

bool is_empty_message(MessageType type) noexcept {
  switch (type) {
    case MessageType::keepalive:
    case MessageType::keepalive_ack:
    case MessageType::enable_events_and_reports:
    case MessageType::close_connection:
    case MessageType::get_report:
    case MessageType::get_rospecs:
    case MessageType::get_accessspecs:
    case MessageType::get_supported_version: return true;
    default: return false;
  }
}

std::error_code decode_empty_message(const MessageView& message, MessageType expected) {
  if (!is_empty_message(expected)) return Errc::wrong_message_type;
  if (auto ec = check_message(message, expected)) return ec;
  ParameterWalker walker(message.body());
  Parameter p;
  while (walker.next(p)) {
  }
  return walker.error();
}

std::error_code encode_empty_message(std::vector<std::uint8_t>& out, MessageType type,
                                     std::uint32_t message_id, ProtocolVersion version) {
  if (!is_empty_message(type)) return Errc::wrong_message_type;
  MessageWriter w(out, type, message_id, version);
  return w.finish();
}

}  // namespace garita::hal::llrp
