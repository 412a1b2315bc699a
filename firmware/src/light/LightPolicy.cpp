#include "LightPolicy.hpp"

namespace garita::firmware {

std::string_view to_string(LightColor color) noexcept {
  switch (color) {
    case LightColor::off: return "off";
    case LightColor::green: return "green";
    case LightColor::red: return "red";
  }
  return "off";
}

LightColor LightPolicy::color(const LaneHealth& health, std::int64_t now_us) const noexcept {
  if (!health.reader_up || !health.uplink_up || health.journal_full) return LightColor::red;
  if (now_us < green_until_us_) return LightColor::green;
  return LightColor::off;
}

std::optional<std::int64_t> LightPolicy::next_change_us(std::int64_t now_us) const noexcept {
  if (now_us < green_until_us_) return green_until_us_;
  return std::nullopt;
}

}  // namespace garita::firmware
