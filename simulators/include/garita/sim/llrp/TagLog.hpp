#pragma once
// What happened to every read the traffic model gave a simulated reader:
// put on the wire in an RO_ACCESS_REPORT, never read because the reader was
// not inventorying that antenna, or lost inside the reader (reboot, full
// report buffer). A test compares the `sent` rows with what a client
// received, so it can tell the reader's own losses from the client's.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "garita/sim/Cards.hpp"
#include "garita/sim/TrafficConfig.hpp"

namespace garita::sim::llrp {

// One TagReportData's worth of reads of one tag (or, for not_read, one read).
struct ReportedTag {
  LaneId lane = 0;
  std::uint16_t antenna = 0;
  std::uint16_t pc = 0;
  std::uint8_t epc_len = 0;
  std::array<std::uint8_t, kMaxEpcBytes> epc{};
  std::int64_t first_seen_us = 0;  // model time (µs since the Unix epoch)
  std::int64_t last_seen_us = 0;
  std::uint32_t seen_count = 0;  // reads aggregated (TagSeenCount saturates at 65535 on the wire)
  std::int8_t peak_rssi_dbm = -128;
  std::uint16_t first_channel = 0;
  std::uint8_t tid_len = 0;  // TID attached to the report (0: none)
  std::array<std::uint8_t, kMaxTidBytes> tid{};

  std::span<const std::uint8_t> epc_bytes() const noexcept { return {epc.data(), epc_len}; }
  std::span<const std::uint8_t> tid_bytes() const noexcept { return {tid.data(), tid_len}; }
};

enum class TagOutcome : std::uint8_t {
  sent,      // written to the client's socket in an RO_ACCESS_REPORT
  not_read,  // the reader was not inventorying (no active ROSpec, antenna not in the AISpec,
             // rebooting)
  lost,      // inventoried, then lost inside the reader (reboot, report buffer full)
};

// Inline so that the shared sent log writer (garita_sim_reader) needs no
// part of the LLRP simulator's library.
inline std::string_view to_string(TagOutcome outcome) noexcept {
  switch (outcome) {
    case TagOutcome::sent: return "sent";
    case TagOutcome::not_read: return "not_read";
    case TagOutcome::lost: return "lost";
  }
  return "unknown";
}

// Why a read was not read or was lost (the sent log's `detail` column).
namespace detail {
inline constexpr std::string_view no_active_rospec = "no_active_rospec";
inline constexpr std::string_view antenna_not_in_aispec = "antenna_not_in_aispec";
inline constexpr std::string_view reader_rebooting = "reader_rebooting";
inline constexpr std::string_view reader_rebooted = "reader_rebooted";
inline constexpr std::string_view report_buffer_full = "report_buffer_full";
inline constexpr std::string_view simulator_exit = "simulator_exit";
}  // namespace detail

struct TagLogRow {
  std::int64_t time_us = 0;  // model time the outcome happened (sent: write completed)
  TagOutcome outcome = TagOutcome::sent;
  std::string_view detail;       // empty for sent
  std::uint32_t connection = 0;  // sent: 1-based connection number on this reader
  std::uint32_t message_id = 0;  // sent: the RO_ACCESS_REPORT's MessageID
  ReportedTag tag;
};

// Receives rows as outcomes happen; implementations must not throw.
class TagLog {
 public:
  virtual ~TagLog() = default;
  virtual void record(const TagLogRow& row) = 0;
};

}  // namespace garita::sim::llrp
