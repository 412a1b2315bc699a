// The uplink client against an in-process HTTPS server on loopback with a
// test PKI (scripts/test-pki.sh): hello then batches in order, ack-driven
// deletion, dead letters, backlog reporting, and the failure paths (refused
// connection, untrusted or misnamed server certificate, a lane garitad does
// not accept, a client certificate it refuses) each with its one-line reason.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <map>

#include "../store/StoreTestSupport.hpp"
#include "LaneJournal.hpp"
#include "UplinkTestServer.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"
#include "uplink/UplinkClient.hpp"

using namespace garita;
using namespace garita::firmware;
using namespace garita::firmware::test;
using garita::store::test::make_crossing;
using garita::store::test::TempDir;
using namespace std::chrono_literals;

namespace {

// What a scripted garitad saw and how it answers.
struct FakeGaritad {
  std::vector<uplink::Hello> hellos;
  std::vector<uplink::CrossingBatch> batches;
  std::map<std::uint64_t, std::string> reject;  // sequence -> reason
  unsigned hello_status = 200;
  std::uint32_t max_batch = 500;
  std::string cn_seen;
  std::size_t drop_acks_of_first_batches = 0;  // answers 500 to the first N batches

  Response operator()(const Request& req, const std::string& cn) {
    cn_seen = cn;
    std::string why;
    if (req.target() == "/v1/uplink/hello") {
      uplink::Hello h;
      if (uplink::decode(req.body(), h, why)) return json_response(400, "{}");
      hellos.push_back(h);
      if (hello_status != 200) {
        return json_response(hello_status,
                             uplink::encode(uplink::ErrorBody{"wrong_lane", "lane not allowed"}));
      }
      return json_response(200, uplink::encode(uplink::HelloResponse{h.lane, 1, max_batch}));
    }
    uplink::CrossingBatch b;
    if (uplink::decode(req.body(), b, why)) {
      return json_response(400, uplink::encode(uplink::ErrorBody{"bad_request", why}));
    }
    batches.push_back(b);
    if (drop_acks_of_first_batches > 0) {
      --drop_acks_of_first_batches;
      return json_response(503, uplink::encode(uplink::ErrorBody{"busy", "try later"}));
    }
    uplink::CrossingsResponse r;
    for (const Crossing& c : b.crossings) {
      if (auto it = reject.find(c.sequence); it != reject.end()) {
        r.rejected.push_back({c.sequence, it->second});
      } else {
        r.acked.push_back(c.sequence);
      }
    }
    return json_response(200, uplink::encode(r));
  }
};

struct Fixture {
  TempDir dir;
  std::filesystem::path pki = dir / "pki";
  boost::asio::io_context io;
  LaneJournal journal;
  bool pki_ok = make_test_pki(pki);

  Fixture() { REQUIRE(journal.open(dir / "journal.db") == std::error_code{}); }

  ServerFiles server_files() const {
    return {pki / "server.pem", pki / "server.key", pki / "ca.pem"};
  }

  UplinkOptions options(unsigned short port, const std::string& lane = "L1") const {
    UplinkOptions o;
    o.host = "127.0.0.1";
    o.port = port;
    o.url = "https://127.0.0.1:" + std::to_string(port);
    o.tls = {pki / "ca.pem", pki / (lane + ".pem"), pki / (lane + ".key")};
    o.lane_id = lane;
    o.controller = "garita-lane test";
    o.batch_size = 500;
    o.connect_timeout = 2s;
    o.request_timeout = 2s;
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    o.idle_poll = 20ms;
    o.heartbeat = 60s;
    o.backoff_seed = 7;
    return o;
  }

  void store(std::uint64_t from, std::uint64_t to, const std::string& lane = "L1") {
    for (std::uint64_t s = from; s <= to; ++s) {
      REQUIRE(journal.store(make_crossing(lane, s, static_cast<std::uint32_t>(s))) ==
              std::error_code{});
    }
  }

  std::uint64_t backlog(const std::string& lane = "L1") {
    std::uint64_t n = 0;
    REQUIRE_FALSE(journal.backlog(lane, n));
    return n;
  }
};

uplink::ReaderState reader_up() { return {"connected", "llrp"}; }

}  // namespace

TEST_CASE("uplink: hello, then batches in order; acked crossings leave the journal") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 12);
  FakeGaritad garitad;
  garitad.max_batch = 5;  // garitad asks for smaller batches than configured
  UplinkTestServer server(f.io, f.server_files(), std::ref(garitad));
  std::vector<bool> transitions;
  auto client = UplinkClient::create(f.io, f.options(server.port()), f.journal, reader_up,
                                     [&](bool up) { transitions.push_back(up); });
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return f.backlog() == 0; }, 10s));
  CHECK(client->connected());
  CHECK(transitions == std::vector<bool>{true});
  CHECK(garitad.cn_seen == "L1");
  REQUIRE(garitad.hellos.size() == 1);
  CHECK(garitad.hellos[0].lane == "L1");
  CHECK(garitad.hellos[0].backlog == 12);
  CHECK(garitad.hellos[0].reader.state == "connected");
  CHECK(garitad.hellos[0].reader.uri_scheme == "llrp");
  REQUIRE(garitad.batches.size() == 3);  // 5 + 5 + 2
  std::uint64_t expect = 1;
  for (const auto& b : garitad.batches) {
    CHECK(b.lane == "L1");
    CHECK(b.crossings.size() <= 5);
    for (const Crossing& c : b.crossings) CHECK(c.sequence == expect++);
  }
  CHECK(garitad.batches[0].backlog == 7);  // still waiting after the first batch
  CHECK(garitad.batches[2].backlog == 0);
  CHECK(client->counters().acked == 12);
  CHECK(server.connections() == 1);  // one keep-alive connection for all of it

  // New crossings while idle are sent after notify().
  f.store(13, 14);
  client->notify();
  REQUIRE(run_until(
      f.io, [&] { return f.backlog() == 0; }, 5s));
  CHECK(garitad.batches.back().crossings.back().sequence == 14);
  std::uint64_t last = 0;
  REQUIRE_FALSE(f.journal.last_sequence("L1", last));
  CHECK(last == 14);  // numbering survives the deletion of acked rows
  client->stop();
  CHECK_FALSE(client->connected());
  CHECK(transitions == std::vector<bool>{true, false});
}

TEST_CASE("uplink: a crossing garitad rejects goes to the dead letters, never resent") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 4);
  FakeGaritad garitad;
  garitad.reject[3] = "first_seen_utc_us after last_seen_utc_us";
  UplinkTestServer server(f.io, f.server_files(), std::ref(garitad));
  auto client = UplinkClient::create(f.io, f.options(server.port()), f.journal, reader_up, {});
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return f.backlog() == 0; }, 10s));
  std::vector<DeadLetter> dead;
  REQUIRE_FALSE(f.journal.dead_letters("L1", dead));
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].sequence == 3);
  CHECK(dead[0].reason == "first_seen_utc_us after last_seen_utc_us");
  CHECK(client->counters().rejected == 1);
  CHECK(client->counters().acked == 3);
  // Nothing is sent again.
  const auto batches = garitad.batches.size();
  run_until(
      f.io, [] { return false; }, 200ms);
  CHECK(garitad.batches.size() == batches);
}

TEST_CASE("uplink: an error answer keeps the batch; it is resent after backoff") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 3);
  FakeGaritad garitad;
  garitad.drop_acks_of_first_batches = 2;
  UplinkTestServer server(f.io, f.server_files(), std::ref(garitad));
  auto client = UplinkClient::create(f.io, f.options(server.port()), f.journal, reader_up, {});
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return f.backlog() == 0; }, 10s));
  CHECK(garitad.batches.size() == 3);
  for (const auto& b : garitad.batches) CHECK(b.crossings.front().sequence == 1);
  CHECK(client->counters().failures == 2);
  CHECK(client->last_error().find("garitad answered 503 (busy: try later)") != std::string::npos);
  CHECK(garitad.hellos.size() == 3);  // a new hello after each reconnection
}

TEST_CASE("uplink: not connected before hello's 200; 403 names the lane") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 2);
  FakeGaritad garitad;
  garitad.hello_status = 403;
  UplinkTestServer server(f.io, f.server_files(), std::ref(garitad));
  bool ever_connected = false;
  auto client = UplinkClient::create(f.io, f.options(server.port()), f.journal, reader_up,
                                     [&](bool up) { ever_connected = ever_connected || up; });
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return garitad.hellos.size() >= 3; }, 10s));
  CHECK_FALSE(ever_connected);
  CHECK_FALSE(client->connected());
  CHECK(garitad.batches.empty());
  CHECK(f.backlog() == 2);
  CHECK(client->last_error().find("garitad answered 403 (wrong_lane: lane not allowed)") !=
        std::string::npos);
  CHECK(client->last_error().find("lane L1") != std::string::npos);
  // garitad lets the lane in: it connects and drains without a restart.
  garitad.hello_status = 200;
  REQUIRE(run_until(
      f.io, [&] { return f.backlog() == 0; }, 10s));
  CHECK(client->connected());
}

TEST_CASE("uplink: connection refused, then garitad comes up: the backlog drains") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 3);
  unsigned short port = 0;
  {
    // Find a free port, then leave it closed.
    boost::asio::ip::tcp::acceptor probe(
        f.io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  auto client = UplinkClient::create(f.io, f.options(port), f.journal, reader_up, {});
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return client->counters().failures >= 2; }, 10s));
  CHECK(client->last_error().find("cannot connect to 127.0.0.1:" + std::to_string(port)) !=
        std::string::npos);
  CHECK(client->last_error().find("refused") != std::string::npos);
  FakeGaritad garitad;
  UplinkTestServer server(f.io, f.server_files(), std::ref(garitad), "127.0.0.1", port);
  REQUIRE(run_until(
      f.io, [&] { return f.backlog() == 0; }, 10s));
  CHECK(client->counters().connects == 1);
}

TEST_CASE("uplink: a server certificate from another CA is refused with the reason") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 1);
  FakeGaritad garitad;
  ServerFiles files = f.server_files();
  files.cert_file = f.pki / "wrong-L1.pem";  // issued by the wrong CA
  files.key_file = f.pki / "wrong-L1.key";
  UplinkTestServer server(f.io, files, std::ref(garitad));
  auto client = UplinkClient::create(f.io, f.options(server.port()), f.journal, reader_up, {});
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return client->counters().failures >= 1; }, 10s));
  INFO(client->last_error());
  CHECK(client->last_error().find("TLS handshake with 127.0.0.1") != std::string::npos);
  CHECK(client->last_error().find("garitad's certificate was rejected") != std::string::npos);
  CHECK(garitad.hellos.empty());
  CHECK(f.backlog() == 1);
}

TEST_CASE("uplink: a server certificate for another address is refused (IP check)") {
  Fixture f;
  REQUIRE(f.pki_ok);
  FakeGaritad garitad;
  // The certificate names 127.0.0.1 and localhost; the lane dials 127.0.0.2.
  UplinkTestServer server(f.io, f.server_files(), std::ref(garitad), "127.0.0.2");
  UplinkOptions o = f.options(server.port());
  o.host = "127.0.0.2";
  auto client = UplinkClient::create(f.io, o, f.journal, reader_up, {});
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return client->counters().failures >= 1; }, 10s));
  INFO(client->last_error());
  CHECK(client->last_error().find("IP address mismatch") != std::string::npos);
  CHECK(garitad.hellos.empty());
}

TEST_CASE("uplink: garitad refusing the lane's certificate shows on the first read (TLS 1.3)") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 1);
  FakeGaritad garitad;
  UplinkTestServer server(f.io, f.server_files(), std::ref(garitad));
  UplinkOptions o = f.options(server.port());
  o.tls.cert_file = f.pki / "expired.pem";
  o.tls.key_file = f.pki / "expired.key";
  auto client = UplinkClient::create(f.io, o, f.journal, reader_up, {});
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return client->counters().failures >= 1; }, 10s));
  INFO(client->last_error());
  CHECK_FALSE(client->connected());
  CHECK(garitad.hellos.empty());
  CHECK(server.handshake_failures() >= 1);
  CHECK((client->last_error().find("refused the TLS session") != std::string::npos ||
         client->last_error().find("closed the connection") != std::string::npos));
  CHECK(f.backlog() == 1);
}

TEST_CASE("uplink: an extension made while its batch was in flight is not deleted by the ack") {
  Fixture f;
  REQUIRE(f.pki_ok);
  f.store(1, 2);
  FakeGaritad garitad;
  bool extended = false;
  UplinkTestServer server(f.io, f.server_files(), [&](const Request& req, const std::string& cn) {
    // While garitad handles the batch, the pipeline extends crossing 2.
    if (req.target() == "/v1/uplink/crossings" && !extended) {
      extended = true;
      auto c = make_crossing("L1", 2, 2);
      c.read_count = 99;
      REQUIRE_FALSE(f.journal.store(c));
    }
    return garitad(req, cn);
  });
  auto client = UplinkClient::create(f.io, f.options(server.port()), f.journal, reader_up, {});
  client->start();
  REQUIRE(run_until(
      f.io, [&] { return garitad.batches.size() >= 2 && f.backlog() == 0; }, 10s));
  // The second batch carried the extended revision of crossing 2.
  REQUIRE(garitad.batches[1].crossings.size() == 1);
  CHECK(garitad.batches[1].crossings[0].sequence == 2);
  CHECK(garitad.batches[1].crossings[0].read_count == 99);
}
