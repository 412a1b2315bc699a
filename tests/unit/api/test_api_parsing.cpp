// Pure parts of the people-facing API: request targets, routes and the role
// matrix, query parameters, cursors, crossing JSON masking, rate limiting,
// Prometheus text, alarms and rates, the live feed's fan-out, tickets, and
// the embedded status page.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "garita/common/Hex.hpp"
#include "garita/daemon/api/ApiErrc.hpp"
#include "garita/daemon/api/ApiRoutes.hpp"
#include "garita/daemon/api/CrossingQuery.hpp"
#include "garita/daemon/api/LiveFeed.hpp"
#include "garita/daemon/api/LiveTickets.hpp"
#include "garita/daemon/api/PrometheusText.hpp"
#include "garita/daemon/api/RateLimiter.hpp"
#include "garita/daemon/api/RequestTarget.hpp"
#include "garita/daemon/api/StatusBoard.hpp"
#include "garita/daemon/api/WebAssets.hpp"

using namespace garita;
using namespace garita::daemon::api;
using security::Role;

namespace {

RequestTarget target(std::string_view text) {
  RequestTarget t;
  std::string why;
  const auto ec = parse_request_target(text, t, why);
  INFO(why);
  REQUIRE_FALSE(ec);
  return t;
}

std::string target_error(std::string_view text) {
  RequestTarget t;
  std::string why;
  const auto ec = parse_request_target(text, t, why);
  REQUIRE(ec == ApiErrc::bad_target);
  return why;
}

Crossing sample_crossing() {
  Crossing c;
  c.lane_id = "P01";
  c.sequence = 17;
  c.port_code = "SYS";
  c.epc_hex = "3074257BF7194E4000001A85";
  c.epc_uri = "urn:epc:tag:sgtin-96:3.0614141.812345.6789";
  c.epc_scheme = "sgtin-96";
  c.tid_hex = "E2801160200074CF085909AD";
  c.tid_serial = "0074CF085909AD";
  c.document = DocumentType::bcc;
  c.first_seen_utc_us = 1'763'900'000'123'456;
  c.last_seen_utc_us = 1'763'900'001'000'000;
  c.read_count = 12;
  return c;
}

}  // namespace

TEST_CASE("request target: path and parameters, percent-decoded") {
  const auto t =
      target("/v1/crossings?epc=3074%20257B&lane=P01&since=2026-11-23T10%3A00%3A00Z&x=a+b");
  CHECK(t.path == "/v1/crossings");
  REQUIRE(t.params.size() == 4);
  CHECK(*t.get("epc") == "3074 257B");
  CHECK(*t.get("since") == "2026-11-23T10:00:00Z");
  CHECK(*t.get("x") == "a b");
  CHECK_FALSE(t.get("document"));
  CHECK(target("/v1/status").params.empty());
  CHECK(target("/v1/status?").params.empty());
  CHECK(target("/v1/status?&a=1&&").params.size() == 1);
  CHECK(*target("/v1/status?flag").get("flag") == "");
}

TEST_CASE("request target: malformed ones are refused with a reason") {
  CHECK(target_error("").find("empty") != std::string::npos);
  CHECK(target_error("http://x/v1/status").find("start with '/'") != std::string::npos);
  CHECK(target_error("/v1/a?x=%4").find("'x'") != std::string::npos);
  CHECK(target_error("/v1/a?x=%zz").find("'x'") != std::string::npos);
  CHECK(target_error("/v1/a?x=%00").find("'x'") != std::string::npos);
  CHECK(target_error("/v1/a?x=1&x=2").find("given twice") != std::string::npos);
  CHECK(target_error("/v1/a?b%20c=1").find("name") != std::string::npos);
  CHECK(target_error("/v1/../etc/passwd").find("..") != std::string::npos);
  CHECK(target_error("/v1//status").find("empty segments") != std::string::npos);
  CHECK(target_error("/v1/%2e%2e/x").find("..") != std::string::npos);
  std::string many = "/v1/a?";
  for (int i = 0; i < 17; ++i) many += "p" + std::to_string(i) + "=1&";
  CHECK(target_error(many).find("more than 16") != std::string::npos);
  CHECK(target_error("/v1/a?x=" + std::string(300, 'a')).find("longer than 256") !=
        std::string::npos);
  CHECK(target_error("/" + std::string(5000, 'a')).find("longer than 4096") != std::string::npos);
}

TEST_CASE("percent encode and decode round-trip") {
  const std::string raw = "a b&c=d/é%";
  std::string back;
  REQUIRE(percent_decode(percent_encode(raw), false, back));
  CHECK(back == raw);
}

TEST_CASE("routes: every endpoint, methods and unknown paths") {
  CHECK(route("GET", "/").endpoint == Endpoint::status_page);
  CHECK(route("GET", "/static/app.js").endpoint == Endpoint::static_asset);
  CHECK(route("GET", "/v1/health").endpoint == Endpoint::health);
  CHECK(route("GET", "/metrics").endpoint == Endpoint::metrics);
  CHECK(route("GET", "/v1/status").endpoint == Endpoint::status);
  CHECK(route("GET", "/v1/crossings").endpoint == Endpoint::crossings);
  CHECK(route("GET", "/v1/live").endpoint == Endpoint::live);
  CHECK(route("POST", "/v1/live/ticket").endpoint == Endpoint::live_ticket);
  CHECK(route("GET", "/v1/audit").endpoint == Endpoint::audit);
  CHECK(route("GET", "/v1/batches").endpoint == Endpoint::batches);
  CHECK(route("POST", "/v1/batches").endpoint == Endpoint::batch_export);
  const std::string id = "0f0e8a4c-1d2b-4c3d-9e8f-0a1b2c3d4e5f";
  CHECK(route("GET", "/v1/batches/" + id).endpoint == Endpoint::batch);
  CHECK(path_id(Endpoint::batch, "/v1/batches/" + id) == id);
  CHECK(route("POST", "/v1/batches/" + id).result == RouteResult::method_not_allowed);
  CHECK(route("GET", "/v1/batches/").result == RouteResult::not_found);
  CHECK(route("GET", "/v1/batches/a/b").result == RouteResult::not_found);
  CHECK(route("POST", "/v1/entry-records").endpoint == Endpoint::entry_records);
  CHECK(route("GET", "/v1/entry-records/42").endpoint == Endpoint::entry_record);
  CHECK(path_id(Endpoint::entry_record, "/v1/entry-records/42") == "42");
  CHECK(path_id(Endpoint::batches, "/v1/batches") == "");
  const Route list_records = route("GET", "/v1/entry-records");
  CHECK(list_records.result == RouteResult::method_not_allowed);
  CHECK(list_records.allow == "POST");
  CHECK(route("GET", "/v1/retention").endpoint == Endpoint::retention);
  // Purging stays `garita purge` and the daily job: POST is refused, Allow: GET.
  const Route purge = route("POST", "/v1/retention");
  CHECK(purge.result == RouteResult::method_not_allowed);
  CHECK(purge.allow == "GET");
  CHECK(route("GET", "/v1/retention/x").result == RouteResult::not_found);
  CHECK(route("GET", "/v1/batchesX").result == RouteResult::not_found);
  CHECK(route("GET", "/v2/status").result == RouteResult::not_found);
  CHECK(route("GET", "/static/").result == RouteResult::not_found);
  const Route post = route("POST", "/v1/crossings");
  CHECK(post.result == RouteResult::method_not_allowed);
  CHECK(post.allow == "GET");
  CHECK(route("GET", "/v1/live/ticket").result == RouteResult::method_not_allowed);
  CHECK(route("DELETE", "/v1/batches").result == RouteResult::method_not_allowed);
}

TEST_CASE("role matrix: who may use which endpoint") {
  // The expected matrix, written out (docs/api.md "Roles"); the code takes it
  // from security::allows, so this pins the two together.
  struct Row {
    Endpoint e;
    bool technician, officer, supervisor, auditor, admin;
  };
  const Row rows[] = {
      {Endpoint::status_page, true, true, true, true, true},
      {Endpoint::static_asset, true, true, true, true, true},
      {Endpoint::health, true, true, true, true, true},
      {Endpoint::metrics, true, false, false, false, false},
      {Endpoint::status, true, false, true, true, false},
      {Endpoint::crossings, false, true, false, false, false},
      {Endpoint::live, true, true, true, true, false},
      {Endpoint::live_ticket, true, true, true, true, false},
      {Endpoint::audit, false, false, false, true, false},
      {Endpoint::batches, false, false, true, true, false},
      {Endpoint::retention, false, false, true, true, false},
      {Endpoint::batch, false, false, true, true, false},
      {Endpoint::batch_export, false, false, true, false, false},
      {Endpoint::entry_records, false, true, false, false, false},
      {Endpoint::entry_record, false, true, false, false, false},
  };
  REQUIRE(std::size(rows) == all_endpoints().size());
  for (const Row& r : rows) {
    INFO(to_string(r.e));
    CHECK(permits(r.e, Role::technician) == r.technician);
    CHECK(permits(r.e, Role::officer) == r.officer);
    CHECK(permits(r.e, Role::supervisor) == r.supervisor);
    CHECK(permits(r.e, Role::auditor) == r.auditor);
    CHECK(permits(r.e, Role::admin) == r.admin);
    CHECK(needs_token(r.e) == (r.e != Endpoint::status_page && r.e != Endpoint::static_asset &&
                               r.e != Endpoint::health));
  }
}

TEST_CASE("crossing query: parameters to a store filter") {
  store::CrossingFilter f;
  std::string why;
  const std::int64_t now = 1'763'900'000'000'000;
  REQUIRE_FALSE(parse_crossing_query(
      target("/v1/crossings?epc=3074257bf7194e4000001a85&lane=P01&document=bcc&since=2h&until="
             "2026-11-23T10:00:00Z&limit=5&after=1763890000000000.42"),
      now, f, why));
  CHECK(*f.epc_hex == "3074257bf7194e4000001a85");
  CHECK(*f.lane_id == "P01");
  CHECK(*f.document == DocumentType::bcc);
  CHECK(*f.since_utc_us == now - 7200LL * 1'000'000);
  CHECK(*f.until_utc_us == 1'795'428'000'000'000);  // 2026-11-23T10:00:00Z
  CHECK(f.limit == 5);
  REQUIRE(f.after);
  CHECK(f.after->first_seen_utc_us == 1'763'890'000'000'000);
  CHECK(f.after->id == 42);

  REQUIRE_FALSE(parse_crossing_query(target("/v1/crossings"), now, f, why));
  CHECK(f.limit == kDefaultPageRows);
  CHECK_FALSE(f.epc_hex);
}

TEST_CASE("crossing query: each bad parameter is named") {
  const auto bad = [](std::string_view t) {
    store::CrossingFilter f;
    std::string why;
    const auto ec = parse_crossing_query(target(t), 0, f, why);
    REQUIRE(ec == ApiErrc::bad_parameter);
    return why;
  };
  CHECK(bad("/v1/crossings?epc=XYZ").starts_with("epc:"));
  CHECK(bad("/v1/crossings?epc=123").starts_with("epc:"));  // odd digit count
  CHECK(bad("/v1/crossings?lane=P%3B1").starts_with("lane:"));
  CHECK(bad("/v1/crossings?document=visa").starts_with("document:"));
  CHECK(bad("/v1/crossings?since=yesterday").starts_with("since:"));
  CHECK(bad("/v1/crossings?until=2026-13-45").starts_with("until:"));
  CHECK(bad("/v1/crossings?limit=0").starts_with("limit:"));
  CHECK(bad("/v1/crossings?limit=1001").starts_with("limit:"));
  CHECK(bad("/v1/crossings?limit=-1").starts_with("limit:"));
  CHECK(bad("/v1/crossings?after=abc").starts_with("after:"));
  CHECK(bad("/v1/crossings?since=2026-11-24&until=2026-11-23").starts_with("since:"));
  CHECK(bad("/v1/crossings?name=smith").find("unknown parameter 'name'") != std::string::npos);
}

TEST_CASE("audit query and search terms as given") {
  AuditQuery q;
  std::string why;
  REQUIRE_FALSE(parse_audit_query(target("/v1/audit?user=ana&limit=10&after=5"), 0, q, why));
  CHECK(*q.user == "ana");
  CHECK(q.limit == 10);
  CHECK(q.after_id == 5);
  CHECK(parse_audit_query(target("/v1/audit?epc=1"), 0, q, why) == ApiErrc::bad_parameter);
  CHECK(search_terms_text(target("/v1/crossings?lane=P01&epc=30%2074")) == "lane=P01&epc=30 74");
}

TEST_CASE("cursor round-trip") {
  store::CrossingCursor c{1'763'900'000'123'456, 987};
  store::CrossingCursor back;
  REQUIRE(parse_cursor(format_cursor(c), back));
  CHECK(back == c);
  CHECK_FALSE(parse_cursor("12", back));
  CHECK_FALSE(parse_cursor("12.-1", back));
  CHECK_FALSE(parse_cursor("a.1", back));
}

TEST_CASE("crossing JSON: officers see card numbers, others a mask") {
  const Crossing c = sample_crossing();
  const auto whole = crossing_to_json(c, true);
  CHECK(whole.at("epc_hex").as_string() == "3074257BF7194E4000001A85");
  CHECK(whole.at("tid_hex").as_string() == "E2801160200074CF085909AD");
  CHECK(whole.at("masked").as_bool() == false);
  CHECK(whole.at("first_seen_utc").as_string() == "2025-11-23T12:13:20.123Z");

  const auto masked = crossing_to_json(c, false);
  CHECK(masked.at("epc_hex").as_string() == "3074********************");
  CHECK(masked.at("tid_hex").as_string() == "E280********************");
  CHECK(masked.at("epc_uri").is_null());
  CHECK(masked.at("tid_serial").is_null());
  CHECK(masked.at("masked").as_bool());
  // Nothing of the card's own digits anywhere in the masked text.
  const std::string text = boost::json::serialize(masked);
  CHECK(text.find("7BF7194E") == std::string::npos);
  CHECK(text.find("0074CF08") == std::string::npos);
  CHECK(text.find("812345") == std::string::npos);
}

TEST_CASE("rate limiter: burst, refill, Retry-After, bounded keys") {
  RateLimiter rl({2.0, 3.0, 2});
  std::int64_t t = 1'000'000;
  CHECK(rl.take("a", t).allowed);
  CHECK(rl.take("a", t).allowed);
  CHECK(rl.take("a", t).allowed);
  const auto refused = rl.take("a", t);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_s == 1);
  CHECK(rl.take("b", t).allowed);  // another token has its own bucket
  t += 500'000;                    // 0.5 s at 2/s: one back
  CHECK(rl.take("a", t).allowed);
  CHECK_FALSE(rl.take("a", t).allowed);
  CHECK(rl.take("c", t).allowed);
  CHECK(rl.keys() == 2);  // the idlest went
}

TEST_CASE("Prometheus text: families, labels escaped") {
  PrometheusText p;
  p.family("garita_x_total", "counter", "Things\nand more");
  p.sample("garita_x_total", std::uint64_t{5}, {{"reader", "r\"1\\"}});
  p.sample("garita_y", 0.5);
  CHECK(p.text() ==
        "# HELP garita_x_total Things\\nand more\n# TYPE garita_x_total counter\n"
        "garita_x_total{reader=\"r\\\"1\\\\\"} 5\ngarita_y 0.5\n");
}

TEST_CASE("status: alarms for each condition, none when all is well") {
  DaemonStatus s;
  s.taken_utc_us = 1'000'000'000'000;
  s.host_clock_synchronized = true;
  ReaderView r1;
  r1.id = "r1";
  r1.state = "running";
  r1.connected = true;
  r1.lanes = {"P01"};
  s.readers.push_back(r1);
  LaneView p01;
  p01.id = "P01";
  p01.reading = true;
  s.lanes.push_back(p01);
  s.store.queue_capacity = 100;
  s.store.writer_running = true;
  s.disk_total_bytes = 100;
  s.disk_free_bytes = 50;
  AlarmThresholds t;
  CHECK(compute_alarms(s, t).empty());

  s.readers[0].connected = false;
  s.readers[0].state = "backing_off";
  s.readers[0].clock_offset_us = -5'000'000;
  s.host_clock_synchronized = false;
  s.disk_free_bytes = 5;
  s.store.queue_depth = 80;
  LaneView ctl;
  ctl.id = "L3";
  ctl.controller = true;
  ctl.uplink_backlog = 5000;
  s.lanes.push_back(ctl);
  std::vector<std::string> codes;
  for (const Alarm& a : compute_alarms(s, t)) codes.push_back(a.code + ":" + a.subject);
  CHECK(codes == std::vector<std::string>{"reader_down:r1", "reader_clock:r1", "uplink_down:L3",
                                          "uplink_backlog:L3",
                                          "clock_unsynced:", "disk_low:", "store_queue:"});
  s.store.writer_running = false;
  CHECK(compute_alarms(s, t).back().code == "store_writer");
}

TEST_CASE("status board: per-minute rates over a sliding minute") {
  StatusBoard board;
  DaemonStatus s;
  s.readers.emplace_back().id = "r1";
  s.lanes.emplace_back().id = "P01";
  for (int i = 0; i <= 90; ++i) {
    s.taken_mono_us = i * 1'000'000LL;
    s.readers[0].read_count = static_cast<std::uint64_t>(i) * 10;  // 600 a minute
    s.lanes[0].crossings = static_cast<std::uint64_t>(i / 2);      // 30 a minute
    board.publish(s);
  }
  const auto latest = board.latest();
  REQUIRE(latest);
  CHECK(latest->readers[0].reads_per_minute == Approx(600.0));
  CHECK(latest->lanes[0].crossings_per_minute == Approx(30.0).margin(1.0));
}

namespace {
struct FakeSink final : LiveSink {
  std::vector<std::string> got;
  bool open = true;
  bool full = false;
  bool deliver(const std::string& text) override {
    if (full || !open) return false;
    got.push_back(text);
    return true;
  }
  bool alive() const override { return open; }
};
}  // namespace

TEST_CASE("live feed: masked per client, bounded, slow or closed clients dropped") {
  LiveFeed feed(2);
  auto officer = std::make_shared<FakeSink>();
  auto tech = std::make_shared<FakeSink>();
  REQUIRE(feed.add(officer, true));
  REQUIRE(feed.add(tech, false));
  CHECK_FALSE(feed.add(std::make_shared<FakeSink>(), false));  // cap
  CHECK(feed.publish(sample_crossing()) == 2);
  REQUIRE(officer->got.size() == 1);
  REQUIRE(tech->got.size() == 1);
  const auto o = boost::json::parse(officer->got[0]).as_object();
  CHECK(o.at("type").as_string() == "crossing");
  CHECK(o.at("crossing").at("epc_hex").as_string() == "3074257BF7194E4000001A85");
  CHECK(tech->got[0].find("3074257BF7194E4000001A85") == std::string::npos);
  CHECK(tech->got[0].find("3074****") != std::string::npos);

  tech->full = true;  // the HTTP core refuses: queue full
  CHECK(feed.publish(sample_crossing()) == 1);
  CHECK(feed.clients_dropped() == 1);
  CHECK(feed.clients() == 1);
  officer->open = false;
  CHECK(feed.clients() == 0);
  CHECK(feed.has_room());
}

TEST_CASE("live tickets: one use, expire, bounded") {
  LiveTickets tickets(2, 1'000'000);
  security::Authenticated who;
  who.user.name = "ana";
  const std::string t1 = tickets.issue(who, 0);
  REQUIRE(t1.size() == 32);
  CHECK(tickets.redeem("nope", 0) == std::nullopt);
  const auto got = tickets.redeem(t1, 10);
  REQUIRE(got);
  CHECK(got->user.name == "ana");
  CHECK_FALSE(tickets.redeem(t1, 10));  // used
  const std::string t2 = tickets.issue(who, 0);
  CHECK_FALSE(tickets.redeem(t2, 2'000'000));  // expired
  tickets.issue(who, 0);
  tickets.issue(who, 1);
  tickets.issue(who, 2);
  CHECK(tickets.outstanding() == 2);
}

TEST_CASE("status page assets are compiled in") {
  const WebAsset* index = find_web_asset("/");
  REQUIRE(index);
  CHECK(index->content_type.starts_with("text/html"));
  CHECK(index->body.find("/static/app.js") != std::string_view::npos);
  CHECK(find_web_asset("/index.html") == index);
  const WebAsset* js = find_web_asset("/static/app.js");
  REQUIRE(js);
  CHECK(js->content_type.starts_with("text/javascript"));
  CHECK(js->body.find("sessionStorage") != std::string_view::npos);
  REQUIRE(find_web_asset("/static/style.css"));
  CHECK_FALSE(find_web_asset("/static/nope.js"));
  // No external resources: everything from this origin.
  for (const WebAsset& a : web_assets()) {
    CHECK(a.body.find("http://") == std::string_view::npos);
    CHECK(a.body.find("https://") == std::string_view::npos);
  }
}
