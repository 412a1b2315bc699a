#include "garita/hal/mercury/Region.hpp"

#include <array>
#include <cctype>

namespace garita::hal::mercury {
namespace {

struct RegionName {
  Region region;
  std::string_view name;
};

constexpr std::array kRegions{
    RegionName{Region::na, "NA"},     RegionName{Region::eu, "EU"},
    RegionName{Region::kr, "KR"},     RegionName{Region::in, "IN"},
    RegionName{Region::jp, "JP"},     RegionName{Region::prc, "PRC"},
    RegionName{Region::eu2, "EU2"},   RegionName{Region::eu3, "EU3"},
    RegionName{Region::kr2, "KR2"},   RegionName{Region::prc2, "PRC2"},
    RegionName{Region::au, "AU"},     RegionName{Region::nz, "NZ"},
    RegionName{Region::na2, "NA2"},   RegionName{Region::na3, "NA3"},
    RegionName{Region::is, "IS"},     RegionName{Region::open, "OPEN"},
    RegionName{Region::none, "NONE"},
};

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

}  // namespace

bool parse_region(std::string_view name, Region& out) noexcept {
  for (const auto& r : kRegions) {
    // "NONE" is what a module reports, never something to configure.
    if (r.region != Region::none && iequals(name, r.name)) {
      out = r.region;
      return true;
    }
  }
  return false;
}

std::string_view to_string(Region region) noexcept {
  for (const auto& r : kRegions) {
    if (r.region == region) return r.name;
  }
  return "unknown";
}

bool is_known_region(std::uint8_t value) noexcept {
  for (const auto& r : kRegions) {
    if (static_cast<std::uint8_t>(r.region) == value) return true;
  }
  return false;
}

std::string_view region_names() noexcept {
  return "NA, EU, KR, IN, JP, PRC, EU2, EU3, KR2, PRC2, AU, NZ, NA2, NA3, IS, OPEN";
}

}  // namespace garita::hal::mercury
