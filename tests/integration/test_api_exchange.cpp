// The weekly exchange through garitad's API end to end (docs/api.md "Weekly
// batches", "Officer-entered records"): real garitad fed by garita-sim llrp
// with [exchange] configured from the test PKI (signing.* as the
// workstation, partner.pem the recipient, partner-ca.pem), users made with
// `garita user`. An officer enters a record, a supervisor exports the week:
// the file lands in export_dir, opens with `openssl cms` as the partner,
// its SHA-256 is the ledger's, the auditor sees the ledger, custody rows are
// in the audit log. A misconfigured [exchange] stops garitad at start.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "garita/daemon/api/ApiClient.hpp"
#include "garita/daemon/exchange/PortClock.hpp"
#include "test_api_support.hpp"

using namespace garita;
using namespace garita::test;
using namespace garita::test::api;
using namespace std::chrono_literals;

namespace {

std::string exchange_config(const fs::path& dir, const fs::path& export_dir,
                            const std::string& key = "signing.key") {
  const fs::path pki = dir / "pki";
  return "[exchange]\nkey_file = \"" + (pki / key).string() + "\"\ncert_file = \"" +
         (pki / "signing.pem").string() + "\"\npartner_certificate = \"" +
         (pki / "partner.pem").string() + "\"\npartner_ca_file = \"" +
         (pki / "partner-ca.pem").string() + "\"\n" +
         (export_dir.empty() ? "" : "export_dir = \"" + export_dir.string() + "\"\n");
}

daemon::api::ApiClient client(const ApiSite& site, const std::string& token) {
  daemon::api::ApiClientOptions o;
  o.url.host = "127.0.0.1";
  o.url.port = site.api_port();
  o.ca_file = site.ca();
  o.token = token;
  o.timeout = 60s;
  return daemon::api::ApiClient(o);
}

daemon::api::ApiReply call(daemon::api::ApiClient c, std::string_view method,
                           std::string_view target, std::string_view body = {}) {
  daemon::api::ApiReply r;
  std::string error;
  INFO(method << " " << target);
  const auto ec = c.request(method, target, r, error, body);
  INFO(error);
  REQUIRE_FALSE(ec);
  return r;
}

boost::json::object json(const daemon::api::ApiReply& r) {
  INFO(r.status << " " << r.body);
  return boost::json::parse(r.body).as_object();
}

ProcessResult sh(const std::string& command) {
  return run_process({"/bin/sh", "-c", command}, 60s);
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string utc_text(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

TEST_CASE("API end to end: officer record, POST /v1/batches into export_dir, ledger, custody") {
  ScratchDir dir("garita-api-exchange");
  const fs::path out = dir.path() / "exchange-device";
  fs::create_directories(out);
  ApiSite site(dir, 1, 120, exchange_config(dir.path(), out));
  const auto officer = client(site, site.add_user("ana", "officer"));
  const auto supervisor = client(site, site.add_user("sofia", "supervisor"));
  const auto auditor = client(site, site.add_user("raul", "auditor"));
  // Three distinct crossings committed ("extended" lines add reads to a
  // crossing already counted, so they are not new crossings).
  std::size_t committed = 0;
  for (const auto limit = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < limit; std::this_thread::sleep_for(200ms)) {
    std::set<std::pair<std::string, std::uint64_t>> distinct;
    for (const auto& c : gd::parse_commits(site.daemon().log())) {
      if (!c.extended) distinct.emplace(c.lane, c.sequence);
    }
    committed = distinct.size();
    if (committed >= 3) break;
  }
  REQUIRE(committed >= 3);

  // The port's current week (America/Tijuana, as write_config sets [site]).
  exchange::PortClock clock;
  std::string error;
  REQUIRE_FALSE(exchange::PortClock::load("America/Tijuana", clock, error));
  const std::time_t now = std::time(nullptr);
  const std::string period = clock.week_of(now);

  // An officer types in a traveller who passed without a card.
  boost::json::object record{{"last_name", "GARCIA LOPEZ"},
                             {"first_name", "MARIA"},
                             {"birth_date", "1985-03-14"},
                             {"nationality", "MEX"},
                             {"gender", "F"},
                             {"document_type", "P"},
                             {"document_number", "G12345678"},
                             {"document_country", "MEX"},
                             {"entry_utc", utc_text(now - 60)}};
  const auto added = call(officer, "POST", "/v1/entry-records", boost::json::serialize(record));
  REQUIRE(added.status == 201);
  const std::int64_t id = json(added).at("id").to_number<std::int64_t>();
  const auto back = call(officer, "GET", "/v1/entry-records/" + std::to_string(id));
  REQUIRE(back.status == 200);
  CHECK(json(back).at("document_number").as_string() == "G12345678");
  CHECK(json(back).at("port").as_string() == "SYS");
  // A malformed record names the field.
  record["documnet"] = "X";
  const auto bad = call(officer, "POST", "/v1/entry-records", boost::json::serialize(record));
  CHECK(bad.status == 400);
  CHECK(json(bad).at("message").as_string().starts_with("unknown field 'documnet'"));

  // Only the supervisor exports.
  const std::string body = R"({"period":")" + period + R"("})";
  CHECK(call(officer, "POST", "/v1/batches", body).status == 403);
  CHECK(call(auditor, "POST", "/v1/batches", body).status == 403);
  const auto exported = call(supervisor, "POST", "/v1/batches", body);
  REQUIRE(exported.status == 200);
  const auto result = json(exported);
  CHECK(result.at("nothing_new") == false);
  REQUIRE(result.at("batches").as_array().size() == 1);
  const auto& b = result.at("batches").as_array().at(0).as_object();
  const std::string batch_id(b.at("batch_id").as_string());
  const std::string file(b.at("file").as_string());
  CHECK(file == "garita-export-SYS-" + period + "-" + batch_id + ".p7m");
  // Every crossing committed before the export is accounted for: in the
  // batch, or counted as counter-flow (never exported) when the simulated
  // traveller walked back out.
  CHECK(b.at("rfid_records").to_number<std::uint64_t>() +
            result.at("skipped_exit_direction").to_number<std::uint64_t>() >=
        committed);
  CHECK(b.at("officer_records") == 1);
  const fs::path written = out / file;
  REQUIRE(fs::exists(written));
  CHECK(fs::file_size(written) == b.at("bytes").to_number<std::uint64_t>());

  // Its SHA-256 is what the ledger says; the partner opens it with stock openssl.
  const ProcessResult sum = sh("sha256sum " + quoted(written));
  REQUIRE(sum.exit_code == 0);
  std::string hash = sum.out.substr(0, 64);
  for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(std::string(b.at("file_sha256").as_string()) == hash);
  const fs::path pki = dir.path() / "pki";
  const fs::path work = dir.path() / "partner";
  fs::create_directories(work);
  const ProcessResult opened = sh(
      "cd " + quoted(work) + " && openssl cms -decrypt -inform DER -in " + quoted(written) +
      " -binary -recip " + quoted(pki / "partner.pem") + " -inkey " + quoted(pki / "partner.key") +
      " -out signed.der && openssl cms -verify -inform DER -in signed.der -binary -CAfile " +
      quoted(pki / "ca.pem") + " -purpose any -out content");
  INFO(opened.err);
  REQUIRE(opened.exit_code == 0);
  std::ifstream in(work / "content");
  std::stringstream content;
  content << in.rdbuf();
  CHECK(content.str().find(batch_id) != std::string::npos);
  CHECK(content.str().find("G12345678") != std::string::npos);

  // The ledger, for the supervisor and the auditor; the officer may not read it.
  for (const auto& who : {supervisor, auditor}) {
    const auto list = json(call(who, "GET", "/v1/batches?period=" + period));
    REQUIRE(list.at("count") == 1);
    const auto& row = list.at("batches").as_array().at(0).as_object();
    CHECK(row.at("batch_id").as_string() == batch_id);
    CHECK(row.at("operator").as_string() == "sofia");
    CHECK(row.at("file_sha256").as_string() == hash);
    CHECK(row.at("written_to").as_string() == written.string());
    CHECK(json(call(who, "GET", "/v1/batches/" + batch_id)).at("batch_id").as_string() == batch_id);
  }
  CHECK(call(officer, "GET", "/v1/batches").status == 403);
  // The record now says which batch carried it.
  CHECK(json(call(officer, "GET", "/v1/entry-records/" + std::to_string(id)))
            .at("export_batch_id")
            .as_string() == batch_id);
  // The retention dry run, for the auditor.
  const auto retention = call(auditor, "GET", "/v1/retention");
  REQUIRE(retention.status == 200);
  CHECK(json(retention).at("dry_run") == true);
  CHECK(call(auditor, "POST", "/v1/retention").status == 405);

  // Custody: the export, the record (id and port only) in the audit log.
  const ProcessResult audit = run_process({GARITA_CLI, "audit", "list", "--config",
                                           site.config().string(), "--json", "--limit", "10000"});
  REQUIRE(audit.exit_code == 0);
  CHECK(audit.out.find("\"batch.export\"") != std::string::npos);
  CHECK(audit.out.find("\"entry_record.add\"") != std::string::npos);
  CHECK(audit.out.find("\"retention.report\"") != std::string::npos);
  CHECK(audit.out.find(batch_id) != std::string::npos);
  CHECK(audit.out.find("G12345678") == std::string::npos);
  CHECK(audit.out.find("GARCIA") == std::string::npos);

  const ProcessResult stopped = site.stop();
  CHECK(stopped.exit_code == 0);
  CHECK(site.daemon().log().find("G12345678") == std::string::npos);
}

TEST_CASE("garitad refuses to start with a misconfigured [exchange], naming the file") {
  ScratchDir dir("garita-api-exchange-bad");
  const std::string pki_command = "sh '" + std::string(GARITA_SOURCE_DIR) +
                                  "/scripts/test-pki.sh' '" + (dir.path() / "pki").string() +
                                  "' >/dev/null";
  REQUIRE(std::system(pki_command.c_str()) == 0);
  // A group-readable copy of the workstation key.
  fs::copy_file(dir.path() / "pki" / "signing.key", dir.path() / "pki" / "open.key");
  ::chmod((dir.path() / "pki" / "open.key").c_str(), 0640);
  struct Case {
    std::string key, expect;
  };
  for (const Case& c : {Case{"missing.key", "missing.key"}, Case{"open.key", "open.key"}}) {
    INFO(c.key);
    const std::map<unsigned, std::uint16_t> ports{{1, gd::closed_port()}};
    const fs::path config =
        gd::write_config(dir, ports, dir.path() / "crossings.db",
                         exchange_config(dir.path(), {}, c.key), "garitad-" + c.key + ".toml");
    gd::Garitad daemon(dir, config, "garitad-" + c.key);
    const ProcessResult r = daemon.process().wait(30s);
    INFO(r.err << daemon.log());
    CHECK(r.exit_code == 2);
    CHECK(daemon.log().find("exchange") != std::string::npos);
    CHECK(daemon.log().find(c.expect) != std::string::npos);
    CHECK(daemon.log().find("started:") == std::string::npos);
  }
}
