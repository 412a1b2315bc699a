#include "GpoLight.hpp"

#include "garita/common/Log.hpp"
#include "garita/hal/DriverErrc.hpp"

namespace garita::firmware {

GpoLight::GpoLight(std::shared_ptr<hal::ReaderDriver> driver, std::uint16_t green_port,
                   std::uint16_t red_port)
    : driver_(std::move(driver)), green_port_(green_port), red_port_(red_port) {}

void GpoLight::show(LightColor color) {
  wanted_ = color;
  if (shown_ == color) return;
  apply(color);
}

void GpoLight::resend() {
  shown_.reset();
  apply(wanted_);
}

void GpoLight::apply(LightColor color) {
  shown_ = color;
  // Off first, then on: the two lamps are never lit together.
  const bool green = color == LightColor::green;
  const bool red = color == LightColor::red;
  auto report = [this](std::error_code ec) {
    // A reader that is down cannot light anything; resend() catches up.
    if (!ec || ec == hal::DriverErrc::not_running || ec == hal::DriverErrc::stopped) return;
    if (!warned_) {
      warned_ = true;
      log::warning("light", "reader output could not be set: " + ec.message());
    }
  };
  if (!green) driver_->set_output(green_port_, false, report);
  if (!red) driver_->set_output(red_port_, false, report);
  if (green) driver_->set_output(green_port_, true, report);
  if (red) driver_->set_output(red_port_, true, report);
}

}  // namespace garita::firmware
