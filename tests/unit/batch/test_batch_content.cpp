// The batch content encoder against known byte vectors (docs/batch-format.md
// §3-§4); the records_sha256 values were computed with sha256sum(1).
#include <catch2/catch.hpp>

#include "BatchTestData.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"

using namespace garita::batch;
using namespace garita::batch::test;

namespace {

const std::string export_rfid_line =
    R"({"source":"INM-RFID","epc":"E2801160600002084F3E1A2B","tid":"E2801160200074CF085909AD",)"
    R"("entry_date":"2026-11-19","entry_time":"22:00:00","utc_offset":"-08:00",)"
    R"("entry_utc":"2026-11-20T06:00:00Z","port":"TIJ","lane":"P01"})"
    "\n";
const std::string export_officer_line =
    R"({"source":"INM-OFFICER","last_name":"Núñez","first_name":"María José","middle_name":"",)"
    R"("birth_date":"1984-02-29","nationality":"USA","gender":"F","document_type":"P",)"
    R"("document_number":"X1234567","document_country":"USA","entry_date":"2026-11-20",)"
    R"("entry_time":"00:00:00","utc_offset":"-08:00","entry_utc":"2026-11-20T08:00:00Z",)"
    R"("port":"TIJ"})"
    "\n";
const std::string return_exit_line =
    R"({"source":"CBP","first_name":"John","last_name":"O\"Hara","middle_name":"Q",)"
    R"("birth_date":"1970-12-31","nationality":"USA","gender":"M","document_type":"C",)"
    R"("document_number":"C03005988","document_country":"USA","exit_port":"2504",)"
    R"("entry_date":"2026-11-19","entry_time":"22:00:00","epc":"E2801160600002084F3E1A2B"})"
    "\n";

std::string manifest_line(const char* type, int count, const char* hash) {
  return std::string(R"({"format":"garita-batch","version":1,"type":")") + type +
         R"(","batch_id":"0f8fad5b-d9cb-469f-a165-70867728950e","period":"2026-W47",)"
         R"("created_at":"2026-11-23T05:00:00Z","sender_id":"TIJ-WS1","sender_port":"TIJ",)"
         R"("sender_certificate_sha256":")" +
         std::string(64, 'A') + R"(","recipient_subject":"CN=garita partner",)" +
         R"("recipient_certificate_sha256":")" + std::string(64, 'B') + R"(","record_count":)" +
         std::to_string(count) + R"(,"records_sha256":")" + hash + "\"}\n";
}

}  // namespace

TEST_CASE("export batch encodes to the documented bytes") {
  BatchManifest m = sample_manifest(BatchType::export_batch);
  std::vector<ExportRecord> records{sample_rfid(), sample_officer()};
  std::string out, error;
  REQUIRE_FALSE(encode_export_batch(m, records, out, error));
  const char* hash = "8DB8C83414E62921026157732FD9BE9D741C96E6946F4DBFB1D5D31F123389F2";
  CHECK(out == manifest_line("export", 2, hash) + export_rfid_line + export_officer_line);
  CHECK(m.record_count == 2);
  CHECK(m.records_sha256 == hash);
}

TEST_CASE("return batch encodes to the documented bytes, quotes escaped") {
  BatchManifest m = sample_manifest(BatchType::return_batch);
  std::vector<ExitRecord> records{sample_exit()};
  std::string out, error;
  REQUIRE_FALSE(encode_return_batch(m, records, out, error));
  CHECK(out == manifest_line("return", 1,
                             "5517307AF4CC35FCFDD72B1C43E9FD45800E1EBDAF5533F8B0716CCE7D68C665") +
                   return_exit_line);
}

TEST_CASE("an empty batch is a manifest line only, hash of no bytes") {
  BatchManifest m = sample_manifest(BatchType::export_batch);
  std::string out, error;
  REQUIRE_FALSE(encode_export_batch(m, {}, out, error));
  CHECK(out == manifest_line("export", 0,
                             "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
  ExportBatch back;
  REQUIRE_FALSE(parse_export_batch(out, back, error));
  CHECK(back.records.empty());
}

TEST_CASE("export and return batches round-trip through the parser") {
  BatchManifest m = sample_manifest(BatchType::export_batch);
  std::vector<ExportRecord> records{sample_rfid(), sample_officer(), sample_rfid()};
  std::get<RfidEntryRecord>(records[2]).tid_hex.clear();            // no TID read
  std::get<RfidEntryRecord>(records[2]).entry = {1795154400, 330};  // +05:30
  std::string out, error;
  REQUIRE_FALSE(encode_export_batch(m, records, out, error));
  ExportBatch back;
  REQUIRE_FALSE(parse_export_batch(out, back, error));
  CHECK(back.manifest.batch_id == m.batch_id);
  CHECK(back.manifest.period == "2026-W47");
  CHECK(back.manifest.created_at_utc == m.created_at_utc);
  CHECK(back.manifest.record_count == 3);
  REQUIRE(back.records.size() == 3);
  const auto& r0 = std::get<RfidEntryRecord>(back.records[0]);
  CHECK(r0.epc_hex == "E2801160600002084F3E1A2B");
  CHECK(r0.entry.utc_seconds == 1795154400);
  CHECK(r0.entry.utc_offset_minutes == -480);
  const auto& r1 = std::get<OfficerEntryRecord>(back.records[1]);
  CHECK(r1.last_name == "Núñez");
  CHECK(r1.first_name == "María José");
  const auto& r2 = std::get<RfidEntryRecord>(back.records[2]);
  CHECK(r2.tid_hex.empty());
  CHECK(r2.entry.utc_offset_minutes == 330);

  BatchManifest rm = sample_manifest(BatchType::return_batch);
  std::vector<ExitRecord> exits{sample_exit(), sample_exit()};
  exits[1].epc_hex.clear();
  REQUIRE_FALSE(encode_return_batch(rm, exits, out, error));
  ReturnBatch rback;
  REQUIRE_FALSE(parse_return_batch(out, rback, error));
  REQUIRE(rback.records.size() == 2);
  CHECK(rback.records[0].last_name == "O\"Hara");
  CHECK(rback.records[0].exit_port == "2504");
  CHECK(rback.records[1].epc_hex.empty());
}

TEST_CASE("the encoder refuses what the parser would refuse, naming record and field") {
  std::string out, error;
  auto encode_one = [&](ExportRecord r) {
    BatchManifest m = sample_manifest(BatchType::export_batch);
    std::vector<ExportRecord> records{sample_rfid(), std::move(r)};
    return encode_export_batch(m, records, out, error);
  };
  auto rfid = sample_rfid();
  rfid.epc_hex = "e280";  // lower case
  CHECK(encode_one(rfid) == Errc::invalid_argument);
  CHECK(error == "encode: record 2: epc: not upper-case hex");
  rfid = sample_rfid();
  rfid.lane = "P 1";
  CHECK(encode_one(rfid) == Errc::invalid_argument);
  CHECK(error == "encode: record 2: lane: only A-Z a-z 0-9 _ - allowed");
  rfid = sample_rfid();
  rfid.entry.utc_offset_minutes = 900;
  CHECK(encode_one(rfid) == Errc::invalid_argument);
  CHECK(error == "encode: record 2: entry_utc: UTC offset beyond 14:00");
  auto officer = sample_officer();
  officer.birth_date = "1985-02-29";
  CHECK(encode_one(officer) == Errc::invalid_argument);
  CHECK(error == "encode: record 2: birth_date: not a calendar date");
  officer = sample_officer();
  officer.last_name = std::string("Bad\xC3", 4);
  CHECK(encode_one(officer) == Errc::invalid_argument);
  CHECK(error == "encode: record 2: last_name: not valid UTF-8");
  officer = sample_officer();
  officer.first_name = "Tab\tName";
  CHECK(encode_one(officer) == Errc::invalid_argument);
  CHECK(error == "encode: record 2: first_name: control character");
  officer = sample_officer();
  officer.gender = "Q";
  CHECK(encode_one(officer) == Errc::invalid_argument);
  CHECK(error == "encode: record 2: gender: not M, F or X");

  BatchManifest m = sample_manifest(BatchType::export_batch);
  m.period = "2026-W53";  // 2026 has 53 ISO weeks
  CHECK_FALSE(encode_export_batch(m, {}, out, error));
  m.period = "2027-W53";  // 2027 has 52
  CHECK(encode_export_batch(m, {}, out, error) == Errc::invalid_argument);
  CHECK(error == "encode: manifest: period: not an ISO week YYYY-Www");
  m = sample_manifest(BatchType::return_batch);
  CHECK(encode_export_batch(m, {}, out, error) == Errc::invalid_argument);
}

TEST_CASE("the export carries only the listed fields (data minimisation)") {
  BatchManifest m = sample_manifest(BatchType::export_batch);
  std::vector<ExportRecord> records{sample_rfid()};
  std::string out, error;
  REQUIRE_FALSE(encode_export_batch(m, records, out, error));
  const std::string record = out.substr(out.find('\n') + 1);
  // Exactly nine keys: source, epc, tid, entry_date, entry_time, utc_offset,
  // entry_utc, port, lane (no RSSI, antennas, reader, TID maker, ...).
  std::size_t keys = 0;
  for (std::size_t p = record.find("\":"); p != std::string::npos; p = record.find("\":", p + 1))
    ++keys;
  CHECK(keys == 9);
}
