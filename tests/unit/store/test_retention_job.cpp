// garitad's daily retention job: run_once purges through the GroupCommitter's
// writer thread while crossings keep arriving (none is lost or delayed past
// one batch), writes the "retention.purge" audit row, and stop() returns
// promptly while the job waits for its time of day.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "StoreTestSupport.hpp"
#include "garita/daemon/RetentionJob.hpp"

using garita::store::test::make_crossing;
using garita::store::test::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kDay = 86'400'000'000;
constexpr std::int64_t kNow = 1'800'000'000'000'000;

garita::config::SiteConfig site_in(const TempDir& dir) {
  garita::config::SiteConfig site;
  site.port_code = "SYS";
  site.store.path = dir / "crossings.db";
  site.security.users_db = dir / "users.db";
  site.security.audit_db = dir / "audit.db";
  site.retention.batch_rows = 50;
  return site;
}

}  // namespace

TEST_CASE("retention job: purges on the writer thread while crossings keep coming") {
  TempDir dir;
  auto site = site_in(dir);
  garita::store::CrossingStore store;
  REQUIRE_FALSE(store.open(site.store.path));
  std::vector<garita::Crossing> old_ones;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    old_ones.push_back(make_crossing("P01", i + 1, 0x5000 + i, kNow - 45 * kDay + i));
  }
  REQUIRE_FALSE(store.write_batch(old_ones));
  garita::store::GroupCommitter committer;
  REQUIRE_FALSE(committer.start(std::move(store)));

  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> ok{0};
  std::atomic<std::uint64_t> failed{0};
  std::uint64_t submitted = 0;
  std::thread lane([&] {
    for (std::uint64_t seq = 1; !done.load(); ++seq) {
      auto c = make_crossing("P02", seq, 0x9000 + static_cast<std::uint32_t>(seq), kNow);
      if (!committer.submit(c, [&](std::error_code ec) { (ec ? failed : ok).fetch_add(1); })) {
        ++submitted;
      }
      std::this_thread::sleep_for(1ms);
    }
  });

  garita::daemon::RetentionJob job(site, committer);
  garita::store::PurgeReport report;
  std::string error;
  const auto ec = job.run_once(kNow, report, error);
  done = true;
  lane.join();
  INFO(error);
  REQUIRE_FALSE(ec);
  REQUIRE(report.classes.size() == 6);
  CHECK(report.classes[0].purged == 1000);
  CHECK(report.classes[0].batches == 20);
  CHECK(report.checkpointed);
  CHECK(report.disposal_checked);
  CHECK(report.disposal.remnants == 0);
  CHECK(report.classes.back().record_class == garita::store::RecordClass::audit);
  REQUIRE_FALSE(committer.flush(10s));
  CHECK(failed.load() == 0);
  CHECK(ok.load() == submitted);
  CHECK(garita::daemon::retention_summary(report).rfind("purged crossings=1000 raw_reads=0", 0) ==
        0);

  garita::security::AuditLog log;
  garita::security::AuditLogOptions o;
  o.read_only = true;
  o.create = false;
  REQUIRE_FALSE(log.open(site.security.audit_db, o));
  garita::security::AuditQuery q;
  q.action = "retention.purge";
  std::vector<garita::security::AuditRecord> rows;
  REQUIRE_FALSE(log.query(garita::security::Role::auditor, q, rows));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].user == "garitad");
  CHECK(rows[0].records == 1000);
  CHECK(rows[0].terms.find("\"remnants\":0") != std::string::npos);
  for (const auto& c : old_ones) CHECK(rows[0].terms.find(c.epc_hex) == std::string::npos);
  REQUIRE_FALSE(committer.stop());
}

TEST_CASE("retention job: stop() returns at once while waiting for its time") {
  TempDir dir;
  auto site = site_in(dir);
  garita::store::CrossingStore store;
  REQUIRE_FALSE(store.open(site.store.path));
  garita::store::GroupCommitter committer;
  REQUIRE_FALSE(committer.start(std::move(store)));
  garita::daemon::RetentionJob job(site, committer);
  job.start();
  std::this_thread::sleep_for(20ms);
  const auto t0 = std::chrono::steady_clock::now();
  job.stop();
  job.stop();  // idempotent
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  REQUIRE_FALSE(committer.stop());
}
