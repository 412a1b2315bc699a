#include "garita/common/store/GroupCommitter.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <exception>
#include <new>
#include <utility>

namespace garita::store {
namespace {

using Clock = std::chrono::steady_clock;

// Waits longer than this are treated as "forever" (no deadline arithmetic).
constexpr auto kForever = std::chrono::hours{24 * 365};

std::int64_t now_utc_us() noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t micros_between(Clock::time_point a, Clock::time_point b) noexcept {
  const auto d = std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
  return d < 0 ? 0 : static_cast<std::uint64_t>(d);
}

}  // namespace

// --- LogHistogram ---------------------------------------------------------------

namespace {
std::size_t bucket_of(std::uint64_t v) noexcept {
  constexpr std::uint64_t sub = LogHistogram::kSubBuckets;
  if (v < sub) return static_cast<std::size_t>(v);
  const auto e = static_cast<std::uint64_t>(std::bit_width(v)) - 1;  // >= 3
  const std::uint64_t octave = e - 3;
  if (octave >= LogHistogram::kOctaves) return LogHistogram::kBuckets - 1;
  const std::uint64_t s = (v >> (e - 3)) - sub;  // 0..7
  return static_cast<std::size_t>(sub + octave * sub + s);
}

std::uint64_t bucket_upper(std::size_t idx) noexcept {
  constexpr std::size_t sub = LogHistogram::kSubBuckets;
  if (idx < sub) return idx;
  const std::size_t octave = (idx - sub) / sub;
  const std::size_t s = (idx - sub) % sub;
  return ((static_cast<std::uint64_t>(sub + s + 1)) << octave) - 1;
}
}  // namespace

void LogHistogram::record(std::uint64_t value) noexcept {
  ++buckets_[bucket_of(value)];
  if (count_ == 0 || value < min_) min_ = value;
  max_ = std::max(max_, value);
  ++count_;
  sum_ += value;
}

double LogHistogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

std::uint64_t LogHistogram::percentile(double p) const noexcept {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(bucket_upper(i), min(), max_);
  }
  return max_;
}

// --- GroupCommitter ---------------------------------------------------------------

GroupCommitter::GroupCommitter(CommitterOptions options) noexcept : options_(std::move(options)) {
  if (options_.queue_capacity == 0) options_.queue_capacity = 1;
  if (options_.max_batch == 0) options_.max_batch = 1;
  if (options_.retry_initial.count() <= 0) options_.retry_initial = std::chrono::milliseconds{1};
  if (options_.retry_max < options_.retry_initial) options_.retry_max = options_.retry_initial;
  metrics_.queue_capacity = options_.queue_capacity;
}

GroupCommitter::~GroupCommitter() { stop(); }

std::error_code GroupCommitter::start(CrossingStore&& store) noexcept {
  if (!store.is_open()) return make_error_code(Errc::not_open);
  std::lock_guard lock(mutex_);
  if (running_ || writer_.joinable()) return make_error_code(Errc::invalid_argument);
  store_ = std::move(store);
  raw_enabled_ = store_.raw_capture_enabled();
  running_ = true;
  stopping_ = false;
  stop_result_.clear();
  metrics_.running = true;
  try {
    writer_ = std::thread([this] { writer_main(); });
  } catch (...) {
    running_ = false;
    metrics_.running = false;
    store = std::move(store_);
    return std::make_error_code(std::errc::resource_unavailable_try_again);
  }
  return {};
}

bool GroupCommitter::running() const noexcept {
  std::lock_guard lock(mutex_);
  return running_ && !stopping_;
}

std::error_code GroupCommitter::submit(Crossing crossing, OnCommitted on_committed,
                                       std::string* why) noexcept {
  try {
    std::string reason;
    if (auto ec = validate_crossing(crossing, reason)) {
      if (why != nullptr) *why = std::move(reason);
      return ec;
    }
    const auto submitted = Clock::now();
    std::unique_lock lock(mutex_);
    if (!running_ || stopping_) return make_error_code(Errc::not_running);
    if (queue_.size() >= options_.queue_capacity) {
      ++metrics_.submit_blocked;
      auto has_room = [&] { return queue_.size() < options_.queue_capacity || stopping_; };
      if (options_.max_submit_wait >= kForever) {
        space_cv_.wait(lock, has_room);
      } else {
        space_cv_.wait_for(lock, options_.max_submit_wait, has_room);
      }
      if (stopping_) return make_error_code(Errc::not_running);
      if (queue_.size() >= options_.queue_capacity) {
        ++metrics_.submit_timeouts;
        if (why != nullptr) {
          *why = "commit queue full (" + std::to_string(options_.queue_capacity) +
                 " crossings) for " + std::to_string(options_.max_submit_wait.count()) +
                 " ms; the crossing was not taken";
        }
        return make_error_code(Errc::queue_full);
      }
    }
    queue_.push_back(Pending{std::move(crossing), std::move(on_committed), submitted});
    ++issued_;
    ++metrics_.submitted;
    metrics_.queue_high_water = std::max(metrics_.queue_high_water, queue_.size());
    lock.unlock();
    writer_cv_.notify_one();
    return {};
  } catch (const std::bad_alloc&) {
    return make_error_code(Errc::out_of_memory);
  } catch (...) {
    return make_error_code(Errc::invalid_argument);
  }
}

std::size_t GroupCommitter::submit_reads(std::span<const TagRead> reads) noexcept {
  try {
    std::unique_lock lock(mutex_);
    if (!raw_enabled_ || !running_ || stopping_ || reads.empty()) return 0;
    const std::size_t room =
        options_.raw_queue_capacity - std::min(options_.raw_queue_capacity, raw_.size());
    const std::size_t take = std::min(room, reads.size());
    raw_.insert(raw_.end(), reads.begin(), reads.begin() + static_cast<std::ptrdiff_t>(take));
    metrics_.raw_reads_dropped += reads.size() - take;
    lock.unlock();
    if (take > 0) writer_cv_.notify_one();
    return take;
  } catch (...) {
    return 0;
  }
}

std::error_code GroupCommitter::post(std::function<void(CrossingStore&)> job) noexcept {
  try {
    {
      std::lock_guard lock(mutex_);
      if (!running_ || stopping_) return make_error_code(Errc::not_running);
      jobs_.push_back(std::move(job));
    }
    writer_cv_.notify_one();
    return {};
  } catch (...) {
    return make_error_code(Errc::out_of_memory);
  }
}

std::error_code GroupCommitter::flush(std::chrono::milliseconds timeout) noexcept {
  try {
    std::unique_lock lock(mutex_);
    if (running_ && std::this_thread::get_id() == writer_id_) {
      return make_error_code(Errc::invalid_argument);  // from a callback: would wait for itself
    }
    const std::uint64_t target = issued_;
    auto done = [&] { return resolved_ >= target; };
    if (done()) return {};
    if (!running_) return make_error_code(Errc::not_running);
    if (timeout >= kForever) {
      done_cv_.wait(lock, done);
      return {};
    }
    if (!done_cv_.wait_for(lock, timeout, done)) return make_error_code(Errc::timed_out);
    return {};
  } catch (...) {
    return make_error_code(Errc::invalid_argument);
  }
}

std::error_code GroupCommitter::stop() noexcept {
  try {
    {
      std::lock_guard lock(mutex_);
      if (!running_) return stop_result_;
      if (std::this_thread::get_id() == writer_id_) {
        return make_error_code(Errc::invalid_argument);  // from a callback: cannot join itself
      }
      if (!stopping_) {
        stopping_ = true;
        stop_deadline_ = Clock::now() + options_.shutdown_deadline;
      }
    }
    writer_cv_.notify_all();
    space_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    std::lock_guard lock(mutex_);
    running_ = false;
    metrics_.running = false;
    writer_id_ = {};
    return stop_result_;
  } catch (...) {
    return make_error_code(Errc::invalid_argument);
  }
}

CommitterMetrics GroupCommitter::metrics() const noexcept {
  std::lock_guard lock(mutex_);
  CommitterMetrics m;
  try {
    m = metrics_;
  } catch (...) {
    m.last_error = metrics_.last_error;  // the message could not be copied
  }
  m.queue_depth = queue_.size();
  return m;
}

void GroupCommitter::report(std::error_code ec, std::string_view message) noexcept {
  try {
    {
      std::lock_guard lock(mutex_);
      metrics_.last_error = ec;
      metrics_.last_error_message = std::string(message);
    }
    if (options_.on_error) options_.on_error(ec, message);
  } catch (...) {
    // Reporting must never take the writer down.
  }
}

void GroupCommitter::writer_main() noexcept {
  {
    std::lock_guard lock(mutex_);
    writer_id_ = std::this_thread::get_id();
  }
  for (;;) {
    try {
      writer_loop();
      return;
    } catch (const std::bad_alloc&) {
      report(make_error_code(Errc::out_of_memory), "crossing writer: out of memory; retrying");
    } catch (const std::exception& e) {
      try {
        report(make_error_code(Errc::sqlite_error), std::string("crossing writer: ") + e.what());
      } catch (...) {
        report(make_error_code(Errc::sqlite_error), "crossing writer: unexpected error");
      }
    } catch (...) {
      report(make_error_code(Errc::sqlite_error), "crossing writer: unexpected error");
    }
    // The writer never dies: whatever it held (batch_) is retried.
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
}

void GroupCommitter::writer_loop() {
  std::vector<TagRead> raw;
  for (;;) {
    if (!batch_.empty()) commit_batch();
    {
      std::unique_lock lock(mutex_);
      writer_cv_.wait(
          lock, [&] { return !queue_.empty() || !jobs_.empty() || !raw_.empty() || stopping_; });
      if (queue_.empty() && raw_.empty() && jobs_.empty() && stopping_) return;
      if (!queue_.empty() && queue_.size() < options_.max_batch && !stopping_ &&
          options_.gather_window.count() > 0) {
        writer_cv_.wait_for(lock, options_.gather_window,
                            [&] { return queue_.size() >= options_.max_batch || stopping_; });
      }
      const std::size_t n = std::min(queue_.size(), options_.max_batch);
      batch_.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch_.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      raw.swap(raw_);
    }
    space_cv_.notify_all();
    run_jobs();
    if (!batch_.empty()) commit_batch();
    if (!raw.empty()) write_raw(raw);
    raw.clear();
  }
}

void GroupCommitter::run_jobs() {
  for (;;) {
    std::function<void(CrossingStore&)> job;
    {
      std::lock_guard lock(mutex_);
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      if (job) job(store_);
    } catch (...) {
      report(make_error_code(Errc::invalid_argument), "crossing writer: a posted job threw");
    }
    if (store_.in_transaction()) store_.rollback();  // a job must not leave one open
  }
}

void GroupCommitter::commit_batch() {
  const std::size_t n = batch_.size();
  std::vector<WriteOutcome> outcomes(n, WriteOutcome::rejected);
  std::vector<std::error_code> results(n);
  std::vector<std::pair<Errc, std::string>> row_messages;  // conflicts and rejections
  auto backoff = options_.retry_initial;
  unsigned consecutive_failures = 0;

  for (;;) {
    row_messages.clear();
    if (store_.in_transaction()) store_.rollback();  // left open by an exception
    const auto t0 = Clock::now();
    std::error_code ec = store_.begin();
    for (std::size_t i = 0; !ec && i < n; ++i) {
      ec = store_.put(batch_[i].crossing, outcomes[i]);
      if (!ec && outcomes[i] == WriteOutcome::rejected) {
        row_messages.emplace_back(Errc::invalid_crossing, store_.last_error());
      } else if (!ec && outcomes[i] == WriteOutcome::conflict) {
        row_messages.emplace_back(Errc::sequence_conflict, store_.last_error());
      }
    }
    if (!ec) ec = store_.commit();
    if (ec) store_.rollback();
    const auto t1 = Clock::now();

    if (!ec) {
      {
        std::lock_guard lock(mutex_);
        ++metrics_.commits;
        metrics_.batch_size.record(n);
        metrics_.commit_latency_us.record(micros_between(t0, t1));
        for (std::size_t i = 0; i < n; ++i) {
          switch (outcomes[i]) {
            case WriteOutcome::inserted: ++metrics_.inserted; break;
            case WriteOutcome::extended: ++metrics_.extended; break;
            case WriteOutcome::unchanged: ++metrics_.unchanged; break;
            case WriteOutcome::conflict:
              ++metrics_.conflicts;
              results[i] = make_error_code(Errc::sequence_conflict);
              break;
            case WriteOutcome::rejected:
              ++metrics_.rejected;
              results[i] = make_error_code(Errc::invalid_crossing);
              break;
          }
        }
      }
      for (const auto& [code, message] : row_messages) report(make_error_code(code), message);
      deliver(results);
      return;
    }

    ++consecutive_failures;
    {
      std::lock_guard lock(mutex_);
      ++metrics_.commit_errors;
    }
    report(ec, store_.last_error() + " (" + std::to_string(n) +
                   " crossings held; retrying, attempt " + std::to_string(consecutive_failures) +
                   ")");

    std::unique_lock lock(mutex_);
    if (stopping_ && Clock::now() >= stop_deadline_) {
      std::fill(results.begin(), results.end(), make_error_code(Errc::uncommitted_at_shutdown));
      metrics_.failed_at_shutdown += n;
      stop_result_ = make_error_code(Errc::uncommitted_at_shutdown);
      lock.unlock();
      report(stop_result_, std::to_string(n) +
                               " crossings could not be committed before the "
                               "shutdown deadline: " +
                               store_.last_error());
      deliver(results);
      return;
    }
    auto wait = std::chrono::duration_cast<Clock::duration>(backoff);
    if (stopping_) wait = std::min(wait, stop_deadline_ - Clock::now());
    writer_cv_.wait_for(lock, wait);
    lock.unlock();
    run_jobs();  // e.g. maintenance that frees room
    backoff = std::min(backoff * 2, options_.retry_max);
  }
}

void GroupCommitter::deliver(std::vector<std::error_code>& results) {
  const std::size_t n = batch_.size();
  std::vector<std::uint64_t> ack_us(n);
  std::uint64_t ok = 0;
  std::uint64_t callback_errors = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Pending& p = batch_[i];
    if (p.on_committed) {
      try {
        p.on_committed(results[i]);
      } catch (...) {
        ++callback_errors;
        report(make_error_code(Errc::invalid_argument),
               "crossing writer: an on_committed callback threw");
      }
    }
    ack_us[i] = micros_between(p.submitted, Clock::now());
    if (!results[i]) ++ok;
  }
  batch_.clear();
  {
    std::lock_guard lock(mutex_);
    for (auto us : ack_us) metrics_.ack_latency_us.record(us);
    metrics_.committed += ok;
    metrics_.callback_errors += callback_errors;
    resolved_ += n;
  }
  done_cv_.notify_all();
}

void GroupCommitter::write_raw(std::vector<TagRead>& reads) {
  if (auto ec = store_.record_reads(reads, now_utc_us())) {
    {
      std::lock_guard lock(mutex_);
      metrics_.raw_reads_dropped += reads.size();
    }
    report(ec, store_.last_error() + " (raw reads dropped: diagnostic only)");
    return;
  }
  std::lock_guard lock(mutex_);
  metrics_.raw_reads_written += reads.size();
}

}  // namespace garita::store
