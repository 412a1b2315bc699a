#pragma once
// Configuration of the shared pedestrian traffic model (TrafficModel.hpp):
// the lanes and antennas, who walks through them and how, the radio link,
// the cards they carry and what ground truth counts as "detectable".
//
// Defaults describe a San Ysidro style pedestrian lane: four side-by-side
// lanes 1.2 m apart, one reader per lane with two overhead antennas (entry
// and exit) 1.8 m apart along the walk, travellers arriving a few a minute
// and walking at a normal adult pace, with the occasional lingerer,
// step-back, counter-flow walker, shielded card, family group and stray
// retail tag. TrafficConfig::clean() switches every fault off.
//
// Coordinates: x across the lanes (lane i's centre line at x = i *
// lane_spacing_m, i = position in `lane_ids`), y along the walk (entry side
// negative, exit side positive, the lane's antenna centre at y = 0), z up
// from the floor. Times are microseconds; nothing here reads a clock.
#include <array>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/IssuerTable.hpp"

namespace garita::sim {

using LaneId = std::uint16_t;

// How antennas map to readers, which decides the antenna numbering that
// TagObservation::antenna carries.
enum class ReaderLayout : std::uint8_t {
  // One reader per lane (the usual lane install). Reader index = lane index;
  // antenna ids restart at 1 in every lane: 1 = entry (or the only antenna),
  // 2 = exit. Every reader hops on its own pseudo-random sequence.
  reader_per_lane,
  // One reader drives every lane's antennas. Reader index 0; antenna id =
  // lane_index * antennas_per_lane + k + 1 (k = 0 entry / only, 1 exit).
  // One hop sequence for all.
  one_reader,
};

struct LaneLayoutConfig {
  std::vector<LaneId> lane_ids{1, 2, 3, 4};
  double lane_spacing_m = 1.2;  // centre line to centre line (= lane width)
  // 1: one antenna over the lane centre (no direction). 2: an entry antenna
  // at y = -antenna_separation_m/2 and an exit antenna at +separation/2, so
  // the order of first reads gives the walking direction.
  unsigned antennas_per_lane = 2;
  double antenna_separation_m = 1.8;
  double antenna_height_m = 2.4;  // overhead on the lane canopy, facing down
  ReaderLayout layout = ReaderLayout::reader_per_lane;
};

struct ArrivalConfig {
  // Poisson arrivals (with a minimum headway, see below) per lane. A few a
  // minute is a busy primary-inspection lane; benchmarks raise it.
  double travelers_per_min_per_lane = 3.0;
  // Per-lane override; when non-empty it must have one entry per lane and
  // replaces travelers_per_min_per_lane (0 = a closed lane).
  std::vector<double> per_lane_travelers_per_min;
  // People in a queue keep about a body length apart, so independent
  // arrivals are at least this far apart in time; the exponential part is
  // shortened so the mean rate stays exactly the configured one. Group
  // members (below) come closer on purpose.
  double min_headway_s = 1.5;
  // Absolute time of the model's t = 0 (e.g. a UTC epoch in microseconds).
  std::int64_t start_time_us = 0;
  // No arrival at or after this absolute time; travellers already walking
  // finish and then the stream ends. 0 = arrivals never stop.
  std::int64_t end_time_us = 0;
};

struct WalkingConfig {
  // Free walking speed of adult pedestrians is about 1.2-1.4 m/s with a
  // spread of about 0.2-0.3 m/s (Highway Capacity Manual, Fruin); clamped
  // so nobody stands still or sprints.
  double speed_mean_mps = 1.3;
  double speed_sd_mps = 0.25;
  double speed_min_mps = 0.6;
  double speed_max_mps = 2.0;
  // The card is in a hand, a shirt pocket or on a lanyard: about hip to
  // chest height.
  double tag_height_mean_m = 1.1;
  double tag_height_sd_m = 0.15;
  double tag_height_min_m = 0.7;
  double tag_height_max_m = 1.5;
  // Offset from the lane centre line (lanes have rails; people keep near
  // the middle).
  double lateral_sd_m = 0.15;
  double lateral_max_m = 0.4;
};

struct RadioConfig {
  double frequency_mhz =
      915.0;  // centre of 902-928 MHz (US FCC 15.247; Mexico IFT uses the same band)
  // Conducted power. Lane readers are turned down from the 30 dBm maximum
  // so the read zone stays inside the lane.
  double tx_power_dbm = 27.0;
  double antenna_gain_dbic = 8.0;  // typical circular-polarised panel
  // 3 dB beamwidth (full angle) of the panel. The pattern is the usual
  // parabolic model -12 (theta/beamwidth)^2 dB, floored at -front_to_back.
  double antenna_beamwidth_deg = 70.0;
  double antenna_front_to_back_db = 20.0;
  double cable_loss_db = 1.0;
  // A circular antenna reading a linear tag loses 3 dB each way.
  double polarization_loss_db = 3.0;
  // Backscatter modulation loss: the tag reflects only part of what it gets.
  double backscatter_loss_db = 3.0;
  // Reader receive sensitivity: reads below it are not decoded.
  double reader_sensitivity_dbm = -75.0;
  // Chip read sensitivity (datasheets): Impinj Monza R6 -22.1 dBm, NXP
  // UCODE 8 -23 dBm. Passive UHF at lane ranges is forward-link limited:
  // the chip powering up, not the reader hearing it, sets the zone.
  double monza_r6_sensitivity_dbm = -22.1;
  double ucode8_sensitivity_dbm = -23.0;
  // Loss between the free-space field and the chip for a card carried by a
  // person (body absorption and detuning, hand, wallet, angle), drawn once
  // per pass (log-normal: a normal in dB), clamped to mean-2sd..mean+3sd.
  // On-body UHF tags lose roughly 5-20 dB to the body depending on how they
  // are held; 13 dB puts the median read zone about 1 m either side of an
  // antenna, as lane installers aim for.
  double tag_loss_mean_db = 13.0;
  double tag_loss_sd_db = 3.0;
  // Multipath fading, log-normal in dB (a normal in dB is the usual model
  // for shadowing/fading with a line of sight, Rician K of a few dB). It is
  // a function of antenna, channel, position (a new value every
  // fade_spatial_m, about a quarter wavelength) and time (a new value every
  // fade_coherence_us as people around move), so a hop to another channel
  // can pull a tag out of a fade, as it does in a real lane. Clamped at
  // +-fade_clamp_sigma so the model has a hard maximum read range.
  double shadowing_sd_db = 3.0;
  double fade_clamp_sigma = 2.5;
  double fade_spatial_m = 0.08;
  std::int64_t fade_coherence_us = 500'000;
  // Receiver noise on the reported RSSI (does not decide whether a read
  // happens).
  double rssi_noise_sd_db = 0.5;
  // Extra one-way loss toward another lane's antenna: lane dividers,
  // turnstile metal, antenna side shielding. Bleed into the neighbour lane
  // comes from geometry (distance and off-boresight angle); this tunes it.
  double neighbour_extra_attenuation_db = 6.0;
  // Inventory attempts per second for a tag in the field, spread over the
  // lane's antennas (a reader time-multiplexes its ports): each antenna
  // tries about attempts_per_s / antennas_per_lane times a second, with
  // +-50% jitter from the Gen2 Q-algorithm's random slots. 30/s gives a
  // normal walker a few tens of reads per pass.
  double attempts_per_s = 30.0;
  // Independent per-attempt loss: collisions, CRC errors, interference.
  double miss_probability = 0.10;
  // FCC 15.247(a)(1)(i): a 902-928 MHz hopper with at least 50 channels
  // may occupy any channel at most 0.4 s in 20 s, so readers hop over 50
  // channels (500 kHz apart) with a 400 ms dwell, in a pseudo-random order
  // that uses every channel equally. Mexico (IFT) accepts the same
  // equipment in the same band.
  unsigned channel_count = 50;
  std::int64_t hop_dwell_us = 400'000;
};

struct BehaviourConfig {
  // Trajectory shape: lingerer and step-back exclude each other (their sum
  // must be <= 1); the rest is a straight walk.
  double lingerer_probability = 0.03;  // stops inside the read zone
  double linger_min_s = 3.0;
  double linger_max_s = 15.0;
  // Walks into the zone, stops, backs out beyond read range, waits, comes
  // back and crosses: one crossing in truth (the pipeline's 60 s rule
  // merges it) with a read gap of several seconds.
  double step_back_probability = 0.01;
  double step_back_wait_min_s = 2.0;
  double step_back_wait_max_s = 8.0;
  // Walks exit -> entry (a returning traveller, staff against the flow).
  double counter_flow_probability = 0.01;
  // Card in its RF-blocking sleeve (Passport Cards and many WHTI cards are
  // issued with one). At most one read ever (the sleeve slipping for a
  // moment), so truth says "not detectable".
  double shielded_probability = 0.02;
  double shield_attenuation_db = 30.0;
  double shield_leak_probability = 0.3;
  double shield_leak_attenuation_db = 6.0;
  // The next arrival is a companion (family, couple) walking beside this
  // traveller, 0.3-0.8 s behind, copying their path; it counts towards the
  // lane's arrival rate.
  double group_probability = 0.05;
  double group_gap_min_s = 0.3;
  double group_gap_max_s = 0.8;
  // The traveller also carries a non-WHTI tag (a retail item's SGTIN-96
  // label in a bag). Truth lists it with is_traveler_card = false.
  double extra_tag_probability = 0.03;
  double extra_tag_height_m = 0.9;
};

struct CardConfig {
  // Relative weights of the document types on the demo EPC prefix
  // E2 C0 DE <type>. The default lane is a "Mexican Nationals Only" lane,
  // so Border Crossing Cards dominate.
  double bcc = 0.80;
  double prc = 0.08;
  double passport_card = 0.04;
  double sentri = 0.03;
  double nexus = 0.005;
  double fast = 0.005;
  double edl = 0.04;
  // Share of cards on Impinj Monza R6; the rest are NXP UCODE 8.
  double monza_r6_fraction = 0.6;
};

// What ground truth calls a detectable pass. Set these to the pipeline's
// own settings when scoring it.
struct TruthConfig {
  int min_rssi_dbm = -70;      // a read counts if its integer PeakRSSI >= this
  unsigned min_reads = 2;      // qualifying reads in the true lane for a crossing
  bool retain_records = true;  // keep records in memory (TrafficModel::truth())
};

struct TrafficConfig {
  std::uint64_t seed = 1;
  LaneLayoutConfig lanes;
  ArrivalConfig arrivals;
  WalkingConfig walking;
  RadioConfig radio;
  BehaviourConfig behaviour;
  CardConfig cards;
  TruthConfig truth;

  // The realistic defaults above.
  static TrafficConfig defaults() { return {}; }
  // No faults: straight walks in the lane's direction, no shielded cards,
  // groups or extra tags, no missed attempts, no fading, no bleed into the
  // neighbour lane. Every pass is detectable. For simple tests.
  static TrafficConfig clean();
};

// Checks ranges and consistency. On failure returns Errc::config_bad_value
// and sets `error` to "KEY: what is wrong".
std::error_code validate(const TrafficConfig& config, std::string& error);

}  // namespace garita::sim
