#pragma once
// A lane light on the reader's general-purpose outputs (LLRP GPOWriteData,
// or the serial module's GPO command), through ReaderDriver::set_output.
// Only changes are sent; while the reader is down the outputs cannot be
// driven at all, so the state is re-sent when the reader comes back.
#include <cstdint>
#include <memory>
#include <optional>

#include "LaneLight.hpp"
#include "garita/hal/ReaderDriver.hpp"

namespace garita::firmware {

class GpoLight final : public LaneLight {
 public:
  GpoLight(std::shared_ptr<hal::ReaderDriver> driver, std::uint16_t green_port,
           std::uint16_t red_port);
  void show(LightColor color) override;
  // The reader (re)connected: its outputs are in an unknown state.
  void resend();

 private:
  void apply(LightColor color);
  std::shared_ptr<hal::ReaderDriver> driver_;
  std::uint16_t green_port_;
  std::uint16_t red_port_;
  std::optional<LightColor> shown_;
  LightColor wanted_ = LightColor::off;
  bool warned_ = false;
};

}  // namespace garita::firmware
