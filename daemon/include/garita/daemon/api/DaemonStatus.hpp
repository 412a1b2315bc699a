#pragma once
// What garitad tells the API about itself (GET /v1/status, /metrics, the
// status page): lanes, readers, the store writer and the lane controllers'
// uplink. The Daemon fills one on its io thread (Daemon::status_snapshot);
// StatusBoard adds per-minute rates, disk space and alarms. No card numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace garita::daemon::api {

struct ReaderView {
  std::string id;     // config id, e.g. "r1"
  std::string state;  // hal::to_string(DriverState)
  bool connected = false;
  std::vector<std::string> lanes;  // lanes it serves
  std::uint64_t read_count = 0;    // since garitad started
  double reads_per_minute = 0;     // StatusBoard: over the last minute
  std::uint64_t reconnects = 0;
  std::optional<std::int64_t> last_message_utc_us;
  std::optional<std::int64_t> clock_offset_us;  // reader UTC minus host UTC
  std::string clock_kind;                       // "utc", "uptime_only", "unknown"
  std::string last_error;                       // one line, no personal data
};

struct LaneView {
  std::string id;
  bool controller = false;          // fed by a lane controller over the uplink
  std::uint64_t crossings = 0;      // created since garitad started
  double crossings_per_minute = 0;  // StatusBoard
  std::uint64_t reads = 0;
  std::uint64_t open_sessions = 0;
  std::optional<std::int64_t> last_crossing_utc_us;  // the last committed crossing's first_seen
  bool reading = false;  // every reader of the lane is running (or the controller is connected)
  // Lane controllers only (contracts.md A): what the controller said in its
  // last hello/batch.
  std::optional<std::uint64_t> uplink_backlog;
  std::optional<std::int64_t> uplink_last_contact_utc_us;
  bool uplink_connected = false;
};

struct StoreView {
  std::uint64_t committed = 0;
  std::size_t queue_depth = 0;
  std::size_t queue_capacity = 0;
  std::size_t held_for_retry = 0;
  std::uint64_t commit_errors = 0;
  std::uint64_t commits = 0;
  std::uint64_t commit_latency_p50_us = 0;
  std::uint64_t commit_latency_p99_us = 0;
  std::uint64_t commit_latency_count = 0;
  std::uint64_t commit_latency_sum_us = 0;
  bool writer_running = false;
};

struct DaemonStatus {
  std::int64_t taken_utc_us = 0;
  std::int64_t taken_mono_us = 0;
  std::int64_t started_utc_us = 0;
  std::string port_code;
  bool host_clock_synchronized = false;
  std::vector<ReaderView> readers;
  std::vector<LaneView> lanes;
  StoreView store;
  // Disk holding the crossings database (StatusBoard fills these).
  std::uint64_t disk_total_bytes = 0;
  std::uint64_t disk_free_bytes = 0;
};

}  // namespace garita::daemon::api
