// garitad config fuzz target: any text either loads or gives one error line
// that starts with the file name; nothing throws or crashes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "garita/common/config/SiteConfig.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  garita::config::SiteConfig config;
  std::string error;
  if (garita::config::parse_site_config(text, "/fuzz/garitad.toml", config, error)) {
    if (error.rfind("/fuzz/", 0) != 0) std::abort();
    if (error.find('\n') != std::string::npos) std::abort();
  } else {
    if (!error.empty() || config.lanes.empty()) std::abort();
    // Only a site whose lanes all have lane controllers may have no readers.
    for (const auto& lane : config.lanes) {
      if (!lane.controller && (lane.antennas.empty() || config.readers.empty())) std::abort();
    }
  }
  return 0;
}
