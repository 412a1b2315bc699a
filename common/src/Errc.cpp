#include "garita/common/Errc.hpp"

#include <string>

namespace garita {
namespace {

class GaritaCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "garita"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::hex_empty: return "no hex digits";
      case Errc::hex_odd_length: return "odd number of hex digits (not whole bytes)";
      case Errc::hex_invalid_char: return "character that is not a hex digit";
      case Errc::hex_too_long: return "too many bytes";
      case Errc::config_syntax: return "configuration is not valid TOML";
      case Errc::config_missing_key: return "required configuration key is missing";
      case Errc::config_wrong_type: return "configuration key has the wrong type";
      case Errc::config_bad_value: return "configuration value is not allowed";
      case Errc::config_unknown_key: return "unknown configuration key";
      case Errc::io_error: return "file could not be read";
    }
    return "unknown garita error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& garita_category() noexcept {
  static const GaritaCategory category;
  return category;
}

}  // namespace garita
