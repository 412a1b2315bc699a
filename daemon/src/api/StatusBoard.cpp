#include "garita/daemon/api/StatusBoard.hpp"

#include <boost/json/array.hpp>

#include <sys/statvfs.h>

#include <cstdio>

#include "garita/common/UtcText.hpp"
#include "garita/daemon/api/CrossingQuery.hpp"

namespace garita::daemon::api {
namespace {

constexpr std::int64_t kMinuteUs = 60'000'000;

double per_minute(std::uint64_t now, std::uint64_t then, std::int64_t span_us) {
  if (span_us <= 0 || now < then) return 0.0;
  return static_cast<double>(now - then) * 60'000'000.0 / static_cast<double>(span_us);
}

std::string seconds_text(std::int64_t us) {
  char buf[32];
  // snprintf truncates safely; any int64 count of seconds fits in 32.
  static_cast<void>(std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(us) / 1e6));
  return buf;
}

}  // namespace

void fill_rates(DaemonStatus& now, const DaemonStatus& minute_ago) {
  const std::int64_t span = now.taken_mono_us - minute_ago.taken_mono_us;
  for (ReaderView& r : now.readers) {
    for (const ReaderView& p : minute_ago.readers) {
      if (p.id == r.id) r.reads_per_minute = per_minute(r.read_count, p.read_count, span);
    }
  }
  for (LaneView& l : now.lanes) {
    for (const LaneView& p : minute_ago.lanes) {
      if (p.id == l.id) l.crossings_per_minute = per_minute(l.crossings, p.crossings, span);
    }
  }
}

std::vector<Alarm> compute_alarms(const DaemonStatus& s, const AlarmThresholds& t) {
  std::vector<Alarm> out;
  for (const ReaderView& r : s.readers) {
    if (!r.connected) {
      std::string lanes;
      for (const auto& l : r.lanes) lanes += (lanes.empty() ? "" : ",") + l;
      out.push_back({"reader_down", r.id,
                     "reader " + r.id + " is " + r.state + ": lanes " + lanes + " are not reading" +
                         (r.last_error.empty() ? "" : " (" + r.last_error + ")")});
    }
    if (r.clock_offset_us && (*r.clock_offset_us > t.reader_clock_offset_us ||
                              *r.clock_offset_us < -t.reader_clock_offset_us)) {
      out.push_back({"reader_clock", r.id,
                     "reader " + r.id + " clock is off by " + seconds_text(*r.clock_offset_us) +
                         " from the host: check its NTP"});
    }
  }
  for (const LaneView& l : s.lanes) {
    if (!l.controller) continue;
    const bool silent = !l.uplink_last_contact_utc_us ||
                        s.taken_utc_us - *l.uplink_last_contact_utc_us > t.uplink_silence_us;
    if (!l.uplink_connected && silent) {
      out.push_back(
          {"uplink_down", l.id,
           "lane controller " + l.id + " has not been heard from" +
               (l.uplink_last_contact_utc_us
                    ? " since " + utc_text(*l.uplink_last_contact_utc_us, UtcDigits::millis)
                    : std::string(" since garitad started"))});
    }
    if (l.uplink_backlog && *l.uplink_backlog > t.uplink_backlog) {
      out.push_back({"uplink_backlog", l.id,
                     "lane controller " + l.id + " holds " + std::to_string(*l.uplink_backlog) +
                         " crossings not yet delivered"});
    }
  }
  if (!s.host_clock_synchronized) {
    out.push_back({"clock_unsynced", "",
                   "the workstation clock is not NTP-synchronised: crossing times are flagged"});
  }
  if (s.disk_total_bytes > 0) {
    const double used =
        1.0 - static_cast<double>(s.disk_free_bytes) / static_cast<double>(s.disk_total_bytes);
    if (used > t.disk_used_fraction) {
      char buf[96];
      // A fraction and a disk size: the text always fits in 96.
      static_cast<void>(std::snprintf(
          buf, sizeof buf, "the database disk is %.0f %% full (%.1f GiB free)", used * 100.0,
          static_cast<double>(s.disk_free_bytes) / (1024.0 * 1024 * 1024)));
      out.push_back({"disk_low", "", buf});
    }
  }
  if (s.store.queue_capacity > 0 &&
      static_cast<double>(s.store.queue_depth) >
          t.store_queue_fraction * static_cast<double>(s.store.queue_capacity)) {
    out.push_back({"store_queue", "",
                   "the store writer is behind: " + std::to_string(s.store.queue_depth) + " of " +
                       std::to_string(s.store.queue_capacity) + " queued"});
  }
  if (!s.store.writer_running) {
    out.push_back({"store_writer", "", "the crossing store's writer is not running"});
  }
  return out;
}

bool disk_space(const std::filesystem::path& file, std::uint64_t& total, std::uint64_t& free) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return false;
  total = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
  free = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
  return true;
}

void StatusBoard::publish(DaemonStatus status) {
  std::lock_guard lock(mutex_);
  // Drop samples older than a minute, but keep the newest of those as the
  // "a minute ago" reference.
  while (window_.size() > 1 && status.taken_mono_us - window_[1]->taken_mono_us >= kMinuteUs) {
    window_.pop_front();
  }
  if (!window_.empty()) fill_rates(status, *window_.front());
  auto shared = std::make_shared<const DaemonStatus>(std::move(status));
  window_.push_back(shared);
  latest_ = std::move(shared);
}

std::shared_ptr<const DaemonStatus> StatusBoard::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::vector<Alarm> StatusBoard::alarms() const {
  const auto s = latest();
  if (!s) return {};
  return compute_alarms(*s, thresholds_);
}

boost::json::object status_to_json(const DaemonStatus& s, const std::vector<Alarm>& alarms) {
  boost::json::object o;
  o["port_code"] = s.port_code;
  o["time_utc"] = utc_text(s.taken_utc_us, UtcDigits::millis);
  o["started_utc"] = utc_text(s.started_utc_us, UtcDigits::millis);
  o["host_clock_synchronized"] = s.host_clock_synchronized;
  boost::json::array readers;
  for (const ReaderView& r : s.readers) {
    boost::json::object j;
    j["id"] = r.id;
    j["state"] = r.state;
    j["connected"] = r.connected;
    boost::json::array lanes;
    for (const auto& l : r.lanes) lanes.emplace_back(l);
    j["lanes"] = std::move(lanes);
    j["reads"] = r.read_count;
    j["reads_per_minute"] = r.reads_per_minute;
    j["reconnects"] = r.reconnects;
    j["last_message_utc"] =
        r.last_message_utc_us
            ? boost::json::value(utc_text(*r.last_message_utc_us, UtcDigits::millis))
            : boost::json::value(nullptr);
    j["clock_kind"] = r.clock_kind;
    j["clock_offset_us"] =
        r.clock_offset_us ? boost::json::value(*r.clock_offset_us) : boost::json::value(nullptr);
    j["last_error"] = r.last_error;
    readers.emplace_back(std::move(j));
  }
  o["readers"] = std::move(readers);
  boost::json::array lanes;
  for (const LaneView& l : s.lanes) {
    boost::json::object j;
    j["id"] = l.id;
    j["controller"] = l.controller;
    j["reading"] = l.reading;
    j["crossings"] = l.crossings;
    j["crossings_per_minute"] = l.crossings_per_minute;
    j["reads"] = l.reads;
    j["open_sessions"] = l.open_sessions;
    j["last_crossing_utc"] =
        l.last_crossing_utc_us
            ? boost::json::value(utc_text(*l.last_crossing_utc_us, UtcDigits::millis))
            : boost::json::value(nullptr);
    if (l.controller) {
      j["uplink_connected"] = l.uplink_connected;
      j["uplink_backlog"] =
          l.uplink_backlog ? boost::json::value(*l.uplink_backlog) : boost::json::value(nullptr);
      j["uplink_last_contact_utc"] =
          l.uplink_last_contact_utc_us
              ? boost::json::value(utc_text(*l.uplink_last_contact_utc_us, UtcDigits::millis))
              : boost::json::value(nullptr);
    }
    lanes.emplace_back(std::move(j));
  }
  o["lanes"] = std::move(lanes);
  boost::json::object store;
  store["committed"] = s.store.committed;
  store["queue_depth"] = s.store.queue_depth;
  store["queue_capacity"] = s.store.queue_capacity;
  store["held_for_retry"] = s.store.held_for_retry;
  store["commit_errors"] = s.store.commit_errors;
  store["commit_latency_p99_us"] = s.store.commit_latency_p99_us;
  store["writer_running"] = s.store.writer_running;
  o["store"] = std::move(store);
  boost::json::object disk;
  disk["total_bytes"] = s.disk_total_bytes;
  disk["free_bytes"] = s.disk_free_bytes;
  o["disk"] = std::move(disk);
  boost::json::array a;
  for (const Alarm& al : alarms) {
    boost::json::object j;
    j["code"] = al.code;
    j["subject"] = al.subject;
    j["message"] = al.message;
    a.emplace_back(std::move(j));
  }
  o["alarms"] = std::move(a);
  return o;
}

}  // namespace garita::daemon::api
