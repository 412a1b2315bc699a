// The lane journal: queue order, ack by revision, resume of the sequence,
// dead letters, the size cap (full is loud, nothing is dropped), refusing
// foreign files, and a crash test that SIGKILLs a writing child process and
// checks that nothing it had been told was stored is missing.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cerrno>
#include <random>
#include <set>

#include "../store/StoreTestSupport.hpp"
#include "LaneErrc.hpp"
#include "LaneJournal.hpp"

using namespace garita;
using namespace garita::firmware;
using garita::store::test::make_crossing;
using garita::store::test::RawDb;
using garita::store::test::TempDir;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint64_t> pending_sequences(LaneJournal& j, const std::string& lane = "L1",
                                             std::size_t limit = 1000) {
  std::vector<JournalEntry> entries;
  REQUIRE_FALSE(j.pending(lane, limit, entries));
  std::vector<std::uint64_t> out;
  for (const auto& e : entries) out.push_back(e.crossing.sequence);
  return out;
}

}  // namespace

TEST_CASE("journal: the file is WAL, synchronous=FULL, secure_delete, marked as a journal") {
  TempDir dir;
  LaneJournal j;
  REQUIRE_FALSE(j.open(dir / "j.db"));
  REQUIRE_FALSE(j.store(make_crossing("L1", 1)));
  j.close();
  RawDb raw(dir / "j.db");
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
  CHECK(raw.integer("PRAGMA application_id") == kJournalApplicationId);
  CHECK(raw.integer("PRAGMA user_version") == kJournalSchemaVersion);
}

TEST_CASE("journal: a new journal (card numbers) is readable by its owner only") {
  TempDir dir;
  const mode_t old_umask = ::umask(0022);  // a permissive umask must not matter
  LaneJournal j;
  const auto ec = j.open(dir / "j.db");
  ::umask(old_umask);
  REQUIRE_FALSE(ec);
  REQUIRE_FALSE(j.store(make_crossing("L1", 1)));
  for (const char* name : {"j.db", "j.db-wal"}) {
    struct stat st {};
    REQUIRE(::stat((dir / name).c_str(), &st) == 0);
    INFO(name);
    CHECK((st.st_mode & 0777) == 0600);
  }
}

TEST_CASE("journal: pending crossings come back oldest first, whole and per lane") {
  TempDir dir;
  LaneJournal j;
  REQUIRE_FALSE(j.open(dir / "j.db"));
  for (std::uint64_t s = 1; s <= 5; ++s)
    REQUIRE_FALSE(j.store(make_crossing("L1", s, static_cast<std::uint32_t>(10 + s))));
  REQUIRE_FALSE(j.store(make_crossing("L2", 1, 99)));
  auto c = make_crossing("L1", 6, 7);
  c.pc.reset();
  c.tid.assign(std::vector<std::uint8_t>{0xE2, 0x80, 0x11, 0x05});
  c.tid_hex = "E2801105";
  c.document = DocumentType::other;
  c.direction = Direction::counter_flow;
  c.time_source = TimeSource::reader_uptime;
  c.issuer_rule = "rule";
  REQUIRE_FALSE(j.store(c));
  CHECK(pending_sequences(j) == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});
  CHECK(pending_sequences(j, "L1", 2) == std::vector<std::uint64_t>{1, 2});
  CHECK(pending_sequences(j, "L2") == std::vector<std::uint64_t>{1});
  std::vector<JournalEntry> entries;
  REQUIRE_FALSE(j.pending("L1", 10, entries));
  const Crossing& back = entries.back().crossing;
  CHECK(back.lane_id == "L1");
  CHECK(back.epc_hex == c.epc_hex);
  CHECK(back.epc.size() == 12);
  CHECK_FALSE(back.pc.has_value());
  CHECK(back.tid_hex == "E2801105");
  CHECK(back.tid.size() == 4);
  CHECK(back.document == DocumentType::other);
  CHECK(back.direction == Direction::counter_flow);
  CHECK(back.time_source == TimeSource::reader_uptime);
  CHECK(back.issuer_rule == "rule");
  CHECK(back.first_seen_utc_us == c.first_seen_utc_us);
  CHECK(back.clock_offset_us == c.clock_offset_us);
  CHECK(back.peak_rssi_cdbm == c.peak_rssi_cdbm);
  CHECK(back.source == "INM-RFID");
  CHECK(entries.front().crossing.pc == std::optional<std::uint16_t>(0x3000));
  std::uint64_t n = 0;
  REQUIRE_FALSE(j.backlog("L1", n));
  CHECK(n == 6);
}

TEST_CASE("journal: an extension replaces its row in place; acks delete only what was sent") {
  TempDir dir;
  LaneJournal j;
  REQUIRE_FALSE(j.open(dir / "j.db"));
  for (std::uint64_t s = 1; s <= 3; ++s)
    REQUIRE_FALSE(j.store(make_crossing("L1", s, static_cast<std::uint32_t>(s))));
  std::vector<JournalEntry> sent;
  REQUIRE_FALSE(j.pending("L1", 10, sent));
  REQUIRE(sent.size() == 3);
  CHECK(sent[1].revision == 0);
  // The pipeline extends crossing 2 while the batch is with garitad.
  auto ext = make_crossing("L1", 2, 2);
  ext.read_count = 40;
  REQUIRE_FALSE(j.store(ext));
  CHECK(pending_sequences(j) == std::vector<std::uint64_t>{1, 2, 3});  // same position
  std::vector<AckedCrossing> acked;
  for (const auto& e : sent) acked.push_back({e.crossing.sequence, e.revision});
  std::uint64_t deleted = 0;
  REQUIRE_FALSE(j.acknowledge("L1", acked, deleted));
  CHECK(deleted == 2);  // 1 and 3; the newer revision of 2 stays to be sent
  std::vector<JournalEntry> rest;
  REQUIRE_FALSE(j.pending("L1", 10, rest));
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].crossing.sequence == 2);
  CHECK(rest[0].crossing.read_count == 40);
  CHECK(rest[0].revision == 1);
  // An extension of a crossing garitad already has comes back as new work.
  auto again = make_crossing("L1", 1, 1);
  again.read_count = 77;
  REQUIRE_FALSE(j.store(again));
  CHECK(pending_sequences(j) == std::vector<std::uint64_t>{2, 1});
  // Acks of other lanes or unknown sequences delete nothing.
  const AckedCrossing other[] = {{2, 1}};
  REQUIRE_FALSE(j.acknowledge("L2", other, deleted));
  CHECK(deleted == 0);
}

TEST_CASE("journal: the lane's sequence resumes after everything was acked and reopened") {
  TempDir dir;
  {
    LaneJournal j;
    REQUIRE_FALSE(j.open(dir / "j.db"));
    std::uint64_t last = 99;
    REQUIRE_FALSE(j.last_sequence("L1", last));
    CHECK(last == 0);
    for (std::uint64_t s = 1; s <= 7; ++s)
      REQUIRE_FALSE(j.store(make_crossing("L1", s, static_cast<std::uint32_t>(s))));
    std::vector<JournalEntry> all;
    REQUIRE_FALSE(j.pending("L1", 100, all));
    std::vector<AckedCrossing> acked;
    for (const auto& e : all) acked.push_back({e.crossing.sequence, e.revision});
    std::uint64_t deleted = 0;
    REQUIRE_FALSE(j.acknowledge("L1", acked, deleted));
    CHECK(deleted == 7);
    // An extension of an old crossing does not move the sequence back.
    REQUIRE_FALSE(j.store(make_crossing("L1", 3, 3)));
  }
  LaneJournal j;
  REQUIRE_FALSE(j.open(dir / "j.db"));
  std::uint64_t last = 0;
  REQUIRE_FALSE(j.last_sequence("L1", last));
  CHECK(last == 7);
  RawDb raw(dir / "j.db");
  CHECK(raw.integer("SELECT count(*) FROM pending") == 1);
}

TEST_CASE("journal: rejected crossings move to dead letters with their reason") {
  TempDir dir;
  LaneJournal j;
  REQUIRE_FALSE(j.open(dir / "j.db"));
  for (std::uint64_t s = 1; s <= 3; ++s)
    REQUIRE_FALSE(j.store(make_crossing("L1", s, static_cast<std::uint32_t>(s))));
  REQUIRE_FALSE(j.dead_letter("L1", 2, "epc_hex does not match epc"));
  CHECK(pending_sequences(j) == std::vector<std::uint64_t>{1, 3});
  std::vector<DeadLetter> dead;
  REQUIRE_FALSE(j.dead_letters("L1", dead));
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].sequence == 2);
  CHECK(dead[0].reason == "epc_hex does not match epc");
  CHECK(dead[0].rejected_at_utc_us > 0);
  std::uint64_t n = 0;
  REQUIRE_FALSE(j.dead_letter_count(n));
  CHECK(n == 1);
  RawDb raw(dir / "j.db");
  CHECK(raw.integer("SELECT read_count FROM dead_letters WHERE sequence = 2") == 5);
}

TEST_CASE("journal: full is reported as such, nothing stored is lost, acks make room") {
  TempDir dir;
  LaneJournal j;
  JournalOptions o;
  o.max_size_bytes = 64 * 1024;  // 16 pages of 4 KiB
  REQUIRE_FALSE(j.open(dir / "j.db", o));
  std::uint64_t s = 0;
  std::error_code ec;
  while (!ec && s < 10000) {
    ++s;
    auto c = make_crossing("L1", s, static_cast<std::uint32_t>(s));
    c.epc_uri = std::string(600, 'u');  // fill pages quickly
    ec = j.store(c);
  }
  REQUIRE(ec == LaneErrc::journal_full);
  CHECK(j.full());
  CHECK(j.last_error().find("full") != std::string::npos);
  const std::uint64_t stored = s - 1;
  CHECK(stored > 10);
  // Everything stored before the cap is still there, in order.
  auto seqs = pending_sequences(j, "L1", 100000);
  REQUIRE(seqs.size() == stored);
  CHECK(seqs.front() == 1);
  CHECK(seqs.back() == stored);
  std::uint64_t last = 0;
  REQUIRE_FALSE(j.last_sequence("L1", last));
  CHECK(last == stored);  // the failed crossing left no trace
  // garitad acks half: the freed pages take the held crossing.
  std::vector<JournalEntry> batch;
  REQUIRE_FALSE(j.pending("L1", stored / 2, batch));
  std::vector<AckedCrossing> acked;
  for (const auto& e : batch) acked.push_back({e.crossing.sequence, e.revision});
  std::uint64_t deleted = 0;
  REQUIRE_FALSE(j.acknowledge("L1", acked, deleted));
  auto c = make_crossing("L1", s, static_cast<std::uint32_t>(s));
  c.epc_uri = std::string(600, 'u');
  REQUIRE_FALSE(j.store(c));
  CHECK_FALSE(j.full());
  CHECK(j.size_bytes() <= 64 * 1024);
}

TEST_CASE("journal: refuses a file that is not a journal") {
  TempDir dir;
  {
    RawDb raw(dir / "other.db", true);
    REQUIRE(raw.exec("CREATE TABLE t (x)") == 0);
  }
  LaneJournal j;
  CHECK(j.open(dir / "other.db") == LaneErrc::journal_foreign_file);
  CHECK(j.last_error().find("not a garita-lane journal") != std::string::npos);
  CHECK(j.open(dir / "no-such-dir" / "j.db") == LaneErrc::journal_open_failed);
  CHECK(j.last_error().find("no-such-dir") != std::string::npos);
  LaneJournal unopened;
  CHECK(unopened.store(make_crossing("L1", 1)) == LaneErrc::journal_not_open);
}

namespace {

// Child: stores crossings one after another and reports each sequence on
// the pipe only after store() returned; acknowledges older ones now and
// then (reporting them too), until it is killed.
struct Report {
  std::int64_t kind;  // 1 stored, 2 about to ack, 3 acked
  std::int64_t sequence;
};

void report(int fd, std::int64_t kind, std::uint64_t sequence) {
  const Report r{kind, static_cast<std::int64_t>(sequence)};
  if (::write(fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) ::_exit(13);
}

[[noreturn]] void crash_child(const std::filesystem::path& file, int fd, unsigned seed) {
  LaneJournal j;
  if (j.open(file)) ::_exit(10);
  std::uint64_t last = 0;
  if (j.last_sequence("L1", last)) ::_exit(11);
  std::mt19937 rng(seed);
  for (std::uint64_t s = last + 1;; ++s) {
    if (j.store(make_crossing("L1", s, static_cast<std::uint32_t>(s)))) ::_exit(12);
    report(fd, 1, s);
    if (rng() % 8 == 0) {
      std::vector<JournalEntry> batch;
      if (j.pending("L1", 3, batch)) ::_exit(14);
      std::vector<AckedCrossing> acked;
      for (const auto& e : batch) acked.push_back({e.crossing.sequence, e.revision});
      for (const auto& a : acked) report(fd, 2, a.sequence);
      std::uint64_t deleted = 0;
      if (j.acknowledge("L1", acked, deleted)) ::_exit(15);
      for (const auto& a : acked) report(fd, 3, a.sequence);
    }
  }
}

}  // namespace

TEST_CASE("journal crash: SIGKILL at any moment loses nothing committed") {
  TempDir dir;
  const auto file = dir / "crash.db";
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::set<std::uint64_t> stored;  // reported stored, no ack begun: must be present
  std::set<std::uint64_t> acked;
  std::uint64_t max_reported = 0;
  int rounds = 0;
  const auto started = std::chrono::steady_clock::now();
  for (; rounds < 25 && std::chrono::steady_clock::now() - started < 15s; ++rounds) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      crash_child(file, fds[1], seed + static_cast<unsigned>(rounds));
    }
    ::close(fds[1]);
    ::usleep(static_cast<useconds_t>(2000 + rng() % 150000));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("child exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    REQUIRE(WIFSIGNALED(status));
    Report r{};
    while (::read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r)) {
      const auto seq = static_cast<std::uint64_t>(r.sequence);
      if (r.kind == 1) {
        stored.insert(seq);
        max_reported = std::max(max_reported, seq);
      } else if (r.kind == 2) {
        stored.erase(seq);  // may or may not be gone: the kill can come first
      } else {
        acked.insert(seq);
      }
    }
    ::close(fds[0]);
    if (!std::filesystem::exists(file)) continue;
    LaneJournal j;
    REQUIRE_FALSE(j.open(file));
    std::vector<JournalEntry> entries;
    REQUIRE_FALSE(j.pending("L1", 1'000'000, entries));
    std::set<std::uint64_t> present;
    std::int64_t prev_id = 0;
    for (const auto& e : entries) {
      CHECK(present.insert(e.crossing.sequence).second);  // no duplicates
      CHECK(e.id > prev_id);
      prev_id = e.id;
    }
    std::size_t lost = 0;
    for (std::uint64_t s : stored) lost += present.count(s) == 0 ? 1u : 0u;
    REQUIRE(lost == 0);
    std::size_t resurrected = 0;
    for (std::uint64_t s : acked) resurrected += present.count(s);
    CHECK(resurrected == 0);
    std::uint64_t last = 0;
    REQUIRE_FALSE(j.last_sequence("L1", last));
    CHECK(last >= max_reported);  // numbering never goes back
  }
  WARN("journal crash test: " << rounds << " kills, " << max_reported << " crossings stored, "
                              << acked.size() << " acked");
  CHECK(rounds >= 10);
  CHECK(max_reported > 20);
}
