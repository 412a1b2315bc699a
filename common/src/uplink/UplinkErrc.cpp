#include "garita/common/uplink/UplinkErrc.hpp"

#include <string>

namespace garita::uplink {
namespace {

class UplinkCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "uplink"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::body_too_large: return "uplink body is too large";
      case Errc::not_json: return "uplink body is not valid JSON";
      case Errc::wrong_type: return "uplink field has the wrong JSON type";
      case Errc::missing_field: return "uplink field is missing";
      case Errc::unknown_field: return "unknown uplink field";
      case Errc::bad_value: return "uplink value is not allowed";
    }
    return "unknown uplink error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& uplink_category() noexcept {
  static const UplinkCategory category;
  return category;
}

}  // namespace garita::uplink
