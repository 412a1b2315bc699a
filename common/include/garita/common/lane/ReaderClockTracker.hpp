#pragma once
// Tracks one reader's clock against the host's monotonic clock, so each
// read can be placed on the host's time axis at the moment it happened
// rather than the moment its report arrived.
//
// Sample: s = host monotonic receive time - reader first-seen time (UTC or
// uptime). Network and report delays only ever add to s, so the offset is
// the minimum of s over a sliding window (ClockConfig::window_us, kept in a
// fixed ring of buckets: no allocation). A read's monotonic time is then
// reader time + offset, which is never later than its arrival.
//
// A sample further than the threshold from the tracked offset (plus an
// allowance for drift while the reader was idle) is an outlier: the read is
// timed by its arrival instead. Outliers that agree with each other for
// ClockConfig::reader_jump_confirm_samples samples spanning
// reader_jump_confirm_us are a clock jump (reader clock set, reboot of an
// uptime-only reader): reported once, and the window restarts from them.
// A short burst of late reports (a reader replaying its buffer) does not
// last long enough to count as a jump.
#include <array>
#include <cstdint>
#include <optional>

#include "garita/common/Crossing.hpp"
#include "garita/common/lane/LaneConfig.hpp"

namespace garita::lane {

struct ClockJump {
  std::int64_t old_offset_us = 0;  // host monotonic - reader time, before
  std::int64_t new_offset_us = 0;  // and after
};

class ReaderClockTracker {
 public:
  explicit ReaderClockTracker(const ClockConfig& config) noexcept;

  struct Result {
    std::int64_t mono_us = 0;  // when the read happened, host monotonic axis
    bool outlier = false;      // timed by its arrival (mono_us = host receive)
    bool restarted = false;    // the reader changed time base (UTC <-> uptime): tracking restarted
    std::optional<ClockJump> jump;  // confirmed with this sample
  };

  // `kind` is TimeSource::reader_utc or TimeSource::reader_uptime.
  Result observe(std::int64_t reader_time_us, TimeSource kind, std::int64_t host_mono_us) noexcept;

  bool tracking() const noexcept { return has_offset_; }
  // host monotonic - reader time, as last tracked.
  std::int64_t offset_us() const noexcept { return offset_; }
  TimeSource kind() const noexcept { return kind_; }
  std::uint64_t samples() const noexcept { return samples_; }
  std::uint64_t outliers() const noexcept { return outliers_; }
  std::uint64_t jumps() const noexcept { return jumps_; }

  static constexpr std::size_t kBuckets = 12;

 private:
  struct Bucket {
    std::int64_t number = 0;
    std::int64_t min = 0;
    bool used = false;
  };
  struct Candidate {
    std::int64_t first_mono_us = 0;
    std::int64_t min = 0;
    std::uint32_t count = 0;
  };

  void restart(std::int64_t sample, std::int64_t host_mono_us) noexcept;
  void push(std::int64_t sample, std::int64_t host_mono_us) noexcept;
  std::optional<std::int64_t> window_min(std::int64_t host_mono_us) const noexcept;
  std::int64_t bucket_number(std::int64_t host_mono_us) const noexcept;

  ClockConfig config_;
  std::int64_t bucket_us_;
  std::array<Bucket, kBuckets> buckets_{};
  bool has_offset_ = false;
  std::int64_t offset_ = 0;  // latest window minimum
  std::int64_t last_accept_mono_us_ = 0;
  TimeSource kind_ = TimeSource::reader_utc;
  std::optional<Candidate> candidate_;
  std::uint64_t samples_ = 0;
  std::uint64_t outliers_ = 0;
  std::uint64_t jumps_ = 0;
};

}  // namespace garita::lane
