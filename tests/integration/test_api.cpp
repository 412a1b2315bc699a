// garitad's people-facing API end to end: real garitad fed by garita-sim
// llrp, the [api] listener with a test PKI, users and tokens made with
// `garita user`, and `garita status|search|tail` run as a person would.
// Checks the audit rows (`garita audit list`) for each audited action with
// the exact search terms, revocation, expiry, masking and token-file rules.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <thread>

#include "test_api_support.hpp"

using namespace garita::test;
using namespace garita::test::api;
using namespace std::chrono_literals;

namespace {

std::vector<boost::json::object> json_lines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

std::vector<boost::json::object> audit_rows(ApiSite& site, const std::string& action) {
  const ProcessResult r =
      run_process({GARITA_CLI, "audit", "list", "--config", site.config().string(), "--action",
                   action, "--json", "--limit", "10000"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json_lines(r.out);
}

}  // namespace

TEST_CASE("API end to end: status, search with audit, masking, tail, revocation") {
  ScratchDir dir("garita-api");
  ApiSite site(dir, 2, 60);
  const fs::path officer = site.token_file("officer", site.add_user("ana", "officer"));
  const fs::path tech = site.token_file("tech", site.add_user("tomas", "technician"));

  // Status: lanes and readers, for the technician.
  const ProcessResult status = site.cli("status", tech, {"--json"});
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  const auto s = boost::json::parse(status.out).as_object();
  REQUIRE(s.at("lanes").as_array().size() == 2);
  CHECK(s.at("lanes").at(0).at("id").as_string() == "P01");
  CHECK(s.at("readers").at(0).at("id").as_string() == "r1");
  CHECK(s.at("caller").at("user").as_string() == "tomas");

  // The officer's status is refused (need-to-know): 403, exit 1, one line.
  const ProcessResult officer_status = site.cli("status", officer);
  CHECK(officer_status.exit_code == 1);
  CHECK(officer_status.err.find("403 forbidden") != std::string::npos);

  // Live feed for the technician: masked EPCs (crossings keep flowing).
  const ProcessResult tail =
      site.cli("tail", tech, {"--json", "--count", "2", "--seconds", "40"}, 60s);
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);
  const auto live = json_lines(tail.out);
  REQUIRE(live.size() == 2);
  for (const auto& c : live) {
    CHECK(c.at("masked").as_bool());
    CHECK(std::string(c.at("epc_hex").as_string()).find('*') != std::string::npos);
  }

  // Crossings are committed: search them as the officer, whole EPCs.
  REQUIRE(site.daemon().wait_commits(4, 60s));
  const ProcessResult all = site.cli("search", officer, {"--lane", "P01", "--json", "--all"});
  INFO(all.err);
  REQUIRE(all.exit_code == 0);
  const auto rows = json_lines(all.out);
  REQUIRE_FALSE(rows.empty());
  const std::string epc(rows.front().at("epc_hex").as_string());
  CHECK(epc.find('*') == std::string::npos);
  for (const auto& row : rows) CHECK(row.at("lane_id").as_string() == "P01");

  // One card by EPC, with the exact terms in the audit row.
  const ProcessResult one = site.cli("search", officer, {"--epc", epc, "--since", "1h", "--json"});
  REQUIRE(one.exit_code == 0);
  const auto found = json_lines(one.out);
  REQUIRE(found.size() >= 1);
  CHECK(found.front().at("epc_hex").as_string() == epc);

  const auto searches = audit_rows(site, "crossings.search");
  REQUIRE(searches.size() >= 2);
  const auto& last = searches.back();
  CHECK(last.at("user").as_string() == "ana");
  CHECK(last.at("role").as_string() == "officer");
  CHECK(last.at("outcome").as_string() == "ok");
  CHECK(last.at("terms").at("epc").as_string() == epc);
  CHECK(last.at("terms").at("since").as_string() == "1h");
  CHECK(last.at("terms").at("limit").as_string() == "100");
  CHECK(last.at("records").as_int64() == static_cast<std::int64_t>(found.size()));
  CHECK(searches.front().at("terms").at("lane").as_string() == "P01");

  // The technician may not search: 403, and the refusal is audited.
  const ProcessResult denied = site.cli("search", tech, {"--lane", "P01"});
  CHECK(denied.exit_code == 1);
  CHECK(denied.err.find("403") != std::string::npos);
  bool denied_row = false;
  for (const auto& row : audit_rows(site, "crossings.search")) {
    denied_row = denied_row || (row.at("user").as_string() == "tomas" &&
                                row.at("outcome").as_string() == "denied");
  }
  CHECK(denied_row);
  // The live connection was audited too.
  const auto live_rows = audit_rows(site, "crossings.live");
  REQUIRE(live_rows.size() == 1);
  CHECK(live_rows.front().at("user").as_string() == "tomas");
  CHECK(live_rows.front().at("terms").at("masked").as_bool());

  // Revocation with `garita user revoke`: refused at once, login.failed row.
  REQUIRE(site.user_command({"revoke", "ana"}).exit_code == 0);
  const ProcessResult revoked = site.cli("search", officer, {"--lane", "P01"});
  CHECK(revoked.exit_code == 1);
  CHECK(revoked.err.find("401") != std::string::npos);
  const auto failed = audit_rows(site, "login.failed");
  REQUIRE_FALSE(failed.empty());
  CHECK(failed.back().at("terms").at("reason").as_string() == "token_revoked");
  // No audit row anywhere holds a token.
  const ProcessResult every = run_process({GARITA_CLI, "audit", "list", "--config",
                                           site.config().string(), "--json", "--limit", "10000"});
  CHECK(every.out.find("gar_") == std::string::npos);

  // A token file others may read is refused before anything is sent.
  const fs::path loose = site.token_file("loose", site.add_user("lu", "technician"), 0644);
  const ProcessResult refused = site.cli("status", loose);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("token file") != std::string::npos);

  // garitad stops cleanly with API clients having come and gone.
  const ProcessResult stopped = site.stop();
  INFO(site.daemon().log().substr(0, 4000));
  CHECK(stopped.exit_code == 0);
}

TEST_CASE("API end to end: an expired token is refused and audited as such") {
  ScratchDir dir("garita-api-expiry");
  ApiSite site(dir, 1, 30);
  site.add_user("tomas", "technician");
  // The shortest lifetime garita issues: one minute (and a little).
  const ProcessResult issued = site.user_command({"token", "tomas", "--expires-hours", "0.0175"});
  INFO(issued.err);
  REQUIRE(issued.exit_code == 0);
  const fs::path tech = site.token_file("tech", token_in(issued.out));
  REQUIRE(site.cli("status", tech).exit_code == 0);
  std::this_thread::sleep_for(66s);
  const ProcessResult expired = site.cli("status", tech);
  CHECK(expired.exit_code == 1);
  CHECK(expired.err.find("401") != std::string::npos);
  const auto failed = audit_rows(site, "login.failed");
  REQUIRE_FALSE(failed.empty());
  CHECK(failed.back().at("terms").at("reason").as_string() == "token_expired");
}
