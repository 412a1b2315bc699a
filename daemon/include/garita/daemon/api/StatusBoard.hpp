#pragma once
// The latest DaemonStatus, shared between garitad's io thread (which
// publishes one a second) and the API's worker threads (which read it).
// Turns cumulative counters into per-minute rates over a sliding minute and
// derives the alarms the status page and /v1/health show:
//   reader_down       a reader of a lane is not running
//   uplink_down       a lane controller has not been heard from in 2 min
//   uplink_backlog    a lane controller holds more than N crossings
//   clock_unsynced    the host clock is not NTP-synchronised
//   reader_clock      a reader's clock is off by more than 2 s
//   disk_low          the database's disk is more than 90 % full
//   store_queue       the writer's queue is more than half full
//   store_writer      the store's writer is not running
#include <boost/json/object.hpp>

#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "garita/daemon/api/DaemonStatus.hpp"

namespace garita::daemon::api {

struct AlarmThresholds {
  std::uint64_t uplink_backlog = 1000;
  std::int64_t uplink_silence_us = 120'000'000;
  std::int64_t reader_clock_offset_us = 2'000'000;
  double disk_used_fraction = 0.90;
  double store_queue_fraction = 0.5;
};

struct Alarm {
  std::string code;     // "reader_down", ...
  std::string subject;  // reader or lane id, or "" for the host
  std::string message;  // one line for a person
};

// Pure: the alarms of one status.
std::vector<Alarm> compute_alarms(const DaemonStatus& status, const AlarmThresholds& t);

// Pure: fills reads_per_minute / crossings_per_minute of `now` from the
// oldest sample in `window` (at most a minute older).
void fill_rates(DaemonStatus& now, const DaemonStatus& minute_ago);

// statvfs(2) of the folder holding `file`: total and available bytes.
bool disk_space(const std::filesystem::path& file, std::uint64_t& total, std::uint64_t& free);

class StatusBoard {
 public:
  explicit StatusBoard(AlarmThresholds thresholds = {}) : thresholds_(thresholds) {}

  // io thread: a fresh snapshot (counters cumulative); rates are filled here.
  void publish(DaemonStatus status);

  // Any thread. Null until the first publish.
  std::shared_ptr<const DaemonStatus> latest() const;
  std::vector<Alarm> alarms() const;
  const AlarmThresholds& thresholds() const noexcept { return thresholds_; }

 private:
  AlarmThresholds thresholds_;
  mutable std::mutex mutex_;
  std::shared_ptr<const DaemonStatus> latest_;
  std::deque<std::shared_ptr<const DaemonStatus>> window_;  // about one minute of samples
};

// JSON for GET /v1/status (and the page). Host-level facts only.
boost::json::object status_to_json(const DaemonStatus& status, const std::vector<Alarm>& alarms);

}  // namespace garita::daemon::api
