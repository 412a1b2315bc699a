#pragma once
// Group commit: the ingest thread hands crossings to a writer thread that
// owns the CrossingStore and commits everything queued in one transaction,
// so one fsync covers many crossings.
//
//   submit(crossing, on_committed)  ingest thread; returns at once unless the
//                                   queue is full (then backpressure, below)
//   writer thread                   takes all queued (waits up to
//                                   gather_window for more, at most
//                                   max_batch), BEGIN, writes, COMMIT, and only
//                                   after COMMIT returns calls on_committed
//
// A crossing counts as stored only when its on_committed gets an empty
// error_code: it is then in the database file and survives kill -9.
//
// Failures: a failed transaction is rolled back and retried with backoff
// (retry_initial doubling to retry_max) for as long as it takes; each
// failure goes to on_error and the metrics. Events are never dropped: the
// batch stays in hand and the queue behind it fills up.
//
// Full queue (backpressure, never a drop): submit() blocks the submitter
// until there is room, at most max_submit_wait. If the queue is still full
// then (the disk is failing), submit() returns Errc::queue_full and the
// crossing was NOT taken: the caller still holds it and must keep it (retry,
// or spill it to its own journal). Nothing the committer accepted is ever
// dropped.
//
// Shutdown: stop() (and the destructor) commits everything queued, retrying
// for at most shutdown_deadline; crossings still not committed then get
// on_committed(Errc::uncommitted_at_shutdown) and stop() returns that code.
#include <array>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "garita/common/Crossing.hpp"
#include "garita/common/TagRead.hpp"
#include "garita/common/store/CrossingStore.hpp"

namespace garita::store {

// A histogram of non-negative integers (µs, batch sizes) with 8 buckets per
// power of two: percentiles are exact below 8 and within 12.5% above.
class LogHistogram {
 public:
  static constexpr std::size_t kSubBuckets = 8;
  static constexpr std::size_t kOctaves = 40;
  static constexpr std::size_t kBuckets = kSubBuckets + kOctaves * kSubBuckets;

  void record(std::uint64_t value) noexcept;
  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;
  // The upper bound of the bucket holding the p-th percentile (0 < p <= 100),
  // never above max(); 0 when empty.
  std::uint64_t percentile(double p) const noexcept;
  void reset() noexcept { *this = LogHistogram{}; }

 private:
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
};

struct CommitterOptions {
  std::size_t queue_capacity = 4096;  // crossings waiting for the writer
  std::size_t max_batch = 1024;       // crossings per transaction
  // After the first crossing arrives, wait up to this long for more to join
  // the transaction (0: commit at once).
  std::chrono::microseconds gather_window{1000};
  // How long submit() may block on a full queue before Errc::queue_full.
  std::chrono::milliseconds max_submit_wait{2000};
  std::chrono::milliseconds retry_initial{10};
  std::chrono::milliseconds retry_max{2000};
  std::chrono::milliseconds shutdown_deadline{10000};
  // Raw reads (only when the store captures them): a diagnostic, so when
  // this queue is full further reads are dropped and counted, never blocked.
  std::size_t raw_queue_capacity = 16384;
  // Called on the writer thread for every failure (a commit, a raw-read
  // write, a throwing callback): the code and "FILE: what failed: why".
  std::function<void(std::error_code, std::string_view)> on_error;
};

struct CommitterMetrics {
  std::size_t queue_depth = 0;  // now
  std::size_t queue_capacity = 0;
  std::size_t queue_high_water = 0;  // deepest since start
  std::uint64_t submitted = 0;       // accepted by submit()
  std::uint64_t committed = 0;       // on_committed called with success
  std::uint64_t inserted = 0;        // ... of which new rows
  std::uint64_t extended = 0;        // ... rows that grew
  std::uint64_t unchanged = 0;       // ... repeats that changed nothing
  std::uint64_t conflicts = 0;       // kept in crossing_conflicts (Errc::sequence_conflict)
  std::uint64_t rejected = 0;        // invalid at write time (Errc::invalid_crossing)
  std::uint64_t failed_at_shutdown = 0;
  std::uint64_t commits = 0;          // transactions committed
  std::uint64_t commit_errors = 0;    // transactions that failed (each retried)
  std::uint64_t submit_blocked = 0;   // submit() calls that had to wait for room
  std::uint64_t submit_timeouts = 0;  // ... and gave up with queue_full
  std::uint64_t callback_errors = 0;  // on_committed threw
  std::uint64_t raw_reads_written = 0;
  std::uint64_t raw_reads_dropped = 0;
  LogHistogram batch_size;         // crossings per committed transaction
  LogHistogram commit_latency_us;  // BEGIN .. COMMIT returned
  LogHistogram ack_latency_us;     // submit() .. on_committed
  std::error_code last_error;
  std::string last_error_message;
  bool running = false;
};

class GroupCommitter {
 public:
  // Called once per submitted crossing, on the writer thread, in submission
  // order: empty = committed to the crossings table; Errc::sequence_conflict
  // = committed to crossing_conflicts; Errc::invalid_crossing = not stored;
  // Errc::uncommitted_at_shutdown = not stored. Keep it short: the next
  // transaction waits for it. Exceptions are caught and reported.
  using OnCommitted = std::function<void(std::error_code)>;

  explicit GroupCommitter(CommitterOptions options = {}) noexcept;
  ~GroupCommitter();  // stop()
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Takes over an open store and starts the writer thread.
  std::error_code start(CrossingStore&& store) noexcept;

  // Queues a crossing (validated first: Errc::invalid_crossing with `why`
  // set when it cannot be stored). See the backpressure rule above.
  std::error_code submit(Crossing crossing, OnCommitted on_committed = {},
                         std::string* why = nullptr) noexcept;
  // The lane pipeline's event ({new|extended, crossing}): both kinds are the
  // same idempotent upsert, so only the crossing matters here.
  template <class Event>
  requires requires(const Event& e) {
    { e.crossing } -> std::convertible_to<const Crossing&>;
  }
  std::error_code submit(const Event& event, OnCommitted on_committed = {},
                         std::string* why = nullptr) noexcept {
    try {
      return submit(Crossing(event.crossing), std::move(on_committed), why);
    } catch (...) {
      return make_error_code(Errc::out_of_memory);
    }
  }

  // Queues raw reads for the diagnostic capture; returns how many were taken
  // (0 when the store does not capture).
  std::size_t submit_reads(std::span<const TagRead> reads) noexcept;

  // Runs `job` on the writer thread between transactions (maintenance,
  // queries on the same connection). It must not keep the store reference.
  std::error_code post(std::function<void(CrossingStore&)> job) noexcept;

  // Waits until every crossing submitted before the call has had its
  // on_committed called. Errc::timed_out when `timeout` passes first.
  std::error_code flush(
      std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) noexcept;

  // Commits what is queued (see Shutdown above) and joins the writer.
  // Idempotent; after it, submit() returns Errc::not_running.
  std::error_code stop() noexcept;

  bool running() const noexcept;
  CommitterMetrics metrics() const noexcept;

 private:
  struct Pending {
    Crossing crossing;
    OnCommitted on_committed;
    std::chrono::steady_clock::time_point submitted;
  };

  void writer_main() noexcept;
  void writer_loop();
  void commit_batch();
  void run_jobs();
  void write_raw(std::vector<TagRead>& reads);
  void report(std::error_code ec, std::string_view message) noexcept;
  void deliver(std::vector<std::error_code>& results);

  CommitterOptions options_;
  CrossingStore store_;  // touched only by the writer thread once started

  mutable std::mutex mutex_;
  std::condition_variable writer_cv_;  // work arrived / stopping
  std::condition_variable space_cv_;   // room in the queue
  std::condition_variable done_cv_;    // resolved_ moved
  std::deque<Pending> queue_;
  std::deque<std::function<void(CrossingStore&)>> jobs_;
  std::vector<TagRead> raw_;
  std::uint64_t issued_ = 0;    // crossings accepted so far
  std::uint64_t resolved_ = 0;  // crossings whose on_committed has been called
  bool running_ = false;
  bool stopping_ = false;
  bool raw_enabled_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};
  CommitterMetrics metrics_;
  std::error_code stop_result_;

  std::thread::id writer_id_;   // set under mutex_ by the writer thread
  std::vector<Pending> batch_;  // in the writer's hands (survives a retry)
  std::thread writer_;
};

}  // namespace garita::store
