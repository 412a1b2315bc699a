#include "GpioLines.hpp"

#include <fcntl.h>
#include <linux/gpio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace garita::firmware {
namespace {

class ChardevLines final : public GpioLines {
 public:
  explicit ChardevLines(int fd) : fd_(fd) {}
  ~ChardevLines() override { ::close(fd_); }
  ChardevLines(const ChardevLines&) = delete;
  ChardevLines& operator=(const ChardevLines&) = delete;

  std::error_code set_values(std::uint64_t bits, std::uint64_t mask) override {
    gpio_v2_line_values values{};
    values.bits = bits;
    values.mask = mask;
    if (::ioctl(fd_, GPIO_V2_LINE_SET_VALUES_IOCTL, &values) < 0) {
      return {errno, std::generic_category()};
    }
    return {};
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<GpioLines> request_gpio_outputs(const std::filesystem::path& chip,
                                                const std::vector<std::uint32_t>& offsets,
                                                bool active_low, const std::string& consumer,
                                                std::error_code& ec, std::string& why) {
  ec.clear();
  if (offsets.empty() || offsets.size() > GPIO_V2_LINES_MAX) {
    ec = std::make_error_code(std::errc::invalid_argument);
    why = "GPIO: between 1 and " + std::to_string(GPIO_V2_LINES_MAX) + " lines";
    return nullptr;
  }
  const int chip_fd = ::open(chip.c_str(), O_RDWR | O_CLOEXEC);
  if (chip_fd < 0) {
    ec = {errno, std::generic_category()};
    why = "GPIO chip " + chip.string() + ": cannot open (" + ec.message() + ")";
    return nullptr;
  }
  gpio_v2_line_request request{};
  for (std::size_t i = 0; i < offsets.size(); ++i) request.offsets[i] = offsets[i];
  request.num_lines = static_cast<std::uint32_t>(offsets.size());
  std::strncpy(request.consumer, consumer.c_str(), sizeof request.consumer - 1);
  request.config.flags = GPIO_V2_LINE_FLAG_OUTPUT | (active_low ? GPIO_V2_LINE_FLAG_ACTIVE_LOW : 0);
  // Outputs start inactive (lamps off): attribute OUTPUT_VALUES = 0 for all.
  request.config.num_attrs = 1;
  request.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
  request.config.attrs[0].attr.values = 0;
  request.config.attrs[0].mask = (offsets.size() == 64) ? ~0ull : ((1ull << offsets.size()) - 1);
  const int rc = ::ioctl(chip_fd, GPIO_V2_GET_LINE_IOCTL, &request);
  const int saved = errno;
  ::close(chip_fd);  // the line request keeps its own descriptor
  if (rc < 0) {
    ec = {saved, std::generic_category()};
    why = "GPIO chip " + chip.string() + ": cannot request lines as outputs (" + ec.message() +
          (saved == EBUSY ? "; another program holds them" : "") + ")";
    return nullptr;
  }
  return std::make_unique<ChardevLines>(request.fd);
}

}  // namespace garita::firmware
