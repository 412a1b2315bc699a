#pragma once
// GS1's list of Gen2 tag mask designers (MDID) and their tag model numbers
// (TMN), compiled in from data/gs1_mdid_list.json at build time so a lane
// never depends on a file at run time (see cmake/GenerateMdidTable.cmake).
#include <cstdint>
#include <span>
#include <string_view>

namespace garita {

struct ChipModel {
  std::uint16_t tmn;      // 12-bit tag model number
  std::string_view name;  // e.g. "Monza R6"
};

struct MaskDesigner {
  std::uint16_t mdid;             // 9-bit mask-designer id
  std::string_view manufacturer;  // e.g. "Impinj"
  std::span<const ChipModel> chips;
};

// nullptr when the MDID is not in the list.
const MaskDesigner* find_mask_designer(std::uint16_t mdid) noexcept;
// Empty when the maker or the model is not listed.
std::string_view find_chip_model(std::uint16_t mdid, std::uint16_t tmn) noexcept;
// All makers, sorted by MDID.
std::span<const MaskDesigner> mask_designers() noexcept;
// The list's own version stamp (its "version" field).
std::string_view mdid_list_version() noexcept;

}  // namespace garita
