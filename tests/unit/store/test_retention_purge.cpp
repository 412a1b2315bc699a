// Retention purge of the crossing store (docs/operations.md "Retention"):
// purged records are gone from the FILES (database, -wal, -shm: searched
// byte by byte for each purged EPC as binary and as hex text), kept ones are
// still found through the API, a dry run changes nothing, a lane's numbering
// never goes back, and a purge killed half-way leaves a consistent store that
// the next run finishes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "StoreTestSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/store/RetentionPurge.hpp"

using garita::store::CrossingStore;
using garita::store::PurgeOptions;
using garita::store::PurgeReport;
using garita::store::RecordClass;
using garita::store::RetentionSchedule;
using garita::store::StoreOptions;
using garita::store::test::make_crossing;
using garita::store::test::RawDb;
using garita::store::test::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kDay = 86'400'000'000;
constexpr std::int64_t kNow = 1'800'000'000'000'000;

garita::store::StoreAccess direct(CrossingStore& store) {
  return
      [&store](const std::function<std::error_code(CrossingStore&)>& work) { return work(store); };
}

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// Every form the store could keep an EPC in, searched in the raw bytes of
// the database file and its -wal and -shm files. Returns the files hit.
std::vector<std::string> files_holding(const std::filesystem::path& db, const garita::Crossing& c) {
  const std::string binary(reinterpret_cast<const char*>(c.epc.view().data()), c.epc.view().size());
  std::vector<std::string> hits;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const auto path = std::filesystem::path(db.string() + suffix);
    const std::string bytes = file_bytes(path);
    if (bytes.find(binary) != std::string::npos || bytes.find(c.epc_hex) != std::string::npos ||
        bytes.find(lower(c.epc_hex)) != std::string::npos) {
      hits.push_back(path.filename().string());
    }
  }
  return hits;
}

garita::TagRead read_of(const garita::Crossing& c, std::int64_t t) {
  garita::TagRead r;
  r.reader_id = 1;
  r.antenna = 1;
  r.pc = 0x3000;
  r.epc.assign(c.epc.view());
  r.host_utc_us = t;
  r.host_mono_us = 1;
  r.seen_count = 1;
  return r;
}

StoreOptions capture_on() {
  StoreOptions o;
  o.raw_capture.enabled = true;
  o.raw_capture.retention = std::chrono::hours(24 * 365);
  return o;
}

}  // namespace

TEST_CASE("retention purge: purged EPCs are gone from the db, -wal and -shm bytes") {
  TempDir dir;
  const auto file = dir / "crossings.db";
  CrossingStore store;
  REQUIRE_FALSE(store.open(file, capture_on()));

  std::vector<garita::Crossing> old_ones;
  std::vector<garita::Crossing> kept;
  std::vector<garita::TagRead> reads;
  for (std::uint32_t i = 0; i < 120; ++i) {
    old_ones.push_back(
        make_crossing(i % 2 ? "P01" : "P02", 10 + i, 0x1000 + i, kNow - 90 * kDay + i * 1'000'000));
    reads.push_back(read_of(old_ones.back(), kNow - 90 * kDay));
  }
  for (std::uint32_t i = 0; i < 40; ++i) {
    kept.push_back(make_crossing("P02", 500 + i, 0x2000 + i, kNow - kDay + i * 1'000'000));
    reads.push_back(read_of(kept.back(), kNow - 600'000'000));
  }
  REQUIRE_FALSE(store.write_batch(old_ones));
  REQUIRE_FALSE(store.write_batch(kept));
  // An old conflict (P02#10 already holds card 0x1000) with its own EPC.
  garita::Crossing conflict = make_crossing("P02", 10, 0x3000, kNow - 60 * kDay);
  garita::store::WriteOutcome outcome{};
  REQUIRE_FALSE(store.write(conflict, &outcome));
  REQUIRE(outcome == garita::store::WriteOutcome::conflict);
  REQUIRE_FALSE(store.record_reads(reads, kNow - 600'000'000));
  // The test can fail: before the purge the EPCs are in the files.
  CHECK_FALSE(files_holding(file, old_ones.front()).empty());
  CHECK_FALSE(files_holding(file, conflict).empty());

  RetentionSchedule schedule;
  schedule.batch_rows = 25;  // several transactions
  schedule.raw_reads_hours = 1;
  PurgeReport report;
  std::string error;
  REQUIRE_FALSE(
      garita::store::run_retention_purge(direct(store), file, schedule, kNow, {}, report, error));
  INFO(error);
  REQUIRE(report.classes.size() == 5);  // audit is not in this store
  const auto& crossings = report.classes[0];
  CHECK(crossings.record_class == RecordClass::crossings);
  CHECK(crossings.purged == 120);
  CHECK(crossings.batches == 5);
  CHECK(crossings.kept == 40);
  CHECK(crossings.oldest_kept_us == kNow - kDay);
  CHECK(report.classes[1].record_class == RecordClass::raw_reads);
  CHECK(report.classes[1].purged == 120);
  CHECK(report.classes[1].kept == 40);
  CHECK(report.classes[2].purged == 1);                                 // the conflict
  CHECK(report.classes[3].record_class == RecordClass::entry_records);  // none stored here
  CHECK(report.classes[3].in_store);
  CHECK(report.classes[3].purged == 0);
  CHECK(report.classes[4].record_class == RecordClass::officer_records);
  CHECK(report.classes[4].in_store);
  CHECK(report.checkpointed);
  CHECK(report.disposal_checked);
  CHECK(report.disposal.epcs_checked == 121);
  CHECK(report.disposal.remnants == 0);

  // Searched here too, while the store is open and again after closing.
  for (const auto& c : old_ones) {
    INFO(c.epc_hex);
    CHECK(files_holding(file, c).empty());
  }
  CHECK(files_holding(file, conflict).empty());
  CHECK(std::filesystem::file_size(dir / "crossings.db-wal") == 0);

  for (const auto& c : kept) {
    garita::store::CrossingFilter f;
    f.epc_hex = c.epc_hex;
    garita::store::CrossingPage page;
    REQUIRE_FALSE(store.list_crossings(f, page));
    REQUIRE(page.rows.size() == 1);
    CHECK(page.rows[0].crossing.sequence == c.sequence);
    CHECK_FALSE(files_holding(file, c).empty());
  }
  // P01 has no crossing left, yet its numbering goes on after 129.
  std::optional<std::uint64_t> max;
  REQUIRE_FALSE(store.max_sequence("P01", max));
  CHECK(max == 129u);
  std::string ok;
  REQUIRE_FALSE(store.integrity_check(ok));
  CHECK(ok == "ok");
  store.close();
  for (const auto& c : old_ones) CHECK(files_holding(file, c).empty());

  // The check itself finds remnants when there are some: a copy purged with
  // secure_delete off keeps them.
  TempDir dir2;
  const auto leaky = dir2 / "leaky.db";
  {
    CrossingStore s2;
    REQUIRE_FALSE(s2.open(leaky));
    REQUIRE_FALSE(s2.write_batch(old_ones));
    REQUIRE_FALSE(s2.checkpoint());
  }
  {
    RawDb raw(leaky);
    REQUIRE(raw.exec("PRAGMA secure_delete=OFF; DELETE FROM crossings; "
                     "PRAGMA wal_checkpoint(TRUNCATE);") == SQLITE_OK);
  }
  std::vector<std::string> hexes;
  for (const auto& c : old_ones) hexes.push_back(c.epc_hex);
  garita::store::DisposalCheckResult check;
  REQUIRE_FALSE(garita::store::check_disposal(garita::store::database_files(leaky), hexes, 1000,
                                              check, error));
  CHECK(check.remnants > 0);
  CHECK(check.files_with_remnants == std::vector<std::string>{"leaky.db"});
}

TEST_CASE("retention purge: exported crossings go at max_age, others at max_unexported") {
  TempDir dir;
  const auto file = dir / "crossings.db";
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  std::vector<garita::Crossing> all;
  for (std::uint32_t i = 0; i < 10; ++i) {
    all.push_back(make_crossing("P01", i + 1, 0x100 + i, kNow - 40 * kDay));
  }
  all.push_back(make_crossing("P01", 20, 0x200, kNow - 5 * kDay));  // exit record came back
  all.push_back(make_crossing("P01", 21, 0x201, kNow - 5 * kDay));
  REQUIRE_FALSE(store.write_batch(all));
  {
    RawDb raw(file);
    REQUIRE(raw.exec("UPDATE crossings SET exported_at_us = 1 WHERE sequence <= 4") == SQLITE_OK);
    REQUIRE(raw.exec("UPDATE crossings SET exported_at_us = 1, exit_record_at_us = " +
                     std::to_string(kNow - 3 * kDay) + " WHERE sequence = 20") == SQLITE_OK);
  }
  RetentionSchedule schedule;
  schedule.crossings.max_age_days = 30;
  schedule.crossings.max_unexported_days = 45;
  schedule.crossings.after_exit_record_days = 2;
  PurgeOptions options;
  options.classes = {RecordClass::crossings};
  PurgeReport report;
  std::string error;
  REQUIRE_FALSE(garita::store::run_retention_purge(direct(store), file, schedule, kNow, options,
                                                   report, error));
  REQUIRE(report.classes.size() == 1);
  CHECK(report.classes[0].purged == 5);  // 4 exported at 40 days + 1 exit record
  CHECK(report.classes[0].kept == 7);
  std::optional<garita::store::StoredCrossing> row;
  REQUIRE_FALSE(store.find("P01", 4, row));
  CHECK_FALSE(row);
  REQUIRE_FALSE(store.find("P01", 5, row));  // 40 days, not exported: kept until 45
  CHECK(row);
  REQUIRE_FALSE(store.find("P01", 20, row));
  CHECK_FALSE(row);
  // At 46 days the unexported ones go too.
  REQUIRE_FALSE(garita::store::run_retention_purge(direct(store), file, schedule, kNow + 6 * kDay,
                                                   options, report, error));
  CHECK(report.classes[0].purged == 6);
  CHECK(report.classes[0].kept == 1);
}

namespace {

// Rows of the exchange tables (schema v4), written with plain SQL: this
// library's tests do not link the daemon's ExchangeStore.
void add_entry_record(RawDb& raw, int id, const std::string& epc_hex, std::int64_t entry_us) {
  REQUIRE(raw.exec("INSERT INTO entry_records (id, source, batch_id, matched_kind, epc_hex, "
                   "first_name, last_name, middle_name, birth_date, nationality, gender, "
                   "document_type, document_number, document_country, exit_port, entry_date, "
                   "entry_time, entry_utc_us, port, imported_at_us) VALUES (" +
                   std::to_string(id) +
                   ", 'CBP', '7c9e6679-7425-40de-944b-e07fc1f90ae7', 'crossing', '" + epc_hex +
                   "', 'John', 'Doe', '', '1970-01-01', 'USA', 'M', 'P', 'D" + std::to_string(id) +
                   "', 'USA', '2504', '2000-01-01', '00:00:00', " + std::to_string(entry_us) +
                   ", 'TIJ', 1)") == SQLITE_OK);
}

void add_officer_record(RawDb& raw, int id, std::int64_t entry_us) {
  REQUIRE(raw.exec("INSERT INTO officer_records (id, entered_at_us, entered_by, last_name, "
                   "first_name, middle_name, birth_date, nationality, gender, document_type, "
                   "document_number, document_country, port, entry_utc_us, "
                   "entry_utc_offset_min) VALUES (" +
                   std::to_string(id) +
                   ", 1, 'bob', 'Roe', 'Jane', '', '1980-01-01', 'MEX', 'F', 'P', 'OFF" +
                   std::to_string(id) + "', 'MEX', 'TIJ', " + std::to_string(entry_us) +
                   ", -480)") == SQLITE_OK);
}

}  // namespace

TEST_CASE("retention purge: entry and officer records go by entry time, disposal checked") {
  TempDir dir;
  const auto file = dir / "crossings.db";
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  constexpr std::int64_t kYear = 31'556'952'000'000;  // 365.2425 days
  // A crossing whose card also has a recent entry record, and one whose
  // card has an old entry record.
  const garita::Crossing old_crossing = make_crossing("P01", 1, 0x500, kNow - 60 * kDay);
  const garita::Crossing kept_crossing = make_crossing("P01", 2, 0x501, kNow - kDay);
  REQUIRE_FALSE(store.write(old_crossing));
  REQUIRE_FALSE(store.write(kept_crossing));
  const std::string old_epc = make_crossing("X", 0, 0x600).epc_hex;
  {
    RawDb raw(file);
    REQUIRE(raw.exec("INSERT INTO exchange_batches (batch_id, direction, period, created_at_utc, "
                     "recorded_at_us, sender_id, sender_certificate_sha256, "
                     "recipient_certificate_sha256, record_count, records_sha256, operator) "
                     "VALUES ('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'return', '2026-W47', 1, "
                     "1, 'CBP', '', '', 4, '', 'alice')") == SQLITE_OK);
    add_entry_record(raw, 1, old_epc, kNow - 36 * kYear);               // goes
    add_entry_record(raw, 2, "", kNow - 36 * kYear);                    // goes (officer match)
    add_entry_record(raw, 3, old_crossing.epc_hex, kNow - 34 * kYear);  // kept
    add_entry_record(raw, 4, kept_crossing.epc_hex, kNow - 35 * kYear - kDay);  // goes
    add_officer_record(raw, 1, kNow - 400 * kDay);                              // goes
    add_officer_record(raw, 2, kNow - 300 * kDay);                              // kept
  }
  // The test can fail: the old entry record's EPC is in the files now.
  const bool held = file_bytes(file).find(old_epc) != std::string::npos ||
                    file_bytes(dir / "crossings.db-wal").find(old_epc) != std::string::npos;
  CHECK(held);

  RetentionSchedule schedule;  // entry records 35 years, officer records 365 days
  garita::store::RetentionTally tally;
  REQUIRE_FALSE(store.retention_tally(
      garita::store::RetainedTable::entry_records,
      garita::store::store_cutoff(schedule, RecordClass::entry_records, kNow), tally));
  CHECK(tally.purgeable == 3);
  CHECK(tally.kept == 1);
  CHECK(tally.oldest_kept_us == kNow - 34 * kYear);
  REQUIRE_FALSE(store.retention_tally(
      garita::store::RetainedTable::officer_records,
      garita::store::store_cutoff(schedule, RecordClass::officer_records, kNow), tally));
  CHECK(tally.purgeable == 1);
  CHECK(tally.kept == 1);
  CHECK(tally.newest_kept_us == kNow - 300 * kDay);

  // Officer records carry no EPC: nothing to collect for the disposal check.
  std::uint64_t removed = 0;
  std::vector<std::string> epcs;
  REQUIRE_FALSE(store.purge_retained(
      garita::store::RetainedTable::officer_records,
      garita::store::store_cutoff(schedule, RecordClass::officer_records, kNow), 100, removed,
      &epcs));
  CHECK(removed == 1);
  CHECK(epcs.empty());

  PurgeOptions options;
  options.classes = {RecordClass::crossings, RecordClass::entry_records,
                     RecordClass::officer_records};
  PurgeReport report;
  std::string error;
  REQUIRE_FALSE(garita::store::run_retention_purge(direct(store), file, schedule, kNow, options,
                                                   report, error));
  INFO(error);
  REQUIRE(report.classes.size() == 3);
  CHECK(report.classes[0].purged == 1);  // the 60-day-old crossing
  CHECK(report.classes[1].record_class == RecordClass::entry_records);
  CHECK(report.classes[1].purged == 3);
  CHECK(report.classes[1].kept == 1);
  CHECK(report.classes[2].purged == 0);  // already purged above
  CHECK(report.classes[2].kept == 1);
  REQUIRE(report.disposal_checked);
  // Checked: the old entry record's EPC. Not checked: the purged crossing's
  // card (a kept entry record rightly holds it) and the purged entry
  // record's card that a kept crossing holds.
  CHECK(report.disposal.epcs_checked == 1);
  CHECK(report.disposal.remnants == 0);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string bytes = file_bytes(dir / ("crossings.db" + std::string(suffix)));
    CHECK(bytes.find(old_epc) == std::string::npos);
  }
  RawDb raw(file);
  CHECK(raw.integer("SELECT count(*) FROM entry_records") == 1);
  CHECK(raw.integer("SELECT id FROM entry_records") == 3);
  CHECK(raw.integer("SELECT id FROM officer_records") == 2);
}

TEST_CASE("retention purge: a dry run counts and changes nothing") {
  TempDir dir;
  const auto file = dir / "crossings.db";
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  std::vector<garita::Crossing> all;
  for (std::uint32_t i = 0; i < 30; ++i) {
    all.push_back(make_crossing("P01", i + 1, i, kNow - (i < 20 ? 50 : 3) * kDay + i));
  }
  REQUIRE_FALSE(store.write_batch(all));
  REQUIRE_FALSE(store.checkpoint());
  const std::string db_before = file_bytes(file);
  const std::string wal_before = file_bytes(dir / "crossings.db-wal");
  PurgeOptions options;
  options.dry_run = true;
  PurgeReport report;
  std::string error;
  REQUIRE_FALSE(garita::store::run_retention_purge(direct(store), file, RetentionSchedule{}, kNow,
                                                   options, report, error));
  CHECK(report.dry_run);
  CHECK(report.classes[0].purgeable == 20);
  CHECK(report.classes[0].purged == 0);
  CHECK(report.classes[0].kept == 10);
  CHECK(report.classes[0].oldest_kept_us == kNow - 3 * kDay + 20);
  CHECK(report.classes[0].newest_kept_us == kNow - 3 * kDay + 29);
  CHECK_FALSE(report.checkpointed);
  CHECK(file_bytes(file) == db_before);
  CHECK(file_bytes(dir / "crossings.db-wal") == wal_before);
  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.crossings == 30);
}

TEST_CASE("retention purge: killed mid-purge leaves a consistent store, the rerun finishes") {
  TempDir dir;
  const auto file = dir / "crossings.db";
  constexpr std::uint32_t kOld = 3000;
  {
    CrossingStore store;
    REQUIRE_FALSE(store.open(file));
    std::vector<garita::Crossing> batch;
    for (std::uint32_t i = 0; i < kOld; ++i) {
      // Distinct first_seen: batch k deletes exactly the k*20 oldest.
      batch.push_back(make_crossing("P01", i + 1, 0x10000 + i, kNow - 60 * kDay + i));
    }
    for (std::uint32_t i = 0; i < 50; ++i) {
      batch.push_back(make_crossing("P02", i + 1, 0x20000 + i, kNow - kDay));
    }
    REQUIRE_FALSE(store.write_batch(batch));
  }
  RetentionSchedule schedule;
  schedule.batch_rows = 20;
  bool killed_mid_purge = false;  // else the test proves nothing
  for (int round = 0; round < 3; ++round) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      CrossingStore store;
      if (store.open(file)) ::_exit(3);
      PurgeOptions options;
      options.pause_between_batches = 1ms;
      PurgeReport report;
      std::string error;
      garita::store::run_retention_purge(direct(store), file, schedule, kNow, options, report,
                                         error);
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 40 * round));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);

    RawDb raw(file);
    REQUIRE(raw.ok());
    CHECK(raw.text("PRAGMA integrity_check") == "ok");
    const auto left = raw.integer("SELECT count(*) FROM crossings WHERE lane_id = 'P01'");
    // Whole batches only, and always the oldest first.
    CHECK((kOld - left) % 20 == 0);
    if (left > 0 && left < kOld) killed_mid_purge = true;
    if (left > 0) {
      CHECK(raw.integer("SELECT min(sequence) FROM crossings WHERE lane_id = 'P01'") ==
            kOld - left + 1);
    }
    CHECK(raw.integer("SELECT count(*) FROM crossings WHERE lane_id = 'P02'") == 50);
    if (left < kOld) {
      CHECK(raw.integer("SELECT max_sequence FROM lane_sequence_floor WHERE lane_id = 'P01'") ==
            kOld - left);
    }
  }
  CHECK(killed_mid_purge);
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  PurgeReport report;
  std::string error;
  REQUIRE_FALSE(
      garita::store::run_retention_purge(direct(store), file, schedule, kNow, {}, report, error));
  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.crossings == 50);
  CHECK(report.disposal.remnants == 0);
  std::optional<std::uint64_t> max;
  REQUIRE_FALSE(store.max_sequence("P01", max));
  CHECK(max == kOld);
  // Idempotent: nothing more to do.
  REQUIRE_FALSE(
      garita::store::run_retention_purge(direct(store), file, schedule, kNow, {}, report, error));
  CHECK(report.purged_total() == 0);
}
