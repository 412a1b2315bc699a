#include "garita/sim/TrafficModel.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "garita/common/Hex.hpp"
#include "garita/sim/Cards.hpp"
#include "garita/sim/Random.hpp"

namespace garita::sim {
namespace {

constexpr double kSpeedOfLight = 299'792'458.0;
constexpr double kPi = 3.14159265358979323846;
constexpr double kRadToDeg = 180.0 / kPi;
constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();
constexpr std::int32_t kNoRssi = std::numeric_limits<std::int32_t>::min();

std::int64_t seconds_to_us(double s) { return static_cast<std::int64_t>(std::llround(s * 1e6)); }

// A walk is a few straight pieces in (time, distance along the walk): walk,
// stop, walk back, wait, walk again. s(t) = s0 + v (t - t0) within a piece.
struct Segment {
  std::int64_t t0 = 0;
  double s0 = 0;
  double v = 0;  // m/s along the walking direction (negative = backing up)
};

struct Trajectory {
  std::array<Segment, 6> seg{};
  std::uint8_t count = 0;
  std::int64_t t_end = 0;  // leaves the modelled stretch

  void add(std::int64_t t0, double s0, double v) { seg[count++] = Segment{t0, s0, v}; }

  // First time the walk reaches s >= target (moving forward), or t_end.
  std::int64_t first_reach(double target) const {
    for (std::uint8_t i = 0; i < count; ++i) {
      const Segment& g = seg[i];
      const std::int64_t t1 = (i + 1 < count) ? seg[i + 1].t0 : t_end;
      if (g.s0 >= target) return g.t0;
      if (g.v > 0) {
        const std::int64_t t = g.t0 + seconds_to_us((target - g.s0) / g.v);
        if (t <= t1) return t;
      }
    }
    return t_end;
  }

  void shift(std::int64_t dt) {
    for (std::uint8_t i = 0; i < count; ++i) seg[i].t0 += dt;
    t_end += dt;
  }
};

// 16 bytes: the time, then insertion order (for deterministic ties, the
// same under every standard library) packed with what the event is for.
// 40 bits of sequence number last ~10^12 events: days of a benchmark running
// flat out, decades of a simulated lane.
struct Event {
  std::int64_t time;
  std::uint64_t key;  // seq << 24 | target; target >= kArrivalBase is a lane's arrival
};
constexpr std::uint32_t kTargetBits = 24;
constexpr std::uint32_t kTargetMask = (1U << kTargetBits) - 1;
constexpr std::uint32_t kArrivalBase = kTargetMask - 1024;  // lanes <= 1000

struct EventLater {
  bool operator()(const Event& a, const Event& b) const noexcept {
    return a.time != b.time ? a.time > b.time : a.key > b.key;
  }
};

// The pending events, in (time, key) order. A calendar queue: events within
// the next ~8 s go unsorted into 1 ms buckets of a ring and a bucket is
// sorted only when the clock reaches it; later ones wait in a heap. Every
// tag has an attempt due every few tens of milliseconds, so a binary heap of
// all of them was half the model's cost; this is O(1) per event. The order
// is exactly the heap's: the stream does not depend on the queue.
class EventQueue {
 public:
  EventQueue() : ring_(kRingSize) {}

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  void push(Event e) {
    ++size_;
    const std::int64_t b = e.time >> kBucketShift;
    if (b <= current_) {
      // Due in the bucket being drained, which is kept latest first:
      // insert before the first event that is not later than `e`.
      now_.insert(std::lower_bound(now_.begin(), now_.end(), e, EventLater{}), e);
    } else if (b < current_ + static_cast<std::int64_t>(kRingSize)) {
      const auto slot = static_cast<std::size_t>(b) & kRingMask;
      ring_[slot].push_back(e);
      occupied_[slot >> 6] |= 1ULL << (slot & 63);
      ++in_ring_;
    } else {
      far_.push_back(e);
      std::push_heap(far_.begin(), far_.end(), EventLater{});
    }
  }

  // The earliest event; the queue must not be empty.
  const Event& top() {
    while (now_.empty()) advance();
    return now_.back();
  }

  Event pop() {
    const Event e = top();
    now_.pop_back();
    --size_;
    return e;
  }

 private:
  static constexpr int kBucketShift = 10;  // 1.024 ms buckets
  static constexpr std::size_t kRingSize = 8192;
  static constexpr std::size_t kRingMask = kRingSize - 1;

  // The first occupied ring bucket after current_ (absolute number); the
  // ring must not be empty. A bitmap keeps sparse traffic from stepping
  // through empty milliseconds one by one.
  std::int64_t next_ring_bucket() const {
    const std::size_t start = static_cast<std::size_t>(current_ + 1) & kRingMask;
    std::size_t n = 0;
    while (n < kRingSize) {
      const std::size_t pos = (start + n) & kRingMask;
      const std::uint64_t word = occupied_[pos >> 6] >> (pos & 63);
      if (word != 0) {
        n += static_cast<std::size_t>(std::countr_zero(word));
        break;
      }
      n += 64 - (pos & 63);
    }
    return current_ + 1 + static_cast<std::int64_t>(n);
  }

  void advance() {
    std::int64_t next = in_ring_ > 0 ? next_ring_bucket() : INT64_MAX;
    if (!far_.empty()) next = std::min(next, far_.front().time >> kBucketShift);
    current_ = next;
    const auto slot = static_cast<std::size_t>(current_) & kRingMask;
    auto& bucket = ring_[slot];
    if (!bucket.empty()) {
      in_ring_ -= bucket.size();
      occupied_[slot >> 6] &= ~(1ULL << (slot & 63));
      now_.swap(bucket);  // `bucket` gets now_'s (empty) storage back
    }
    while (!far_.empty() && (far_.front().time >> kBucketShift) <= current_) {
      std::pop_heap(far_.begin(), far_.end(), EventLater{});
      now_.push_back(far_.back());
      far_.pop_back();
    }
    // Latest first, so the earliest is popped from the back.
    std::sort(now_.begin(), now_.end(), EventLater{});
  }

  std::vector<std::vector<Event>> ring_;
  std::array<std::uint64_t, kRingSize / 64> occupied_{};
  std::vector<Event> now_;  // bucket `current_`, sorted latest first
  std::vector<Event> far_;  // min-heap (by EventLater) of events beyond the ring
  std::int64_t current_ = -1;
  std::size_t size_ = 0;
  std::size_t in_ring_ = 0;
};

// SplitMix64 as a tiny per-stream generator (8 bytes of state).
struct StreamRng {
  std::uint64_t state = 0;
  std::uint64_t next() noexcept {
    state += 0x9E3779B97F4A7C15ULL;
    return mix64(state);
  }
  double uniform() noexcept { return unit_open(next()); }
};

}  // namespace

struct TrafficModel::Impl {
  struct Lane {
    LaneId id = 0;
    double x = 0;
    Rng rng;
    double gap_headway_s = 0;   // fixed part of a solo gap
    double gap_exp_mean_s = 0;  // exponential part of a solo gap
    bool companion_next = false;
    Trajectory leader;  // the path a companion copies
    std::int64_t leader_arrival = 0;
    double leader_dir = 1;
    double leader_offset = 0;
    std::uint32_t leader_shape = 0;
    std::size_t first_antenna = 0;
  };

  struct Reader {
    std::vector<std::uint8_t> hop;  // channel order (0-based)
    std::int64_t phase_us = 0;
    std::int64_t dwell_start = 0, dwell_end = 0;  // current dwell [start, end)
    std::uint32_t channel = 0;
  };

  struct Traveler {
    std::uint32_t id = 0;
    std::uint32_t lane = 0;
    double x = 0;
    double dir = 1;  // +1 entry -> exit, -1 counter-flow
    Trajectory traj;
    std::uint8_t cursor = 0;
    std::uint32_t behaviours = 0;
    std::uint32_t live_tags = 0;
    std::int64_t arrival = 0;

    // Queries come in non-decreasing time (the event loop), so a forward
    // cursor finds the piece in O(1).
    double s_at(std::int64_t t) noexcept {
      while (cursor + 1 < traj.count && traj.seg[cursor + 1].t0 <= t) ++cursor;
      const Segment& g = traj.seg[cursor];
      return g.s0 + g.v * static_cast<double>(t - g.t0) * 1e-6;
    }
  };

  struct Tag {
    std::uint32_t traveler = 0;
    CardIdentity card;
    double z = 0;
    double loss_db = 0;   // this pass's body/holding loss
    double limit_db = 0;  // max one-way loss for a read (chip and reader)
    // Horizontal distance beyond which this tag (its height and body loss,
    // the strongest fade, no sleeve) cannot be read by its own lane's /
    // another lane's antennas; attempts beyond it are skipped cheaply.
    double bound_own = 0;
    double bound_other = -1;
    std::uint64_t fade_seed = 0;
    bool shielded = false;
    bool leak_pending = false;
    std::int64_t leak_time = 0;
    std::uint32_t live_streams = 0;
    std::uint32_t reads_total = 0;
    // Truth accumulators.
    std::int64_t first_in_range = kNoTime;
    std::int64_t last_in_range = kNoTime;
    std::uint32_t reads_true = 0, qual_true = 0, reads_other = 0, qual_other = 0;
    std::int32_t peak_true = kNoRssi, peak_other = kNoRssi;
    std::int64_t first_read = kNoTime, last_read = kNoTime, max_gap = 0;
    std::vector<std::uint32_t> other_counts;  // by lane offset + reach (reused)
  };

  struct Stream {
    std::uint32_t tag = 0;
    std::uint32_t antenna = 0;
    StreamRng rng;
    // Cached fade for (channel, position bin, time bin).
    std::int64_t fade_sbin = std::numeric_limits<std::int64_t>::min();
    std::int64_t fade_tbin = 0;
    std::uint32_t fade_channel = 0;
    double fade_db = 0;
  };

  TrafficConfig cfg;
  std::vector<AntennaInfo> antennas;
  std::vector<Lane> lanes;
  std::vector<Reader> readers;
  std::vector<std::uint16_t> antenna_reader;  // index into readers per antenna
  CardFactory cards;

  // Derived radio constants.
  double lfs_1m_db = 0;    // free-space loss at 1 m
  double net_gain_db = 0;  // antenna gain - cable - polarisation
  double fade_max_db = 0;
  double bound_own = 0, bound_other = -1;  // horizontal read bounds
  int reach = 0;                           // lanes each side to simulate
  double stretch = 0;                      // R: walk from -R to +R
  double retreat = 0;                      // step-back retreat distance
  double sep_half = 0;
  std::int64_t period_us = 0;
  double vmax = 0;
  double inv_beamwidth = 0;
  std::vector<double> pattern_table;
  double inv_fade_spatial = 0;
  std::int64_t tbin_current = 0, tbin_start = 0, tbin_end = 0;  // fade time bin cache
  double doc_cumulative[7]{};
  static constexpr DocumentType kDocs[7] = {
      DocumentType::bcc,    DocumentType::prc,   DocumentType::passport_card,
      DocumentType::sentri, DocumentType::nexus, DocumentType::fast,
      DocumentType::edl};

  // Event queue and pools.
  EventQueue queue;
  std::uint64_t seq = 0;
  std::vector<Traveler> travelers;
  std::vector<std::uint32_t> free_travelers;
  std::vector<Tag> tags;
  std::vector<std::uint32_t> free_tags;
  std::vector<Stream> streams;
  std::vector<std::uint32_t> free_streams;

  std::int64_t now = 0;
  std::uint64_t arrived = 0;
  std::size_t active = 0;
  std::size_t peak_active = 0;
  std::uint64_t emitted = 0;
  std::uint64_t evaluated = 0;

  std::vector<GroundTruthRecord> truth;
  std::function<void(const GroundTruthRecord&)> sink;

  explicit Impl(const TrafficConfig& c) : cfg(c), cards(hash2(c.seed, 0x43415244ULL)) {
    std::string error;
    if (validate(cfg, error)) throw std::invalid_argument("TrafficConfig: " + error);
    setup_radio();
    setup_lanes();
  }

  // ---- set-up -------------------------------------------------------------

  double chip_sensitivity(ChipModel chip) const {
    return chip == ChipModel::impinj_monza_r6 ? cfg.radio.monza_r6_sensitivity_dbm
                                              : cfg.radio.ucode8_sensitivity_dbm;
  }

  // Largest one-way loss that still gives a read: the chip must power up
  // (tx - L >= chip sensitivity) and the reader must hear the reply
  // (tx - 2L - backscatter >= reader sensitivity).
  double loss_limit(ChipModel chip) const {
    const auto& r = cfg.radio;
    return std::min(r.tx_power_dbm - chip_sensitivity(chip),
                    (r.tx_power_dbm - r.backscatter_loss_db - r.reader_sensitivity_dbm) / 2.0);
  }

  // Free-space loss plus pattern loss for a tag at horizontal distance h
  // and height difference dz below the antenna.
  double geometric_loss(double h2, double dz) const {
    const double d2 = h2 + dz * dz;
    return 10.0 * std::log10(d2) + lfs_1m_db + pattern_loss(dz / std::sqrt(d2));
  }

  // Pattern loss in dB for the cosine of the off-boresight angle, from a
  // table (acos per attempt was the model's single largest cost). In the
  // cosine the parabolic pattern is smooth, so linear interpolation over
  // 4096 steps is exact to ~1e-5 dB.
  static constexpr std::size_t kPatternSteps = 4096;
  double pattern_loss(double cos_theta) const {
    const double x = std::clamp(cos_theta, 0.0, 1.0) * static_cast<double>(kPatternSteps);
    const auto i = std::min(static_cast<std::size_t>(x), kPatternSteps - 1);
    const double f = x - static_cast<double>(i);
    return pattern_table[i] + f * (pattern_table[i + 1] - pattern_table[i]);
  }

  void build_pattern_table() {
    pattern_table.resize(kPatternSteps + 1);
    for (std::size_t i = 0; i <= kPatternSteps; ++i) {
      const double c = static_cast<double>(i) / static_cast<double>(kPatternSteps);
      const double x = std::acos(c) * kRadToDeg * inv_beamwidth;
      pattern_table[i] = std::min(12.0 * x * x, cfg.radio.antenna_front_to_back_db);
    }
  }

  // Largest horizontal distance at which some tag height, the lowest body
  // loss and the strongest fade could still give a read; -1 if none.
  double horizontal_bound(double extra_db) const {
    const auto& r = cfg.radio;
    const auto& w = cfg.walking;
    const double loss_min = std::max(0.0, r.tag_loss_mean_db - 2.0 * r.tag_loss_sd_db);
    const double limit =
        std::max(loss_limit(ChipModel::impinj_monza_r6), loss_limit(ChipModel::nxp_ucode_8));
    const double budget = limit + net_gain_db - loss_min + fade_max_db - extra_db;
    auto reachable = [&](double h) {
      for (int i = 0; i <= 16; ++i) {
        const double z = w.tag_height_min_m + (w.tag_height_max_m - w.tag_height_min_m) * i / 16.0;
        const double dz = cfg.lanes.antenna_height_m - z;
        if (geometric_loss(h * h, dz) <= budget) return true;
      }
      return false;
    };
    if (!reachable(0.0)) return -1.0;
    // The loss grows with h (distance and angle both grow), so the first
    // unreachable step is the bound.
    double h = 0.0;
    while (h < 500.0 && reachable(h + 0.01)) h += 0.01;
    return h + 0.01;
  }

  // Per-tag version of horizontal_bound for a known height and body loss
  // (bisection: the loss grows with the horizontal distance). -1 if none.
  double tag_bound(double dz, double loss_db, double limit_db, double extra_db,
                   double global_bound) const {
    const double budget = limit_db + net_gain_db - loss_db + fade_max_db - extra_db;
    if (global_bound <= 0 || geometric_loss(0.0, dz) > budget) return -1.0;
    double lo = 0.0;
    double hi = global_bound;
    if (geometric_loss(hi * hi, dz) <= budget) return hi;
    for (int i = 0; i < 24; ++i) {
      const double mid = 0.5 * (lo + hi);
      (geometric_loss(mid * mid, dz) <= budget ? lo : hi) = mid;
    }
    return hi;
  }

  void setup_radio() {
    const auto& r = cfg.radio;
    const double lambda = kSpeedOfLight / (r.frequency_mhz * 1e6);
    lfs_1m_db = 20.0 * std::log10(4.0 * kPi / lambda);
    net_gain_db = r.antenna_gain_dbic - r.cable_loss_db - r.polarization_loss_db;
    fade_max_db = r.fade_clamp_sigma * r.shadowing_sd_db;
    inv_beamwidth = 1.0 / r.antenna_beamwidth_deg;
    build_pattern_table();
    inv_fade_spatial = 1.0 / r.fade_spatial_m;
    bound_own = horizontal_bound(0.0);
    bound_other = horizontal_bound(r.neighbour_extra_attenuation_db);
    if (bound_own < 0) bound_own = 0;
    sep_half = cfg.lanes.antennas_per_lane == 2 ? cfg.lanes.antenna_separation_m / 2.0 : 0.0;
    // Tags of lane i can only be read by lane j's antennas if the lateral
    // distance (at least |i-j| * spacing - lateral_max) is inside the bound.
    reach = 0;
    if (bound_other > 0) {
      while (reach + 1 < static_cast<int>(cfg.lanes.lane_ids.size()) &&
             (reach + 1) * cfg.lanes.lane_spacing_m - cfg.walking.lateral_max_m < bound_other) {
        ++reach;
      }
    }
    stretch = sep_half + std::max(bound_own, bound_other) + 0.5;
    retreat = sep_half + bound_own + 0.25;
    period_us = std::max<std::int64_t>(
        1, seconds_to_us(static_cast<double>(cfg.lanes.antennas_per_lane) / r.attempts_per_s));
    vmax = cfg.walking.speed_max_mps;

    const auto& cd = cfg.cards;
    const double w[7] = {cd.bcc, cd.prc, cd.passport_card, cd.sentri, cd.nexus, cd.fast, cd.edl};
    double sum = 0;
    for (double v : w) sum += v;
    double acc = 0;
    for (int i = 0; i < 7; ++i) {
      acc += w[i] / sum;
      doc_cumulative[i] = acc;
    }
    doc_cumulative[6] = 2.0;  // rounding never falls off the end
  }

  void setup_lanes() {
    const auto& l = cfg.lanes;
    const auto& a = cfg.arrivals;
    const auto& b = cfg.behaviour;
    const std::size_t n = l.lane_ids.size();
    const std::size_t readers_n = l.layout == ReaderLayout::one_reader ? 1 : n;
    readers.resize(readers_n);
    for (std::size_t r = 0; r < readers_n; ++r) {
      // A pseudo-random order using every channel once per cycle
      // (Fisher-Yates), as FCC 15.247 asks of a hopper.
      Rng rng(hash2(cfg.seed, 0x484F50ULL + r));
      auto& hop = readers[r].hop;
      hop.resize(cfg.radio.channel_count);
      for (std::size_t i = 0; i < hop.size(); ++i) hop[i] = static_cast<std::uint8_t>(i);
      for (std::size_t i = hop.size(); i > 1; --i) {
        std::swap(hop[i - 1], hop[static_cast<std::size_t>(rng.below(i))]);
      }
      readers[r].phase_us = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(
          cfg.radio.hop_dwell_us * static_cast<std::int64_t>(cfg.radio.channel_count))));
    }

    lanes.resize(n);
    const double group_gap_mean = (b.group_gap_min_s + b.group_gap_max_s) / 2.0;
    for (std::size_t i = 0; i < n; ++i) {
      Lane& lane = lanes[i];
      lane.id = l.lane_ids[i];
      lane.x = static_cast<double>(i) * l.lane_spacing_m;
      lane.rng.reseed(hash2(cfg.seed, 0x4C414E45ULL + i));
      lane.first_antenna = antennas.size();
      for (unsigned k = 0; k < l.antennas_per_lane; ++k) {
        AntennaInfo info;
        info.lane = lane.id;
        info.lane_index = i;
        if (l.layout == ReaderLayout::one_reader) {
          info.reader = 0;
          info.antenna = static_cast<std::uint16_t>(i * l.antennas_per_lane + k + 1);
        } else {
          info.reader = static_cast<std::uint16_t>(i);
          info.antenna = static_cast<std::uint16_t>(k + 1);
        }
        info.role = l.antennas_per_lane == 1 ? AntennaRole::single
                    : k == 0                 ? AntennaRole::entry
                                             : AntennaRole::exit;
        info.x_m = lane.x;
        info.y_m = l.antennas_per_lane == 1 ? 0.0 : (k == 0 ? -sep_half : sep_half);
        info.z_m = l.antenna_height_m;
        antennas.push_back(info);
        antenna_reader.push_back(info.reader);
      }

      const double rate = a.per_lane_travelers_per_min.empty() ? a.travelers_per_min_per_lane
                                                               : a.per_lane_travelers_per_min[i];
      if (rate <= 0) continue;
      // Mean gap 60/rate seconds, split between companions (probability p,
      // mean group_gap_mean) and solo gaps = headway + exponential, with the
      // exponential's mean chosen so the overall mean is exact. If the rate
      // is too high for the headway, the headway shrinks.
      const double mean_gap = 60.0 / rate;
      const double p = b.group_probability;
      const double solo_mean = std::max(1e-6, (mean_gap - p * group_gap_mean) / (1.0 - p));
      lane.gap_headway_s = std::min(a.min_headway_s, 0.5 * solo_mean);
      lane.gap_exp_mean_s = solo_mean - lane.gap_headway_s;
      const std::int64_t first = a.start_time_us + seconds_to_us(next_solo_gap(lane));
      schedule_arrival(i, first);
    }
  }

  double next_solo_gap(Lane& lane) {
    return lane.gap_headway_s + lane.rng.exponential(lane.gap_exp_mean_s);
  }

  void schedule_arrival(std::size_t lane_index, std::int64_t t) {
    const auto end = cfg.arrivals.end_time_us;
    if (end != 0 && t >= end) return;  // the lane closes
    push(t, kArrivalBase + static_cast<std::uint32_t>(lane_index));
  }

  void push(std::int64_t time, std::uint32_t target) {
    queue.push(Event{time, (seq++ << kTargetBits) | target});
  }

  template <class T>
  static std::uint32_t acquire(std::vector<T>& pool, std::vector<std::uint32_t>& free_list) {
    if (!free_list.empty()) {
      const std::uint32_t i = free_list.back();
      free_list.pop_back();
      return i;
    }
    if (pool.size() >= kArrivalBase)
      throw std::length_error("TrafficModel: too many tags in the lanes at once");
    pool.emplace_back();
    return static_cast<std::uint32_t>(pool.size() - 1);
  }

  // ---- arrivals -------------------------------------------------------------

  Trajectory build_walk(Lane& lane, std::int64_t t0, double v, std::uint32_t shape) const {
    const auto& b = cfg.behaviour;
    Rng& rng = lane.rng;
    const double R = stretch;
    Trajectory tr;
    tr.add(t0, -R, v);
    if (shape & behaviour::lingerer) {
      // Stops well inside the zone (reading a sign, looking for the card).
      const double s_stop = rng.uniform(-0.5, 0.5);
      const std::int64_t t1 = t0 + seconds_to_us((s_stop + R) / v);
      const std::int64_t t2 = t1 + seconds_to_us(rng.uniform(b.linger_min_s, b.linger_max_s));
      tr.add(t1, s_stop, 0.0);
      tr.add(t2, s_stop, v);
      tr.t_end = t2 + seconds_to_us((R - s_stop) / v);
    } else if (shape & behaviour::step_back) {
      // In, a moment's hesitation, back out past the read range, wait, then
      // through. The return is well within 60 s, so it is one crossing.
      const double s_b = rng.uniform(-0.8, 0.3);
      const double v_back = 0.8 * v;
      const std::int64_t t1 = t0 + seconds_to_us((s_b + R) / v);
      const std::int64_t t2 = t1 + seconds_to_us(rng.uniform(0.5, 1.5));
      const std::int64_t t3 = t2 + seconds_to_us((s_b + retreat) / v_back);
      const std::int64_t t4 =
          t3 + seconds_to_us(rng.uniform(b.step_back_wait_min_s, b.step_back_wait_max_s));
      tr.add(t1, s_b, 0.0);
      tr.add(t2, s_b, -v_back);
      tr.add(t3, -retreat, 0.0);
      tr.add(t4, -retreat, v);
      tr.t_end = t4 + seconds_to_us((R + retreat) / v);
    } else {
      tr.t_end = t0 + seconds_to_us(2.0 * R / v);
    }
    return tr;
  }

  void on_arrival(std::size_t li, std::int64_t t) {
    Lane& lane = lanes[li];
    const auto& b = cfg.behaviour;
    const auto& w = cfg.walking;
    Rng& rng = lane.rng;

    const std::uint32_t ti = acquire(travelers, free_travelers);
    Traveler& tr = travelers[ti];
    tr = Traveler{};
    tr.id = static_cast<std::uint32_t>(++arrived);
    tr.lane = static_cast<std::uint32_t>(li);
    tr.arrival = t;
    double offset = 0;
    if (lane.companion_next) {
      // Walks beside the one ahead: same path, a little later, other side.
      tr.traj = lane.leader;
      tr.traj.shift(t - lane.leader_arrival);
      tr.dir = lane.leader_dir;
      tr.behaviours = lane.leader_shape | behaviour::group;
      offset = lane.leader_offset >= 0 ? lane.leader_offset - 0.45 : lane.leader_offset + 0.45;
      offset = std::clamp(offset, -w.lateral_max_m, w.lateral_max_m);
      lane.companion_next = false;
    } else {
      const double v = std::clamp(rng.normal(w.speed_mean_mps, w.speed_sd_mps), w.speed_min_mps,
                                  w.speed_max_mps);
      std::uint32_t shape = 0;
      const double u = rng.uniform();
      if (u < b.lingerer_probability) {
        shape |= behaviour::lingerer;
      } else if (u < b.lingerer_probability + b.step_back_probability) {
        shape |= behaviour::step_back;
      }
      if (rng.chance(b.counter_flow_probability)) shape |= behaviour::counter_flow;
      tr.dir = (shape & behaviour::counter_flow) ? -1.0 : 1.0;
      tr.behaviours = shape;
      offset = std::clamp(rng.normal(0.0, w.lateral_sd_m), -w.lateral_max_m, w.lateral_max_m);
      tr.traj = build_walk(lane, t, v, shape);
    }
    tr.x = lane.x + offset;

    const bool shielded = rng.chance(b.shielded_probability);
    const bool extra = rng.chance(b.extra_tag_probability);
    if (shielded) tr.behaviours |= behaviour::shielded;
    if (extra) tr.behaviours |= behaviour::extra_tag;

    // Who comes next in this lane: a companion of this traveller, or an
    // independent arrival.
    std::int64_t next_t;
    if (rng.chance(b.group_probability)) {
      tr.behaviours |= behaviour::group;
      lane.companion_next = true;
      lane.leader = tr.traj;
      lane.leader_arrival = t;
      lane.leader_dir = tr.dir;
      lane.leader_offset = offset;
      lane.leader_shape =
          tr.behaviours & (behaviour::lingerer | behaviour::step_back | behaviour::counter_flow);
      next_t = t + std::max<std::int64_t>(
                       1, seconds_to_us(rng.uniform(b.group_gap_min_s, b.group_gap_max_s)));
    } else {
      next_t = t + std::max<std::int64_t>(1, seconds_to_us(next_solo_gap(lane)));
    }

    // The card (and maybe a retail label in a bag).
    const double pick = rng.uniform();
    std::size_t doc = 0;
    while (pick >= doc_cumulative[doc]) ++doc;
    const ChipModel chip = rng.chance(cfg.cards.monza_r6_fraction) ? ChipModel::impinj_monza_r6
                                                                   : ChipModel::nxp_ucode_8;
    const double z = std::clamp(rng.normal(w.tag_height_mean_m, w.tag_height_sd_m),
                                w.tag_height_min_m, w.tag_height_max_m);
    add_tag(ti, cards.make_whti(kDocs[doc], chip), z, shielded, rng);
    if (extra) {
      const ChipModel echip = rng.chance(0.5) ? ChipModel::impinj_monza_r6 : ChipModel::nxp_ucode_8;
      const double ez =
          std::clamp(rng.normal(b.extra_tag_height_m, 0.1), w.tag_height_min_m, w.tag_height_max_m);
      add_tag(ti, cards.make_retail_sgtin(echip), ez, false, rng);
    }

    ++active;
    peak_active = std::max(peak_active, active);
    schedule_arrival(li, next_t);
  }

  void add_tag(std::uint32_t ti, const CardIdentity& card, double z, bool shielded, Rng& rng) {
    const auto& r = cfg.radio;
    const auto& b = cfg.behaviour;
    const std::uint32_t gi = acquire(tags, free_tags);
    Tag& tag = tags[gi];
    std::vector<std::uint32_t> counts = std::move(tag.other_counts);  // keep its capacity
    tag = Tag{};
    tag.other_counts = std::move(counts);
    tag.other_counts.assign(2 * static_cast<std::size_t>(reach) + 1, 0);
    tag.traveler = ti;
    tag.card = card;
    tag.z = z;
    tag.loss_db = std::clamp(rng.normal(r.tag_loss_mean_db, r.tag_loss_sd_db),
                             std::max(0.0, r.tag_loss_mean_db - 2.0 * r.tag_loss_sd_db),
                             r.tag_loss_mean_db + 3.0 * r.tag_loss_sd_db);
    tag.limit_db = loss_limit(card.chip);
    const double dz = cfg.lanes.antenna_height_m - z;
    tag.bound_own = tag_bound(dz, tag.loss_db, tag.limit_db, 0.0, bound_own);
    tag.bound_other =
        tag_bound(dz, tag.loss_db, tag.limit_db, r.neighbour_extra_attenuation_db, bound_other);
    tag.fade_seed = rng.next_u64();
    tag.shielded = shielded;
    Traveler& tr = travelers[ti];
    if (shielded && rng.chance(b.shield_leak_probability)) {
      // The sleeve slips open for a moment as the card comes out near the
      // lane centre.
      tag.leak_pending = true;
      tag.leak_time = tr.traj.first_reach(-0.2);
    }
    ++tr.live_tags;

    const std::int64_t t0 = tr.traj.seg[0].t0;
    const auto n = static_cast<int>(lanes.size());
    const int li = static_cast<int>(tr.lane);
    for (int lj = std::max(0, li - reach); lj <= std::min(n - 1, li + reach); ++lj) {
      const Lane& other = lanes[static_cast<std::size_t>(lj)];
      // Another lane's antennas that can never read this tag get no stream.
      // The own lane always has streams, even for an unreadable tag: they
      // carry it to the end of its walk, where its truth record is written.
      if (lj != li && std::abs(tr.x - other.x) >= tag.bound_other) continue;
      for (unsigned k = 0; k < cfg.lanes.antennas_per_lane; ++k) {
        const std::uint32_t si = acquire(streams, free_streams);
        Stream& st = streams[si];
        st = Stream{};
        st.tag = gi;
        st.antenna = static_cast<std::uint32_t>(other.first_antenna + k);
        st.rng.state = hash2(tag.fade_seed, st.antenna);
        ++tag.live_streams;
        const auto phase =
            static_cast<std::int64_t>(st.rng.uniform() * static_cast<double>(period_us));
        push(t0 + phase, si);
      }
    }
  }

  // ---- reads ----------------------------------------------------------------

  // The reader's channel at time t. Times only grow, so each reader keeps
  // its current dwell and steps forward (no 64-bit division per read).
  std::uint32_t channel_at(std::size_t antenna, std::int64_t t) {
    Reader& rd = readers[antenna_reader[antenna]];
    if (t >= rd.dwell_end || t < rd.dwell_start) {
      const std::int64_t dwell = cfg.radio.hop_dwell_us;
      const std::int64_t slot = (t + rd.phase_us) / dwell;
      rd.dwell_start = slot * dwell - rd.phase_us;
      rd.dwell_end = rd.dwell_start + dwell;
      rd.channel =
          static_cast<std::uint32_t>(
              rd.hop[static_cast<std::size_t>(slot % static_cast<std::int64_t>(rd.hop.size()))]) +
          1U;
    }
    return rd.channel;
  }

  // Multipath fade in dB (positive = stronger) for this antenna, channel,
  // position and moment: a hash of them through the normal quantile, so it
  // is the same when the tag is at the same place on the same channel in
  // the same coherence interval, and independent otherwise.
  double fade(Stream& st, const Tag& tag, std::uint32_t channel, double s, std::int64_t t) {
    const auto& r = cfg.radio;
    if (r.shadowing_sd_db <= 0) return 0.0;
    const auto sbin = static_cast<std::int64_t>(std::floor(s * inv_fade_spatial));
    if (t >= tbin_end || t < tbin_start) {
      tbin_current = t / r.fade_coherence_us;
      tbin_start = tbin_current * r.fade_coherence_us;
      tbin_end = tbin_start + r.fade_coherence_us;
    }
    const std::int64_t tbin = tbin_current;
    if (sbin != st.fade_sbin || tbin != st.fade_tbin || channel != st.fade_channel) {
      st.fade_sbin = sbin;
      st.fade_tbin = tbin;
      st.fade_channel = channel;
      std::uint64_t h = hash2(tag.fade_seed ^ 0x46414445ULL, st.antenna);
      h = hash2(h, channel);
      h = hash2(h, static_cast<std::uint64_t>(sbin));
      h = hash2(h, static_cast<std::uint64_t>(tbin));
      const double g =
          std::clamp(normal_quantile(unit_open(h)), -r.fade_clamp_sigma, r.fade_clamp_sigma);
      st.fade_db = g * r.shadowing_sd_db;
    }
    return st.fade_db;
  }

  // One inventory attempt. Returns true and fills `out` on a read.
  bool attempt(std::uint32_t si, std::int64_t t, TagObservation& out) {
    Stream& st = streams[si];
    Tag& tag = tags[st.tag];
    Traveler& tr = travelers[tag.traveler];
    if (t >= tr.traj.t_end) {
      end_stream(si);
      return false;
    }
    const AntennaInfo& an = antennas[st.antenna];
    const bool own = an.lane_index == tr.lane;
    const double s = tr.s_at(t);
    const double dx = tr.x - an.x_m;
    const double dy = tr.dir * s - an.y_m;
    const double dz = an.z_m - tag.z;
    const double h2 = dx * dx + dy * dy;
    const double bound = own ? tag.bound_own : tag.bound_other;

    // Next attempt: the Gen2 Q-algorithm's random slot gives +-50% jitter.
    std::int64_t next =
        t + std::max<std::int64_t>(1, static_cast<std::int64_t>((0.5 + st.rng.uniform()) *
                                                                static_cast<double>(period_us)));
    bool read = false;
    if (bound < 0) {
      next = tr.traj.t_end;  // never readable: just see the walk out
    } else if (h2 > bound * bound) {
      // Out of any possible range: sleep until the tag could be back in it.
      const double h = std::sqrt(h2);
      next = std::max(next, t + static_cast<std::int64_t>((h - bound) / vmax * 1e6));
    } else {
      read = evaluate(st, tag, tr, an, own, s, h2, dz, t, out);
    }
    push(next, si);
    return read;
  }

  bool evaluate(Stream& st, Tag& tag, Traveler& tr, const AntennaInfo& an, bool own, double s,
                double h2, double dz, std::int64_t t, TagObservation& out) {
    const auto& r = cfg.radio;
    ++evaluated;
    double loss = geometric_loss(h2, dz) - net_gain_db + tag.loss_db;
    if (own) {
      if (loss <= tag.limit_db) {
        if (tag.first_in_range == kNoTime) tag.first_in_range = t;
        tag.last_in_range = t;
      }
    } else {
      loss += r.neighbour_extra_attenuation_db;
    }
    if (tag.shielded) {
      if (tag.reads_total >= 1) return false;  // a sleeve leaks at most once
      const bool leak = tag.leak_pending && own && t >= tag.leak_time;
      loss += leak ? cfg.behaviour.shield_leak_attenuation_db : cfg.behaviour.shield_attenuation_db;
    }
    if (loss - fade_max_db > tag.limit_db) return false;  // no fade can save it
    const auto antenna_index = static_cast<std::size_t>(&an - antennas.data());
    const std::uint32_t channel = channel_at(antenna_index, t);
    loss -= fade(st, tag, channel, s, t);
    if (loss > tag.limit_db) return false;
    if (r.miss_probability > 0 && st.rng.uniform() < r.miss_probability) return false;

    double rssi = r.tx_power_dbm - 2.0 * loss - r.backscatter_loss_db;
    if (r.rssi_noise_sd_db > 0) rssi += r.rssi_noise_sd_db * normal_quantile(st.rng.uniform());
    const auto cdbm =
        static_cast<std::int32_t>(std::clamp(std::lround(rssi * 100.0), -32768L, 32767L));
    const auto dbm = static_cast<std::int32_t>(std::clamp(std::lround(rssi), -128L, 127L));

    out.time_us = t;
    out.traveler_id = tr.id;
    out.lane = an.lane;
    out.reader = an.reader;
    out.antenna = an.antenna;
    out.pc = tag.card.pc;
    out.channel_index = static_cast<std::uint16_t>(channel);
    out.rssi_cdbm = static_cast<std::int16_t>(cdbm);
    out.peak_rssi_dbm = static_cast<std::int8_t>(dbm);
    out.epc_len = tag.card.epc_len;
    out.tid_len = tag.card.tid_len;
    out.epc = tag.card.epc;
    out.tid = tag.card.tid;

    ++tag.reads_total;
    if (tag.shielded) tag.leak_pending = false;
    const bool qualifies = dbm >= cfg.truth.min_rssi_dbm;
    if (own) {
      ++tag.reads_true;
      if (qualifies) ++tag.qual_true;
      tag.peak_true = std::max(tag.peak_true, cdbm);
      if (tag.first_read == kNoTime) {
        tag.first_read = t;
      } else {
        tag.max_gap = std::max(tag.max_gap, t - tag.last_read);
      }
      tag.last_read = t;
    } else {
      ++tag.reads_other;
      if (qualifies) ++tag.qual_other;
      tag.peak_other = std::max(tag.peak_other, cdbm);
      const int offset = static_cast<int>(an.lane_index) - static_cast<int>(tr.lane) + reach;
      const auto slot = static_cast<std::size_t>(offset);
      ++tag.other_counts[slot];
    }
    ++emitted;
    return true;
  }

  void end_stream(std::uint32_t si) {
    const std::uint32_t gi = streams[si].tag;
    free_streams.push_back(si);
    Tag& tag = tags[gi];
    if (--tag.live_streams > 0) return;
    finish_tag(gi);
    const std::uint32_t ti = tag.traveler;
    free_tags.push_back(gi);
    if (--travelers[ti].live_tags == 0) {
      free_travelers.push_back(ti);
      --active;
    }
  }

  void finish_tag(std::uint32_t gi) {
    const Tag& tag = tags[gi];
    const Traveler& tr = travelers[tag.traveler];
    GroundTruthRecord rec;
    rec.traveler_id = tr.id;
    rec.epc_hex = to_hex(tag.card.epc_bytes());
    rec.tid_hex = to_hex(tag.card.tid_bytes());
    rec.document = tag.card.document;
    rec.is_traveler_card = tag.card.is_traveler_card;
    rec.lane = lanes[tr.lane].id;
    rec.direction = tr.dir > 0 ? Direction::entry_to_exit : Direction::exit_to_entry;
    rec.behaviours = tr.behaviours;
    rec.arrival_us = tr.arrival;
    rec.departure_us = tr.traj.t_end;
    if (tag.first_in_range != kNoTime) {
      rec.first_in_range_us = tag.first_in_range;
      rec.last_in_range_us = tag.last_in_range;
    }
    rec.reads_true_lane = tag.reads_true;
    rec.qualifying_reads_true_lane = tag.qual_true;
    rec.detectable = tag.qual_true >= cfg.truth.min_reads;
    if (tag.peak_true != kNoRssi) rec.peak_rssi_true_lane_cdbm = tag.peak_true;
    if (tag.first_read != kNoTime) {
      rec.first_read_true_lane_us = tag.first_read;
      rec.last_read_true_lane_us = tag.last_read;
    }
    rec.max_read_gap_true_lane_us = tag.max_gap;
    rec.reads_other_lanes = tag.reads_other;
    rec.qualifying_reads_other_lanes = tag.qual_other;
    if (tag.peak_other != kNoRssi) rec.peak_rssi_other_lanes_cdbm = tag.peak_other;
    std::uint32_t best = 0;
    for (std::size_t k = 0; k < tag.other_counts.size(); ++k) {
      if (tag.other_counts[k] > best) {
        best = tag.other_counts[k];
        const auto lane_index =
            static_cast<std::size_t>(static_cast<int>(tr.lane) + static_cast<int>(k) - reach);
        rec.busiest_other_lane = lanes[lane_index].id;
      }
    }
    if (sink) sink(rec);
    if (cfg.truth.retain_records) truth.push_back(std::move(rec));
  }

  // ---- event loop -------------------------------------------------------------

  // Runs events up to `limit` until one yields an observation.
  bool step(std::int64_t limit, TagObservation& out, bool advance_to_limit) {
    while (!queue.empty() && queue.top().time <= limit) {
      const Event e = queue.pop();
      now = std::max(now, e.time);
      const auto target = static_cast<std::uint32_t>(e.key & kTargetMask);
      if (target >= kArrivalBase) {
        on_arrival(target - kArrivalBase, e.time);
      } else if (attempt(target, e.time, out)) {
        return true;
      }
    }
    if (advance_to_limit) now = std::max(now, limit);
    return false;
  }
};

TrafficModel::TrafficModel(const TrafficConfig& config) : impl_(std::make_unique<Impl>(config)) {}
TrafficModel::~TrafficModel() = default;
TrafficModel::TrafficModel(TrafficModel&&) noexcept = default;
TrafficModel& TrafficModel::operator=(TrafficModel&&) noexcept = default;

std::optional<TagObservation> TrafficModel::next() {
  TagObservation obs;
  if (impl_->step(std::numeric_limits<std::int64_t>::max(), obs, false)) return obs;
  return std::nullopt;
}

bool TrafficModel::next_until(std::int64_t t_us, TagObservation& out) {
  return impl_->step(t_us, out, true);
}

std::int64_t TrafficModel::now_us() const noexcept { return impl_->now; }
bool TrafficModel::finished() const noexcept { return impl_->queue.empty(); }

void TrafficModel::set_truth_sink(std::function<void(const GroundTruthRecord&)> sink) {
  impl_->sink = std::move(sink);
}
std::span<const GroundTruthRecord> TrafficModel::truth() const noexcept { return impl_->truth; }
std::vector<GroundTruthRecord> TrafficModel::take_truth() {
  std::vector<GroundTruthRecord> out;
  out.swap(impl_->truth);
  return out;
}

std::uint16_t TrafficModel::channel_at(std::uint16_t reader, std::int64_t t_us) const {
  const auto& rd = impl_->readers.at(reader);
  const std::int64_t dwell = impl_->cfg.radio.hop_dwell_us;
  const std::int64_t slot = (t_us + rd.phase_us) / dwell;
  return static_cast<std::uint16_t>(
      rd.hop[static_cast<std::size_t>(slot % static_cast<std::int64_t>(rd.hop.size()))] + 1);
}

const TrafficConfig& TrafficModel::config() const noexcept { return impl_->cfg; }
std::span<const AntennaInfo> TrafficModel::antennas() const noexcept { return impl_->antennas; }
double TrafficModel::max_read_distance_m() const noexcept { return impl_->bound_own; }
double TrafficModel::max_read_distance_other_lane_m() const noexcept {
  return std::max(0.0, impl_->bound_other);
}
double TrafficModel::stretch_half_length_m() const noexcept { return impl_->stretch; }
std::uint64_t TrafficModel::travelers_arrived() const noexcept { return impl_->arrived; }
std::size_t TrafficModel::active_travelers() const noexcept { return impl_->active; }
std::size_t TrafficModel::peak_active_travelers() const noexcept { return impl_->peak_active; }
std::uint64_t TrafficModel::observations_emitted() const noexcept { return impl_->emitted; }
std::uint64_t TrafficModel::attempts_evaluated() const noexcept { return impl_->evaluated; }

}  // namespace garita::sim
