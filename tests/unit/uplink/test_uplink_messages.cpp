// Uplink JSON codec: encoding gives known bytes, decoding gives the values
// back, and every malformed body gives one line naming its JSON path.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "garita/common/Hex.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"

using namespace garita;
using namespace garita::uplink;

namespace {

Crossing sample_crossing() {
  Crossing c;
  c.lane_id = "L3";
  c.sequence = 42;
  c.port_code = "2506";
  std::vector<std::uint8_t> bytes;
  REQUIRE(!parse_hex("E2801160600002054C6D8F3A", bytes));
  c.epc.assign(bytes);
  c.epc_hex = to_hex(c.epc.view());
  c.pc = 0x3000;
  c.epc_uri = "urn:epc:raw:96.x E2801160600002054C6D8F3A";
  c.epc_scheme = "raw";
  REQUIRE(!parse_hex("E2801160200074CF", bytes));
  c.tid.assign(bytes);
  c.tid_hex = to_hex(c.tid.view());
  c.tid_maker = "Impinj";
  c.tid_model = "Monza 4QT";
  c.tid_serial = "";
  c.document = DocumentType::passport_card;
  c.issuer_rule = "passport-card";
  c.first_seen_utc_us = 1790000000000000;
  c.last_seen_utc_us = 1790000000250000;
  c.time_source = TimeSource::reader_utc;
  c.clock_offset_us = -1500;
  c.host_clock_synchronized = true;
  c.read_count = 17;
  c.peak_rssi_cdbm = -5230;
  c.antenna_mask = 3;
  c.direction = Direction::with_flow;
  return c;
}

const std::string kSampleCrossingJson =
    R"({"lane_id":"L3","sequence":42,"port_code":"2506","epc_hex":"E2801160600002054C6D8F3A",)"
    R"("pc":"3000","epc_uri":"urn:epc:raw:96.x E2801160600002054C6D8F3A","epc_scheme":"raw",)"
    R"("tid_hex":"E2801160200074CF","tid_maker":"Impinj","tid_model":"Monza 4QT",)"
    R"("tid_serial":"","document":"PASSPORT_CARD","issuer_rule":"passport-card",)"
    R"("first_seen_utc_us":1790000000000000,"last_seen_utc_us":1790000000250000,)"
    R"("time_source":"reader_utc","clock_offset_us":-1500,"host_clock_synchronized":true,)"
    R"("read_count":17,"peak_rssi_cdbm":-5230,"antenna_mask":3,"direction":"with_flow",)"
    R"("source":"INM-RFID"})";

std::string batch_json(const std::string& crossing_json) {
  return R"({"lane":"L3","backlog":7,"crossings":[)" + crossing_json + "]}";
}

// Replaces the first occurrence of `from` in the sample crossing.
std::string sample_with(const std::string& from, const std::string& to) {
  std::string s = kSampleCrossingJson;
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
  return s;
}

template <class Message>
std::string decode_error(const std::string& json, std::error_code* code = nullptr) {
  Message m;
  std::string error;
  const std::error_code ec = decode(json, m, error);
  if (code != nullptr) *code = ec;
  REQUIRE(ec);
  REQUIRE(error.find('\n') == std::string::npos);
  return error;
}

void require_same(const Crossing& a, const Crossing& b) {
  CHECK(a.lane_id == b.lane_id);
  CHECK(a.sequence == b.sequence);
  CHECK(a.port_code == b.port_code);
  CHECK(a.epc == b.epc);
  CHECK(a.epc_hex == b.epc_hex);
  CHECK(a.pc == b.pc);
  CHECK(a.epc_uri == b.epc_uri);
  CHECK(a.epc_scheme == b.epc_scheme);
  CHECK(a.tid == b.tid);
  CHECK(a.tid_hex == b.tid_hex);
  CHECK(a.tid_maker == b.tid_maker);
  CHECK(a.tid_model == b.tid_model);
  CHECK(a.tid_serial == b.tid_serial);
  CHECK(a.document == b.document);
  CHECK(a.issuer_rule == b.issuer_rule);
  CHECK(a.first_seen_utc_us == b.first_seen_utc_us);
  CHECK(a.last_seen_utc_us == b.last_seen_utc_us);
  CHECK(a.time_source == b.time_source);
  CHECK(a.clock_offset_us == b.clock_offset_us);
  CHECK(a.host_clock_synchronized == b.host_clock_synchronized);
  CHECK(a.read_count == b.read_count);
  CHECK(a.peak_rssi_cdbm == b.peak_rssi_cdbm);
  CHECK(a.antenna_mask == b.antenna_mask);
  CHECK(a.direction == b.direction);
  CHECK(a.source == b.source);
}

}  // namespace

TEST_CASE("hello encodes to known JSON and decodes back") {
  Hello hello{"L3", "garita-lane 0.1.0", 123, {"connected", "serial"}};
  const std::string json = encode(hello);
  CHECK(json == R"({"lane":"L3","controller":"garita-lane 0.1.0","backlog":123,)"
                R"("reader":{"state":"connected","uri_scheme":"serial"}})");
  Hello back;
  std::string error;
  REQUIRE(!decode(json, back, error));
  CHECK(error.empty());
  CHECK(back == hello);
}

TEST_CASE("hello response and error body encode to known JSON and decode back") {
  HelloResponse r{"L3", 1790000000123456, 500};
  CHECK(encode(r) == R"({"lane":"L3","server_time_utc_us":1790000000123456,"max_batch":500})");
  HelloResponse back;
  std::string error;
  REQUIRE(!decode(encode(r), back, error));
  CHECK(back == r);

  ErrorBody e{"lane_mismatch", "body lane L4 is not the certificate's lane L3"};
  CHECK(encode(e) ==
        R"({"error":"lane_mismatch","message":"body lane L4 is not the certificate's lane L3"})");
  ErrorBody eback;
  REQUIRE(!decode(encode(e), eback, error));
  CHECK(eback == e);
}

TEST_CASE("a crossing batch encodes every field with its Crossing name") {
  CrossingBatch batch{"L3", 7, {sample_crossing()}};
  CHECK(encode(batch) == batch_json(kSampleCrossingJson));
}

TEST_CASE("a crossing batch decodes from known JSON") {
  CrossingBatch batch;
  std::string error;
  REQUIRE(!decode(batch_json(kSampleCrossingJson), batch, error));
  CHECK(batch.lane == "L3");
  CHECK(batch.backlog == 7);
  REQUIRE(batch.crossings.size() == 1);
  require_same(batch.crossings[0], sample_crossing());
  std::string why;
  CHECK(!store::validate_crossing(batch.crossings[0], why));
}

TEST_CASE("a crossing without PC or TID round-trips, lower-case hex is normalised") {
  Crossing c = sample_crossing();
  c.pc.reset();
  c.tid.clear();
  c.tid_hex.clear();
  c.tid_maker.clear();
  c.tid_model.clear();
  CrossingBatch batch{"L3", 0, {c}};
  const std::string json = encode(batch);
  CHECK(json.find(R"("pc":null)") != std::string::npos);
  CHECK(json.find(R"("tid_hex":"")") != std::string::npos);
  CrossingBatch back;
  std::string error;
  REQUIRE(!decode(json, back, error));
  require_same(back.crossings.at(0), c);

  REQUIRE(!decode(
      batch_json(sample_with("E2801160600002054C6D8F3A\",\"pc", "e2801160600002054c6d8f3a\",\"pc")),
      back, error));
  CHECK(back.crossings.at(0).epc_hex == "E2801160600002054C6D8F3A");
}

TEST_CASE("extreme integers round-trip") {
  Crossing c = sample_crossing();
  c.sequence = static_cast<std::uint64_t>(INT64_MAX);
  c.first_seen_utc_us = INT64_MIN;
  c.last_seen_utc_us = INT64_MAX;
  c.clock_offset_us = INT64_MIN;
  c.read_count = UINT32_MAX;
  c.peak_rssi_cdbm = INT16_MIN;
  c.antenna_mask = UINT32_MAX;
  CrossingBatch back;
  std::string error;
  REQUIRE(!decode(encode(CrossingBatch{"L3", UINT64_MAX, {c}}), back, error));
  require_same(back.crossings.at(0), c);
  CHECK(back.backlog == UINT64_MAX);
}

TEST_CASE("crossings response encodes to known JSON and decodes back") {
  CrossingsResponse r{{40, 41, 43}, {{42, "crossing L3#42: last_seen is before first_seen"}}};
  const std::string json = encode(r);
  CHECK(json == R"({"acked":[40,41,43],"rejected":[{"sequence":42,)"
                R"("reason":"crossing L3#42: last_seen is before first_seen"}]})");
  CrossingsResponse back;
  std::string error;
  REQUIRE(!decode(json, back, error));
  CHECK(back == r);
  CHECK(encode(CrossingsResponse{}) == R"({"acked":[],"rejected":[]})");
}

TEST_CASE("errors name the JSON path of what was wrong") {
  std::error_code ec;
  CHECK(decode_error<Hello>("", &ec).rfind("$: not valid JSON", 0) == 0);
  CHECK(ec == Errc::not_json);
  CHECK(decode_error<Hello>("[1,2]", &ec) == "$: expected an object, got an array");
  CHECK(ec == Errc::wrong_type);
  CHECK(decode_error<Hello>(R"({"lane":"L3","controller":"x","backlog":1})", &ec) ==
        "$.reader: missing");
  CHECK(ec == Errc::missing_field);
  CHECK(
      decode_error<Hello>(
          R"({"lane":"L3","controller":"x","backlog":1,"reader":{"state":"ok","uri_scheme":"serial","x":1}})",
          &ec) == "$.reader.x: unknown field");
  CHECK(ec == Errc::unknown_field);
  CHECK(
      decode_error<Hello>(
          R"({"lane":"L3","controller":"x","backlog":-1,"reader":{"state":"ok","uri_scheme":"serial"}})",
          &ec) == "$.backlog: integer outside 0..18446744073709551615");
  CHECK(ec == Errc::bad_value);
  CHECK(
      decode_error<Hello>(
          R"({"lane":"","controller":"x","backlog":1,"reader":{"state":"ok","uri_scheme":"serial"}})") ==
      "$.lane: empty");
  CHECK(
      decode_error<Hello>(
          R"({"lane":"L3","controller":"x","backlog":1.5,"reader":{"state":"ok","uri_scheme":"serial"}})") ==
      "$.backlog: expected an integer, got a non-integer number");

  CHECK(decode_error<CrossingBatch>(
            batch_json(sample_with("\"sequence\":42", "\"sequence\":\"42\""))) ==
        "$.crossings[0].sequence: expected an integer, got a string");
  CHECK(decode_error<CrossingBatch>(
            batch_json(sample_with("\"sequence\":42", "\"sequence\":9223372036854775808"))) ==
        "$.crossings[0].sequence: integer outside 0..9223372036854775807");
  CHECK(decode_error<CrossingBatch>(
            batch_json(sample_with("E2801160600002054C6D8F3A\",\"pc", "E28Z\",\"pc")))
            .rfind("$.crossings[0].epc_hex: not an even number of hex digits", 0) == 0);
  CHECK(decode_error<CrossingBatch>(batch_json(sample_with("\"pc\":\"3000\"", "\"pc\":\"30\""))) ==
        "$.crossings[0].pc: expected null or 4 hex digits");
  CHECK(
      decode_error<CrossingBatch>(
          batch_json(sample_with("\"PASSPORT_CARD\"", "\"passport_card\""))) ==
      "$.crossings[0].document: not one of UNKNOWN, BCC, PRC, PASSPORT_CARD, SENTRI, NEXUS, FAST, "
      "GLOBAL_ENTRY, EDL, ETC, OTHER");
  CHECK(decode_error<CrossingBatch>(
            batch_json(sample_with("\"direction\":\"with_flow\"", "\"direction\":\"north\""))) ==
        "$.crossings[0].direction: not one of unknown, with_flow, counter_flow");
  CHECK(decode_error<CrossingBatch>(
            batch_json(sample_with("\"peak_rssi_cdbm\":-5230", "\"peak_rssi_cdbm\":-40000"))) ==
        "$.crossings[0].peak_rssi_cdbm: integer outside -32768..32767");
  CHECK(decode_error<CrossingBatch>(batch_json(
            sample_with("\"host_clock_synchronized\":true", "\"host_clock_synchronized\":1"))) ==
        "$.crossings[0].host_clock_synchronized: expected true or false, got an integer");
  CHECK(decode_error<CrossingBatch>(batch_json(sample_with(",\"source\":\"INM-RFID\"", ""))) ==
        "$.crossings[0].source: missing");
  CHECK(decode_error<CrossingBatch>(batch_json(sample_with(
            "\"source\":", "\"name\":\"x\",\"source\":"))) == "$.crossings[0].name: unknown field");
  CHECK(decode_error<CrossingBatch>(
            batch_json(sample_with("\"lane_id\":\"L3\"", "\"lane_id\":\"L4\""))) ==
        "$.crossings[0].lane_id: is not the batch's lane");
  CHECK(decode_error<CrossingBatch>(R"({"lane":"L3","backlog":0,"crossings":[]})") ==
        "$.crossings: expected 1..1000 crossings, got 0");
  CHECK(decode_error<CrossingBatch>(
            batch_json(kSampleCrossingJson + "," + kSampleCrossingJson + ",7")) ==
        "$.crossings[2]: expected an object, got an integer");

  CHECK(decode_error<CrossingsResponse>(R"({"acked":[1,-2],"rejected":[]})") ==
        "$.acked[1]: expected a sequence number 0..2^63-1");
  CHECK(decode_error<CrossingsResponse>(R"({"acked":[],"rejected":[{"sequence":1}]})") ==
        "$.rejected[0].reason: missing");
  CHECK(decode_error<HelloResponse>(R"({"lane":"L3","server_time_utc_us":1,"max_batch":0})") ==
        "$.max_batch: integer outside 1..1000");
}

TEST_CASE("sizes and depth are bounded") {
  std::error_code ec;
  const std::string huge(kMaxBodyBytes + 1, ' ');
  CHECK(decode_error<CrossingBatch>(huge, &ec) == "$: body is larger than 4194304 bytes");
  CHECK(ec == Errc::body_too_large);
  CHECK(decode_error<Hello>(std::string(100, '[') + std::string(100, ']'), &ec)
            .rfind("$: not valid JSON", 0) == 0);
  CHECK(decode_error<CrossingBatch>(batch_json(sample_with(
            "\"tid_maker\":\"Impinj\"", "\"tid_maker\":\"" + std::string(1025, 'x') + "\""))) ==
        "$.crossings[0].tid_maker: longer than 1024 bytes");
  CHECK(decode_error<CrossingBatch>(batch_json(sample_with("E2801160600002054C6D8F3A\",\"pc",
                                                           std::string(126, 'A') + "\",\"pc")))
            .rfind("$.crossings[0].epc_hex: not an even number of hex digits for at most 62 bytes",
                   0) == 0);
  std::string many;
  for (int i = 0; i < 1001; ++i) many += (i ? "," : "") + kSampleCrossingJson;
  CHECK(decode_error<CrossingBatch>(batch_json(many)) ==
        "$.crossings: expected 1..1000 crossings, got 1001");
  CHECK(
      decode_error<Hello>(
          R"({"lane":"L3","controller":"x","backlog":1,"reader":{"state":"ok","uri_scheme":"serial"},"\u0001\n":1})") ==
      "$.?: unknown field");
}

TEST_CASE("semantically invalid crossings decode, for the store to reject one by one") {
  // first_seen after last_seen is representable: the codec passes it so the
  // server can answer it in "rejected" rather than refusing the whole batch.
  CrossingBatch batch;
  std::string error;
  REQUIRE(!decode(
      batch_json(sample_with("\"last_seen_utc_us\":1790000000250000", "\"last_seen_utc_us\":1")),
      batch, error));
  std::string why;
  CHECK(store::validate_crossing(batch.crossings.at(0), why));
  CHECK(why == "crossing L3#42: last_seen is before first_seen");
}
