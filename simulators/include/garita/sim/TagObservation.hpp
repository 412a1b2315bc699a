#pragma once
// One successful tag read as the model produces it: what a reader would
// report (antenna, EPC, PC, TID, RSSI, channel, time) plus the ground-truth
// link `traveler_id`, which a real reader cannot know and simulators must
// not forward. Fixed-size arrays: producing a read never allocates.
#include <array>
#include <cstdint>
#include <span>

#include "garita/sim/Cards.hpp"
#include "garita/sim/TrafficConfig.hpp"

namespace garita::sim {

struct TagObservation {
  std::int64_t time_us = 0;         // absolute model time of the read
  std::uint32_t traveler_id = 0;    // ground truth only (GroundTruthRecord::traveler_id)
  LaneId lane = 0;                  // lane the reading antenna belongs to
  std::uint16_t reader = 0;         // 0-based reader index (see ReaderLayout)
  std::uint16_t antenna = 0;        // 1-based antenna id within that reader (see ReaderLayout)
  std::uint16_t pc = 0;             // Gen2 PC word (0x3000 for a 96-bit EPC)
  std::uint16_t channel_index = 0;  // 1..channel_count (LLRP ChannelIndex)
  std::int16_t rssi_cdbm = 0;       // RSSI in 1/100 dBm (-5873 = -58.73 dBm)
  std::int8_t peak_rssi_dbm = 0;    // RSSI rounded to whole dBm (LLRP PeakRSSI is an int8)
  std::uint8_t epc_len = 0;         // bytes used in `epc`
  std::uint8_t tid_len = 0;         // bytes used in `tid`
  std::array<std::uint8_t, kMaxEpcBytes> epc{};
  std::array<std::uint8_t, kMaxTidBytes> tid{};

  std::span<const std::uint8_t> epc_bytes() const noexcept { return {epc.data(), epc_len}; }
  std::span<const std::uint8_t> tid_bytes() const noexcept { return {tid.data(), tid_len}; }

  friend bool operator==(const TagObservation&, const TagObservation&) = default;
};

}  // namespace garita::sim
