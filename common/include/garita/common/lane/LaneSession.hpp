#pragma once
// One open (or just closed) session: the reads of one EPC in one lane with
// no pause longer than the lane's gap. Fixed size, no heap: sessions are
// created and updated on the hot path.
#include <cstdint>
#include <limits>
#include <optional>

#include "garita/common/Crossing.hpp"
#include "garita/common/TagRead.hpp"
#include "garita/common/lane/LaneConfig.hpp"
#include "garita/common/lane/ReadTime.hpp"

namespace garita::lane {

inline constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();
// Sessions whose reads carried no RSSI rank below any measured RSSI.
inline constexpr std::int16_t kNoRssi = std::numeric_limits<std::int16_t>::min();

// What arbitration compares: peak RSSI first, then the number of reads.
struct Evidence {
  std::int16_t peak_rssi_cdbm = kNoRssi;
  std::uint32_t read_count = 0;
};

// < 0 when a is weaker than b, 0 when equal, > 0 when stronger.
constexpr int compare(const Evidence& a, const Evidence& b) noexcept {
  if (a.peak_rssi_cdbm != b.peak_rssi_cdbm) return a.peak_rssi_cdbm < b.peak_rssi_cdbm ? -1 : 1;
  if (a.read_count != b.read_count) return a.read_count < b.read_count ? -1 : 1;
  return 0;
}

struct LaneSession {
  std::int64_t first_mono_us = kNoTime;  // first read (host monotonic axis)
  std::int64_t last_mono_us = kNoTime;   // latest read
  ReadTime first;                        // the first read's time, as recorded in the crossing
  std::int64_t last_utc_us = 0;
  bool host_clock_synchronized = false;  // at the first read
  std::uint32_t reader_id = 0;           // reader of the first read

  Evidence evidence;
  std::uint32_t antenna_mask = 0;  // bit (a - 1) for antenna a <= 32
  std::int64_t first_entry_mono_us = kNoTime;
  std::int64_t first_exit_mono_us = kNoTime;

  std::optional<std::uint16_t> pc;  // from the first read that had one
  TidBytes tid;                     // from the first read that had one

  bool started() const noexcept { return first_mono_us != kNoTime; }

  // Folds one accepted read in. Reads may arrive slightly out of order:
  // first/last are the minimum/maximum.
  void add(const TagRead& read, const ReadTime& time, AntennaRole role, bool host_synced) noexcept {
    if (!started() || time.mono_us < first_mono_us) {
      first_mono_us = time.mono_us;
      first = time;
      host_clock_synchronized = host_synced;
      reader_id = read.reader_id;
    }
    if (last_mono_us == kNoTime || time.mono_us >= last_mono_us) {
      last_mono_us = time.mono_us;
      last_utc_us = time.utc_us;
    }
    const std::uint32_t n = read.seen_count == 0 ? 1 : read.seen_count;
    evidence.read_count = evidence.read_count > std::numeric_limits<std::uint32_t>::max() - n
                              ? std::numeric_limits<std::uint32_t>::max()
                              : evidence.read_count + n;
    if (read.peak_rssi_cdbm && *read.peak_rssi_cdbm > evidence.peak_rssi_cdbm) {
      evidence.peak_rssi_cdbm = *read.peak_rssi_cdbm;
    }
    if (read.antenna >= 1 && read.antenna <= 32) antenna_mask |= 1U << (read.antenna - 1U);
    if (role == AntennaRole::entry &&
        (first_entry_mono_us == kNoTime || time.mono_us < first_entry_mono_us)) {
      first_entry_mono_us = time.mono_us;
    } else if (role == AntennaRole::exit &&
               (first_exit_mono_us == kNoTime || time.mono_us < first_exit_mono_us)) {
      first_exit_mono_us = time.mono_us;
    }
    if (!pc && read.pc) pc = read.pc;
    if (tid.empty() && !read.tid.empty()) tid = read.tid;
  }
};

// The walking direction from the first reads on entry and exit antennas:
// unknown when either was never read or they are closer than `min_separation_us`.
constexpr Direction direction_of(std::int64_t first_entry_mono_us, std::int64_t first_exit_mono_us,
                                 std::int64_t min_separation_us) noexcept {
  if (first_entry_mono_us == kNoTime || first_exit_mono_us == kNoTime) return Direction::unknown;
  const std::int64_t d = first_exit_mono_us - first_entry_mono_us;
  if (d > min_separation_us) return Direction::with_flow;
  if (-d > min_separation_us) return Direction::counter_flow;
  return Direction::unknown;
}

}  // namespace garita::lane
