#include "GpioLight.hpp"

#include "garita/common/Log.hpp"

namespace garita::firmware {

GpioLight::GpioLight(std::unique_ptr<GpioLines> lines) : lines_(std::move(lines)) {}

void GpioLight::show(LightColor color) {
  if (shown_ == color) return;
  // Both lines in one ioctl: the lamps switch together, never both lit.
  const std::uint64_t bits =
      (color == LightColor::green ? 1u : 0u) | (color == LightColor::red ? 2u : 0u);
  if (auto ec = lines_->set_values(bits, 0x3)) {
    if (!warned_) {
      warned_ = true;
      log::warning("light", "GPIO lines could not be set: " + ec.message());
    }
    return;  // try again on the next change
  }
  warned_ = false;
  shown_ = color;
}

}  // namespace garita::firmware
