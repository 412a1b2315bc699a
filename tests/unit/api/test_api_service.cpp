// The API service over real HTTPS on loopback: every endpoint with each role
// allowed and refused, no/unknown/revoked tokens, masking, paging, audit rows
// with the exact search terms, rate limiting, malformed and oversized
// requests, the status page, health and metrics, and the live feed.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
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

constexpr std::string_view kOfficerRecord =
    R"({"last_name":"GARCIA LOPEZ","first_name":"MARIA","middle_name":"JOSE",)"
    R"("birth_date":"1985-03-14","nationality":"MEX","gender":"F","document_type":"P",)"
    R"("document_number":"G12345678","document_country":"MEX","entry_utc":"2026-11-23T17:04:05Z"})";

constexpr Role kRoles[] = {Role::technician, Role::officer, Role::supervisor, Role::auditor,
                           Role::admin};

ApiReply call(const ApiClient& c, std::string_view method, std::string_view target,
              std::string_view body = {}) {
  ApiReply r;
  std::string error;
  auto client = c;
  const auto ec = client.request(method, target, r, error, body);
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
    std::string body = {};
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
      {"GET", "/v1/batches", 200, {Role::supervisor, Role::auditor}},
      {"GET",
       "/v1/batches/0f0e8a4c-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
       404,
       {Role::supervisor, Role::auditor}},
      // A week with no crossings: allowed, and nothing is written.
      {"POST", "/v1/batches", 200, {Role::supervisor}, R"({"period":"2026-W40"})"},
      {"POST", "/v1/entry-records", 201, {Role::officer}, std::string(kOfficerRecord)},
      {"GET", "/v1/entry-records/999", 404, {Role::officer}},
      {"GET", "/v1/retention", 200, {Role::supervisor, Role::auditor}},
  };
  for (const Case& c : cases) {
    for (Role role : kRoles) {
      INFO(c.method << " " << c.target << " as " << security::to_string(role));
      const ApiReply r = call(f.client(role), c.method, c.target, c.body);
      if (c.allowed.count(role) != 0) {
        CHECK(r.status == c.allowed_status);
      } else {
        CHECK(r.status == 403);
        CHECK(json(r).at("error").as_string() == "forbidden");
      }
    }
    INFO(c.method << " " << c.target << " without a token");
    const ApiReply none = call(f.client_with(""), c.method, c.target, c.body);
    if (c.target == "/metrics") {
      CHECK(none.status == 200);  // loopback without a token: allowed (docs/api.md)
    } else {
      CHECK(none.status == 401);
      CHECK(json(none).at("error").as_string() == "unauthenticated");
    }
  }
  // Purging is not an API action: 405 with Allow: GET, for every role.
  for (Role role : kRoles) {
    const ApiReply purge = call(f.client(role), "POST", "/v1/retention");
    CHECK(purge.status == 405);
    CHECK(json(purge).at("error").as_string() == "method_not_allowed");
  }
  // Refused roles never reached the store's writer: only the supervisor's
  // export and the officer's record did.
  CHECK(f.writer_jobs() > 0);
  std::size_t entry_rows = 0;
  for (const auto& row : f.audit_rows()) {
    if (row.action == "entry_record.add" && row.outcome == "ok") ++entry_rows;
  }
  CHECK(entry_rows == 1);
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

// ------------------------------------------------------- weekly exchange (issue 7)

TEST_CASE("export over the API: file in export_dir, ledger shows it, nothing new twice") {
  ApiFixture f;
  const ApiClient supervisor = f.client(Role::supervisor);
  const std::string body = R"({"period":")" + std::string(kFixturePeriod) + R"("})";
  const ApiReply first = call(supervisor, "POST", "/v1/batches", body);
  REQUIRE(first.status == 200);
  const auto o = json(first);
  CHECK(o.at("period").as_string() == kFixturePeriod);
  CHECK(o.at("nothing_new") == false);
  const auto& batches = o.at("batches").as_array();
  REQUIRE(batches.size() == 1);
  const auto& b = batches.at(0).as_object();
  const std::string id(b.at("batch_id").as_string());
  const std::string file(b.at("file").as_string());
  CHECK(file == "garita-export-SYS-" + std::string(kFixturePeriod) + "-" + id + ".p7m");
  CHECK(b.at("folder").as_string() == f.export_dir().string());
  CHECK(b.at("rfid_records").to_number<std::uint64_t>() == kFixtureCrossings);
  CHECK(b.at("officer_records") == 0);
  CHECK(b.at("rewritten") == false);
  const fs::path written = f.export_dir() / file;
  REQUIRE(fs::exists(written));
  CHECK(fs::file_size(written) == b.at("bytes").to_number<std::uint64_t>());

  // The ledger, for the supervisor and the auditor alike.
  for (Role role : {Role::supervisor, Role::auditor}) {
    const auto list =
        json(get(f.client(role), "/v1/batches?period=" + std::string(kFixturePeriod)));
    REQUIRE(list.at("count") == 1);
    const auto& row = list.at("batches").as_array().at(0).as_object();
    CHECK(row.at("batch_id").as_string() == id);
    CHECK(row.at("direction") == "export");
    CHECK(row.at("operator").as_string() == f.user(Role::supervisor));
    CHECK(row.at("record_count").to_number<std::uint64_t>() == kFixtureCrossings);
    CHECK(row.at("file_sha256") == b.at("file_sha256"));
    CHECK(row.at("written_to").as_string().find(file) != boost::json::string::npos);
    CHECK(row.at("written_at_utc").is_string());
    const auto one = json(get(f.client(role), "/v1/batches/" + id));
    CHECK(one.at("batch_id").as_string() == id);
  }
  CHECK(json(get(supervisor, "/v1/batches?period=2026-W01")).at("count") == 0);

  // Again: every record of the week is in the batch already.
  const auto again = json(call(supervisor, "POST", "/v1/batches", body));
  CHECK(again.at("nothing_new") == true);
  CHECK(again.at("batches").as_array().empty());
  CHECK(again.at("already_exported").to_number<std::uint64_t>() == kFixtureCrossings);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(f.export_dir())) files += e.is_regular_file();
  CHECK(files == 1);

  // Custody: one batch.export row naming the batch and the file hash.
  std::size_t export_rows = 0;
  for (const auto& row : f.audit_rows()) {
    if (row.action != "batch.export" || row.outcome != "ok") continue;
    ++export_rows;
    CHECK(row.user == f.user(Role::supervisor));
    CHECK(row.terms.find(id) != std::string::npos);
  }
  CHECK(export_rows == 1);
}

TEST_CASE("export over the API: 409 not_configured without [exchange] or export_dir") {
  {
    ServiceOptions o;
    o.exchange = false;
    ApiFixture f(o);
    const ApiReply r =
        call(f.client(Role::supervisor), "POST", "/v1/batches", R"({"period":"2026-W48"})");
    CHECK(r.status == 409);
    CHECK(json(r).at("error") == "not_configured");
    CHECK(f.writer_jobs() == 0);
    // The ledger is still there to read (empty).
    CHECK(json(get(f.client(Role::auditor), "/v1/batches")).at("count") == 0);
  }
  {
    ServiceOptions o;
    o.export_dir = false;
    ApiFixture f(o);
    const ApiReply r =
        call(f.client(Role::supervisor), "POST", "/v1/batches", R"({"period":"2026-W48"})");
    CHECK(r.status == 409);
    const auto j = json(r);
    CHECK(j.at("error") == "not_configured");
    CHECK(j.at("message").as_string().find("export_dir") != boost::json::string::npos);
    CHECK(f.writer_jobs() == 0);
  }
}

TEST_CASE("export over the API: the exchange device gone is a 409 that names the folder") {
  ApiFixture f;
  fs::remove_all(f.export_dir());
  const ApiReply r =
      call(f.client(Role::supervisor), "POST", "/v1/batches", R"({"period":"2026-W48"})");
  CHECK(r.status == 409);
  const auto j = json(r);
  CHECK(j.at("error") == "export_failed");
  CHECK(j.at("message").as_string().find(f.export_dir().string()) != boost::json::string::npos);
}

TEST_CASE("malformed bodies: 400 naming the field, audited without the values") {
  ApiFixture f;
  const ApiClient supervisor = f.client(Role::supervisor);
  const auto refused = [](const ApiReply& r) {
    CHECK(r.status == 400);
    return std::string(json(r).at("message").as_string());
  };
  CHECK(refused(call(supervisor, "POST", "/v1/batches", "")).starts_with("body: not JSON"));
  CHECK(refused(call(supervisor, "POST", "/v1/batches", R"({"period":"2026-W54"})"))
            .starts_with("period:"));
  CHECK(refused(call(supervisor, "POST", "/v1/batches", R"({"periode":"2026-W47"})"))
            .starts_with("unknown field 'periode'"));
  CHECK(refused(call(supervisor, "POST", "/v1/batches", R"({"period":202647})")) ==
        "period: must be a string, not a number");
  CHECK(refused(get(supervisor, "/v1/batches?limit=0")).starts_with("limit:"));
  CHECK(refused(get(supervisor, "/v1/batches/not-an-id")).starts_with("batch_id:"));

  const ApiClient officer = f.client(Role::officer);
  boost::json::object good = boost::json::parse(kOfficerRecord).as_object();
  const auto with = [&](std::string_view name, boost::json::value v) {
    boost::json::object o = good;
    o[name] = std::move(v);
    return boost::json::serialize(o);
  };
  CHECK(refused(call(officer, "POST", "/v1/entry-records", with("documnet_number", "X")))
            .starts_with("unknown field 'documnet_number'"));
  CHECK(refused(call(officer, "POST", "/v1/entry-records", with("birth_date", 1985))) ==
        "birth_date: must be a string, not a number");
  {
    boost::json::object o = good;
    o.erase("document_country");
    CHECK(refused(call(officer, "POST", "/v1/entry-records", boost::json::serialize(o))) ==
          "document_country: missing");
  }
  CHECK(
      refused(call(officer, "POST", "/v1/entry-records", with("entry_utc", "2026-11-23T09:04:05")))
          .starts_with("entry_utc:"));
  // Contents are checked with the batch format's rules (exportable as typed).
  CHECK(refused(call(officer, "POST", "/v1/entry-records", with("document_number", "g-123")))
            .starts_with("document_number"));
  CHECK(refused(call(officer, "POST", "/v1/entry-records", with("gender", "Q")))
            .starts_with("gender"));
  CHECK(refused(call(officer, "POST", "/v1/entry-records", with("birth_date", "1985-02-30")))
            .starts_with("birth_date"));
  CHECK(refused(get(officer, "/v1/entry-records/abc")).starts_with("id:"));

  // Nothing was stored, and no audit row holds a name or a document number.
  std::size_t invalid = 0;
  for (const auto& row : f.audit_rows()) {
    CHECK(row.terms.find("GARCIA") == std::string::npos);
    CHECK(row.terms.find("G12345678") == std::string::npos);
    CHECK(row.terms.find("g-123") == std::string::npos);
    if (row.action == "entry_record.add") {
      CHECK(row.outcome == "invalid");
      ++invalid;
    }
  }
  CHECK(invalid == 7);
}

TEST_CASE("officer record round trip: 201 id, read back by an officer, audited by id and port") {
  ApiFixture f;
  const ApiClient officer = f.client(Role::officer);
  const ApiReply added = call(officer, "POST", "/v1/entry-records", kOfficerRecord);
  REQUIRE(added.status == 201);
  const std::int64_t id = json(added).at("id").to_number<std::int64_t>();
  CHECK(id > 0);

  const auto r = json(get(officer, "/v1/entry-records/" + std::to_string(id)));
  CHECK(r.at("id") == id);
  CHECK(r.at("last_name") == "GARCIA LOPEZ");
  CHECK(r.at("first_name") == "MARIA");
  CHECK(r.at("middle_name") == "JOSE");
  CHECK(r.at("birth_date") == "1985-03-14");
  CHECK(r.at("nationality") == "MEX");
  CHECK(r.at("gender") == "F");
  CHECK(r.at("document_type") == "P");
  CHECK(r.at("document_number") == "G12345678");
  CHECK(r.at("document_country") == "MEX");
  CHECK(r.at("entry_utc") == "2026-11-23T17:04:05Z");
  CHECK(r.at("port") == "SYS");
  CHECK(r.at("entered_by").as_string() == f.user(Role::officer));
  CHECK(r.at("export_batch_id").is_null());
  CHECK(get(officer, "/v1/entry-records/" + std::to_string(id + 1)).status == 404);
  // Other roles never see it.
  for (Role role : {Role::technician, Role::supervisor, Role::auditor, Role::admin}) {
    CHECK(get(f.client(role), "/v1/entry-records/" + std::to_string(id)).status == 403);
  }

  // The record goes with the next export of its week, as an officer record.
  const auto exported = json(call(f.client(Role::supervisor), "POST", "/v1/batches",
                                  R"({"period":")" + std::string(kFixturePeriod) + R"("})"));
  REQUIRE(exported.at("batches").as_array().size() == 1);
  CHECK(exported.at("batches").as_array().at(0).at("officer_records") == 1);
  const auto after = json(get(officer, "/v1/entry-records/" + std::to_string(id)));
  CHECK(after.at("export_batch_id") == exported.at("batches").as_array().at(0).at("batch_id"));

  bool add_row = false;
  std::size_t reads = 0;
  for (const auto& row : f.audit_rows()) {
    CHECK(row.terms.find("GARCIA") == std::string::npos);
    CHECK(row.terms.find("G12345678") == std::string::npos);
    if (row.action == "entry_record.add") {
      add_row = true;
      CHECK(row.outcome == "ok");
      CHECK(row.user == f.user(Role::officer));
      const auto terms = boost::json::parse(row.terms).as_object();
      CHECK(terms.at("id") == id);
      CHECK(terms.at("port") == "SYS");
      CHECK(terms.size() == 2);
    }
    if (row.action == "entry_record.read" && row.outcome == "ok") ++reads;
  }
  CHECK(add_row);
  CHECK(reads == 3);  // the two reads and the one of an unknown id
}

TEST_CASE("retention report: a dry run per class, audited, nothing deleted") {
  ApiFixture f;
  for (Role role : {Role::supervisor, Role::auditor}) {
    const auto o = json(get(f.client(role), "/v1/retention"));
    CHECK(o.at("dry_run") == true);
    const auto& classes = o.at("classes").as_object();
    for (std::string_view c :
         {"crossings", "raw_reads", "conflicts", "entry_records", "officer_records", "audit"}) {
      INFO(c);
      REQUIRE(classes.contains(c));
      CHECK(classes.at(c).as_object().contains("cutoff"));
      CHECK(classes.at(c).as_object().contains("would_purge"));
    }
    // The fixture's crossings are from 2026-11-23, unexported: all kept.
    const auto& crossings = classes.at("crossings").as_object();
    CHECK(crossings.at("kept").to_number<std::uint64_t>() +
              crossings.at("would_purge").to_number<std::uint64_t>() ==
          kFixtureCrossings);
    CHECK((crossings.at("oldest_kept").is_string() || crossings.at("kept") == 0));
  }
  CHECK(get(f.client(Role::supervisor), "/v1/retention?dry_run=false").status == 400);
  // Still every crossing (a dry run writes nothing).
  CHECK(json(get(f.client(Role::officer), "/v1/crossings?limit=1000")).at("count") ==
        kFixtureCrossings);
  std::size_t reports = 0;
  for (const auto& row : f.audit_rows()) {
    if (row.action == "retention.report" && row.outcome == "ok") ++reports;
  }
  CHECK(reports == 2);
  CHECK(f.writer_jobs() == 0);
}
