// CrossingStore: schema and PRAGMAs, migrations, upsert semantics, per-lane
// sequences, listing with filters and paging, raw-read capture.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "StoreTestSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/store/CrossingStore.hpp"

using garita::Crossing;
using garita::Direction;
using garita::DocumentType;
using garita::store::CrossingFilter;
using garita::store::CrossingPage;
using garita::store::CrossingStore;
using garita::store::Errc;
using garita::store::ListOrder;
using garita::store::StoreOptions;
using garita::store::WriteOutcome;
using garita::store::test::make_crossing;
using garita::store::test::RawDb;
using garita::store::test::TempDir;

namespace {

std::string pragma(CrossingStore& s, std::string_view name) {
  std::string v;
  REQUIRE_FALSE(s.pragma(name, v));
  return v;
}

}  // namespace

TEST_CASE("store: a new file gets the schema and every PRAGMA takes effect") {
  TempDir dir;
  const auto file = dir / "crossings.db";
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  REQUIRE(store.is_open());
  CHECK(store.schema_version() == garita::store::kSchemaVersion);

  // Read back on the store's own connection (per-connection settings).
  CHECK(pragma(store, "journal_mode") == "wal");
  CHECK(pragma(store, "synchronous") == "2");  // FULL
  CHECK(pragma(store, "secure_delete") == "1");
  CHECK(pragma(store, "foreign_keys") == "1");
  CHECK(pragma(store, "busy_timeout") == "5000");
  CHECK(pragma(store, "user_version") == std::to_string(garita::store::kSchemaVersion));
  std::string bad;
  CHECK(store.pragma("journal_mode; DROP TABLE crossings", bad) == Errc::invalid_argument);

  // Crossings are not world-readable.
  const auto perms = std::filesystem::status(file).permissions();
  CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
  CHECK((perms & std::filesystem::perms::owner_write) != std::filesystem::perms::none);

  // And as another process sees the file.
  RawDb raw(file);
  REQUIRE(raw.ok());
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
  CHECK(raw.integer("PRAGMA application_id") == garita::store::kApplicationId);
  CHECK(raw.integer("PRAGMA user_version") == garita::store::kSchemaVersion);
  for (const char* table : {"crossings", "crossing_conflicts", "tag_reads"}) {
    INFO(table);
    CHECK(raw.integer(
              std::string("SELECT count(*) FROM sqlite_schema WHERE type='table' AND name='") +
              table + "'") == 1);
  }
  for (const char* index :
       {"crossings_by_time", "crossings_by_lane_time", "crossings_by_epc", "tag_reads_by_time"}) {
    INFO(index);
    CHECK(raw.integer(
              std::string("SELECT count(*) FROM sqlite_schema WHERE type='index' AND name='") +
              index + "'") == 1);
  }
  // Every field of Crossing has a column.
  for (const char* column : {"lane_id",
                             "sequence",
                             "port_code",
                             "epc",
                             "epc_hex",
                             "pc",
                             "epc_uri",
                             "epc_scheme",
                             "tid",
                             "tid_hex",
                             "tid_maker",
                             "tid_model",
                             "tid_serial",
                             "document",
                             "issuer_rule",
                             "first_seen_utc_us",
                             "last_seen_utc_us",
                             "time_source",
                             "clock_offset_us",
                             "host_clock_synchronized",
                             "read_count",
                             "peak_rssi_cdbm",
                             "antenna_mask",
                             "direction",
                             "source",
                             "created_at_us",
                             "updated_at_us"}) {
    INFO(column);
    CHECK(raw.integer(
              std::string("SELECT count(*) FROM pragma_table_info('crossings') WHERE name='") +
              column + "'") == 1);
  }

  // Reopening an up-to-date file changes nothing.
  store.close();
  REQUIRE_FALSE(store.open(file));
  CHECK(store.schema_version() == garita::store::kSchemaVersion);
}

TEST_CASE("store: a crossing round-trips with every field") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  Crossing c = make_crossing("P07", 42, 77);
  const std::uint8_t tid[] = {0xE2, 0x80, 0x11, 0x30, 0x20, 0x00, 0x12, 0x34};
  c.tid.assign(tid);
  c.tid_hex = garita::to_hex(c.tid.view());
  c.tid_maker = "Impinj";
  c.tid_model = "Monza R6";
  c.tid_serial = "1234";
  c.document = DocumentType::passport_card;
  c.issuer_rule = "us-passport-card";
  c.direction = Direction::counter_flow;
  c.time_source = garita::TimeSource::reader_uptime;
  c.antenna_mask = 0x80000003u;
  c.read_count = 4'000'000'000u;
  c.peak_rssi_cdbm = -32768;
  c.pc.reset();

  WriteOutcome outcome{};
  REQUIRE_FALSE(store.write(c, &outcome));
  CHECK(outcome == WriteOutcome::inserted);

  std::optional<garita::store::StoredCrossing> got;
  REQUIRE_FALSE(store.find("P07", 42, got));
  REQUIRE(got);
  const Crossing& r = got->crossing;
  CHECK(r.lane_id == c.lane_id);
  CHECK(r.sequence == c.sequence);
  CHECK(r.port_code == c.port_code);
  CHECK(r.epc == c.epc);
  CHECK(r.epc_hex == c.epc_hex);
  CHECK_FALSE(r.pc.has_value());
  CHECK(r.epc_uri == c.epc_uri);
  CHECK(r.epc_scheme == c.epc_scheme);
  CHECK(r.tid == c.tid);
  CHECK(r.tid_hex == c.tid_hex);
  CHECK(r.tid_maker == c.tid_maker);
  CHECK(r.tid_model == c.tid_model);
  CHECK(r.tid_serial == c.tid_serial);
  CHECK(r.document == c.document);
  CHECK(r.issuer_rule == c.issuer_rule);
  CHECK(r.first_seen_utc_us == c.first_seen_utc_us);
  CHECK(r.last_seen_utc_us == c.last_seen_utc_us);
  CHECK(r.time_source == c.time_source);
  CHECK(r.clock_offset_us == c.clock_offset_us);
  CHECK(r.host_clock_synchronized == c.host_clock_synchronized);
  CHECK(r.read_count == c.read_count);
  CHECK(r.peak_rssi_cdbm == c.peak_rssi_cdbm);
  CHECK(r.antenna_mask == c.antenna_mask);
  CHECK(r.direction == c.direction);
  CHECK(r.source == "INM-RFID");
  CHECK(got->created_at_us > 0);
  CHECK(got->updated_at_us == got->created_at_us);

  REQUIRE_FALSE(store.find("P07", 43, got));
  CHECK_FALSE(got);
}

TEST_CASE("store: repeated insert is harmless and an extension upserts idempotently") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  const Crossing first = make_crossing("P01", 1, 9);
  WriteOutcome o{};
  REQUIRE_FALSE(store.write(first, &o));
  CHECK(o == WriteOutcome::inserted);
  REQUIRE_FALSE(store.write(first, &o));
  CHECK(o == WriteOutcome::unchanged);

  std::optional<garita::store::StoredCrossing> row;
  REQUIRE_FALSE(store.find("P01", 1, row));
  const auto updated_before = row->updated_at_us;

  // The session re-opened within the rearm window: same (lane, sequence).
  Crossing ext = first;
  ext.last_seen_utc_us = first.last_seen_utc_us + 2'000'000;
  ext.read_count = 12;
  ext.peak_rssi_cdbm = -4100;
  ext.antenna_mask = 0x2;  // only antenna 2 this time: bits are OR-ed
  ext.direction = Direction::with_flow;
  const std::uint8_t tid[] = {0xE2, 0x80, 0x11, 0x30};
  ext.tid.assign(tid);
  ext.tid_hex = garita::to_hex(ext.tid.view());
  ext.document = DocumentType::bcc;
  ext.issuer_rule = "bcc-rule";
  REQUIRE_FALSE(store.write(ext, &o));
  CHECK(o == WriteOutcome::extended);
  REQUIRE_FALSE(store.write(ext, &o));
  CHECK(o == WriteOutcome::unchanged);  // idempotent

  // A stale event (smaller values) arriving late never shrinks the row.
  Crossing stale = first;
  stale.read_count = 1;
  stale.peak_rssi_cdbm = -7000;
  stale.document = DocumentType::sentri;  // a filled field is never overwritten
  stale.direction = Direction::counter_flow;
  REQUIRE_FALSE(store.write(stale, &o));
  CHECK(o == WriteOutcome::unchanged);

  REQUIRE_FALSE(store.find("P01", 1, row));
  REQUIRE(row);
  const Crossing& r = row->crossing;
  CHECK(r.first_seen_utc_us == first.first_seen_utc_us);
  CHECK(r.last_seen_utc_us == ext.last_seen_utc_us);
  CHECK(r.read_count == 12);
  CHECK(r.peak_rssi_cdbm == -4100);
  CHECK(r.antenna_mask == 0x3u);
  CHECK(r.direction == Direction::with_flow);
  CHECK(r.tid == ext.tid);
  CHECK(r.document == DocumentType::bcc);
  CHECK(r.issuer_rule == "bcc-rule");
  CHECK(row->updated_at_us >= updated_before);

  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.crossings == 1);
  CHECK(counts.conflicts == 0);
}

TEST_CASE("store: another card under a used lane sequence is kept apart and never merged") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  const Crossing original = make_crossing("P02", 5, 100);
  REQUIRE_FALSE(store.write(original));
  Crossing other = make_crossing("P02", 5, 200);
  other.read_count = 99;
  WriteOutcome o{};
  REQUIRE_FALSE(store.write(other, &o));
  CHECK(o == WriteOutcome::conflict);
  CHECK(store.last_error().find("crossing_conflicts") != std::string::npos);
  REQUIRE_FALSE(store.write(other, &o));  // repeating it is harmless too
  CHECK(o == WriteOutcome::conflict);

  std::optional<garita::store::StoredCrossing> row;
  REQUIRE_FALSE(store.find("P02", 5, row));
  REQUIRE(row);
  CHECK(row->crossing.epc == original.epc);
  CHECK(row->crossing.read_count == original.read_count);

  std::vector<garita::store::StoredCrossing> conflicts;
  REQUIRE_FALSE(store.list_conflicts(10, conflicts));
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0].crossing.epc == other.epc);
  CHECK(conflicts[0].crossing.read_count == 99);
}

TEST_CASE("store: invalid crossings are rejected and damage nothing") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  REQUIRE_FALSE(store.write(make_crossing("P01", 1)));

  std::vector<Crossing> bad;
  {
    Crossing c = make_crossing("", 2);
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing(std::string(65, 'L'), 2);
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P\n1", 2);
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 0x8000'0000'0000'0000ull);
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 2);
    c.epc_hex = "E2";  // does not match the bytes
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 2);
    c.epc.clear();
    c.epc_hex.clear();
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 2);
    c.last_seen_utc_us = c.first_seen_utc_us - 1;
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 2);
    c.direction = static_cast<Direction>(9);
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 2);
    c.document = static_cast<DocumentType>(200);
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 2);
    c.epc_uri = std::string(5000, 'x');
    bad.push_back(c);
  }
  {
    Crossing c = make_crossing("P01", 2);
    c.issuer_rule = std::string("a\0b", 3);
    bad.push_back(c);
  }
  for (std::size_t i = 0; i < bad.size(); ++i) {
    INFO("case " << i);
    std::string why;
    CHECK(garita::store::validate_crossing(bad[i], why) == Errc::invalid_crossing);
    CHECK_FALSE(why.empty());
    WriteOutcome o{};
    CHECK(store.write(bad[i], &o) == Errc::invalid_crossing);
    CHECK(o == WriteOutcome::rejected);
    CHECK_FALSE(store.last_error().empty());
  }

  // In a batch, a bad row is rejected and the good ones are committed.
  std::vector<Crossing> batch{make_crossing("P01", 3), bad[4], make_crossing("P01", 4)};
  std::vector<WriteOutcome> outcomes;
  REQUIRE_FALSE(store.write_batch(batch, &outcomes));
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0] == WriteOutcome::inserted);
  CHECK(outcomes[1] == WriteOutcome::rejected);
  CHECK(outcomes[2] == WriteOutcome::inserted);

  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.crossings == 3);
  std::string integrity;
  REQUIRE_FALSE(store.integrity_check(integrity));
  CHECK(integrity == "ok");
}

TEST_CASE("store: per-lane max sequence for resuming numbering") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  std::optional<std::uint64_t> max;
  REQUIRE_FALSE(store.max_sequence("P01", max));
  CHECK_FALSE(max);

  for (std::uint64_t s : {1u, 2u, 3u, 10u}) REQUIRE_FALSE(store.write(make_crossing("P01", s)));
  for (std::uint64_t s : {0u, 7u}) REQUIRE_FALSE(store.write(make_crossing("P02", s)));
  REQUIRE_FALSE(store.write(make_crossing("P03", 0)));
  // A conflict with a higher sequence only exists in crossing_conflicts... it
  // cannot: a conflict needs the (lane, sequence) to exist. Use P02#7.
  REQUIRE_FALSE(store.write(make_crossing("P02", 7, 555)));

  REQUIRE_FALSE(store.max_sequence("P01", max));
  CHECK(max == 10u);
  REQUIRE_FALSE(store.max_sequence("P02", max));
  CHECK(max == 7u);
  REQUIRE_FALSE(store.max_sequence("P03", max));
  CHECK(max == 0u);  // present, and zero: not the same as none
  REQUIRE_FALSE(store.max_sequence("P04", max));
  CHECK_FALSE(max);

  std::vector<garita::store::LaneSequence> lanes;
  REQUIRE_FALSE(store.lane_sequences(lanes));
  REQUIRE(lanes.size() == 3);
  CHECK(lanes[0].lane_id == "P01");
  CHECK(lanes[0].max_sequence == 10);
  CHECK(lanes[1].lane_id == "P02");
  CHECK(lanes[1].max_sequence == 7);
  CHECK(lanes[2].lane_id == "P03");
  CHECK(lanes[2].max_sequence == 0);
}

TEST_CASE("store: list filters and cursor paging") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  const std::int64_t t0 = 1'700'000'000'000'000;
  std::vector<Crossing> all;
  for (std::uint64_t i = 0; i < 240; ++i) {
    const char* lane = i % 3 == 0 ? "P01" : i % 3 == 1 ? "P02" : "P03";
    // Several crossings share a first_seen: paging must still be exact.
    Crossing c = make_crossing(lane, i + 1, static_cast<std::uint32_t>(i % 10),
                               t0 + static_cast<std::int64_t>(i / 4) * 1'000'000);
    c.document = i % 5 == 0 ? DocumentType::bcc : DocumentType::unknown;
    all.push_back(c);
  }
  REQUIRE_FALSE(store.write_batch(all));

  auto collect = [&](CrossingFilter f) {
    std::vector<std::uint64_t> seqs;
    std::set<std::int64_t> ids;
    for (int pages = 0; pages < 1000; ++pages) {
      CrossingPage page;
      REQUIRE_FALSE(store.list_crossings(f, page));
      REQUIRE(page.rows.size() <= f.limit);
      for (const auto& r : page.rows) {
        seqs.push_back(r.crossing.sequence);
        REQUIRE(ids.insert(r.id).second);  // no row twice
      }
      if (!page.next) break;
      REQUIRE(page.rows.size() == f.limit);
      f.after = page.next;
    }
    return seqs;
  };
  auto count = [&](const CrossingFilter& f) {
    std::uint64_t n = 0;
    REQUIRE_FALSE(store.count_crossings(f, n));
    return n;
  };

  CrossingFilter f;
  f.limit = 7;
  auto seqs = collect(f);
  REQUIRE(seqs.size() == 240);
  CHECK(std::is_sorted(seqs.begin(), seqs.end()));
  CHECK(count(f) == 240);

  f.order = ListOrder::newest_first;
  seqs = collect(f);
  REQUIRE(seqs.size() == 240);
  CHECK(std::is_sorted(seqs.rbegin(), seqs.rend()));

  CrossingFilter lane;
  lane.lane_id = "P02";
  lane.limit = 11;
  seqs = collect(lane);
  CHECK(seqs.size() == 80);
  CHECK(std::all_of(seqs.begin(), seqs.end(), [](std::uint64_t s) { return (s - 1) % 3 == 1; }));
  CHECK(count(lane) == 80);

  CrossingFilter window;  // first_seen in [t0+10s, t0+20s): i/4 in 10..19 → 40 rows
  window.since_utc_us = t0 + 10'000'000;
  window.until_utc_us = t0 + 20'000'000;
  window.limit = 1000;
  seqs = collect(window);
  CHECK(seqs.size() == 40);
  CHECK(seqs.front() == 41);
  CHECK(seqs.back() == 80);

  CrossingFilter epc;
  epc.epc_hex = "e2:00:34:11:b8:02:01:16:00:00:00:03";  // as a technician pastes it
  epc.limit = 5;
  seqs = collect(epc);
  CHECK(seqs.size() == 24);
  CHECK(std::all_of(seqs.begin(), seqs.end(), [](std::uint64_t s) { return (s - 1) % 10 == 3; }));

  CrossingFilter doc;
  doc.document = DocumentType::bcc;
  doc.lane_id = "P01";
  doc.limit = 100;
  seqs = collect(doc);
  CHECK(seqs.size() == 16);  // i % 15 == 0
  CHECK(count(doc) == 16);

  CrossingFilter bad;
  bad.limit = 0;
  CrossingPage page;
  CHECK(store.list_crossings(bad, page) == Errc::invalid_argument);
  bad.limit = 10;
  bad.epc_hex = "not hex";
  CHECK(store.list_crossings(bad, page) == Errc::invalid_argument);
  CHECK(store.last_error().find("not hex") != std::string::npos);
}

TEST_CASE("store: a v1 file is migrated and keeps its rows") {
  TempDir dir;
  const auto file = dir / "v1.db";
  {
    // Version 1 exactly as it was released, written by hand.
    RawDb raw(file, true);
    REQUIRE(raw.ok());
    REQUIRE(raw.exec("PRAGMA journal_mode=WAL") == SQLITE_OK);
    REQUIRE(raw.exec(R"sql(
BEGIN;
CREATE TABLE crossings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  lane_id TEXT NOT NULL CHECK (length(lane_id) BETWEEN 1 AND 64),
  sequence INTEGER NOT NULL CHECK (sequence >= 0),
  port_code TEXT NOT NULL CHECK (length(port_code) <= 64),
  epc BLOB NOT NULL CHECK (length(epc) BETWEEN 1 AND 62),
  epc_hex TEXT NOT NULL CHECK (length(epc_hex) = 2 * length(epc)),
  pc INTEGER CHECK (pc BETWEEN 0 AND 65535),
  epc_uri TEXT NOT NULL,
  epc_scheme TEXT NOT NULL,
  tid BLOB NOT NULL CHECK (length(tid) <= 32),
  tid_hex TEXT NOT NULL CHECK (length(tid_hex) = 2 * length(tid)),
  tid_maker TEXT NOT NULL,
  tid_model TEXT NOT NULL,
  tid_serial TEXT NOT NULL,
  document TEXT NOT NULL,
  issuer_rule TEXT NOT NULL,
  first_seen_utc_us INTEGER NOT NULL,
  last_seen_utc_us INTEGER NOT NULL,
  time_source TEXT NOT NULL
    CHECK (time_source IN ('reader_utc', 'reader_uptime', 'host_receive')),
  clock_offset_us INTEGER NOT NULL,
  host_clock_synchronized INTEGER NOT NULL CHECK (host_clock_synchronized IN (0, 1)),
  read_count INTEGER NOT NULL CHECK (read_count BETWEEN 0 AND 4294967295),
  peak_rssi_cdbm INTEGER NOT NULL CHECK (peak_rssi_cdbm BETWEEN -32768 AND 32767),
  antenna_mask INTEGER NOT NULL CHECK (antenna_mask BETWEEN 0 AND 4294967295),
  direction TEXT NOT NULL CHECK (direction IN ('unknown', 'with_flow', 'counter_flow')),
  source TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL,
  UNIQUE (lane_id, sequence),
  CHECK (last_seen_utc_us >= first_seen_utc_us)
) STRICT;
CREATE INDEX crossings_by_time ON crossings (first_seen_utc_us);
CREATE INDEX crossings_by_lane_time ON crossings (lane_id, first_seen_utc_us);
CREATE INDEX crossings_by_epc ON crossings (epc_hex, first_seen_utc_us);
INSERT INTO crossings (lane_id, sequence, port_code, epc, epc_hex, pc, epc_uri, epc_scheme,
  tid, tid_hex, tid_maker, tid_model, tid_serial, document, issuer_rule, first_seen_utc_us,
  last_seen_utc_us, time_source, clock_offset_us, host_clock_synchronized, read_count,
  peak_rssi_cdbm, antenna_mask, direction, source, created_at_us, updated_at_us)
VALUES ('P09', 77, 'SYS', x'E20034110000000000000001', 'E20034110000000000000001', 12288,
  'urn:epc:raw:96.xE20034110000000000000001', 'raw', x'', '', '', '', '', 'BCC', 'r1',
  1000, 2000, 'host_receive', 0, 1, 3, -6000, 1, 'with_flow', 'INM-RFID', 5, 5);
PRAGMA application_id = 1195463241;
PRAGMA user_version = 1;
COMMIT;
)sql") == SQLITE_OK);
  }
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  CHECK(store.schema_version() == garita::store::kSchemaVersion);
  std::optional<garita::store::StoredCrossing> row;
  REQUIRE_FALSE(store.find("P09", 77, row));
  REQUIRE(row);
  CHECK(row->crossing.document == DocumentType::bcc);
  CHECK(row->crossing.direction == Direction::with_flow);
  CHECK(row->crossing.pc == std::optional<std::uint16_t>(0x3000));
  std::optional<std::uint64_t> max;
  REQUIRE_FALSE(store.max_sequence("P09", max));  // reads crossing_conflicts too: v2
  CHECK(max == 77u);
  REQUIRE_FALSE(store.write(make_crossing("P09", 78)));
  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.crossings == 2);
  store.close();

  RawDb raw(file);
  CHECK(raw.integer("PRAGMA user_version") == garita::store::kSchemaVersion);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'tag_reads'") == 1);
  CHECK(raw.text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("store: a file from a newer garita is refused and never downgraded") {
  TempDir dir;
  const auto file = dir / "future.db";
  {
    CrossingStore store;
    REQUIRE_FALSE(store.open(file));
    REQUIRE_FALSE(store.write(make_crossing("P01", 1)));
  }
  {
    RawDb raw(file);
    REQUIRE(raw.exec("PRAGMA user_version = " +
                     std::to_string(garita::store::kSchemaVersion + 1)) == SQLITE_OK);
  }
  CrossingStore store;
  const auto ec = store.open(file);
  CHECK(ec == Errc::schema_too_new);
  CHECK_FALSE(store.is_open());
  CHECK(store.last_error().find(file.string()) != std::string::npos);
  CHECK(store.last_error().find("newer") != std::string::npos);
  // Read-only opening refuses too.
  StoreOptions ro;
  ro.read_only = true;
  CHECK(store.open(file, ro) == Errc::schema_too_new);
  RawDb raw(file);
  CHECK(raw.integer("PRAGMA user_version") == garita::store::kSchemaVersion + 1);
  CHECK(raw.integer("SELECT count(*) FROM crossings") == 1);
}

TEST_CASE("store: read-only opening lists but never writes or migrates") {
  TempDir dir;
  const auto file = dir / "c.db";
  {
    CrossingStore store;
    REQUIRE_FALSE(store.open(file));
    REQUIRE_FALSE(store.write(make_crossing("P01", 1)));
  }
  StoreOptions ro;
  ro.read_only = true;
  CrossingStore store;
  REQUIRE_FALSE(store.open(file, ro));
  CrossingPage page;
  REQUIRE_FALSE(store.list_crossings({}, page));
  CHECK(page.rows.size() == 1);
  CHECK(store.write(make_crossing("P01", 2)) == Errc::read_only);
  CHECK(store.last_error().find(file.string()) != std::string::npos);
}

TEST_CASE("store: raw reads are not captured by default") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  CHECK_FALSE(store.raw_capture_enabled());
  garita::TagRead r;
  r.reader_id = 1;
  r.antenna = 2;
  r.host_utc_us = 1'700'000'000'000'000;
  const std::uint8_t epc[] = {0xE2, 0x00, 0x01};
  r.epc.assign(epc);
  REQUIRE_FALSE(store.record_reads(std::span<const garita::TagRead>(&r, 1), r.host_utc_us));
  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.raw_reads == 0);
}

TEST_CASE("store: raw-read capture when enabled has bounded retention") {
  TempDir dir;
  const auto file = dir / "c.db";
  StoreOptions opts;
  opts.raw_capture.enabled = true;
  opts.raw_capture.retention = std::chrono::hours{1};
  opts.raw_capture.max_rows = 50;
  CrossingStore store;
  REQUIRE_FALSE(store.open(file, opts));
  CHECK(store.raw_capture_enabled());

  const std::int64_t now = 1'700'000'000'000'000;
  const std::int64_t hour = 3'600'000'000;
  auto read_at = [](std::int64_t t, std::uint16_t antenna) {
    garita::TagRead r;
    r.reader_id = 3;
    r.antenna = antenna;
    r.pc = 0x3000;
    const std::uint8_t epc[] = {0xE2, 0x00, 0x34, 0x11};
    r.epc.assign(epc);
    r.peak_rssi_cdbm = -6100;
    r.reader_first_seen_utc_us = t - 10;
    r.host_utc_us = t;
    r.host_mono_us = 77;
    r.channel = 4;
    r.seen_count = 2;
    return r;
  };
  std::vector<garita::TagRead> reads{read_at(now - 2 * hour, 1),
                                     read_at(now - 30 * 60'000'000LL, 2), read_at(now, 3)};
  REQUIRE_FALSE(store.record_reads(reads, now));
  std::vector<garita::TagRead> got;
  REQUIRE_FALSE(store.list_reads(10, got));
  REQUIRE(got.size() == 2);  // the two-hour-old read was purged at once
  CHECK(got[0].antenna == 3);
  CHECK(got[0].epc == reads[2].epc);
  CHECK(got[0].peak_rssi_cdbm == std::optional<std::int16_t>(-6100));
  CHECK(got[0].channel == std::optional<std::uint16_t>(4));
  CHECK(got[0].reader_first_seen_utc_us == std::optional<std::int64_t>(now - 10));
  CHECK(got[1].antenna == 2);

  // An hour later the half-hour-old one goes too.
  std::uint64_t removed = 0;
  REQUIRE_FALSE(store.purge_reads(now + hour - 1, &removed));
  CHECK(removed == 1);

  // Never more than max_rows.
  std::vector<garita::TagRead> many;
  for (int i = 0; i < 120; ++i) many.push_back(read_at(now + i, static_cast<std::uint16_t>(i)));
  REQUIRE_FALSE(store.record_reads(many, now + 200));
  garita::store::StoreCounts counts;
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.raw_reads == 50);
  REQUIRE_FALSE(store.list_reads(1, got));
  CHECK(got.at(0).antenna == 119);  // the newest are kept
  store.close();

  // Capture switched off: what it captured is removed at the next open.
  REQUIRE_FALSE(store.open(file));
  REQUIRE_FALSE(store.counts(counts));
  CHECK(counts.raw_reads == 0);
}
