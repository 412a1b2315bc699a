#pragma once
// Configuration of the lane pipeline (docs/lane-pipeline.md): the lanes,
// which reader antennas belong to each and in which role, the debounce rules
// per lane, and the pipeline-wide clock-tracking and arbitration settings.
// Plain values; validate() checks them before a LanePipeline is built.
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/IssuerTable.hpp"

namespace garita::lane {

inline constexpr std::int64_t kSecondUs = 1'000'000;

// What an antenna tells about the walk. The order of first reads on an
// entry and an exit antenna gives the direction; `both` (a single antenna
// over the lane) gives none.
enum class AntennaRole : std::uint8_t { both, entry, exit };

std::string_view to_string(AntennaRole role) noexcept;

struct AntennaBinding {
  std::uint32_t reader_id = 0;  // TagRead::reader_id
  // TagRead::antenna (1-based). 0 = every antenna of this reader that has no
  // binding of its own (a reader dedicated to one lane, or a reader that
  // does not report AntennaID).
  std::uint16_t antenna = 0;
  AntennaRole role = AntennaRole::both;
};

struct LaneConfig {
  std::string lane_id;    // e.g. "P01"; Crossing::lane_id
  std::string port_code;  // the port of entry; Crossing::port_code
  std::vector<AntennaBinding> antennas;

  // Debounce rules (defaults: the brief's values).
  std::int64_t gap_us = 2 * kSecondUs;     // a session closes after this long without a read
  std::uint32_t min_reads = 2;             // reads a session needs to become a crossing
  std::int16_t min_rssi_cdbm = -7000;      // reads below this are ignored (hundredths of dBm)
  std::int64_t rearm_us = 60 * kSecondUs;  // a session opening sooner after the EPC's last
                                           // crossing here extends that crossing
  // First reads on entry and exit antennas closer together than this give
  // Direction::unknown.
  std::int64_t direction_min_separation_us = 0;

  // Memory bounds (see docs/lane-pipeline.md, "Bounded memory").
  std::uint32_t max_open_sessions = 4096;  // open sessions; when full the oldest is closed early
  std::uint32_t max_rearm_entries = 4096;  // recent crossings remembered for rearm

  // The highest sequence already stored for this lane (the daemon loads it
  // from the store); new crossings get last_sequence + 1, + 2, ...
  std::uint64_t last_sequence = 0;

  // Lanes arbitrate (a card seen in two lanes at once counts in one) only
  // with lanes of the same group. Side-by-side lanes share a group.
  std::uint32_t arbitration_group = 0;
};

struct ClockConfig {
  // The reader-to-host offset is the minimum of (host receive time - reader
  // time) over this sliding window: network and report delays only ever
  // add, so the minimum is the best estimate, and the window lets it follow
  // a slowly drifting reader clock.
  std::int64_t window_us = 60 * kSecondUs;
  // A sample further than this from the tracked offset is an outlier; the
  // read is timed by the host receive time instead.
  std::int64_t reader_jump_threshold_us = 2 * kSecondUs;
  // Outliers that agree with each other for at least this many samples and
  // this long are a clock jump: reported, and the tracker restarts from them.
  std::uint32_t reader_jump_confirm_samples = 3;
  std::int64_t reader_jump_confirm_us = 2 * kSecondUs;
  // Allowed drift of a reader's clock against the host's while the reader
  // is idle (parts per million), added to the threshold after a pause.
  std::uint32_t reader_drift_ppm = 100;
  // Host clock: (host UTC - host monotonic) moving by more than this between
  // two reads is a host clock jump (NTP step, manual set).
  std::int64_t host_jump_threshold_us = 1 * kSecondUs;
  // Slew NTP may apply without it being a jump (parts per million).
  std::uint32_t host_slew_ppm = 500;
};

struct ArbitrationConfig {
  // Two sessions of one EPC in two lanes compete when they come within this
  // of each other (0 = their read spans must overlap). Must not exceed the
  // smallest lane gap + close_grace_us (a later session could start after
  // the decision otherwise).
  std::int64_t overlap_slack_us = 2 * kSecondUs;
  // A closed session waits at most this long for overlapping sessions in
  // other lanes to close; then it is decided on the evidence seen so far.
  std::int64_t max_wait_us = 10 * kSecondUs;
  // Closed sessions awaiting a decision, all lanes together; when full the
  // oldest is decided at once.
  std::uint32_t max_pending = 4096;
};

struct PipelineConfig {
  std::vector<LaneConfig> lanes;
  // Document types (IssuerTable::match). May be null: every card is UNKNOWN.
  std::shared_ptr<const IssuerTable> issuers;
  ClockConfig clock;
  ArbitrationConfig arbitration;
  // Reports reach the host a little after the reads they carry; a session
  // is closed only once now - last read > gap + close_grace_us, so a read
  // delivered late still joins its session.
  std::int64_t close_grace_us = 250'000;
  // Pipeline events of one kind that repeat (a cap being hit) are reported
  // at most once per this interval, with the count since the last report.
  std::int64_t event_interval_us = 60 * kSecondUs;
  // Seed of the EPC hash tables (the daemon may pass a random value so that
  // nobody can plan EPCs that collide).
  std::uint64_t hash_seed = 0;
};

// Checks ranges and consistency: at least one lane, unique non-empty lane
// ids, each (reader, antenna) bound to one lane only, positive gaps, caps
// >= 1, slack <= gap + grace. On failure returns Errc::config_bad_value and
// sets `error` to "lanes[N].KEY: what is wrong" (or "clock.KEY: ...").
std::error_code validate(const PipelineConfig& config, std::string& error);

}  // namespace garita::lane
