#include "garita/common/lane/Debouncer.hpp"

namespace garita::lane {

Debouncer::Debouncer(const LaneConfig& config, std::uint64_t hash_seed)
    : table_(config.max_open_sessions, hash_seed), gap_us_(config.gap_us) {}

Debouncer::AddResult Debouncer::add(const TagRead& read, const ReadTime& time, AntennaRole role,
                                    bool host_synced, ClosedSession& closed,
                                    ClosedSession& evicted) {
  AddResult result;
  std::uint32_t slot = table_.find(read.epc);
  if (slot != EpcTable<LaneSession>::npos) {
    LaneSession& s = table_.value(slot);
    if (time.mono_us - s.last_mono_us <= gap_us_) {
      s.add(read, time, role, host_synced);
      table_.touch(slot);
      return result;
    }
    // More than `gap` since this EPC's latest read: that session is over.
    closed = ClosedSession{read.epc, s, false};
    table_.erase(slot);
    result.closed_previous = true;
  }
  if (table_.full()) {
    const std::uint32_t oldest = table_.oldest();
    evicted = ClosedSession{table_.key(oldest), table_.value(oldest), true};
    table_.erase(oldest);
    result.evicted = true;
  }
  slot = table_.insert(read.epc);
  table_.value(slot).add(read, time, role, host_synced);
  result.opened = true;
  return result;
}

}  // namespace garita::lane
