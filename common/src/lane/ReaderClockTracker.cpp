#include "garita/common/lane/ReaderClockTracker.hpp"

#include <algorithm>
#include <limits>

namespace garita::lane {
namespace {

// Floor division for possibly negative times.
std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::int64_t abs_diff(std::int64_t a, std::int64_t b) noexcept { return a > b ? a - b : b - a; }

// threshold + ppm * elapsed, saturating.
std::int64_t allowance(std::int64_t threshold_us, std::uint32_t ppm,
                       std::int64_t elapsed_us) noexcept {
  if (elapsed_us <= 0) return threshold_us;
  const std::int64_t cap = std::numeric_limits<std::int64_t>::max() / 4;
  const std::int64_t extra = elapsed_us > cap / std::max<std::int64_t>(ppm, 1)
                                 ? cap
                                 : elapsed_us * static_cast<std::int64_t>(ppm) / 1'000'000;
  return threshold_us > cap - extra ? cap : threshold_us + extra;
}

}  // namespace

ReaderClockTracker::ReaderClockTracker(const ClockConfig& config) noexcept
    : config_(config),
      bucket_us_(
          std::max<std::int64_t>(1, config.window_us / static_cast<std::int64_t>(kBuckets))) {}

std::int64_t ReaderClockTracker::bucket_number(std::int64_t host_mono_us) const noexcept {
  return floor_div(host_mono_us, bucket_us_);
}

void ReaderClockTracker::push(std::int64_t sample, std::int64_t host_mono_us) noexcept {
  const std::int64_t n = bucket_number(host_mono_us);
  const auto k = static_cast<std::int64_t>(kBuckets);
  Bucket& b = buckets_[static_cast<std::size_t>(((n % k) + k) % k)];
  if (!b.used || b.number != n) {
    b = Bucket{n, sample, true};
  } else {
    b.min = std::min(b.min, sample);
  }
  last_accept_mono_us_ = host_mono_us;
}

std::optional<std::int64_t> ReaderClockTracker::window_min(
    std::int64_t host_mono_us) const noexcept {
  const std::int64_t n = bucket_number(host_mono_us);
  const auto k = static_cast<std::int64_t>(kBuckets);
  std::optional<std::int64_t> best;
  for (const Bucket& b : buckets_) {
    if (!b.used || b.number > n || b.number <= n - k) continue;
    if (!best || b.min < *best) best = b.min;
  }
  return best;
}

void ReaderClockTracker::restart(std::int64_t sample, std::int64_t host_mono_us) noexcept {
  buckets_.fill(Bucket{});
  candidate_.reset();
  push(sample, host_mono_us);
  offset_ = sample;
  has_offset_ = true;
}

ReaderClockTracker::Result ReaderClockTracker::observe(std::int64_t reader_time_us, TimeSource kind,
                                                       std::int64_t host_mono_us) noexcept {
  Result r;
  ++samples_;
  // Both are far from the int64 limits for any real clock; saturate anyway.
  std::int64_t sample = 0;
  if (__builtin_sub_overflow(host_mono_us, reader_time_us, &sample)) {
    r.mono_us = host_mono_us;
    r.outlier = true;
    ++outliers_;
    return r;
  }
  if (has_offset_ && kind != kind_) {
    has_offset_ = false;
    r.restarted = true;
  }
  kind_ = kind;
  if (!has_offset_) {
    restart(sample, host_mono_us);
    r.mono_us = host_mono_us;
    return r;
  }

  // Reference: the window's minimum, or (after an idle spell that emptied
  // the window) the last offset, with drift allowed for the pause.
  const std::int64_t reference = window_min(host_mono_us).value_or(offset_);
  const std::int64_t limit = allowance(config_.reader_jump_threshold_us, config_.reader_drift_ppm,
                                       host_mono_us - last_accept_mono_us_);
  if (abs_diff(sample, reference) <= limit) {
    push(sample, host_mono_us);
    candidate_.reset();
    offset_ = window_min(host_mono_us).value_or(sample);  // includes `sample`
    r.mono_us = reader_time_us + offset_;                 // <= host_mono_us since offset_ <= sample
    return r;
  }

  // Outlier: time the read by its arrival; see whether it starts a jump.
  ++outliers_;
  r.outlier = true;
  r.mono_us = host_mono_us;
  if (!candidate_ || abs_diff(sample, candidate_->min) > config_.reader_jump_threshold_us) {
    candidate_ = Candidate{host_mono_us, sample, 1};
  } else {
    candidate_->min = std::min(candidate_->min, sample);
    ++candidate_->count;
  }
  if (candidate_->count >= config_.reader_jump_confirm_samples &&
      host_mono_us - candidate_->first_mono_us >= config_.reader_jump_confirm_us) {
    const ClockJump jump{offset_, candidate_->min};
    restart(candidate_->min, host_mono_us);
    ++jumps_;
    r.jump = jump;
    r.outlier = false;
    r.mono_us = reader_time_us + offset_;
  }
  return r;
}

}  // namespace garita::lane
