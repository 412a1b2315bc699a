#include "garita/common/lane/LaneConfig.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "garita/common/Errc.hpp"

namespace garita::lane {

std::string_view to_string(AntennaRole role) noexcept {
  switch (role) {
    case AntennaRole::both: return "both";
    case AntennaRole::entry: return "entry";
    case AntennaRole::exit: return "exit";
  }
  return "both";
}

namespace {

constexpr std::uint32_t kMaxCap = 1U << 24;

struct Checker {
  std::string& error;
  bool ok = true;
  void fail(const std::string& key, const std::string& what) {
    if (!ok) return;  // the first problem only
    ok = false;
    error = key + ": " + what;
  }
};

}  // namespace

std::error_code validate(const PipelineConfig& config, std::string& error) {
  Checker k{error};
  if (config.lanes.empty()) k.fail("lanes", "at least one lane is needed");
  std::set<std::string> ids;
  std::set<std::pair<std::uint32_t, std::uint16_t>> bound;
  std::int64_t min_gap = 0;
  for (std::size_t i = 0; i < config.lanes.size(); ++i) {
    const LaneConfig& l = config.lanes[i];
    const std::string at = "lanes[" + std::to_string(i) + "].";
    if (l.lane_id.empty()) k.fail(at + "lane_id", "must not be empty");
    if (!ids.insert(l.lane_id).second)
      k.fail(at + "lane_id", "\"" + l.lane_id + "\" is used by another lane");
    if (l.antennas.empty()) k.fail(at + "antennas", "at least one antenna is needed");
    for (std::size_t a = 0; a < l.antennas.size(); ++a) {
      const AntennaBinding& b = l.antennas[a];
      if (!bound.insert({b.reader_id, b.antenna}).second) {
        k.fail(at + "antennas[" + std::to_string(a) + "]",
               "reader " + std::to_string(b.reader_id) + " antenna " + std::to_string(b.antenna) +
                   " is bound twice");
      }
    }
    if (l.gap_us <= 0) k.fail(at + "gap_us", "must be > 0");
    if (l.min_reads < 1) k.fail(at + "min_reads", "must be >= 1");
    if (l.rearm_us < 0) k.fail(at + "rearm_us", "must be >= 0");
    if (l.direction_min_separation_us < 0)
      k.fail(at + "direction_min_separation_us", "must be >= 0");
    if (l.max_open_sessions < 1 || l.max_open_sessions > kMaxCap) {
      k.fail(at + "max_open_sessions", "must be in [1, 16777216]");
    }
    if (l.max_rearm_entries < 1 || l.max_rearm_entries > kMaxCap) {
      k.fail(at + "max_rearm_entries", "must be in [1, 16777216]");
    }
    min_gap = i == 0 ? l.gap_us : std::min(min_gap, l.gap_us);
  }
  const ClockConfig& c = config.clock;
  if (c.window_us <= 0) k.fail("clock.window_us", "must be > 0");
  if (c.reader_jump_threshold_us <= 0) k.fail("clock.reader_jump_threshold_us", "must be > 0");
  if (c.reader_jump_confirm_samples < 1)
    k.fail("clock.reader_jump_confirm_samples", "must be >= 1");
  if (c.reader_jump_confirm_us < 0) k.fail("clock.reader_jump_confirm_us", "must be >= 0");
  if (c.reader_drift_ppm > 10'000) k.fail("clock.reader_drift_ppm", "must be <= 10000");
  if (c.host_jump_threshold_us <= 0) k.fail("clock.host_jump_threshold_us", "must be > 0");
  if (c.host_slew_ppm > 10'000) k.fail("clock.host_slew_ppm", "must be <= 10000");
  const ArbitrationConfig& a = config.arbitration;
  if (config.close_grace_us < 0) k.fail("close_grace_us", "must be >= 0");
  if (a.overlap_slack_us < 0) k.fail("arbitration.overlap_slack_us", "must be >= 0");
  if (!config.lanes.empty() && a.overlap_slack_us > min_gap + config.close_grace_us) {
    k.fail("arbitration.overlap_slack_us",
           "must not exceed the smallest lane gap + close_grace_us");
  }
  if (a.max_wait_us < 0) k.fail("arbitration.max_wait_us", "must be >= 0");
  if (a.max_pending < 1 || a.max_pending > kMaxCap) {
    k.fail("arbitration.max_pending", "must be in [1, 16777216]");
  }
  if (config.event_interval_us < 0) k.fail("event_interval_us", "must be >= 0");
  return k.ok ? std::error_code{} : make_error_code(Errc::config_bad_value);
}

}  // namespace garita::lane
