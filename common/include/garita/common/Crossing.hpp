#pragma once
// One traveler passing one lane: what the lane pipeline makes of a debounced
// session of tag reads, and what the crossing store keeps. Only what the
// privacy assessment allows is here: the card's numbers (EPC, TID), when,
// where, and how sure we are. No names, no biographic data.
#include <cstdint>
#include <optional>
#include <string>

#include "garita/common/IssuerTable.hpp"
#include "garita/common/TagRead.hpp"

namespace garita {

// Direction from the order of first reads on antennas tagged entry/exit.
enum class Direction : std::uint8_t {
  unknown,       // one antenna, or both first seen too close together to tell
  with_flow,     // entry antenna first: the lane's normal direction
  counter_flow,  // exit antenna first: flagged, never dropped
};

// Where the crossing's timestamps came from, best first.
enum class TimeSource : std::uint8_t {
  reader_utc,     // reader's UTC first-seen time, corrected by the tracked offset
  reader_uptime,  // reader's uptime mapped onto host UTC (reader has no wall clock)
  host_receive,   // host receive time (reader gave no timestamp)
};

struct Crossing {
  // Stable identity, used for idempotent storage and uplink: (lane_id, sequence).
  std::string lane_id;         // e.g. "P01"
  std::uint64_t sequence = 0;  // per lane, strictly increasing, survives restarts
  std::string port_code;       // the port of entry, from the config

  // The card.
  EpcBytes epc;
  std::optional<std::uint16_t> pc;
  std::string epc_hex;     // upper-case hex
  std::string epc_uri;     // TDS tag URI, or the raw URI when not GS1
  std::string epc_scheme;  // "sgtin-96", ..., "raw"
  TidBytes tid;            // empty when no reader gave a TID
  std::string tid_hex;
  std::string tid_maker;  // from the MDID list; empty when unknown
  std::string tid_model;
  std::string tid_serial;  // hex; empty when none
  DocumentType document = DocumentType::unknown;
  std::string issuer_rule;  // name of the issuer-table row that matched; empty when none

  // When (host UTC, µs since the Unix epoch). The crossing's time is the first read.
  std::int64_t first_seen_utc_us = 0;
  std::int64_t last_seen_utc_us = 0;
  TimeSource time_source = TimeSource::host_receive;
  std::int64_t clock_offset_us = 0;      // reader-to-host offset applied (0 for host_receive)
  bool host_clock_synchronized = false;  // host clock was NTP-synchronised at the time

  // Evidence.
  std::uint32_t read_count = 0;
  std::int16_t peak_rssi_cdbm = 0;  // hundredths of a dBm
  std::uint32_t antenna_mask = 0;   // bit (a - 1) set when antenna a read the card
  Direction direction = Direction::unknown;

  // Provenance tag required by the privacy assessment (records tagged by source).
  std::string source = "INM-RFID";
};

std::string_view to_string(Direction direction) noexcept;
std::string_view to_string(TimeSource source) noexcept;

}  // namespace garita
