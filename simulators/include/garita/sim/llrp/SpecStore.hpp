#pragma once
// The ROSpecs and AccessSpecs a simulated reader holds (LLRP 1.1 §11, §12),
// with the checks a reader makes before accepting one: a non-zero,
// unused id; CurrentState Disabled; antennas, ports and table indexes that
// exist; capacity (MaxNumROSpecs, MaxNumAccessSpecs); no OpSpecs the
// simulator cannot perform. Like the settings, specs outlive connections
// and are wiped by ResetToFactoryDefault or a reboot.
//
// State changes (enable, start, stop, ...) belong to ReaderEngine because
// they start and stop inventory; the store only keeps the specs in the
// order they were added (that order breaks ties, as on a reader).
#include <cstdint>
#include <string>
#include <vector>

#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/sim/llrp/ReaderProfile.hpp"

namespace garita::sim::llrp {

class TagMemory;

struct StoredAccessSpec {
  hal::llrp::AccessSpec spec;    // spec.is_active tracks Enabled/Disabled
  std::uint32_t executions = 0;  // for the OperationCountValue stop trigger
};

class SpecStore {
 public:
  explicit SpecStore(const ReaderProfile& profile) : profile_(profile) {}

  // ADD_ROSPEC: validates and stores `spec` (state Disabled), or returns the
  // error status and stores nothing.
  hal::llrp::LlrpStatus add_ro_spec(const hal::llrp::RoSpec& spec, bool impinj_extensions);
  // ADD_ACCESSSPEC: likewise (state Disabled).
  hal::llrp::LlrpStatus add_access_spec(const hal::llrp::AccessSpec& spec);

  hal::llrp::RoSpec* find_ro_spec(std::uint32_t id) noexcept;
  const hal::llrp::RoSpec* find_ro_spec(std::uint32_t id) const noexcept;
  std::vector<hal::llrp::RoSpec>& ro_specs() noexcept { return ro_specs_; }
  const std::vector<hal::llrp::RoSpec>& ro_specs() const noexcept { return ro_specs_; }
  void remove_ro_spec(std::uint32_t id);

  StoredAccessSpec* find_access_spec(std::uint32_t id) noexcept;
  std::vector<StoredAccessSpec>& access_specs() noexcept { return access_specs_; }
  const std::vector<StoredAccessSpec>& access_specs() const noexcept { return access_specs_; }
  void remove_access_spec(std::uint32_t id);

  // The first enabled AccessSpec (in the order added) for a tag singulated
  // on `antenna` by ROSpec `ro_spec_id` whose TagSpec matches the tag;
  // nullptr if none (§12: one AccessSpec executes per singulation).
  StoredAccessSpec* match_access_spec(std::uint16_t antenna, std::uint32_t ro_spec_id,
                                      const TagMemory& tag) noexcept;

  void clear() noexcept;

 private:
  ReaderProfile profile_;
  std::vector<hal::llrp::RoSpec> ro_specs_;
  std::vector<StoredAccessSpec> access_specs_;
};

}  // namespace garita::sim::llrp
