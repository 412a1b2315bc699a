#pragma once
// The shared pedestrian traffic model: travellers walk through side-by-side
// lanes carrying Gen2 cards, overhead antennas inventory them, and the model
// yields the successful reads as a lazily generated, time-ordered stream of
// TagObservation, plus a ground-truth record per tag per pass.
//
// How a read happens (per inventory attempt of one antenna on one tag):
//   one-way loss L = free-space loss(distance) - antenna pattern(angle)
//                    - antenna gain + cable + polarisation loss
//                    + the pass's body/holding loss + neighbour-lane extra
//                    + sleeve (shielded cards) - fade(antenna, channel,
//                      position, time)
//   the chip powers up if tx - L >= chip sensitivity (forward link) and the
//   reader hears it if RSSI = tx - 2L - backscatter loss >= reader
//   sensitivity (the reverse path is the same channel, so its loss counts
//   twice); then an independent miss (collision/CRC) may still drop it.
// Attempts come every ~antennas_per_lane/attempts_per_s seconds per antenna
// with jitter; the channel follows each reader's 50-channel, 400 ms hop
// sequence. See TrafficConfig.hpp for every constant and why.
//
// Pure code: time is model time in microseconds, nothing reads a clock, and
// the only randomness is the seed. Same seed + config -> identical stream.
// Memory holds only the travellers currently in the modelled stretch of lane
// (plus, unless disabled, the finished truth records).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "garita/sim/GroundTruth.hpp"
#include "garita/sim/TagObservation.hpp"
#include "garita/sim/TrafficConfig.hpp"

namespace garita::sim {

enum class AntennaRole : std::uint8_t { single, entry, exit };

struct AntennaInfo {
  std::uint16_t reader = 0;   // 0-based
  std::uint16_t antenna = 0;  // 1-based within the reader
  LaneId lane = 0;
  std::size_t lane_index = 0;  // position in LaneLayoutConfig::lane_ids
  AntennaRole role = AntennaRole::single;
  double x_m = 0, y_m = 0, z_m = 0;
};

class TrafficModel {
 public:
  // Throws std::invalid_argument with validate()'s message if the config is
  // invalid.
  explicit TrafficModel(const TrafficConfig& config);
  ~TrafficModel();
  TrafficModel(TrafficModel&&) noexcept;
  TrafficModel& operator=(TrafficModel&&) noexcept;
  TrafficModel(const TrafficModel&) = delete;
  TrafficModel& operator=(const TrafficModel&) = delete;

  // The next observation in time order; nullopt once arrivals have ended
  // (ArrivalConfig::end_time_us) and every traveller has left.
  std::optional<TagObservation> next();

  // The next observation with time_us <= t_us into `out` (true), or false
  // when there is none before t_us; in that case the model has advanced to
  // t_us (now_us() == t_us) and a later call continues from there.
  bool next_until(std::int64_t t_us, TagObservation& out);

  // Calls on_observation(const TagObservation&) for every observation with
  // time_us <= t_us, in order. Returns how many.
  template <class F>
  std::size_t advance_until(std::int64_t t_us, F&& on_observation) {
    std::size_t n = 0;
    TagObservation obs;
    while (next_until(t_us, obs)) {
      on_observation(static_cast<const TagObservation&>(obs));
      ++n;
    }
    return n;
  }

  // Time up to which the model has been run.
  std::int64_t now_us() const noexcept;
  // No more events: arrivals ended and everyone has left.
  bool finished() const noexcept;

  // Called for each truth record when its tag leaves the modelled stretch
  // (in that order, which is deterministic). Set before running.
  void set_truth_sink(std::function<void(const GroundTruthRecord&)> sink);
  // Records finished so far (empty if TruthConfig::retain_records is false).
  std::span<const GroundTruthRecord> truth() const noexcept;
  // Moves the retained records out (bounded memory in long runs).
  std::vector<GroundTruthRecord> take_truth();

  // The channel (1..channel_count) reader `reader` is on at time t_us.
  // Readers hop on a fixed pseudo-random sequence, so this is known for any
  // time (an LLRP simulator can report it between reads).
  std::uint16_t channel_at(std::uint16_t reader, std::int64_t t_us) const;

  const TrafficConfig& config() const noexcept;
  std::span<const AntennaInfo> antennas() const noexcept;

  // Horizontal distance from an antenna beyond which no read is possible
  // even with the best body loss and fade the model can draw, for the
  // antenna's own lane and for another lane's tags. Step-backs retreat
  // beyond the first; lanes farther than the second are not simulated.
  double max_read_distance_m() const noexcept;
  double max_read_distance_other_lane_m() const noexcept;
  // How far the modelled stretch reaches on each side of a lane's centre:
  // travellers appear at -stretch and leave at +stretch (along their walk).
  double stretch_half_length_m() const noexcept;

  // Counters.
  std::uint64_t travelers_arrived() const noexcept;
  std::size_t active_travelers() const noexcept;
  std::size_t peak_active_travelers() const noexcept;
  std::uint64_t observations_emitted() const noexcept;
  std::uint64_t attempts_evaluated() const noexcept;  // link computations done

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace garita::sim
