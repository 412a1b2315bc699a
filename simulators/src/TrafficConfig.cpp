#include "garita/sim/TrafficConfig.hpp"

#include <cmath>
#include <set>

#include "garita/common/Errc.hpp"

namespace garita::sim {

TrafficConfig TrafficConfig::clean() {
  TrafficConfig c;
  c.walking.speed_sd_mps = 0.1;
  c.walking.lateral_sd_m = 0.05;
  c.walking.tag_height_sd_m = 0.05;
  c.radio.tag_loss_sd_db = 0.0;
  c.radio.shadowing_sd_db = 0.0;
  c.radio.rssi_noise_sd_db = 0.0;
  c.radio.miss_probability = 0.0;
  // Enough to keep every read inside the traveller's own lane.
  c.radio.neighbour_extra_attenuation_db = 40.0;
  c.behaviour.lingerer_probability = 0.0;
  c.behaviour.step_back_probability = 0.0;
  c.behaviour.counter_flow_probability = 0.0;
  c.behaviour.shielded_probability = 0.0;
  c.behaviour.group_probability = 0.0;
  c.behaviour.extra_tag_probability = 0.0;
  return c;
}

namespace {

struct Checker {
  std::string& error;
  bool ok = true;

  void fail(const char* key, const std::string& what) {
    if (!ok) return;  // report the first problem only
    ok = false;
    error = std::string(key) + ": " + what;
  }
  void finite(const char* key, double v) {
    if (!std::isfinite(v)) fail(key, "must be a finite number");
  }
  void at_least(const char* key, double v, double lo) {
    finite(key, v);
    if (v < lo) fail(key, "must be >= " + std::to_string(lo) + " (is " + std::to_string(v) + ")");
  }
  void above(const char* key, double v, double lo) {
    finite(key, v);
    if (!(v > lo)) fail(key, "must be > " + std::to_string(lo) + " (is " + std::to_string(v) + ")");
  }
  void probability(const char* key, double v) {
    finite(key, v);
    if (v < 0.0 || v > 1.0)
      fail(key, "must be a probability in [0, 1] (is " + std::to_string(v) + ")");
  }
  void ordered(const char* lo_key, double lo, const char* hi_key, double hi) {
    if (lo > hi) fail(lo_key, std::string("must not exceed ") + hi_key);
  }
};

}  // namespace

std::error_code validate(const TrafficConfig& c, std::string& error) {
  Checker k{error};
  const auto& l = c.lanes;
  if (l.lane_ids.empty()) k.fail("lanes.lane_ids", "at least one lane is needed");
  if (l.lane_ids.size() > 1000) k.fail("lanes.lane_ids", "at most 1000 lanes");
  if (std::set<LaneId>(l.lane_ids.begin(), l.lane_ids.end()).size() != l.lane_ids.size()) {
    k.fail("lanes.lane_ids", "lane ids must be unique");
  }
  for (LaneId id : l.lane_ids) {
    if (id == 0) k.fail("lanes.lane_ids", "0 is not a lane id (it means 'none' in truth)");
  }
  k.above("lanes.lane_spacing_m", l.lane_spacing_m, 0.0);
  if (l.antennas_per_lane != 1 && l.antennas_per_lane != 2) {
    k.fail("lanes.antennas_per_lane", "must be 1 or 2");
  }
  k.at_least("lanes.antenna_separation_m", l.antenna_separation_m, 0.0);
  k.above("lanes.antenna_height_m", l.antenna_height_m, 0.0);

  const auto& a = c.arrivals;
  k.at_least("arrivals.travelers_per_min_per_lane", a.travelers_per_min_per_lane, 0.0);
  if (!a.per_lane_travelers_per_min.empty() &&
      a.per_lane_travelers_per_min.size() != l.lane_ids.size()) {
    k.fail("arrivals.per_lane_travelers_per_min", "needs one rate per lane");
  }
  for (double r : a.per_lane_travelers_per_min) {
    k.at_least("arrivals.per_lane_travelers_per_min", r, 0.0);
  }
  k.at_least("arrivals.min_headway_s", a.min_headway_s, 0.0);
  if (a.start_time_us < 0) k.fail("arrivals.start_time_us", "must be >= 0");
  if (a.end_time_us != 0 && a.end_time_us < a.start_time_us) {
    k.fail("arrivals.end_time_us", "must be 0 (never) or >= start_time_us");
  }

  const auto& w = c.walking;
  k.at_least("walking.speed_sd_mps", w.speed_sd_mps, 0.0);
  k.above("walking.speed_min_mps", w.speed_min_mps, 0.05);
  k.ordered("walking.speed_min_mps", w.speed_min_mps, "walking.speed_max_mps", w.speed_max_mps);
  k.ordered("walking.speed_min_mps", w.speed_min_mps, "walking.speed_mean_mps", w.speed_mean_mps);
  k.ordered("walking.speed_mean_mps", w.speed_mean_mps, "walking.speed_max_mps", w.speed_max_mps);
  k.at_least("walking.tag_height_sd_m", w.tag_height_sd_m, 0.0);
  k.at_least("walking.tag_height_min_m", w.tag_height_min_m, 0.0);
  k.ordered("walking.tag_height_min_m", w.tag_height_min_m, "walking.tag_height_max_m",
            w.tag_height_max_m);
  if (w.tag_height_max_m >= l.antenna_height_m) {
    k.fail("walking.tag_height_max_m", "must be below lanes.antenna_height_m");
  }
  k.at_least("walking.lateral_sd_m", w.lateral_sd_m, 0.0);
  k.at_least("walking.lateral_max_m", w.lateral_max_m, 0.0);
  if (w.lateral_max_m >= l.lane_spacing_m / 2) {
    k.fail("walking.lateral_max_m", "must be less than half of lanes.lane_spacing_m");
  }

  const auto& r = c.radio;
  k.above("radio.frequency_mhz", r.frequency_mhz, 0.0);
  k.finite("radio.tx_power_dbm", r.tx_power_dbm);
  k.finite("radio.antenna_gain_dbic", r.antenna_gain_dbic);
  k.above("radio.antenna_beamwidth_deg", r.antenna_beamwidth_deg, 0.0);
  k.at_least("radio.antenna_front_to_back_db", r.antenna_front_to_back_db, 0.0);
  k.at_least("radio.cable_loss_db", r.cable_loss_db, 0.0);
  k.at_least("radio.polarization_loss_db", r.polarization_loss_db, 0.0);
  k.at_least("radio.backscatter_loss_db", r.backscatter_loss_db, 0.0);
  k.finite("radio.reader_sensitivity_dbm", r.reader_sensitivity_dbm);
  k.finite("radio.monza_r6_sensitivity_dbm", r.monza_r6_sensitivity_dbm);
  k.finite("radio.ucode8_sensitivity_dbm", r.ucode8_sensitivity_dbm);
  k.at_least("radio.tag_loss_mean_db", r.tag_loss_mean_db, 0.0);
  k.at_least("radio.tag_loss_sd_db", r.tag_loss_sd_db, 0.0);
  k.at_least("radio.shadowing_sd_db", r.shadowing_sd_db, 0.0);
  k.at_least("radio.fade_clamp_sigma", r.fade_clamp_sigma, 0.0);
  k.above("radio.fade_spatial_m", r.fade_spatial_m, 0.0);
  if (r.fade_coherence_us <= 0) k.fail("radio.fade_coherence_us", "must be > 0");
  k.at_least("radio.rssi_noise_sd_db", r.rssi_noise_sd_db, 0.0);
  k.at_least("radio.neighbour_extra_attenuation_db", r.neighbour_extra_attenuation_db, 0.0);
  k.above("radio.attempts_per_s", r.attempts_per_s, 0.0);
  if (r.attempts_per_s > 2000.0) k.fail("radio.attempts_per_s", "must be <= 2000");
  k.probability("radio.miss_probability", r.miss_probability);
  if (r.channel_count < 1 || r.channel_count > 255) {
    k.fail("radio.channel_count", "must be 1..255");
  }
  if (r.hop_dwell_us <= 0) k.fail("radio.hop_dwell_us", "must be > 0");

  const auto& b = c.behaviour;
  k.probability("behaviour.lingerer_probability", b.lingerer_probability);
  k.probability("behaviour.step_back_probability", b.step_back_probability);
  if (b.lingerer_probability + b.step_back_probability > 1.0) {
    k.fail("behaviour.step_back_probability", "lingerer + step_back probabilities exceed 1");
  }
  k.probability("behaviour.counter_flow_probability", b.counter_flow_probability);
  k.probability("behaviour.shielded_probability", b.shielded_probability);
  k.probability("behaviour.shield_leak_probability", b.shield_leak_probability);
  k.probability("behaviour.group_probability", b.group_probability);
  if (b.group_probability >= 1.0) k.fail("behaviour.group_probability", "must be < 1");
  k.probability("behaviour.extra_tag_probability", b.extra_tag_probability);
  k.at_least("behaviour.linger_min_s", b.linger_min_s, 0.0);
  k.ordered("behaviour.linger_min_s", b.linger_min_s, "behaviour.linger_max_s", b.linger_max_s);
  k.at_least("behaviour.step_back_wait_min_s", b.step_back_wait_min_s, 0.0);
  k.ordered("behaviour.step_back_wait_min_s", b.step_back_wait_min_s,
            "behaviour.step_back_wait_max_s", b.step_back_wait_max_s);
  k.at_least("behaviour.shield_attenuation_db", b.shield_attenuation_db, 0.0);
  k.at_least("behaviour.shield_leak_attenuation_db", b.shield_leak_attenuation_db, 0.0);
  k.above("behaviour.group_gap_min_s", b.group_gap_min_s, 0.0);
  k.ordered("behaviour.group_gap_min_s", b.group_gap_min_s, "behaviour.group_gap_max_s",
            b.group_gap_max_s);
  if (b.extra_tag_height_m < w.tag_height_min_m || b.extra_tag_height_m > w.tag_height_max_m) {
    k.fail("behaviour.extra_tag_height_m", "must lie within walking.tag_height_min_m..max_m");
  }

  const auto& cd = c.cards;
  const double weights[] = {cd.bcc, cd.prc, cd.passport_card, cd.sentri, cd.nexus, cd.fast, cd.edl};
  double sum = 0;
  for (double v : weights) {
    k.at_least("cards.<weight>", v, 0.0);
    sum += v;
  }
  if (k.ok && !(sum > 0)) k.fail("cards", "at least one document weight must be > 0");
  k.probability("cards.monza_r6_fraction", cd.monza_r6_fraction);

  if (c.truth.min_reads < 1) k.fail("truth.min_reads", "must be >= 1");
  if (c.truth.min_rssi_dbm < -128 || c.truth.min_rssi_dbm > 127) {
    k.fail("truth.min_rssi_dbm", "must be an int8 dBm value");
  }

  if (!k.ok) return Errc::config_bad_value;
  error.clear();
  return {};
}

}  // namespace garita::sim
