#include "garita/hal/llrp/Impinj.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"

namespace garita::hal::llrp {
namespace {

std::error_code check_impinj_message(const MessageView& message, ImpinjMessageSubtype subtype,
                                     CustomMessageView& custom) {
  if (auto ec = read_custom_message(message, custom)) return ec;
  if (custom.vendor != kImpinjVendorId || custom.subtype != static_cast<std::uint8_t>(subtype)) {
    return Errc::wrong_message_type;
  }
  return {};
}

void write_impinj_header(MessageWriter& w, ImpinjMessageSubtype subtype) {
  w.u32(kImpinjVendorId);
  w.u8(static_cast<std::uint8_t>(subtype));
}

}  // namespace

std::error_code encode_impinj_enable_extensions(std::vector<std::uint8_t>& out,
                                                std::uint32_t message_id, ProtocolVersion version) {
  MessageWriter w(out, MessageType::custom_message, message_id, version);
  write_impinj_header(w, ImpinjMessageSubtype::enable_extensions);
  w.u32(0);  // reserved
  return w.finish();
}

std::error_code decode_impinj_enable_extensions(const MessageView& message) {
  CustomMessageView custom;
  if (auto ec = check_impinj_message(message, ImpinjMessageSubtype::enable_extensions, custom))
    return ec;
  if (custom.data.size() < 4) return Errc::field_truncated;
  return {};
}

std::error_code encode_impinj_enable_extensions_response(std::vector<std::uint8_t>& out,
                                                         std::uint32_t message_id,
                                                         const LlrpStatus& status,
                                                         ProtocolVersion version) {
  MessageWriter w(out, MessageType::custom_message, message_id, version);
  write_impinj_header(w, ImpinjMessageSubtype::enable_extensions_response);
  write_llrp_status(w, status);
  return w.finish();
}

std::error_code decode_impinj_enable_extensions_response(const MessageView& message,
                                                         LlrpStatus& out) {
  CustomMessageView custom;
  if (auto ec =
          check_impinj_message(message, ImpinjMessageSubtype::enable_extensions_response, custom)) {
    return ec;
  }
  return find_llrp_status(custom.data, out);
}

}  // namespace garita::hal::llrp
