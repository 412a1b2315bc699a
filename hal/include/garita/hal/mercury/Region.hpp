#pragma once
// Regulatory regions of Mercury modules (Mercury API tmr_region.h,
// TMR_Region; SET_REGION 0x97 / GET_REGION 0x67 take one byte). The region
// fixes the channel plan and power limits the module may use: it is a legal
// setting, so garita never picks one for a site. A module that reports no
// region (0x00) is refused until the site configures one.
#include <cstdint>
#include <string_view>

namespace garita::hal::mercury {

enum class Region : std::uint8_t {
  none = 0x00,
  na = 0x01,    // North America, FCC part 15 (902-928 MHz)
  eu = 0x02,    // ETSI EN 302 208
  kr = 0x03,    // Korea MIC
  in = 0x04,    // India
  jp = 0x05,    // Japan
  prc = 0x06,   // China 920-925 MHz
  eu2 = 0x07,   // ETSI EN 300 220
  eu3 = 0x08,   // ETSI EN 302 208 revised (4 channels)
  kr2 = 0x09,   // Korea KCC
  prc2 = 0x0A,  // China 840-845 MHz
  au = 0x0B,    // Australia
  nz = 0x0C,    // New Zealand
  na2 = 0x0D,   // reduced FCC (the SparkFun board's default)
  na3 = 0x0E,   // 5 MHz FCC band
  is = 0x0F,    // Israel
  open = 0xFF,  // no restrictions: lab use only, never at a site
};

// "NA", "EU3", "OPEN", ... (case-insensitive); false for an unknown name.
bool parse_region(std::string_view name, Region& out) noexcept;
// "NA", ... ; "0x2A" style text is not returned: unknown values give "unknown".
std::string_view to_string(Region region) noexcept;
// True for the values listed above.
bool is_known_region(std::uint8_t value) noexcept;
// "NA, EU, KR, ..." for error messages.
std::string_view region_names() noexcept;

}  // namespace garita::hal::mercury
