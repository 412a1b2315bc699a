#include "garita/sim/ReaderSimulation.hpp"

namespace garita::sim {
namespace {

// More lanes than any port has; a larger number is a typo.
constexpr unsigned kMaxLanes = 64;
// Beyond this the 5 ms host tick spans seconds of model time.
constexpr double kMaxSpeed = 1000.0;

}  // namespace

bool check_lane_count(const ReaderSimulationOptions& o, std::string& error) {
  if (o.lanes == 0 || o.lanes > kMaxLanes) {
    error = "--lanes must be 1.." + std::to_string(kMaxLanes);
    return false;
  }
  return true;
}

bool check_timing_options(const ReaderSimulationOptions& o, std::string& error) {
  if (!(o.speed > 0.0) || o.speed > kMaxSpeed) {
    error = "--speed must be above 0 and at most " + std::to_string(static_cast<int>(kMaxSpeed));
    return false;
  }
  if (o.duration_s && !(*o.duration_s > 0.0 && *o.duration_s <= 86'400.0 * 365)) {
    error = "--duration must be a positive number of seconds";
    return false;
  }
  if (o.travelers_per_min && !(*o.travelers_per_min >= 0.0 && *o.travelers_per_min <= 600.0)) {
    error = "--rate must be 0..600 travellers per minute per lane";
    return false;
  }
  return true;
}

TrafficConfig make_traffic_config(const ReaderSimulationOptions& options, std::int64_t start_us) {
  TrafficConfig config =
      options.preset == TrafficPreset::clean ? TrafficConfig::clean() : TrafficConfig::defaults();
  config.seed = options.seed;
  config.lanes.lane_ids.clear();
  for (unsigned lane = 1; lane <= options.lanes; ++lane)
    config.lanes.lane_ids.push_back(static_cast<LaneId>(lane));
  config.lanes.layout = ReaderLayout::reader_per_lane;
  if (options.travelers_per_min)
    config.arrivals.travelers_per_min_per_lane = *options.travelers_per_min;
  config.arrivals.start_time_us = start_us;
  if (options.duration_s) {
    config.arrivals.end_time_us = start_us + static_cast<std::int64_t>(*options.duration_s * 1e6);
  }
  // The truth file streams records as they complete; keeping them too would
  // grow without bound in a long run.
  config.truth.retain_records = false;
  return config;
}

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace garita::sim
