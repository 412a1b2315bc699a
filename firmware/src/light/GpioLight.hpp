#pragma once
// A lane light on two GPIO lines of the lane board (green = line 0 of the
// request, red = line 1). Only changes are written.
#include <memory>
#include <optional>

#include "GpioLines.hpp"
#include "LaneLight.hpp"

namespace garita::firmware {

class GpioLight final : public LaneLight {
 public:
  explicit GpioLight(std::unique_ptr<GpioLines> lines);
  void show(LightColor color) override;

 private:
  std::unique_ptr<GpioLines> lines_;
  std::optional<LightColor> shown_;
  bool warned_ = false;
};

}  // namespace garita::firmware
