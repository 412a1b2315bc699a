#pragma once
// The lane light: a green and a red lamp over the lane (a stack light on the
// reader's GPO ports, or on the lane board's GPIO lines). What it shows is
// decided by LightPolicy; a LaneLight only switches lamps.
#include <string_view>

namespace garita::firmware {

enum class LightColor : unsigned char { off, green, red };

std::string_view to_string(LightColor color) noexcept;

class LaneLight {
 public:
  virtual ~LaneLight() = default;
  // Switches the lamps to show `color` (exactly one lamp on, or none).
  // Failures are logged by the implementation; the light is an indicator,
  // never a reason to stop counting travellers.
  virtual void show(LightColor color) = 0;
};

// kind = "none": a lane without a light.
class NullLight final : public LaneLight {
 public:
  void show(LightColor) override {}
};

}  // namespace garita::firmware
