#include "garita/hal/llrp/Errc.hpp"

#include <string>

namespace garita::hal::llrp {
namespace {

class LlrpCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "llrp"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::unsupported_version: return "unsupported LLRP protocol version";
      case Errc::message_length_too_small: return "message length smaller than the 10-byte header";
      case Errc::message_length_too_large: return "message length above the allowed maximum";
      case Errc::message_length_mismatch: return "buffer size differs from the message length";
      case Errc::wrong_message_type: return "message is not of the expected type";
      case Errc::parameter_truncated: return "parameter truncated";
      case Errc::parameter_overruns_parent: return "parameter length overruns its parent";
      case Errc::parameter_length_too_small: return "parameter length smaller than its header";
      case Errc::reserved_parameter_type: return "TLV parameter with a type reserved for TV";
      case Errc::unknown_tv_type: return "unknown TV parameter type";
      case Errc::unexpected_parameter: return "unexpected parameter";
      case Errc::missing_parameter: return "mandatory parameter missing";
      case Errc::duplicate_parameter: return "parameter appears more than once";
      case Errc::field_truncated: return "fixed fields truncated";
      case Errc::value_too_large: return "value too large";
      case Errc::nesting_too_deep: return "parameters nested too deeply";
    }
    return "unknown llrp error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& llrp_category() noexcept {
  static const LlrpCategory category;
  return category;
}

}  // namespace garita::hal::llrp
