// The exchange tables (schema v4): migration from v3, selecting and marking
// an export, writing a batch again, importing a return batch (matching,
// duplicates, received in error), the replay check, all-or-nothing import
// under a forced SQLite failure, officer-entered records and counts.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "../../../common/src/store/Schema.hpp"
#include "../batch/BatchTestData.hpp"
#include "../store/StoreTestSupport.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/exchange/ExchangeStore.hpp"

using garita::Crossing;
using garita::Direction;
using garita::batch::BatchManifest;
using garita::batch::BatchType;
using garita::batch::EntryTime;
using garita::batch::Errc;
using garita::batch::ExitRecord;
using garita::batch::OfficerEntryRecord;
using garita::batch::ReturnBatch;
using garita::batch::RfidEntryRecord;
using garita::exchange::ExchangeCounts;
using garita::exchange::ExchangeStore;
using garita::exchange::ExportCandidate;
using garita::exchange::ExportSelection;
using garita::exchange::ImportReport;
using garita::exchange::PortClock;
using garita::store::CrossingStore;
using garita::store::test::make_crossing;
using garita::store::test::RawDb;
using garita::store::test::TempDir;

namespace {

constexpr std::int64_t kUs = 1'000'000;
// 2026-W47 in Tijuana: 2026-11-16T08:00:00Z .. 2026-11-23T08:00:00Z.
constexpr std::int64_t kW47Begin = 1794816000;
constexpr std::int64_t kW47End = 1795420800;
constexpr std::int64_t kNowUs = 1795500000LL * kUs;

const std::string kExportId = "0f8fad5b-d9cb-469f-a165-70867728950e";
const std::string kReturnId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const std::string kReturnId2 = "16fd2706-8baf-433b-82eb-8c7fada847da";

PortClock tijuana() {
  PortClock clock;
  std::string error;
  REQUIRE_FALSE(PortClock::load("America/Tijuana", clock, error));
  return clock;
}

BatchManifest manifest(BatchType type, const std::string& id) {
  BatchManifest m;
  m.type = type;
  m.batch_id = id;
  m.period = "2026-W47";
  m.created_at_utc = 1795410000;
  m.sender_id = type == BatchType::export_batch ? "INM-TIJ" : "CBP";
  m.sender_port = "TIJ";
  m.sender_certificate_sha256 = std::string(64, 'A');
  m.recipient_subject = "CN=garita partner";
  m.recipient_certificate_sha256 = std::string(64, 'B');
  return m;
}

Crossing crossing(const char* lane, std::uint64_t seq, std::uint32_t card, std::int64_t utc_s,
                  Direction direction = Direction::with_flow) {
  Crossing c = make_crossing(lane, seq, card, utc_s * kUs + 250'000);  // µs part is dropped
  c.port_code = "TIJ";
  c.direction = direction;
  return c;
}

OfficerEntryRecord officer(const char* document, std::int64_t utc_s) {
  OfficerEntryRecord r = garita::batch::test::sample_officer();
  r.document_number = document;
  r.entry = {utc_s, -480};
  return r;
}

ExitRecord exit_for(std::string epc, EntryTime at) {
  ExitRecord r = garita::batch::test::sample_exit();
  r.entry_date = garita::exchange::local_date_of(at);
  r.entry_time = garita::exchange::local_time_of(at);
  r.epc_hex = std::move(epc);
  return r;
}

ExitRecord exit_for_officer(const OfficerEntryRecord& o) {
  ExitRecord r = exit_for("", o.entry);
  r.document_type = o.document_type;
  r.document_number = o.document_number;
  r.document_country = o.document_country;
  return r;
}

ReturnBatch return_batch(const std::string& id, std::vector<ExitRecord> records) {
  ReturnBatch b;
  b.manifest = manifest(BatchType::return_batch, id);
  b.manifest.record_count = records.size();
  b.manifest.records_sha256 = std::string(64, 'C');
  b.records = std::move(records);
  return b;
}

std::string epc_of(std::uint32_t card) { return make_crossing("X", 0, card).epc_hex; }

// Every row of every table, as text: equal dumps = unchanged database.
std::string dump(sqlite3* db) {
  std::string out;
  for (const char* table : {"crossings", "crossing_conflicts", "lane_sequence_floor",
                            "exchange_batches", "officer_records", "entry_records"}) {
    out += std::string("## ") + table + "\n";
    sqlite3_stmt* s = nullptr;
    const std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY 1";
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        if (sqlite3_column_type(s, i) == SQLITE_NULL) {
          out += "NULL|";
        } else if (sqlite3_column_type(s, i) == SQLITE_BLOB) {
          out += "<blob " + std::to_string(sqlite3_column_bytes(s, i)) + ">|";
        } else {
          out += reinterpret_cast<const char*>(sqlite3_column_text(s, i));
          out += "|";
        }
      }
      out += "\n";
    }
    sqlite3_finalize(s);
  }
  return out;
}

std::int64_t integer(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::int64_t v = -1;
  if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

std::string text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::string v = "<none>";
  if (sqlite3_step(s) == SQLITE_ROW) {
    v = sqlite3_column_type(s, 0) == SQLITE_NULL
            ? "NULL"
            : reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  return v;
}

struct Fixture {
  TempDir dir;
  CrossingStore store;
  PortClock clock = tijuana();
  Fixture() { REQUIRE_FALSE(store.open(dir / "crossings.db")); }
  sqlite3* db() const { return store.native_handle(); }

  // select_unexported + record_export in one transaction, as BatchExchange does.
  ExportSelection export_week(ExchangeStore& x, const std::string& id) {
    ExportSelection sel;
    REQUIRE_FALSE(store.begin());
    REQUIRE_FALSE(x.select_unexported(kW47Begin * kUs, kW47End * kUs, clock, "TIJ", sel));
    BatchManifest m = manifest(BatchType::export_batch, id);
    m.record_count = sel.records.size();
    m.records_sha256 = std::string(64, 'D');
    const auto ec = x.record_export(m, sel, "alice", kNowUs);
    INFO(x.last_error());
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(store.commit());
    return sel;
  }
};

const RfidEntryRecord& rfid(const ExportCandidate& c) {
  return std::get<RfidEntryRecord>(c.record);
}

}  // namespace

TEST_CASE("a v3 crossing database migrates to v4 and keeps its crossings") {
  TempDir dir;
  const auto file = dir / "v3.db";
  {
    // Schema v3 exactly as released: the released migration steps 1..3.
    RawDb raw(file, true);
    REQUIRE(raw.ok());
    REQUIRE(raw.exec("PRAGMA journal_mode=WAL") == SQLITE_OK);
    for (const auto& step : garita::store::detail::migrations()) {
      if (step.version > 3) break;
      REQUIRE(raw.exec("BEGIN; " + std::string(step.sql) + " COMMIT;") == SQLITE_OK);
    }
    REQUIRE(raw.exec("PRAGMA application_id = 1195463241; PRAGMA user_version = 3") == SQLITE_OK);
    REQUIRE(raw.exec(R"sql(
INSERT INTO crossings (lane_id, sequence, port_code, epc, epc_hex, pc, epc_uri, epc_scheme,
  tid, tid_hex, tid_maker, tid_model, tid_serial, document, issuer_rule, first_seen_utc_us,
  last_seen_utc_us, time_source, clock_offset_us, host_clock_synchronized, read_count,
  peak_rssi_cdbm, antenna_mask, direction, source, created_at_us, updated_at_us,
  exported_at_us, exit_record_at_us)
VALUES ('P09', 77, 'TIJ', x'E20034110000000000000001', 'E20034110000000000000001', 12288,
  'urn:epc:raw:96.xE20034110000000000000001', 'raw', x'', '', '', '', '', 'BCC', 'r1',
  1795000000000000, 1795000000000000, 'host_receive', 0, 1, 3, -6000, 1, 'with_flow',
  'INM-RFID', 5, 5, NULL, NULL);
)sql") == SQLITE_OK);
  }
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  CHECK(store.schema_version() == 4);
  ExchangeStore x(store);
  ExchangeCounts counts;
  REQUIRE_FALSE(x.counts(counts));
  CHECK(counts.unexported_crossings == 1);
  CHECK(counts.exported_crossings == 0);
  CHECK(counts.export_batches == 0);
  CHECK(text(store.native_handle(),
             "SELECT export_batch_id FROM crossings WHERE lane_id = 'P09'") == "NULL");
  CHECK(integer(store.native_handle(),
                "SELECT count(*) FROM sqlite_schema WHERE name IN ('exchange_batches', "
                "'officer_records', 'entry_records', 'crossings_unexported_by_time')") == 4);
  std::string check;
  REQUIRE_FALSE(store.integrity_check(check));
  CHECK(check == "ok");
}

TEST_CASE("select_unexported takes the period's entries, skips counter-flow and the exported") {
  Fixture f;
  ExchangeStore x(f.store);
  REQUIRE_FALSE(f.store.write(crossing("P01", 1, 1, kW47Begin)));      // first instant: in
  REQUIRE_FALSE(f.store.write(crossing("P01", 2, 2, kW47End - 1)));    // last second: in
  REQUIRE_FALSE(f.store.write(crossing("P01", 3, 3, kW47End)));        // next week: out
  REQUIRE_FALSE(f.store.write(crossing("P01", 4, 4, kW47Begin - 1)));  // previous week: out
  REQUIRE_FALSE(f.store.write(crossing("P02", 1, 5, kW47Begin + 100,   // walked back out
                                       Direction::counter_flow)));
  REQUIRE_FALSE(f.store.write(crossing("P02", 2, 6, kW47Begin + 50, Direction::unknown)));
  std::int64_t in_id = 0, out_id = 0;
  REQUIRE_FALSE(x.add_officer_record(officer("X1234567", kW47Begin + 3600), "bob", kNowUs, in_id));
  REQUIRE_FALSE(x.add_officer_record(officer("X7654321", kW47End + 3600), "bob", kNowUs, out_id));

  ExportSelection sel;
  REQUIRE_FALSE(f.store.begin());
  REQUIRE_FALSE(x.select_unexported(kW47Begin * kUs, kW47End * kUs, f.clock, "TIJ", sel));
  f.store.rollback();
  REQUIRE(sel.records.size() == 4);
  CHECK(sel.rfid_count == 3);
  CHECK(sel.officer_count == 1);
  CHECK(sel.skipped_exit_direction == 1);
  // Crossings first, oldest first; then officer records.
  CHECK(rfid(sel.records[0]).epc_hex == epc_of(1));
  CHECK(rfid(sel.records[1]).epc_hex == epc_of(6));
  CHECK(rfid(sel.records[2]).epc_hex == epc_of(2));
  CHECK(rfid(sel.records[0]).lane == "P01");
  CHECK(rfid(sel.records[0]).port == "TIJ");
  CHECK(rfid(sel.records[0]).tid_hex.empty());
  CHECK(rfid(sel.records[0]).entry.utc_seconds == kW47Begin);  // µs dropped
  CHECK(rfid(sel.records[0]).entry.utc_offset_minutes == -480);
  CHECK(sel.records[3].kind == ExportCandidate::Kind::officer);
  CHECK(sel.records[3].row_id == in_id);
  const auto& o = std::get<OfficerEntryRecord>(sel.records[3].record);
  CHECK(o.document_number == "X1234567");
  CHECK(o.last_name == "Núñez");
  CHECK(o.entry.utc_seconds == kW47Begin + 3600);

  // A summer week takes the summer offset from the clock.
  REQUIRE_FALSE(f.store.write(crossing("P03", 1, 9, 1782864000)));  // 2026-07-01T00:00Z
  REQUIRE_FALSE(x.select_unexported(1782864000 * kUs, 1782864001 * kUs, f.clock, "TIJ", sel));
  REQUIRE(sel.records.size() == 1);
  CHECK(rfid(sel.records[0]).entry.utc_offset_minutes == -420);

  CHECK(x.select_unexported(5, 5, f.clock, "TIJ", sel) == Errc::invalid_argument);
  CHECK(x.select_unexported(0, 5, PortClock{}, "TIJ", sel) == Errc::not_configured);
}

TEST_CASE("record_export marks the rows and writes the ledger; select_batch gives them back") {
  Fixture f;
  ExchangeStore x(f.store);
  REQUIRE_FALSE(f.store.write(crossing("P01", 1, 1, kW47Begin + 10)));
  REQUIRE_FALSE(f.store.write(crossing("P01", 2, 2, kW47Begin + 20)));
  REQUIRE_FALSE(f.store.write(crossing("P02", 1, 3, kW47Begin + 30, Direction::counter_flow)));
  std::int64_t oid = 0;
  REQUIRE_FALSE(x.add_officer_record(officer("X1234567", kW47Begin + 40), "bob", kNowUs, oid));

  // Outside a transaction it refuses (the marks must commit with the seal).
  {
    ExportSelection sel;
    REQUIRE_FALSE(x.select_unexported(kW47Begin * kUs, kW47End * kUs, f.clock, "TIJ", sel));
    BatchManifest m = manifest(BatchType::export_batch, kExportId);
    m.record_count = sel.records.size();
    m.records_sha256 = std::string(64, 'D');
    CHECK(x.record_export(m, sel, "alice", kNowUs) == Errc::invalid_argument);
    m.record_count = 99;
    REQUIRE_FALSE(f.store.begin());
    CHECK(x.record_export(m, sel, "alice", kNowUs) == Errc::invalid_argument);
    f.store.rollback();
  }

  const ExportSelection sel = f.export_week(x, kExportId);
  REQUIRE(sel.records.size() == 3);
  CHECK(integer(f.db(), "SELECT count(*) FROM crossings WHERE export_batch_id = '" + kExportId +
                            "' AND exported_at_us = " + std::to_string(kNowUs) +
                            " AND export_utc_offset_min = -480") == 2);
  CHECK(text(f.db(), "SELECT export_batch_id FROM crossings WHERE lane_id = 'P02'") == "NULL");
  std::optional<garita::exchange::StoredOfficerRecord> stored;
  REQUIRE_FALSE(x.find_officer_record(oid, stored));
  REQUIRE(stored);
  CHECK(stored->export_batch_id == kExportId);
  CHECK(stored->entered_by == "bob");

  std::optional<garita::exchange::BatchLedgerRow> row;
  REQUIRE_FALSE(x.find_batch(kExportId, row));
  REQUIRE(row);
  CHECK(row->direction == "export");
  CHECK(row->period == "2026-W47");
  CHECK(row->record_count == 3);
  CHECK(row->rfid_records == 2);
  CHECK(row->officer_records == 1);
  CHECK(row->operator_name == "alice");
  CHECK(row->recorded_at_us == kNowUs);
  CHECK_FALSE(row->file_sha256);

  // Nothing left to export in that week.
  ExportSelection again;
  REQUIRE_FALSE(x.select_unexported(kW47Begin * kUs, kW47End * kUs, f.clock, "TIJ", again));
  CHECK(again.records.empty());
  CHECK(again.skipped_exit_direction == 1);

  // The same records, with the offsets stored at export.
  ExportSelection rewrite;
  REQUIRE_FALSE(x.select_batch(kExportId, "TIJ", rewrite));
  REQUIRE(rewrite.records.size() == sel.records.size());
  for (std::size_t i = 0; i < sel.records.size(); ++i) {
    CHECK(rewrite.records[i].kind == sel.records[i].kind);
    CHECK(rewrite.records[i].row_id == sel.records[i].row_id);
  }
  std::string a, b, error;
  BatchManifest m1 = manifest(BatchType::export_batch, kExportId), m2 = m1;
  std::vector<garita::batch::ExportRecord> r1, r2;
  for (const auto& c : sel.records) r1.push_back(c.record);
  for (const auto& c : rewrite.records) r2.push_back(c.record);
  REQUIRE_FALSE(garita::batch::encode_export_batch(m1, r1, a, error));
  REQUIRE_FALSE(garita::batch::encode_export_batch(m2, r2, b, error));
  CHECK(a == b);

  CHECK(x.select_batch("00000000-0000-4000-8000-000000000000", "TIJ", rewrite) ==
        Errc::unknown_batch);
  // A duplicate batch id is refused and changes nothing.
  {
    const std::string before = dump(f.db());
    REQUIRE_FALSE(f.store.begin());
    BatchManifest m = manifest(BatchType::export_batch, kExportId);
    CHECK(x.record_export(m, ExportSelection{}, "alice", kNowUs) == Errc::store_failed);
    f.store.rollback();
    CHECK(dump(f.db()) == before);
  }

  REQUIRE_FALSE(x.record_file_written(kExportId, std::string(64, 'E'), "/media/x/f.p7m", 7));
  REQUIRE_FALSE(x.find_batch(kExportId, row));
  CHECK(row->file_sha256 == std::string(64, 'E'));
  CHECK(row->written_to == "/media/x/f.p7m");
  CHECK(row->written_at_us == 7);
  CHECK(x.record_file_written(kReturnId, "", "", 1) == Errc::unknown_batch);

  // A crossing purged since the export: the batch can no longer be written
  // exactly as it was.
  REQUIRE(sqlite3_exec(f.db(), "DELETE FROM crossings WHERE lane_id = 'P01' AND sequence = 2",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(x.select_batch(kExportId, "TIJ", rewrite) == Errc::invalid_argument);
  CHECK(x.last_error().find("purged by retention") != std::string::npos);
}

TEST_CASE("import keeps matched records, counts duplicates and records received in error") {
  Fixture f;
  ExchangeStore x(f.store);
  REQUIRE_FALSE(f.store.write(crossing("P01", 1, 1, kW47Begin + 10)));
  REQUIRE_FALSE(f.store.write(crossing("P01", 2, 2, kW47Begin + 20)));
  REQUIRE_FALSE(f.store.write(crossing("P01", 3, 3, kW47End + 20)));  // never exported
  const OfficerEntryRecord off = officer("X1234567", kW47Begin + 40);
  std::int64_t oid = 0;
  REQUIRE_FALSE(x.add_officer_record(off, "bob", kNowUs, oid));
  f.export_week(x, kExportId);

  const EntryTime t1{kW47Begin + 10, -480}, t2{kW47Begin + 20, -480};
  std::string lower = epc_of(2);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ReturnBatch batch =
      return_batch(kReturnId, {
                                  exit_for(epc_of(1), t1),                      // 2: matched
                                  exit_for(lower, t2),                          // 3: matched
                                  exit_for(epc_of(1), t1),                      // 4: dup of 2
                                  exit_for(epc_of(1), {kW47Begin + 11, -480}),  // 5: 1 s off
                                  exit_for(epc_of(3), {kW47End + 20, -480}),    // 6: unexported
                                  exit_for(epc_of(1), {kW47Begin + 10, -420}),  // 7: other hour
                                  exit_for_officer(off),                        // 8: matched
                                  exit_for("E2003411B802011600000099", t1),     // 9: unknown
                              });
  ImportReport report;
  const auto ec = x.import_return(batch, "local:root", kNowUs + 5, report);
  INFO(x.last_error());
  REQUIRE_FALSE(ec);
  CHECK(report.batch_id == kReturnId);
  CHECK(report.period == "2026-W47");
  CHECK(report.records == 8);
  CHECK(report.matched_crossings == 2);
  CHECK(report.matched_officer == 1);
  CHECK(report.matched() == 3);
  CHECK(report.duplicates == 1);
  CHECK(report.received_in_error == 4);
  REQUIRE(report.rejected.size() == 5);
  CHECK(report.rejected[0].line == 4);
  CHECK(report.rejected[0].reason == "duplicate of line 2");
  CHECK(report.rejected[1].line == 5);
  CHECK(report.rejected[1].reason ==
        "no exported crossing with this RFID number at that local date and time");
  CHECK(report.rejected[4].line == 9);

  // The entry records: tagged with source and batch, port from the crossing.
  CHECK(integer(f.db(), "SELECT count(*) FROM entry_records") == 3);
  CHECK(integer(f.db(), "SELECT count(*) FROM entry_records WHERE source = 'CBP' AND batch_id = '" +
                            kReturnId + "' AND imported_at_us = " + std::to_string(kNowUs + 5)) ==
        3);
  CHECK(text(f.db(),
             "SELECT matched_kind || ' ' || crossing_lane_id || ' ' || crossing_sequence || ' ' "
             "|| epc_hex || ' ' || port || ' ' || entry_date || ' ' || entry_time || ' ' || "
             "entry_utc_us FROM entry_records WHERE crossing_sequence = 2") ==
        "crossing P01 2 " + epc_of(2) + " TIJ 2026-11-16 00:00:20 " +
            std::to_string((kW47Begin + 20) * kUs));
  CHECK(text(f.db(),
             "SELECT matched_kind || ' ' || officer_record_id || ' [' || epc_hex || '] ' || "
             "document_number || ' ' || port FROM entry_records WHERE matched_kind = 'officer'") ==
        "officer " + std::to_string(oid) + " [] X1234567 TIJ");
  // Retention clocks started.
  CHECK(integer(f.db(), "SELECT count(*) FROM crossings WHERE exit_record_at_us = " +
                            std::to_string(kNowUs + 5)) == 2);
  CHECK(integer(f.db(), "SELECT exit_record_at_us FROM officer_records") == kNowUs + 5);

  std::optional<garita::exchange::BatchLedgerRow> row;
  REQUIRE_FALSE(x.find_batch(kReturnId, row));
  REQUIRE(row);
  CHECK(row->direction == "return");
  CHECK(row->matched == 3);
  CHECK(row->duplicates == 1);
  CHECK(row->received_in_error == 4);
  CHECK(row->operator_name == "local:root");
  CHECK(row->sender_id == "CBP");

  // A second batch repeating an exit record: a duplicate naming the batch
  // it was kept from; nothing new stored for it.
  ReturnBatch second = return_batch(kReturnId2, {exit_for(epc_of(2), t2), exit_for_officer(off)});
  ImportReport report2;
  REQUIRE_FALSE(x.import_return(second, "alice", kNowUs + 9, report2));
  CHECK(report2.matched() == 0);
  CHECK(report2.duplicates == 2);
  REQUIRE(report2.rejected.size() == 2);
  CHECK(report2.rejected[0].reason ==
        "a second exit record for the same crossing (kept from batch " + kReturnId + ")");
  CHECK(report2.rejected[1].reason ==
        "a second exit record for the same officer record (kept from batch " + kReturnId + ")");
  CHECK(integer(f.db(), "SELECT count(*) FROM entry_records") == 3);
  CHECK(integer(f.db(), "SELECT count(*) FROM crossings WHERE exit_record_at_us = " +
                            std::to_string(kNowUs + 5)) == 2);  // not restarted

  ExchangeCounts counts;
  REQUIRE_FALSE(x.counts(counts));
  CHECK(counts.unexported_crossings == 1);
  CHECK(counts.exported_crossings == 2);
  CHECK(counts.crossings_with_exit_record == 2);
  CHECK(counts.officer_records == 1);
  CHECK(counts.unexported_officer_records == 0);
  CHECK(counts.entry_records == 3);
  CHECK(counts.export_batches == 1);
  CHECK(counts.return_batches == 2);

  std::vector<garita::exchange::BatchLedgerRow> list;
  REQUIRE_FALSE(x.list_batches("", 0, list));
  REQUIRE(list.size() == 3);
  CHECK(list[0].batch_id == kReturnId2);  // newest first
  REQUIRE_FALSE(x.list_batches("2026-W47", 1, list));
  CHECK(list.size() == 1);
  REQUIRE_FALSE(x.list_batches("2026-W46", 10, list));
  CHECK(list.empty());
}

TEST_CASE(
    "an exit record matches the crossing exported at that local time across a DST fall-back") {
  // 01:30 local happens twice on 2026-11-01: PDT (08:30Z) and PST (09:30Z).
  Fixture f;
  ExchangeStore x(f.store);
  const std::int64_t pdt = 1793521800, pst = 1793525400;
  REQUIRE_FALSE(f.store.write(crossing("P01", 1, 1, pdt)));
  REQUIRE_FALSE(f.store.write(crossing("P01", 2, 1, pst)));
  ExportSelection sel;
  REQUIRE_FALSE(f.store.begin());
  REQUIRE_FALSE(x.select_unexported(pdt * kUs, (pst + 1) * kUs, f.clock, "TIJ", sel));
  REQUIRE(sel.records.size() == 2);
  CHECK(rfid(sel.records[0]).entry.utc_offset_minutes == -420);
  CHECK(rfid(sel.records[1]).entry.utc_offset_minutes == -480);
  BatchManifest m = manifest(BatchType::export_batch, kExportId);
  m.period = "2026-W44";
  m.record_count = 2;
  m.records_sha256 = std::string(64, 'D');
  REQUIRE_FALSE(x.record_export(m, sel, "alice", kNowUs));
  REQUIRE_FALSE(f.store.commit());
  // Both exit records say 2026-11-01 01:30:00: the first matches the
  // earlier crossing, the second is a duplicate of it (the local time is
  // all the partner sends back).
  ImportReport report;
  REQUIRE_FALSE(x.import_return(
      return_batch(kReturnId, {exit_for(epc_of(1), {pdt, -420}), exit_for(epc_of(1), {pst, -480})}),
      "alice", kNowUs, report));
  CHECK(report.matched_crossings == 1);
  CHECK(report.duplicates == 1);
  CHECK(text(f.db(), "SELECT crossing_sequence FROM entry_records") == "1");
}

TEST_CASE("a replayed or reflected batch is refused and changes nothing") {
  Fixture f;
  ExchangeStore x(f.store);
  REQUIRE_FALSE(f.store.write(crossing("P01", 1, 1, kW47Begin + 10)));
  f.export_week(x, kExportId);
  const ReturnBatch batch = return_batch(kReturnId, {exit_for(epc_of(1), {kW47Begin + 10, -480})});
  ImportReport report;
  REQUIRE_FALSE(x.import_return(batch, "alice", 1795500000LL * kUs + 123, report));
  CHECK(report.matched() == 1);

  const std::string before = dump(f.db());
  CHECK(x.import_return(batch, "bob", kNowUs + 99, report) == Errc::already_imported);
  CHECK(x.last_error() ==
        "batch " + kReturnId + " was already imported on 2026-11-24T06:00:00Z by alice");
  CHECK(report.matched() == 0);
  CHECK(dump(f.db()) == before);
  CHECK_FALSE(f.store.in_transaction());

  // Our own export id sent back as a return batch.
  CHECK(x.import_return(return_batch(kExportId, {}), "bob", kNowUs, report) ==
        Errc::already_imported);
  CHECK(x.last_error().find("is this workstation's own export batch") != std::string::npos);
  CHECK(dump(f.db()) == before);

  // An export batch handed to import.
  ReturnBatch wrong = return_batch(kReturnId2, {});
  wrong.manifest.type = BatchType::export_batch;
  CHECK(x.import_return(wrong, "bob", kNowUs, report) == Errc::wrong_batch_type);
  CHECK(dump(f.db()) == before);
}

TEST_CASE("a SQLite failure in the middle of an import rolls all of it back") {
  Fixture f;
  ExchangeStore x(f.store);
  std::vector<ExitRecord> records;
  for (std::uint32_t card = 1; card <= 5; ++card) {
    REQUIRE_FALSE(f.store.write(crossing("P01", card, card, kW47Begin + card)));
    records.push_back(exit_for(epc_of(card), {kW47Begin + card, -480}));
  }
  f.export_week(x, kExportId);
  // The third entry record fails.
  REQUIRE(sqlite3_exec(f.db(),
                       "CREATE TEMP TRIGGER fail_third BEFORE INSERT ON main.entry_records "
                       "WHEN (SELECT count(*) FROM main.entry_records) >= 2 "
                       "BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  const std::string before = dump(f.db());
  const ReturnBatch batch = return_batch(kReturnId, records);
  ImportReport report;
  CHECK(x.import_return(batch, "alice", kNowUs, report) == Errc::store_failed);
  CHECK(x.last_error().find("forced failure") != std::string::npos);
  CHECK(x.last_error().find("line 4") != std::string::npos);
  CHECK(report.matched() == 0);
  CHECK(dump(f.db()) == before);
  CHECK_FALSE(f.store.in_transaction());
  CHECK(integer(f.db(), "SELECT count(*) FROM exchange_batches WHERE direction = 'return'") == 0);

  // Fixed: the same file imports (the failed attempt left no ledger row).
  REQUIRE(sqlite3_exec(f.db(), "DROP TRIGGER fail_third", nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE_FALSE(x.import_return(batch, "alice", kNowUs, report));
  CHECK(report.matched_crossings == 5);
  CHECK(integer(f.db(), "SELECT count(*) FROM entry_records") == 5);
}

TEST_CASE("officer records are validated with the batch format's rules") {
  Fixture f;
  ExchangeStore x(f.store);
  std::int64_t id = -1;
  auto refused = [&](OfficerEntryRecord r, const std::string& message) {
    INFO(message);
    CHECK(x.add_officer_record(r, "bob", kNowUs, id) == Errc::invalid_argument);
    CHECK(x.last_error() == message);
    CHECK(id == 0);
  };
  OfficerEntryRecord r = officer("X1234567", kW47Begin);
  r.document_number = "x-12";
  refused(r, "officer record: document_number: only A-Z and 0-9 allowed");
  r = officer("X1234567", kW47Begin);
  r.gender = "Q";
  refused(r, "officer record: gender: not M, F or X");
  r = officer("X1234567", kW47Begin);
  r.last_name = "";
  refused(r, "officer record: last_name: empty");
  r = officer("X1234567", kW47Begin);
  r.birth_date = "1984-02-30";
  refused(r, "officer record: birth_date: not a calendar date");
  r = officer("X1234567", kW47Begin);
  r.entry.utc_offset_minutes = 900;
  refused(r, "officer record: entry_utc: UTC offset beyond 14:00");
  r = officer("X1234567", kW47Begin);
  r.port = "tij";
  refused(r, "officer record: port: only A-Z and 0-9 allowed");
  CHECK(garita::exchange::validate_officer_record(officer("X1234567", kW47Begin)).empty());
  CHECK(x.add_officer_record(officer("X1234567", kW47Begin), "", kNowUs, id) ==
        Errc::invalid_argument);
  CHECK(integer(f.db(), "SELECT count(*) FROM officer_records") == 0);

  REQUIRE_FALSE(x.add_officer_record(officer("X1234567", kW47Begin), "bob", kNowUs, id));
  CHECK(id > 0);
  std::optional<garita::exchange::StoredOfficerRecord> stored;
  REQUIRE_FALSE(x.find_officer_record(id, stored));
  REQUIRE(stored);
  CHECK(stored->entered_at_us == kNowUs);
  CHECK(stored->record.first_name == "María José");
  CHECK(stored->record.entry.utc_seconds == kW47Begin);
  CHECK(stored->record.entry.utc_offset_minutes == -480);
  CHECK_FALSE(stored->export_batch_id);
  REQUIRE_FALSE(x.find_officer_record(id + 1, stored));
  CHECK_FALSE(stored);
}

TEST_CASE("the exchange store refuses a closed store") {
  CrossingStore closed;
  ExchangeStore x(closed);
  ExchangeCounts counts;
  CHECK(x.counts(counts) == Errc::store_failed);
  CHECK(x.last_error() == "crossing database is not open");
}
