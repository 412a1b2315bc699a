// The API service over real HTTPS on loopback: every endpoint with each role
// allowed and refused, no/unknown/revoked tokens, masking, paging, audit rows
// with the exact search terms, rate limiting, malformed and oversized
// requests, the status page, health and metrics, and the live feed.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "ApiTestSupport.hpp"
#include "garita/common/HostClock.hpp"

using namespace garita;
using namespace garita::daemon::api;
using namespace garita::daemon::api::test;
using security::Role;
using namespace std::chrono_literals;

namespace {

constexpr Role kRoles[] = {Role::technician, Role::officer, Role::supervisor, Role::auditor,
                           Role::admin};

ApiReply call(const ApiClient& c, std::string_view method, std::string_view target) {
  ApiReply r;
  std::string error;
  auto client = c;
  const auto ec = client.request(method, target, r, error);
  INFO(error);
  REQUIRE_FALSE(ec);
  return r;
}

ApiReply get(const ApiClient& c, std::string_view target) { return call(c, "GET", target); }

boost::json::object json(const ApiReply& r) {
  INFO(r.body);
  REQUIRE(r.content_type.starts_with("application/json"));
  return boost::json::parse(r.body).as_object();
}

}  // namespace

TEST_CASE("role matrix over HTTPS: every endpoint, every role, allowed and refused") {
  ApiFixture f;
  struct Case {
    std::string method, target;
    unsigned allowed_status;  // what an allowed role gets
    std::set<Role> allowed;
  };
  const std::vector<Case> cases = {
      {"GET", "/v1/status", 200, {Role::technician, Role::supervisor, Role::auditor}},
      {"GET", "/metrics", 200, {Role::technician}},
      {"GET", "/v1/crossings?limit=1", 200, {Role::officer}},
      {"POST",
       "/v1/live/ticket",
       200,
       {Role::technician, Role::officer, Role::supervisor, Role::auditor}},
      {"GET", "/v1/audit?limit=1", 200, {Role::auditor}},
      {"GET", "/v1/batches", 501, {Role::supervisor}},
      {"POST", "/v1/batches/export", 501, {Role::supervisor}},
      {"GET", "/v1/retention", 501, {Role::supervisor}},
  };
  for (const Case& c : cases) {
    for (Role role : kRoles) {
      INFO(c.method << " " << c.target << " as " << security::to_string(role));
      const ApiReply r = call(f.client(role), c.method, c.target);
      if (c.allowed.count(role) != 0) {
        CHECK(r.status == c.allowed_status);
      } else {
        CHECK(r.status == 403);
        CHECK(json(r).at("error").as_string() == "forbidden");
      }
    }
    INFO(c.method << " " << c.target << " without a token");
    const ApiReply none = call(f.client_with(""), c.method, c.target);
    if (c.target == "/metrics") {
      CHECK(none.status == 200);  // loopback without a token: allowed (docs/api.md)
    } else {
      CHECK(none.status == 401);
      CHECK(json(none).at("error").as_string() == "unauthenticated");
    }
  }
  // The 501 names the issue that brings the endpoint.
  const ApiReply batches = get(f.client(Role::supervisor), "/v1/batches");
  CHECK(json(batches).at("message").as_string().find("issue 7") != std::string::npos);
  // Refusals are audited as denied, with the user and the endpoint.
  bool saw_denied = false;
  for (const auto& row : f.audit_rows()) {
    if (row.outcome == "denied" && row.user == "technician1" && row.action == "crossings.search") {
      saw_denied = true;
      CHECK(row.terms.find("/v1/crossings") != std::string::npos);
    }
  }
  CHECK(saw_denied);
}

TEST_CASE("no token, a bad token, a revoked token: 401 and a login.failed row without it") {
  ApiFixture f;
  const std::string bogus = "gar_" + std::string(43, 'A');
  CHECK(get(f.client_with(""), "/v1/status").status == 401);
  const ApiReply bad = get(f.client_with(bogus), "/v1/status");
  CHECK(bad.status == 401);
  CHECK(get(f.client_with("not-a-token"), "/v1/status").status == 401);

  // Revoked (as `garita user revoke` does): refused at once.
  REQUIRE(get(f.client(Role::technician), "/v1/status").status == 200);
  std::size_t n = 0;
  REQUIRE_FALSE(f.users().revoke_user_tokens("technician1", host_now().utc_us, n));
  CHECK(n == 1);
  CHECK(get(f.client(Role::technician), "/v1/status").status == 401);

  std::vector<std::string> reasons;
  for (const auto& row : f.audit_rows()) {
    // No row ever holds a token, good or bad.
    CHECK(row.terms.find("gar_") == std::string::npos);
    CHECK(row.terms.find(f.token(Role::technician).substr(4)) == std::string::npos);
    if (row.action != "login.failed") continue;
    CHECK(row.outcome == "denied");
    CHECK(row.user.empty());
    CHECK(row.peer.starts_with("127.0.0.1:"));
    reasons.push_back(boost::json::parse(row.terms).at("reason").as_string().c_str());
  }
  CHECK(reasons ==
        std::vector<std::string>{"no_token", "token_unknown", "token_malformed", "token_revoked"});
}

TEST_CASE("search: officer sees whole EPCs, pages follow 'next', each search audited") {
  ApiFixture f;
  const ApiClient officer = f.client(Role::officer);
  std::set<std::string> seen;
  std::string target = "/v1/crossings?limit=10";
  int pages = 0;
  for (;;) {
    const auto o = json(get(officer, target));
    ++pages;
    for (const auto& row : o.at("crossings").as_array()) {
      const std::string epc(row.at("epc_hex").as_string());
      CHECK(epc.find('*') == std::string::npos);
      CHECK(seen.insert(epc).second);  // never twice
    }
    if (o.at("next").is_null()) break;
    target = "/v1/crossings?limit=10&after=" + std::string(o.at("next").as_string());
  }
  CHECK(pages == 3);
  CHECK(seen.size() == static_cast<std::size_t>(kFixtureCrossings));

  // Filters: one EPC (any case), one lane and a time window.
  const std::string epc = fixture_epc(4);
  auto one = json(
      get(officer, "/v1/crossings?epc=" + epc.substr(0, 8) + "%20" + epc.substr(8) + "&lane=P01"));
  REQUIRE(one.at("count").as_int64() == 1);
  CHECK(one.at("crossings").at(0).at("epc_hex").as_string() == epc);
  auto lane = json(get(officer,
                       "/v1/crossings?lane=P02&since=2026-11-23T08:00:00Z&until=2026-11-"
                       "23T08:10:00Z&document=passport_card"));
  for (const auto& row : lane.at("crossings").as_array()) {
    CHECK(row.at("lane_id").as_string() == "P02");
    CHECK(row.at("document").as_string() == "PASSPORT_CARD");
  }

  // Audit: one row per search, the terms exactly as given, the count returned.
  std::vector<security::AuditRecord> searches;
  for (const auto& row : f.audit_rows()) {
    if (row.action == "crossings.search") searches.push_back(row);
  }
  REQUIRE(searches.size() == 5);
  CHECK(searches[0].user == "officer1");
  CHECK(searches[0].role == "officer");
  CHECK(searches[0].records == 10);
  CHECK(searches[2].records == 5);
  const auto terms = boost::json::parse(searches[3].terms).as_object();
  CHECK(terms.at("epc").as_string() == epc.substr(0, 8) + " " + epc.substr(8));
  CHECK(terms.at("lane").as_string() == "P01");
  CHECK(searches[3].records == 1);
  CHECK(searches[3].outcome == "ok");
  CHECK(boost::json::parse(searches[4].terms).at("document").as_string() == "passport_card");
}

TEST_CASE("bad search parameters: 400 naming the parameter, audited as invalid") {
  ApiFixture f;
  const ApiClient officer = f.client(Role::officer);
  const auto r = get(officer, "/v1/crossings?since=yesterday");
  CHECK(r.status == 400);
  CHECK(json(r).at("message").as_string().starts_with("since:"));
  CHECK(get(officer, "/v1/crossings?limit=100000").status == 400);
  CHECK(get(officer, "/v1/crossings?surname=smith").status == 400);
  CHECK(get(officer, "/v1/crossings?lane=P01&lane=P02").status == 400);
  const auto rows = f.audit_rows();
  std::size_t invalid = 0;
  for (const auto& row : rows) invalid += row.outcome == "invalid" ? 1U : 0U;
  CHECK(invalid == 3);  // the repeated parameter never reaches a route
}

TEST_CASE("malformed and oversized requests: 4xx JSON, never a crash") {
  ApiFixture f;
  const ApiClient tech = f.client(Role::technician);
  CHECK(get(tech, "/v2/nothing").status == 404);
  const auto post = call(tech, "POST", "/v1/status");
  CHECK(post.status == 405);
  CHECK(get(tech, "/v1/status?x=%zz").status == 400);
  CHECK(get(tech, "/v1/../v1/status").status == 400);
  CHECK(get(tech, "/v1/live").status == 426);  // a WebSocket, not a GET
  // An oversized header: the HTTP core's limit (431) and a JSON body.
  const auto huge = get(tech, "/v1/status?x=" + std::string(9000, 'a'));
  CHECK((huge.status == 431 || huge.status == 400));
  // The service still answers afterwards.
  CHECK(get(tech, "/v1/status").status == 200);
}

TEST_CASE("rate limit per token: 429 with Retry-After, other tokens unaffected") {
  ServiceOptions o;
  o.service.per_token = {1.0, 3.0, 16};
  ApiFixture f(o);
  const ApiClient tech = f.client(Role::technician);
  for (int i = 0; i < 3; ++i) CHECK(get(tech, "/v1/status").status == 200);
  const auto limited = get(tech, "/v1/status");
  CHECK(limited.status == 429);
  CHECK(limited.retry_after == "1");
  CHECK(json(limited).at("error").as_string() == "rate_limited");
  CHECK(get(f.client(Role::auditor), "/v1/status").status == 200);
}

TEST_CASE("status, health, metrics and the status page") {
  ApiFixture f;
  const auto status = json(get(f.client(Role::technician), "/v1/status"));
  CHECK(status.at("port_code").as_string() == "SYS");
  CHECK(status.at("readers").at(0).at("id").as_string() == "r1");
  CHECK(status.at("lanes").as_array().size() == 2);
  CHECK(status.at("caller").at("role").as_string() == "technician");
  CHECK(status.at("disk").is_object());

  const auto health = get(f.client_with(""), "/v1/health");
  CHECK(health.status == 200);
  CHECK(json(health).at("status").as_string() == "ok");

  const auto metrics = get(f.client(Role::technician), "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type.starts_with("text/plain; version=0.0.4"));
  CHECK(metrics.body.find("garita_reader_reads_total{reader=\"r1\"} 1234") != std::string::npos);
  CHECK(metrics.body.find("garita_api_responses_total{code=\"200\"}") != std::string::npos);
  CHECK(metrics.body.find("garita_http_connections_total") != std::string::npos);

  const auto page = get(f.client_with(""), "/");
  CHECK(page.status == 200);
  CHECK(page.content_type.starts_with("text/html"));
  CHECK(page.body.find("/static/app.js") != std::string::npos);
  CHECK(get(f.client_with(""), "/static/app.js").status == 200);
  CHECK(get(f.client_with(""), "/static/nope.js").status == 404);
}

TEST_CASE("live feed: officer unmasked, technician masked, tickets once, audited, capped") {
  ServiceOptions o;
  o.service.max_live_clients = 2;
  ApiFixture f(o);
  std::atomic<int> officer_got{0};
  std::atomic<int> tech_got{0};
  std::string officer_text;
  std::string tech_text;
  auto watch = [&](ApiClient c, std::string target, std::atomic<int>& got, std::string& text) {
    return std::thread([c, target, &got, &text]() mutable {
      ApiReply refusal;
      std::string error;
      (void)c.websocket(
          target,
          [&](const std::string& m) {
            text = m;
            ++got;
            return false;  // one is enough
          },
          10s, refusal, error);
    });
  };
  // The technician gets a ticket as the browser does; the officer uses the header.
  const auto ticket = json(call(f.client(Role::technician), "POST", "/v1/live/ticket"));
  CHECK(ticket.at("masked").as_bool());
  const std::string t(ticket.at("ticket").as_string());
  std::thread officer = watch(f.client(Role::officer), "/v1/live", officer_got, officer_text);
  std::thread tech = watch(f.client_with(""), "/v1/live?ticket=" + t, tech_got, tech_text);
  for (int i = 0; i < 200 && f.service().counters().live_clients < 2; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(f.service().counters().live_clients == 2);

  // A third client: the cap.
  {
    ApiReply refusal;
    std::string error;
    auto c = f.client(Role::officer);
    CHECK(c.websocket(
        "/v1/live", [](const std::string&) { return false; }, 2s, refusal, error));
    CHECK(refusal.status == 503);
  }
  // The ticket was used: it does not open a second connection.
  {
    ApiReply refusal;
    std::string error;
    auto c = f.client_with("");
    CHECK(c.websocket(
        "/v1/live?ticket=" + t, [](const std::string&) { return false; }, 2s, refusal, error));
    CHECK(refusal.status == 401);
  }

  f.service().publish_crossing(fixture_crossing(7));
  officer.join();
  tech.join();
  REQUIRE(officer_got == 1);
  REQUIRE(tech_got == 1);
  CHECK(officer_text.find(fixture_epc(7)) != std::string::npos);
  CHECK(tech_text.find(fixture_epc(7)) == std::string::npos);
  CHECK(tech_text.find("\"masked\":true") != std::string::npos);

  std::vector<std::string> live_rows;
  for (const auto& row : f.audit_rows()) {
    if (row.action == "crossings.live") live_rows.push_back(row.user + ":" + row.outcome);
  }
  std::sort(live_rows.begin(), live_rows.end());
  CHECK(live_rows == std::vector<std::string>{"officer1:ok", "technician1:ok"});
}

TEST_CASE("audit log: auditor reads it, and the read is itself audited") {
  ApiFixture f;
  CHECK(get(f.client(Role::officer), "/v1/crossings?lane=P01&limit=2").status == 200);
  const auto first = json(get(f.client(Role::auditor), "/v1/audit?user=officer1"));
  REQUIRE(first.at("count").as_int64() == 1);
  const auto& row = first.at("rows").at(0);
  CHECK(row.at("action").as_string() == "crossings.search");
  CHECK(row.at("terms").at("lane").as_string() == "P01");
  CHECK(row.at("records").as_int64() == 2);
  const auto second = json(get(f.client(Role::auditor), "/v1/audit?user=auditor1"));
  REQUIRE(second.at("count").as_int64() == 1);
  CHECK(second.at("rows").at(0).at("action").as_string() == "audit.read");
  CHECK(second.at("rows").at(0).at("terms").at("user").as_string() == "officer1");
}
