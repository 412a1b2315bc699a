#pragma once
// Output lines of a Linux GPIO chip through the character device, uAPI v2
// (linux/gpio.h: GPIO_V2_GET_LINE_IOCTL to request the lines as outputs,
// GPIO_V2_LINE_SET_VALUES_IOCTL to drive them). Kept thin so GpioLight can be
// tested against a fake. The kernel releases the lines when the request's
// file descriptor closes (also on a crash).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace garita::firmware {

class GpioLines {
 public:
  virtual ~GpioLines() = default;
  // Drives the lines whose bit is set in `mask` (bit i = the i-th requested
  // line) to the logical values in `bits` (active_low is applied by the kernel).
  virtual std::error_code set_values(std::uint64_t bits, std::uint64_t mask) = 0;
};

// Requests `offsets` of `chip` as outputs, initially inactive. On failure
// returns null, sets `ec` and a one-line `why` naming the chip.
std::unique_ptr<GpioLines> request_gpio_outputs(const std::filesystem::path& chip,
                                                const std::vector<std::uint32_t>& offsets,
                                                bool active_low, const std::string& consumer,
                                                std::error_code& ec, std::string& why);

}  // namespace garita::firmware
