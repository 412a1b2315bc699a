#include "garita/common/MdidTable.hpp"

#include <algorithm>

namespace garita {
namespace {
#include "MdidTableData.inc"
}  // namespace

std::span<const MaskDesigner> mask_designers() noexcept { return kMaskDesigners; }

std::string_view mdid_list_version() noexcept { return kMdidListVersion; }

const MaskDesigner* find_mask_designer(std::uint16_t mdid) noexcept {
  const auto* it =
      std::lower_bound(std::begin(kMaskDesigners), std::end(kMaskDesigners), mdid,
                       [](const MaskDesigner& m, std::uint16_t id) { return m.mdid < id; });
  if (it == std::end(kMaskDesigners) || it->mdid != mdid) return nullptr;
  return it;
}

std::string_view find_chip_model(std::uint16_t mdid, std::uint16_t tmn) noexcept {
  const MaskDesigner* maker = find_mask_designer(mdid);
  if (maker == nullptr) return {};
  for (const ChipModel& chip : maker->chips) {
    if (chip.tmn == tmn) return chip.name;
  }
  return {};
}

}  // namespace garita
