#pragma once
// One lane's recent crossings, by EPC, for the rearm rule: a session that
// starts less than `rearm` after the EPC's last crossing here ended extends
// that crossing instead of making a new one. Entries are pruned once no
// session could extend them any more; at most max_rearm_entries are kept,
// and when full the entry seen least recently is forgotten (a later session
// of that card then makes a new crossing rather than an extension: a
// possible duplicate, never a loss).
#include <cstdint>

#include "garita/common/Crossing.hpp"
#include "garita/common/lane/EpcTable.hpp"
#include "garita/common/lane/LaneConfig.hpp"
#include "garita/common/lane/LaneSession.hpp"

namespace garita::lane {

struct RearmEntry {
  Crossing crossing;  // as last emitted
  std::int64_t first_mono_us = kNoTime;
  std::int64_t last_mono_us = kNoTime;
  std::int64_t first_entry_mono_us = kNoTime;
  std::int64_t first_exit_mono_us = kNoTime;
};

class RearmMemory {
 public:
  static constexpr std::uint32_t npos = EpcTable<RearmEntry>::npos;

  RearmMemory(const LaneConfig& config, std::uint64_t hash_seed)
      : table_(config.max_rearm_entries, hash_seed) {}

  std::uint32_t find(const EpcBytes& epc) const noexcept { return table_.find(epc); }
  RearmEntry& at(std::uint32_t slot) noexcept { return table_.value(slot); }
  const RearmEntry& at(std::uint32_t slot) const noexcept { return table_.value(slot); }

  // Adds `epc` (absent) as the newest entry; when full, the oldest entry is
  // forgotten first and `evicted` is set.
  std::uint32_t insert(const EpcBytes& epc, bool& evicted) {
    evicted = false;
    if (table_.full()) {
      table_.erase(table_.oldest());
      evicted = true;
    }
    return table_.insert(epc);
  }

  void touch(std::uint32_t slot) noexcept { table_.touch(slot); }

  // Forgets entries whose last read is at least `horizon_us` before now,
  // unless pinned(epc, entry) says a session may still extend them (those
  // move to the newest end and are looked at again later).
  template <class Pinned>
  void prune(std::int64_t now_mono_us, std::int64_t horizon_us, Pinned&& pinned) {
    std::uint32_t budget = table_.size();
    while (!table_.empty() && budget-- > 0) {
      const std::uint32_t slot = table_.oldest();
      const RearmEntry& e = table_.value(slot);
      if (now_mono_us - e.last_mono_us < horizon_us) break;
      if (pinned(table_.key(slot), e)) {
        table_.touch(slot);
        continue;
      }
      table_.erase(slot);
    }
  }

  std::uint32_t size() const noexcept { return table_.size(); }
  std::uint32_t capacity() const noexcept { return table_.capacity(); }
  std::size_t allocated() const noexcept { return table_.allocated(); }

 private:
  EpcTable<RearmEntry> table_;
};

}  // namespace garita::lane
