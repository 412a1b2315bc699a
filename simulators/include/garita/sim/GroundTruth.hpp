#pragma once
// Ground truth: one record per tag per pass through a lane, decided by what
// the traveller really did in the model (lane, direction, behaviour, when
// the tag was inside the read zone), plus counts of the reads the model
// generated for that tag in its true lane and in the other lanes, so a score
// can tell a pipeline failure from a pass that could not be detected.
//
// "Detectable" = at least TruthConfig::min_reads reads with integer
// PeakRSSI >= TruthConfig::min_rssi_dbm on the true lane's antennas: a
// correct pipeline with those settings must make one crossing for it.
// Records whose neighbour-lane evidence is as strong (see the counts) are
// where lane arbitration is tested.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/common/IssuerTable.hpp"
#include "garita/sim/TrafficConfig.hpp"

namespace garita::sim {

enum class Direction : std::uint8_t {
  entry_to_exit,  // the lane's normal direction (entry antenna first)
  exit_to_entry,  // counter-flow (exit antenna first)
};

// "entry_to_exit" / "exit_to_entry".
std::string_view to_string(Direction direction) noexcept;
std::optional<Direction> direction_from_string(std::string_view text) noexcept;

// Behaviour flags (a bit set in GroundTruthRecord::behaviours).
namespace behaviour {
inline constexpr std::uint32_t none = 0;
inline constexpr std::uint32_t lingerer = 1U << 0;      // stopped in the read zone
inline constexpr std::uint32_t step_back = 1U << 1;     // backed out of range and came back
inline constexpr std::uint32_t counter_flow = 1U << 2;  // walked exit -> entry
inline constexpr std::uint32_t shielded = 1U << 3;      // card in an RF-blocking sleeve
inline constexpr std::uint32_t group = 1U << 4;         // walked beside another traveller
inline constexpr std::uint32_t extra_tag = 1U << 5;     // also carried a non-WHTI tag
}  // namespace behaviour

// "lingerer|step_back|..." in bit order; "none" for 0.
std::string behaviours_to_string(std::uint32_t flags);
// Inverse of behaviours_to_string; nullopt on an unknown name.
std::optional<std::uint32_t> behaviours_from_string(std::string_view text);

struct GroundTruthRecord {
  std::uint32_t traveler_id = 0;  // 1-based, in arrival order; shared by a traveller's tags
  std::string epc_hex;            // upper-case hex, no separators
  std::string tid_hex;
  DocumentType document = DocumentType::unknown;  // UNKNOWN for non-WHTI tags
  bool is_traveler_card = false;  // false for a retail tag the traveller also carried
  LaneId lane = 0;                // the lane the traveller walked through
  Direction direction = Direction::entry_to_exit;
  std::uint32_t behaviours = behaviour::none;
  std::int64_t arrival_us = 0;    // entered the modelled stretch of lane
  std::int64_t departure_us = 0;  // left it
  // First/last time the tag was inside the true lane's read zone: the
  // median link (the pass's own body loss, no fading, no sleeve) would have
  // powered the chip and reached the reader. Sampled at inventory
  // attempts, so within ~1/attempt-rate of the exact boundary. Empty if the
  // tag never was (e.g. extreme body loss).
  std::optional<std::int64_t> first_in_range_us;
  std::optional<std::int64_t> last_in_range_us;
  bool detectable = false;
  // Reads the model generated on the true lane's antennas.
  std::uint32_t reads_true_lane = 0;
  std::uint32_t qualifying_reads_true_lane = 0;  // PeakRSSI >= min_rssi_dbm
  std::optional<std::int32_t> peak_rssi_true_lane_cdbm;
  std::optional<std::int64_t> first_read_true_lane_us;
  std::optional<std::int64_t> last_read_true_lane_us;
  std::int64_t max_read_gap_true_lane_us = 0;  // longest gap between consecutive reads
  // Reads on other lanes' antennas (bleed).
  std::uint32_t reads_other_lanes = 0;
  std::uint32_t qualifying_reads_other_lanes = 0;
  std::optional<std::int32_t> peak_rssi_other_lanes_cdbm;
  LaneId busiest_other_lane = 0;  // other lane with the most reads; 0 = none

  friend bool operator==(const GroundTruthRecord&, const GroundTruthRecord&) = default;
};

// The CSV: '#' comment lines documenting every column, then one header line,
// then one row per record. Empty field = no value (std::nullopt).
std::string ground_truth_csv_preamble();
void append_csv_row(std::string& out, const GroundTruthRecord& record);

// Streams records to a file as they complete (TrafficModel::set_truth_sink).
class GroundTruthCsvWriter {
 public:
  GroundTruthCsvWriter() = default;
  ~GroundTruthCsvWriter();
  GroundTruthCsvWriter(const GroundTruthCsvWriter&) = delete;
  GroundTruthCsvWriter& operator=(const GroundTruthCsvWriter&) = delete;

  // Creates/truncates `path` and writes the preamble. Errc::io_error on failure.
  std::error_code open(const std::filesystem::path& path);
  std::error_code write(const GroundTruthRecord& record);
  // Flushes and closes; io_error if anything failed to be written.
  std::error_code close();

 private:
  std::FILE* file_ = nullptr;
  std::string line_;
  bool failed_ = false;
};

std::error_code write_ground_truth_csv(const std::filesystem::path& path,
                                       std::span<const GroundTruthRecord> records);

// Parses the CSV written above. On failure returns Errc::io_error (file) or
// Errc::config_bad_value (content) and sets `error` to "FILE:LINE: what".
std::error_code parse_ground_truth_csv(std::string_view text, std::string_view source_name,
                                       std::vector<GroundTruthRecord>& out, std::string& error);
std::error_code read_ground_truth_csv(const std::filesystem::path& path,
                                      std::vector<GroundTruthRecord>& out, std::string& error);

}  // namespace garita::sim
