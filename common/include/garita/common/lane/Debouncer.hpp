#pragma once
// The open sessions of one lane: one per EPC currently being read there.
// A read joins its EPC's session when it comes at most `gap` after the
// session's latest read; otherwise the old session is closed first and a
// new one opens. close_expired() closes sessions whose latest read is more
// than gap + grace before `now`. At most max_open_sessions are open: to
// open one more, the session read least recently is closed early (it is
// then judged like any closed session, so a valid crossing is not lost; a
// tag still in the field opens a new session that the rearm rule merges).
#include <cstdint>

#include "garita/common/TagRead.hpp"
#include "garita/common/lane/EpcTable.hpp"
#include "garita/common/lane/LaneConfig.hpp"
#include "garita/common/lane/LaneSession.hpp"
#include "garita/common/lane/ReadTime.hpp"

namespace garita::lane {

struct ClosedSession {
  EpcBytes epc;
  LaneSession session;
  bool forced = false;  // closed early because the lane was full
};

class Debouncer {
 public:
  Debouncer(const LaneConfig& config, std::uint64_t hash_seed);

  struct AddResult {
    bool closed_previous = false;  // `closed` holds this EPC's previous session
    bool evicted = false;          // `evicted` holds a session closed early (lane full)
    bool opened = false;           // the read opened a new session
  };
  // Adds an accepted read (RSSI already checked).
  AddResult add(const TagRead& read, const ReadTime& time, AntennaRole role, bool host_synced,
                ClosedSession& closed, ClosedSession& evicted);

  // Closes, oldest first, every session whose latest read is more than
  // gap + grace_us before now_mono_us, calling on_closed(ClosedSession&&).
  template <class F>
  void close_expired(std::int64_t now_mono_us, std::int64_t grace_us, F&& on_closed) {
    while (!table_.empty()) {
      const std::uint32_t slot = table_.oldest();
      const LaneSession& s = table_.value(slot);
      if (now_mono_us - s.last_mono_us <= gap_us_ + grace_us) break;
      ClosedSession out{table_.key(slot), s, false};
      table_.erase(slot);
      on_closed(std::move(out));  // NOLINT(performance-move-const-arg): callbacks take an rvalue
    }
  }

  // Closes every session (shutdown), oldest first.
  template <class F>
  void close_all(F&& on_closed) {
    while (!table_.empty()) {
      const std::uint32_t slot = table_.oldest();
      ClosedSession out{table_.key(slot), table_.value(slot), false};
      table_.erase(slot);
      on_closed(std::move(out));  // NOLINT(performance-move-const-arg): callbacks take an rvalue
    }
  }

  // The open session of `epc`, or nullptr.
  const LaneSession* find(const EpcBytes& epc) const noexcept {
    const std::uint32_t slot = table_.find(epc);
    return slot == EpcTable<LaneSession>::npos ? nullptr : &table_.value(slot);
  }

  std::uint32_t size() const noexcept { return table_.size(); }
  std::uint32_t capacity() const noexcept { return table_.capacity(); }
  std::size_t allocated() const noexcept { return table_.allocated(); }

 private:
  EpcTable<LaneSession> table_;
  std::int64_t gap_us_;
};

}  // namespace garita::lane
