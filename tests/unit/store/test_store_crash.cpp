// Crash test: a child process writes crossings through the GroupCommitter
// and reports each (lane, sequence) on a pipe only from on_committed; the
// parent SIGKILLs it at random moments, reopens the file and checks that it
// is sound, that no (lane, sequence) is there twice, that each lane's
// sequences have no gaps (batches are all-or-nothing), and that every
// sequence the child reported as committed is present.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "StoreTestSupport.hpp"
#include "garita/common/store/GroupCommitter.hpp"

using garita::store::CommitterOptions;
using garita::store::CrossingStore;
using garita::store::GroupCommitter;
using garita::store::test::make_crossing;
using garita::store::test::RawDb;
using garita::store::test::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr std::array<const char*, 3> kLanes = {"P01", "P02", "P03"};

struct Record {
  std::uint64_t lane;
  std::uint64_t sequence;
};
static_assert(sizeof(Record) == 16 && sizeof(Record) <= PIPE_BUF, "one atomic pipe write");

void write_all(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ::_exit(21);
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// The child: resumes each lane's numbering from the store, then writes new
// crossings (and extensions of recent ones) as fast as the committer takes
// them, until it is killed.
[[noreturn]] void child_main(const std::filesystem::path& file, int fd, unsigned seed) {
  try {
    CrossingStore store;
    if (store.open(file)) ::_exit(10);
    std::array<std::uint64_t, kLanes.size()> next{};
    for (std::size_t l = 0; l < kLanes.size(); ++l) {
      std::optional<std::uint64_t> max;
      if (store.max_sequence(kLanes[l], max)) ::_exit(11);
      next[l] = max ? *max + 1 : 1;
    }
    CommitterOptions opts;
    opts.gather_window = 1ms;
    opts.queue_capacity = 512;
    opts.max_submit_wait = 60s;
    GroupCommitter gc(opts);
    if (gc.start(std::move(store))) ::_exit(12);
    std::mt19937 rng(seed);
    for (std::uint64_t i = 0;; ++i) {
      const std::size_t l = i % kLanes.size();
      const std::uint64_t seq = next[l]++;
      const auto t = 1'700'000'000'000'000 + static_cast<std::int64_t>(seq) * 1000;
      auto c = make_crossing(kLanes[l], seq, static_cast<std::uint32_t>(seq * 3 + l), t);
      const Record rec{l, seq};
      if (gc.submit(std::move(c), [fd, rec](std::error_code ec) {
            if (!ec) write_all(fd, &rec, sizeof rec);
          })) {
        ::_exit(13);
      }
      if (seq > 1 && rng() % 4 == 0) {
        // The session re-opened: extend the previous crossing of this lane.
        auto ext = make_crossing(kLanes[l], seq - 1, static_cast<std::uint32_t>((seq - 1) * 3 + l),
                                 t - 1000);
        ext.last_seen_utc_us += 500'000;
        ext.read_count = 40;
        ext.antenna_mask = 0x3;
        if (gc.submit(std::move(ext))) ::_exit(14);
      }
      if (i % 64 == 63) std::this_thread::sleep_for(200us);  // keep the file size sane
    }
  } catch (...) {
    ::_exit(15);
  }
}

// Reads whole records from `fd` until `deadline` (or EOF when `to_eof`).
void drain(int fd, std::string& buffer, std::set<std::pair<std::uint64_t, std::uint64_t>>& acked,
           std::chrono::steady_clock::time_point deadline, bool to_eof) {
  char chunk[4096];
  for (;;) {
    int timeout_ms = 100;
    if (!to_eof) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      timeout_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 100));
    } else if (std::chrono::steady_clock::now() > deadline) {
      FAIL("pipe did not reach EOF after the child was killed");
    }
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EOF: every writer end is closed
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t whole = buffer.size() / sizeof(Record) * sizeof(Record);
    for (std::size_t off = 0; off < whole; off += sizeof(Record)) {
      Record rec{};
      std::memcpy(&rec, buffer.data() + off, sizeof rec);
      acked.emplace(rec.lane, rec.sequence);
    }
    buffer.erase(0, whole);
  }
}

}  // namespace

TEST_CASE("crash: SIGKILL during group commit loses no acknowledged crossing") {
  TempDir dir;
  const auto file = dir / "crash.db";
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> kill_after_ms(2, 250);

  std::set<std::pair<std::uint64_t, std::uint64_t>> acked;  // (lane index, sequence)
  const auto started = std::chrono::steady_clock::now();
  int rounds = 0;
  for (; rounds < 40 && std::chrono::steady_clock::now() - started < 15s; ++rounds) {
    INFO("round " << rounds);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_main(file, fds[1], seed + static_cast<unsigned>(rounds));
    }
    ::close(fds[1]);
    std::string partial;
    const auto kill_at =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kill_after_ms(rng));
    drain(fds[0], partial, acked, kill_at, false);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    drain(fds[0], partial, acked, std::chrono::steady_clock::now() + 10s, true);
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("child exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    REQUIRE(WIFSIGNALED(status));  // it was still writing, not failed
    REQUIRE(WTERMSIG(status) == SIGKILL);
    CHECK(partial.empty());  // pipe writes of one record are atomic

    if (!std::filesystem::exists(file)) continue;  // killed before creating it
    // Recovery: the store opens, the file is sound.
    CrossingStore store;
    const auto ec = store.open(file);
    INFO(store.last_error());
    REQUIRE_FALSE(ec);
    std::string integrity;
    REQUIRE_FALSE(store.integrity_check(integrity));
    REQUIRE(integrity == "ok");
    store.close();

    RawDb raw(file);
    REQUIRE(raw.ok());
    CHECK(raw.integer("SELECT count(*) FROM (SELECT 1 FROM crossings GROUP BY lane_id, sequence "
                      "HAVING count(*) > 1)") == 0);
    CHECK(raw.integer("SELECT count(*) FROM crossing_conflicts") == 0);
    std::set<std::pair<std::uint64_t, std::uint64_t>> stored;
    for (std::uint64_t l = 0; l < kLanes.size(); ++l) {
      const std::string lane = kLanes[l];
      const auto n = raw.integer("SELECT count(*) FROM crossings WHERE lane_id = '" + lane + "'");
      const auto max = raw.integer(
          "SELECT coalesce(max(sequence), 0) FROM crossings WHERE lane_id = '" + lane + "'");
      CHECK(n == max);  // 1..max, no gaps
      CHECK(raw.integer("SELECT coalesce(min(sequence), 1) FROM crossings WHERE lane_id = '" +
                        lane + "'") == 1);
      for (std::int64_t s = 1; s <= max; ++s) stored.emplace(l, static_cast<std::uint64_t>(s));
    }
    std::size_t lost = 0;
    for (const auto& a : acked) {
      if (!stored.count(a)) ++lost;
    }
    REQUIRE(lost == 0);
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  RawDb raw(file);
  const auto rows = raw.integer("SELECT count(*) FROM crossings");
  const auto extended = raw.integer("SELECT count(*) FROM crossings WHERE read_count = 40");
  WARN("crash test: " << rounds << " kills in " << elapsed.count() << " ms, " << acked.size()
                      << " acknowledged crossings, " << rows << " stored, " << extended
                      << " extended");
  CHECK(rounds >= 20);
  CHECK(acked.size() > 100);
  CHECK(extended > 0);
}
