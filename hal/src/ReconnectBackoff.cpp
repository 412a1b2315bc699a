#include "garita/hal/ReconnectBackoff.hpp"

#include <algorithm>

namespace garita::hal {

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                   std::uint64_t seed) noexcept
    : initial_(std::max(initial, std::chrono::milliseconds{1})),
      max_(std::max(max, initial_)),
      random_(seed) {}

std::chrono::milliseconds ReconnectBackoff::next() noexcept {
  // Double from `initial` per failure, stopping at the cap (and long before
  // the shift could overflow).
  std::int64_t ceiling = initial_.count();
  for (unsigned i = 0; i < failures_ && ceiling < max_.count(); ++i) ceiling *= 2;
  ceiling = std::min<std::int64_t>(ceiling, max_.count());
  if (failures_ < 64) ++failures_;
  const std::int64_t floor = std::max<std::int64_t>(ceiling / 2, 1);
  std::uniform_int_distribution<std::int64_t> pick(floor, std::max(floor, ceiling));
  return std::chrono::milliseconds{pick(random_)};
}

}  // namespace garita::hal
