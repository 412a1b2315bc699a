#include "garita/hal/mercury/Errc.hpp"

#include <string>

namespace garita::hal::mercury {
namespace {

class MercuryCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mercury"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::frame_too_short: return "Mercury frame shorter than its header and CRC";
      case Errc::bad_start_byte: return "Mercury frame does not start with 0xFF";
      case Errc::bad_crc: return "Mercury frame CRC mismatch";
      case Errc::length_mismatch: return "Mercury frame length byte disagrees with its size";
      case Errc::data_too_long: return "Mercury frame data longer than 255 bytes";
      case Errc::wrong_opcode: return "Mercury frame has another opcode than expected";
      case Errc::field_truncated: return "Mercury message ends inside a field";
      case Errc::trailing_bytes: return "Mercury message has bytes after its last field";
      case Errc::unexpected_value: return "Mercury message field holds a value not allowed there";
      case Errc::not_a_tag_read: return "streamed Mercury frame holds no tag read";
    }
    return "unknown mercury error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& mercury_category() noexcept {
  static const MercuryCategory category;
  return category;
}

}  // namespace garita::hal::mercury
