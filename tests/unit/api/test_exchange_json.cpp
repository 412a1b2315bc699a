// The exchange endpoints' JSON (docs/api.md "Weekly batches", "Officer-entered
// records"): strict request bodies with the member named on every refusal,
// the UTC entry time, the ledger query and path ids, and the answers' shapes.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "garita/daemon/api/ApiErrc.hpp"
#include "garita/daemon/api/ExchangeJson.hpp"

using namespace garita;
using namespace garita::daemon::api;

namespace {

RequestTarget target(std::string_view t) {
  RequestTarget out;
  std::string why;
  REQUIRE_FALSE(parse_request_target(t, out, why));
  return out;
}

constexpr std::string_view kRecord =
    R"({"last_name":"GARCIA LOPEZ","first_name":"MARIA","middle_name":"JOSE",)"
    R"("birth_date":"1985-03-14","nationality":"MEX","gender":"F","document_type":"P",)"
    R"("document_number":"G12345678","document_country":"MEX","entry_utc":"2026-11-18T17:04:05Z"})";

// kRecord with one member replaced (or removed when `value` is empty).
std::string with(std::string_view name, std::string_view value) {
  boost::json::object o = boost::json::parse(kRecord).as_object();
  if (value.empty()) {
    o.erase(name);
  } else {
    o[name] = boost::json::parse(value);
  }
  return boost::json::serialize(o);
}

std::string refused(std::string_view body) {
  batch::OfficerEntryRecord r;
  std::string why;
  const auto ec = parse_officer_record_request(body, "SYS", r, why);
  REQUIRE(ec == ApiErrc::bad_parameter);
  return why;
}

}  // namespace

TEST_CASE("utc second: RFC 3339 with Z to the second only") {
  CHECK(parse_utc_second("2000-01-01T00:00:00Z") == 946'684'800);
  CHECK_FALSE(parse_utc_second("1999-12-31T23:59:59Z"));  // the batch format starts at 2000
  CHECK(parse_utc_second("2026-11-18T17:04:05Z") == 1'795'021'445);
  CHECK(parse_utc_second("2028-02-29T00:00:00Z") == 1'835'395'200);  // leap day
  CHECK_FALSE(parse_utc_second("2026-02-29T00:00:00Z"));             // not a leap year
  CHECK_FALSE(parse_utc_second("2026-11-18T17:04:05.5Z"));
  CHECK_FALSE(parse_utc_second("2026-11-18T17:04:05+00:00"));
  CHECK_FALSE(parse_utc_second("2026-11-18 17:04:05Z"));
  CHECK_FALSE(parse_utc_second("2026-11-18T24:00:00Z"));
  CHECK_FALSE(parse_utc_second("2026-11-18T23:59:60Z"));
  CHECK_FALSE(parse_utc_second("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_utc_second("2026-11-31T00:00:00Z"));
  CHECK_FALSE(parse_utc_second("2026-11-18T17:04:0Z"));
  CHECK_FALSE(parse_utc_second(""));
}

TEST_CASE("officer record body: every member read, defaults for middle_name and port") {
  batch::OfficerEntryRecord r;
  std::string why;
  REQUIRE_FALSE(parse_officer_record_request(kRecord, "SYS", r, why));
  CHECK(r.last_name == "GARCIA LOPEZ");
  CHECK(r.first_name == "MARIA");
  CHECK(r.middle_name == "JOSE");
  CHECK(r.birth_date == "1985-03-14");
  CHECK(r.nationality == "MEX");
  CHECK(r.gender == "F");
  CHECK(r.document_type == "P");
  CHECK(r.document_number == "G12345678");
  CHECK(r.document_country == "MEX");
  CHECK(r.entry.utc_seconds == 1'795'021'445);
  CHECK(r.port == "SYS");

  REQUIRE_FALSE(parse_officer_record_request(with("middle_name", ""), "SYS", r, why));  // removed
  CHECK(r.middle_name.empty());
  REQUIRE_FALSE(parse_officer_record_request(with("port", R"("OTM")"), "SYS", r, why));
  CHECK(r.port == "OTM");
}

TEST_CASE("officer record body: unknown, missing, mistyped members are named") {
  CHECK(refused(with("documnet_number", R"("X1")")).starts_with("unknown field 'documnet_number'"));
  // A name or value with a newline (or other control bytes) is never echoed:
  // the message stays one line (found by fuzz_exchange_request).
  for (const char* body : {R"({"last\nname":"x"})", R"({"period":"2026\nW47"})",
                           R"({"last_name":"x","last_name":"y","a\nb":1})"}) {
    const std::string why = refused(body);
    INFO(why);
    CHECK(why.find('\n') == std::string::npos);
    CHECK_FALSE(why.empty());
  }
  std::string period, why;
  CHECK(parse_export_request(R"({"period":"2026\nW47"})", period, why));
  CHECK(why ==
        "period: (8 bytes, not shown) is not an ISO 8601 week that exists (e.g. \"2026-W47\")");
  for (std::string_view name :
       {"last_name", "first_name", "birth_date", "nationality", "gender", "document_type",
        "document_number", "document_country", "entry_utc"}) {
    INFO(name);
    CHECK(refused(with(name, "")) == std::string(name) + ": missing");
    CHECK(refused(with(name, "42")) == std::string(name) + ": must be a string, not a number");
    CHECK(refused(with(name, "null")) == std::string(name) + ": must be a string, not null");
  }
  CHECK(refused(with("middle_name", "[]")) == "middle_name: must be a string, not an array");
  CHECK(refused(with("entry_utc", R"("2026-11-18T09:04:05")")).starts_with("entry_utc:"));
  // A repeated member is refused, not resolved to whichever came last;
  // names repeated inside nested values do not count.
  CHECK(refused(std::string(kRecord).insert(1, R"("document_number":"X1",)")) ==
        "document_number: given more than once");
  CHECK(refused(std::string(kRecord).insert(1, R"("port":{"a":1,"a":2},)")) ==
        "port: must be a string, not an object");
  CHECK(refused("").starts_with("body: not JSON"));
  CHECK(refused("[1]") == "body: must be a JSON object, not an array");
  CHECK(refused(R"({"last_name":"A",})").starts_with("body: not JSON"));  // trailing comma
  CHECK(refused(std::string(kRecord) + "x").starts_with("body: not JSON"));
}

TEST_CASE("export body: one period member, an ISO week that exists") {
  std::string period, why;
  REQUIRE_FALSE(parse_export_request(R"({"period":"2026-W47"})", period, why));
  CHECK(period == "2026-W47");
  const auto bad = [](std::string_view body) {
    std::string p, w;
    REQUIRE(parse_export_request(body, p, w) == ApiErrc::bad_parameter);
    return w;
  };
  CHECK(bad(R"({"period":"2026-W54"})").starts_with("period: '2026-W54'"));
  CHECK(bad(R"({"period":"2026-47"})").starts_with("period:"));
  CHECK(bad(R"({"period":47})") == "period: must be a string, not a number");
  CHECK(bad(R"({})") == "period: missing");
  CHECK(bad(R"({"period":"2026-W47","to":"/tmp"})").starts_with("unknown field 'to'"));
  CHECK(bad("period=2026-W47").starts_with("body: not JSON"));
}

TEST_CASE("batch list query, batch ids and record ids") {
  BatchListQuery q;
  std::string why;
  REQUIRE_FALSE(parse_batch_list_query(target("/v1/batches"), q, why));
  CHECK(q.period.empty());
  CHECK(q.limit == 100);
  REQUIRE_FALSE(parse_batch_list_query(target("/v1/batches?period=2026-W47&limit=5"), q, why));
  CHECK(q.period == "2026-W47");
  CHECK(q.limit == 5);
  CHECK(parse_batch_list_query(target("/v1/batches?period=W47"), q, why) == ApiErrc::bad_parameter);
  CHECK(why.starts_with("period:"));
  CHECK(parse_batch_list_query(target("/v1/batches?limit=0"), q, why) == ApiErrc::bad_parameter);
  CHECK(why.starts_with("limit:"));
  CHECK(parse_batch_list_query(target("/v1/batches?limit=1001"), q, why));
  CHECK(parse_batch_list_query(target("/v1/batches?since=1d"), q, why));
  CHECK(why.starts_with("unknown parameter 'since'"));

  CHECK(is_batch_id("0f0e8a4c-1d2b-4c3d-9e8f-0a1b2c3d4e5f"));
  CHECK_FALSE(is_batch_id("0F0E8A4C-1D2B-4C3D-9E8F-0A1B2C3D4E5F"));  // the manifest's lower case
  CHECK_FALSE(is_batch_id("0f0e8a4c1d2b4c3d9e8f0a1b2c3d4e5f"));
  CHECK_FALSE(is_batch_id("0f0e8a4c-1d2b-4c3d-9e8f-0a1b2c3d4e5"));
  CHECK(parse_record_id("42") == 42);
  CHECK_FALSE(parse_record_id("0"));
  CHECK_FALSE(parse_record_id("-1"));
  CHECK_FALSE(parse_record_id("4x"));
  CHECK_FALSE(parse_record_id(""));
  CHECK_FALSE(parse_record_id("99999999999999999999"));
}

TEST_CASE("answers: ledger row, export result, officer record") {
  exchange::BatchLedgerRow row;
  row.batch_id = "0f0e8a4c-1d2b-4c3d-9e8f-0a1b2c3d4e5f";
  row.direction = "export";
  row.period = "2026-W47";
  row.created_at_utc = 1'795'021'445;
  row.recorded_at_us = 1'795'021'445'000'000;
  row.record_count = 3;
  row.rfid_records = 2;
  row.officer_records = 1;
  row.operator_name = "supervisor1";
  auto o = batch_ledger_json(row);
  CHECK(o.at("batch_id") == "0f0e8a4c-1d2b-4c3d-9e8f-0a1b2c3d4e5f");
  CHECK(o.at("operator") == "supervisor1");
  CHECK(o.at("rfid_records") == 2);
  CHECK(o.at("officer_records") == 1);
  CHECK(o.at("written_to").is_null());
  CHECK(o.at("file_sha256").is_null());
  CHECK(o.at("written_at_utc").is_null());
  CHECK_FALSE(o.contains("matched"));
  row.file_sha256 = "AB";
  row.written_to = "/media/x/f.p7m";
  row.written_at_us = 1'795'021'445'000'000;
  o = batch_ledger_json(row);
  CHECK(o.at("written_to") == "/media/x/f.p7m");
  CHECK(o.at("written_at_utc") == "2026-11-18T17:04:05.000Z");

  exchange::ExportResult none;
  none.period = "2026-W47";
  CHECK(export_result_json(none).at("nothing_new") == true);
  exchange::ExportResult one = none;
  exchange::WrittenBatch w;
  w.batch_id = row.batch_id;
  w.file = "/media/x/garita-export-SYS-2026-W47-" + row.batch_id + ".p7m";
  w.rfid_records = 2;
  one.batches.push_back(w);
  o = export_result_json(one);
  CHECK(o.at("nothing_new") == false);
  const auto& b = o.at("batches").as_array().at(0).as_object();
  CHECK(b.at("file").as_string() == "garita-export-SYS-2026-W47-" + row.batch_id + ".p7m");
  CHECK(b.at("folder") == "/media/x");

  exchange::StoredOfficerRecord s;
  s.id = 7;
  s.entered_by = "officer1";
  s.record.last_name = "GARCIA";
  s.record.entry.utc_seconds = 1'795'021'445;
  s.record.port = "SYS";
  o = officer_record_json(s);
  CHECK(o.at("id") == 7);
  CHECK(o.at("entry_utc") == "2026-11-18T17:04:05Z");
  CHECK(o.at("export_batch_id").is_null());
}
