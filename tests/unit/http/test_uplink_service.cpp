// The uplink listener's handler (UplinkService) behind the real HTTPS server
// with client certificates, in front of a real GroupCommitter and store:
// lane identity from the certificate, refusals, acked only after COMMIT,
// idempotent repeats, status snapshot.
#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <optional>

#include "HttpTestSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/GroupCommitter.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"
#include "garita/daemon/uplink/UplinkService.hpp"

using namespace garita;
namespace http = garita::daemon::http;
namespace codec = garita::uplink;
using namespace garita::daemon::http::test;
namespace bhttp = boost::beast::http;

namespace {

Crossing lane_crossing(const std::string& lane, std::uint64_t sequence) {
  Crossing c;
  c.lane_id = lane;
  c.sequence = sequence;
  c.port_code = "SYS";
  const std::uint8_t epc[12] = {0xE2,
                                0x00,
                                0x34,
                                0x11,
                                0xB8,
                                0x02,
                                0x01,
                                0x16,
                                0,
                                0,
                                static_cast<std::uint8_t>(sequence >> 8),
                                static_cast<std::uint8_t>(sequence)};
  c.epc.assign(epc);
  c.epc_hex = to_hex(c.epc.view());
  c.pc = 0x3000;
  c.epc_uri = "urn:epc:raw:96.x" + c.epc_hex;
  c.epc_scheme = "raw";
  c.first_seen_utc_us = 1'790'000'000'000'000 + static_cast<std::int64_t>(sequence) * 1'000'000;
  c.last_seen_utc_us = c.first_seen_utc_us + 200'000;
  c.time_source = TimeSource::host_receive;
  c.read_count = 4;
  c.antenna_mask = 1;
  return c;
}

struct UplinkFixture {
  UplinkFixture() {
    store::CrossingStore store;
    REQUIRE(!store.open(db));
    REQUIRE(!committer.start(std::move(store)));
    http::ListenerOptions o = server_options(true);
    o.tls13_only = true;
    o.max_body_bytes = codec::kMaxBodyBytes;
    server.emplace(o, service, "uplink");
    std::string error;
    INFO(error);
    REQUIRE(!server->start(error));
  }
  ~UplinkFixture() {
    server.reset();
    committer.stop();
  }

  http::Response post(const std::string& lane_cert, const std::string& target,
                      const std::string& body,
                      const std::string& content_type = "application/json") {
    TestClient client(server->port(),
                      {test_pki() / (lane_cert + ".pem"), test_pki() / (lane_cert + ".key")});
    REQUIRE(!client.handshake());
    http::Request req = make_request(bhttp::verb::post, target, body);
    req.set(bhttp::field::content_type, content_type);
    http::Response res;
    REQUIRE(!client.request(req, res));
    return res;
  }

  std::size_t rows() {
    store::CrossingStore reader;
    store::StoreOptions ro;
    ro.read_only = true;
    REQUIRE(!reader.open(db, ro));
    store::StoreCounts counts;
    REQUIRE(!reader.counts(counts));
    return counts.crossings;
  }

  TempDir dir;
  std::filesystem::path db = dir.path() / "crossings.db";
  store::GroupCommitter committer;
  std::int64_t clock_us = 1'800'000'000'000'000;
  garita::daemon::uplink::UplinkService service{
      {"L1", "L2"},
      5,
      [this](Crossing c, store::GroupCommitter::OnCommitted done, std::string* why) {
        return committer.submit(std::move(c), std::move(done), why);
      },
      [this] { return clock_us; }};
  std::optional<ServerThread> server;
};

std::string error_code_of(const http::Response& res) {
  codec::ErrorBody body;
  std::string error;
  REQUIRE(!codec::decode(res.body(), body, error));
  return body.error;
}

}  // namespace

TEST_CASE("hello from a controller lane: 200 with max_batch; status updated") {
  UplinkFixture f;
  const auto res =
      f.post("L1", "/v1/uplink/hello",
             codec::encode(codec::Hello{"L1", "garita-lane 0.1.0", 42, {"connected", "serial"}}));
  REQUIRE(res.result() == bhttp::status::ok);
  codec::HelloResponse hello;
  std::string error;
  REQUIRE(!codec::decode(res.body(), hello, error));
  CHECK(hello.lane == "L1");
  CHECK(hello.max_batch == 5);
  CHECK(hello.server_time_utc_us == f.clock_us);
  const auto status = f.service.snapshot();
  REQUIRE(status.size() == 2);
  CHECK(status[0].lane_id == "L1");
  CHECK(status[0].last_hello_utc_us == f.clock_us);
  CHECK(status[0].backlog == 42);
  CHECK(status[0].controller == "garita-lane 0.1.0");
  CHECK(status[0].reader_state == "connected");
  CHECK(status[0].peer_address.rfind("127.0.0.1:", 0) == 0);
  CHECK(!status[1].last_hello_utc_us);
}

TEST_CASE(
    "a batch is acked only once committed; invalid crossings are rejected; repeats are harmless") {
  UplinkFixture f;
  codec::CrossingBatch batch{"L2", 10, {}};
  for (std::uint64_t s = 7; s <= 9; ++s) batch.crossings.push_back(lane_crossing("L2", s));
  Crossing bad = lane_crossing("L2", 10);
  bad.last_seen_utc_us = bad.first_seen_utc_us - 1;
  batch.crossings.push_back(bad);
  const std::string body = codec::encode(batch);

  for (int round = 0; round < 2; ++round) {
    const auto res = f.post("L2", "/v1/uplink/crossings", body);
    REQUIRE(res.result() == bhttp::status::ok);
    codec::CrossingsResponse answer;
    std::string error;
    REQUIRE(!codec::decode(res.body(), answer, error));
    CHECK(answer.acked == std::vector<std::uint64_t>{7, 8, 9});
    REQUIRE(answer.rejected.size() == 1);
    CHECK(answer.rejected[0].sequence == 10);
    CHECK(answer.rejected[0].reason == "crossing L2#10: last_seen is before first_seen");
    // The answer came after COMMIT: another connection sees the rows now.
    CHECK(f.rows() == 3);
  }
  store::CrossingStore reader;
  store::StoreOptions ro;
  ro.read_only = true;
  REQUIRE(!reader.open(f.db, ro));
  std::optional<store::StoredCrossing> row;
  REQUIRE(!reader.find("L2", 8, row));
  REQUIRE(row);
  CHECK(row->crossing.sequence == 8);  // the lane's own sequence, kept
  CHECK(row->crossing.epc_hex == lane_crossing("L2", 8).epc_hex);
  const auto status = f.service.snapshot();
  CHECK(status[1].batches == 2);
  CHECK(status[1].acked == 6);
  CHECK(status[1].rejected == 2);
  CHECK(status[1].backlog == 10);
  CHECK(status[1].last_batch_utc_us == f.clock_us);
}

TEST_CASE("refusals: wrong lane certificate, body/cert mismatch, bad bodies, methods") {
  UplinkFixture f;
  StderrCapture log;
  const std::string l1_batch =
      codec::encode(codec::CrossingBatch{"L1", 0, {lane_crossing("L1", 1)}});

  // L3 holds a valid certificate from the right CA but is no controller lane.
  auto res = f.post("L3", "/v1/uplink/crossings",
                    codec::encode(codec::CrossingBatch{"L3", 0, {lane_crossing("L3", 1)}}));
  CHECK(res.result() == bhttp::status::forbidden);
  CHECK(error_code_of(res) == "unknown_lane");
  CHECK(log.wait_for("refused request from 127.0.0.1:"));
  CHECK(log.text().find("(certificate CN 'L3'): 403 unknown_lane: certificate CN 'L3' is not a "
                        "controller lane here (controller lanes: L1,L2)") != std::string::npos);

  // L2's certificate sending L1's crossings.
  res = f.post("L2", "/v1/uplink/crossings", l1_batch);
  CHECK(res.result() == bhttp::status::forbidden);
  CHECK(error_code_of(res) == "lane_mismatch");
  CHECK(log.wait_for("403 lane_mismatch: body lane 'L1' is not the certificate's lane 'L2'"));
  res = f.post("L2", "/v1/uplink/hello",
               codec::encode(codec::Hello{"L1", "x", 0, {"connected", "serial"}}));
  CHECK(res.result() == bhttp::status::forbidden);

  res = f.post("L1", "/v1/uplink/crossings", "{\"lane\":\"L1\",\"backlog\":0}");
  CHECK(res.result() == bhttp::status::bad_request);
  CHECK(res.body().find("$.crossings: missing") != std::string::npos);

  codec::CrossingBatch big{"L1", 0, {}};
  for (std::uint64_t s = 1; s <= 6; ++s) big.crossings.push_back(lane_crossing("L1", s));
  res = f.post("L1", "/v1/uplink/crossings", codec::encode(big));
  CHECK(res.result() == bhttp::status::bad_request);
  CHECK(error_code_of(res) == "batch_too_large");

  res = f.post("L1", "/v1/uplink/crossings", l1_batch, "text/plain");
  CHECK(res.result() == bhttp::status::unsupported_media_type);
  res = f.post("L1", "/v1/uplink/nothing", l1_batch);
  CHECK(res.result() == bhttp::status::not_found);
  {
    TestClient client(f.server->port(), {test_pki() / "L1.pem", test_pki() / "L1.key"});
    REQUIRE(!client.handshake());
    http::Response get;
    REQUIRE(!client.request(make_request(bhttp::verb::get, "/v1/uplink/hello"), get));
    CHECK(get.result() == bhttp::status::method_not_allowed);
  }
  CHECK(f.rows() == 0);
  CHECK(f.service.snapshot()[1].refused_requests == 2);
  CHECK(f.service.snapshot()[1].last_refusal.find("lane_mismatch") != std::string::npos);
}

TEST_CASE("a store that cannot take crossings gives 503: nothing acked, the lane keeps them") {
  UplinkFixture f;
  f.committer.stop();
  const auto res = f.post("L1", "/v1/uplink/crossings",
                          codec::encode(codec::CrossingBatch{"L1", 0, {lane_crossing("L1", 1)}}));
  CHECK(res.result() == bhttp::status::service_unavailable);
  CHECK(error_code_of(res) == "store_busy");
}
