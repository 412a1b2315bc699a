// `garita purge` (docs/operations.md "Retention"): the real binary on a real
// config and database. A dry run changes no byte of the database and is
// audited; a real run deletes what is past its schedule, the purged EPCs are
// gone from the files' raw bytes, kept ones are still there, and the audit
// row carries the counts; bad input exits 2 with one line; a purge while
// another process keeps writing crossings loses none of them.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "../unit/store/StoreTestSupport.hpp"
#include "AuditRows.hpp"
#include "ProcessRunner.hpp"
#include "SelfSignedKey.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/store/GroupCommitter.hpp"
#include "garita/daemon/security/AuditLog.hpp"

namespace {

constexpr std::int64_t kDay = 86'400'000'000;
constexpr std::int64_t kNow = 1'800'000'000'000'000;  // 2027-01-15T08:00:00Z
constexpr const char* kNowText = "2027-01-15T08:00:00Z";

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/garita-purge-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

void write_key_and_cert(const std::filesystem::path& key_file,
                        const std::filesystem::path& cert_file) {
  garita::test::write_self_signed_key(key_file, cert_file);
}

garita::Crossing crossing(std::string_view lane, std::uint64_t seq, std::uint32_t card,
                          std::int64_t t) {
  return garita::store::test::make_crossing(lane, seq, card, t);
}

std::string bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool files_hold(const std::filesystem::path& db, const garita::Crossing& c) {
  const std::string binary(reinterpret_cast<const char*>(c.epc.view().data()), c.epc.view().size());
  std::string lower = c.epc_hex;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string b = bytes_of(db.string() + suffix);
    if (b.find(binary) != std::string::npos || b.find(c.epc_hex) != std::string::npos ||
        b.find(lower) != std::string::npos) {
      return true;
    }
  }
  return false;
}

struct Site {
  TempDir dir;
  std::filesystem::path config = dir.path / "garitad.toml";
  std::filesystem::path db = dir.path / "crossings.db";
  std::vector<garita::Crossing> old_ones;
  std::vector<garita::Crossing> kept;

  explicit Site(const std::string& retention = "[retention]\ncrossings_max_age_days = 30\n") {
    write_key_and_cert(dir.path / "audit.key", dir.path / "audit.crt");
    std::ofstream(config) << "[site]\nport_code = \"SYS\"\ntime_zone = \"UTC\"\n"
                             "[database]\npath = \"crossings.db\"\n"
                             "[[reader]]\nid = \"r1\"\nuri = \"llrp://127.0.0.1\"\n"
                             "[[lane]]\nid = \"P01\"\n[[lane.antenna]]\nreader = \"r1\"\n"
                             "antenna = 1\n"
                             "[security]\nsigning_key = \"audit.key\"\n"
                             "signing_cert = \"audit.crt\"\naudit_sign_every_rows = 1\n"
                          << retention;
    for (std::uint32_t i = 0; i < 60; ++i) {
      old_ones.push_back(crossing("P01", i + 1, 0xA000 + i, kNow - 40 * kDay + i));
    }
    for (std::uint32_t i = 0; i < 20; ++i) {
      kept.push_back(crossing("P01", 100 + i, 0xB000 + i, kNow - 2 * kDay + i));
    }
    garita::store::CrossingStore store;
    REQUIRE_FALSE(store.open(db));
    REQUIRE_FALSE(store.write_batch(old_ones));
    REQUIRE_FALSE(store.write_batch(kept));
  }

  garita::test::ProcessResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {GARITA_CLI, "purge", "--config", config.string()});
    auto r = garita::test::run_process(args, std::chrono::seconds(60));
    REQUIRE_FALSE(r.timed_out);
    return r;
  }

  std::vector<garita::security::AuditRecord> audit_rows(const std::string& action) const {
    return garita::test::audit_rows(dir.path / "audit.db", action);
  }
};

}  // namespace

TEST_CASE("garita purge --dry-run counts, changes no byte and is audited") {
  Site site;
  REQUIRE_FALSE(std::filesystem::exists(site.db.string() + "-wal"));  // closed cleanly
  const std::string before = bytes_of(site.db);
  auto r = site.run({"--dry-run", "--now", kNowText});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("dry run at 2027-01-15T08:00:00Z (nothing changed)") != std::string::npos);
  CHECK(r.out.find("would purge") != std::string::npos);
  // crossings: 60 would go, 20 kept, the oldest kept two days old.
  CHECK(r.out.find("60         20  2027-01-13T08:00:00Z") != std::string::npos);
  CHECK(bytes_of(site.db) == before);
  const auto rows = site.audit_rows("retention.purge");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].terms.find("\"dry_run\":true") != std::string::npos);
  CHECK(rows[0].terms.find("\"would_purge\":60") != std::string::npos);
  CHECK(rows[0].records == 0);
  for (const auto& c : site.old_ones) CHECK(rows[0].terms.find(c.epc_hex) == std::string::npos);
}

TEST_CASE("garita purge deletes past the schedule and the EPCs leave the files") {
  Site site;
  for (const auto& c : site.old_ones) REQUIRE(files_hold(site.db, c));  // the test can fail
  auto r = site.run({"--now", kNowText});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("WAL checkpointed and truncated; disposal check: 0 of 60 purged EPC(s) still "
                   "in the files") != std::string::npos);
  for (const auto& c : site.old_ones) {
    INFO(c.epc_hex);
    CHECK_FALSE(files_hold(site.db, c));
  }
  garita::store::CrossingStore store;
  REQUIRE_FALSE(store.open(site.db));
  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.crossings == 20);
  for (const auto& c : site.kept) {
    std::optional<garita::store::StoredCrossing> row;
    REQUIRE_FALSE(store.find("P01", c.sequence, row));
    REQUIRE(row);
    CHECK(row->crossing.epc_hex == c.epc_hex);
  }
  std::optional<std::uint64_t> max;
  REQUIRE_FALSE(store.max_sequence("P01", max));
  CHECK(max == 119u);
  store.close();

  const auto rows = site.audit_rows("retention.purge");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].records == 60);
  CHECK(rows[0].terms.find("\"purged\":60") != std::string::npos);
  CHECK(rows[0].terms.find("\"remnants\":0") != std::string::npos);
  // The audit chain is intact after the audit class's own purge ran.
  auto verify = garita::test::run_process(
      {GARITA_CLI, "audit", "verify", "--config", site.config.string()}, std::chrono::seconds(30));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);

  // Idempotent: a second run finds nothing.
  r = site.run({"--now", kNowText, "--class", "crossings"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("nothing purged") != std::string::npos);
}

TEST_CASE("garita purge: usage and config errors exit 2 with one line") {
  Site site;
  auto r = site.run({"--class", "crossing"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown record class \"crossing\"") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  r = site.run({"--now", "yesterday-ish"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("garita: --now: ", 0) == 0);

  Site bad("[retention]\ncrossings_max_age_days = 30\ncrossings_max_unexported_days = 7\n");
  r = bad.run({"--dry-run"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("retention.crossings_max_unexported_days: 7 is below crossings_max_age_days "
                   "30") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("garita purge while another process keeps writing loses no crossing") {
  Site site;
  garita::store::CrossingStore store;
  REQUIRE_FALSE(store.open(site.db));
  garita::store::GroupCommitter committer;
  REQUIRE_FALSE(committer.start(std::move(store)));
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> ok{0};
  std::atomic<std::uint64_t> failed{0};
  std::uint64_t submitted = 0;
  std::thread writer([&] {
    for (std::uint64_t seq = 1000; !done.load(); ++seq) {
      auto c = crossing("P02", seq, 0xC0000 + static_cast<std::uint32_t>(seq), kNow);
      if (!committer.submit(c, [&](std::error_code ec) { (ec ? failed : ok).fetch_add(1); })) {
        ++submitted;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  auto r = site.run({"--now", kNowText, "--class", "crossings"});
  done = true;
  writer.join();
  REQUIRE_FALSE(committer.flush(std::chrono::seconds(30)));
  REQUIRE_FALSE(committer.stop());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(failed.load() == 0);
  CHECK(ok.load() == submitted);
  CHECK(submitted > 0);
  garita::store::CrossingStore check;
  REQUIRE_FALSE(check.open(site.db));
  garita::store::CrossingFilter f;
  f.lane_id = "P02";
  std::uint64_t n = 0;
  REQUIRE_FALSE(check.count_crossings(f, n));
  CHECK(n == submitted);
  f.lane_id = "P01";
  REQUIRE_FALSE(check.count_crossings(f, n));
  CHECK(n == 20);
}
