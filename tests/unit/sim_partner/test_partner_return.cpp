// The partner's return batch: exactly the exported records the registry
// knows, echoed as exported, plus extras that match nothing; and a round
// trip through seal/open and files with keys from scripts/test-pki.sh.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "BatchTestPki.hpp"
#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchFile.hpp"
#include "garita/sim/partner/PartnerReturnBuilder.hpp"
#include "garita/sim/partner/PartnerSimulator.hpp"

namespace fs = std::filesystem;
using namespace garita::batch;
using namespace garita::sim::partner;

namespace {

ExportBatch sample_export(std::size_t crossings, std::size_t officer) {
  ExportBatch b;
  b.manifest.type = BatchType::export_batch;
  b.manifest.batch_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  b.manifest.period = "2026-W47";  // Monday 2026-11-16 .. Sunday 2026-11-22
  b.manifest.created_at_utc = 1795410000;
  b.manifest.sender_id = "INM-SYS";
  b.manifest.sender_port = "SYS";
  b.manifest.sender_certificate_sha256 = std::string(64, 'A');
  b.manifest.recipient_subject = "CN=garita partner";
  b.manifest.recipient_certificate_sha256 = std::string(64, 'B');
  for (std::size_t i = 0; i < crossings; ++i) {
    RfidEntryRecord r;
    char epc[48];
    std::snprintf(epc, sizeof epc, "E2C0DE%02zX%016llX", 1 + i % 7,
                  static_cast<unsigned long long>(0x9E3779B97F4A7C15ULL * (i + 1)));
    r.epc_hex = epc;
    r.tid_hex = "E2801160200074CF085909AD";
    // 2026-11-16T08:00:00Z onwards, one crossing every 17 minutes, at -08:00.
    r.entry = {1795248000 + static_cast<std::int64_t>(i) * 1020, -480};
    r.port = "SYS";
    r.lane = "P0" + std::to_string(1 + i % 4);
    b.records.emplace_back(r);
  }
  for (std::size_t i = 0; i < officer; ++i) {
    OfficerEntryRecord r;
    r.last_name = "Núñez Ibáñez";
    r.first_name = "María José";
    r.birth_date = "1984-02-29";
    r.nationality = "MEX";
    r.gender = "F";
    r.document_type = "P";
    r.document_number = "G" + std::to_string(10000000 + i);
    r.document_country = "MEX";
    r.entry = {1795300000 + static_cast<std::int64_t>(i) * 60, -480};
    r.port = "SYS";
    b.records.emplace_back(r);
  }
  return b;
}

using Echo = std::tuple<std::string, std::string, std::string>;  // epc, date, time

}  // namespace

TEST_CASE("partner return: local date and time are utc + offset, exactly") {
  // 2026-11-20T06:00:00Z (docs/batch-format.md §4.3).
  CHECK(local_date({1795154400, -480}) == "2026-11-19");
  CHECK(local_time({1795154400, -480}) == "22:00:00");
  CHECK(local_date({1795154400, 330}) == "2026-11-20");
  CHECK(local_time({1795154400, 330}) == "11:30:00");
  CHECK(local_time({1795154400 + 59, 0}) == "06:00:59");
  // New Year's Eve in Tijuana is already New Year's Day in UTC.
  CHECK(local_date({1798790399, -480}) == "2026-12-31");  // 2027-01-01T07:59:59Z
  CHECK(local_time({1798790399, -480}) == "23:59:59");
  CHECK(local_date({1798790400, -480}) == "2027-01-01");
  CHECK(local_time({1798790400, -480}) == "00:00:00");
}

TEST_CASE("partner return: exactly the known exported records, echoed, plus extras") {
  const ExportBatch in = sample_export(300, 20);
  const PartnerRegistry registry(42, 0.2);
  PartnerReturnOptions opt;
  opt.seed = 42;
  opt.extra = 25;
  ReturnBatch out;
  PartnerReturnCounts counts;
  std::string error;
  REQUIRE_FALSE(build_partner_return(in, registry, opt, out, counts, error));

  // What the answer must hold, computed from the registry directly.
  std::multiset<Echo> expected;
  std::set<std::string> exported_epcs;
  std::size_t unknown = 0;
  std::map<std::string, OfficerEntryRecord> officer_known;
  for (const ExportRecord& rec : in.records) {
    if (const auto* r = std::get_if<RfidEntryRecord>(&rec)) {
      exported_epcs.insert(r->epc_hex);
      if (registry.find_by_epc(r->epc_hex)) {
        expected.emplace(r->epc_hex, local_date(r->entry), local_time(r->entry));
      } else {
        ++unknown;
      }
    } else {
      const auto& o = std::get<OfficerEntryRecord>(rec);
      if (registry.knows_document(o.document_type, o.document_number, o.document_country)) {
        officer_known[o.document_number] = o;
      } else {
        ++unknown;
      }
    }
  }
  REQUIRE(unknown > 20);  // the miss rate took effect (expected ~64)
  REQUIRE(unknown < 120);

  CHECK(counts.records == 320);
  CHECK(counts.unknown == unknown);
  CHECK(counts.answered == 320 - unknown);
  CHECK(counts.extra == 25);
  CHECK(out.records.size() == counts.answered + counts.extra);
  CHECK(out.manifest.period == "2026-W47");
  CHECK(out.manifest.sender_id == "CBP");
  CHECK(out.manifest.sender_port == "SYS");

  std::multiset<Echo> answered;
  std::set<std::string> extra_epcs;
  std::size_t officer_answers = 0;
  for (const ExitRecord& e : out.records) {
    if (e.epc_hex.empty()) {
      ++officer_answers;
      const auto it = officer_known.find(e.document_number);
      REQUIRE(it != officer_known.end());
      CHECK(e.last_name == it->second.last_name);
      CHECK(e.first_name == it->second.first_name);
      CHECK(e.birth_date == it->second.birth_date);
      CHECK(e.document_type == it->second.document_type);
      CHECK(e.document_country == it->second.document_country);
      CHECK(e.entry_date == local_date(it->second.entry));
      CHECK(e.entry_time == local_time(it->second.entry));
    } else if (exported_epcs.count(e.epc_hex) != 0) {
      answered.emplace(e.epc_hex, e.entry_date, e.entry_time);
      // The person is the registry's holder of that card.
      CHECK(e.document_number == registry.find_by_epc(e.epc_hex)->document_number);
    } else {
      // An extra: never an exported EPC, never twice, dated inside the week.
      CHECK(extra_epcs.insert(e.epc_hex).second);
      CHECK(e.entry_date >= "2026-11-16");
      CHECK(e.entry_date <= "2026-11-22");
      CHECK(e.entry_time.size() == 8);
    }
  }
  CHECK(answered == expected);
  CHECK(officer_answers == officer_known.size());
  CHECK(extra_epcs.size() == 25);

  // Deterministic: the same inputs give the same batch, record for record.
  ReturnBatch again;
  PartnerReturnCounts counts2;
  REQUIRE_FALSE(build_partner_return(in, registry, opt, again, counts2, error));
  REQUIRE(again.records.size() == out.records.size());
  for (std::size_t i = 0; i < out.records.size(); ++i) {
    CHECK(again.records[i].epc_hex == out.records[i].epc_hex);
    CHECK(again.records[i].document_number == out.records[i].document_number);
  }
}

TEST_CASE("partner return: no misses answers all, a wrong period override is refused") {
  const ExportBatch in = sample_export(50, 0);
  ReturnBatch out;
  PartnerReturnCounts counts;
  std::string error;
  PartnerReturnOptions opt;
  REQUIRE_FALSE(build_partner_return(in, PartnerRegistry(1, 0.0), opt, out, counts, error));
  CHECK(counts.answered == 50);
  CHECK(counts.unknown == 0);
  CHECK(out.records.size() == 50);

  REQUIRE_FALSE(build_partner_return(in, PartnerRegistry(1, 1.0), opt, out, counts, error));
  CHECK(counts.answered == 0);
  CHECK(counts.unknown == 50);
  CHECK(out.records.empty());

  opt.period = "2026-W53";  // 2026 has 53 ISO weeks
  REQUIRE_FALSE(build_partner_return(in, PartnerRegistry(1, 0.0), opt, out, counts, error));
  CHECK(out.manifest.period == "2026-W53");
  opt.period = "2027-W53";  // 2027 has 52
  CHECK(build_partner_return(in, PartnerRegistry(1, 0.0), opt, out, counts, error) ==
        Errc::invalid_argument);
  CHECK(error.find("2027-W53") != std::string::npos);
}

// ---------------------------------------------------------------------------
// With real keys: the workstation's export is opened as the partner opens it,
// the return opened as the workstation opens it (open_return_batch, "CBP").

namespace {

const garita::test::BatchTestPki& pki() { return garita::test::batch_test_pki(); }

// The workstation's sealed export of `in` (signing key, to the partner).
std::string sealed_export(ExportBatch in) {
  std::string der, error;
  INFO(error);
  REQUIRE_FALSE(seal_export_batch(in, pki().pair("signing"), pki().cert("partner"), der, error));
  return der;
}

}  // namespace

TEST_CASE("partner return: round trip through seal and open with the test PKI") {
  const ExportBatch in = sample_export(40, 3);
  const std::string der = sealed_export(in);
  ExportBatch opened;
  std::string error;
  REQUIRE_FALSE(open_export_batch(der, pki().pair("partner"), pki().store("ca"), {}, "INM-SYS",
                                  opened, error));
  REQUIRE(opened.records.size() == 43);

  PartnerReturnOptions opt;
  opt.extra = 5;
  ReturnBatch answer;
  PartnerReturnCounts counts;
  REQUIRE_FALSE(build_partner_return(opened, PartnerRegistry(3, 0.1), opt, answer, counts, error));
  std::string sealed;
  INFO(error);
  REQUIRE_FALSE(
      seal_return_batch(answer, pki().pair("partner"), pki().cert("signing"), sealed, error));
  ReturnBatch back;
  REQUIRE_FALSE(open_return_batch(sealed, pki().pair("signing"), pki().store("partner-ca"), {},
                                  "CBP", back, error));
  REQUIRE(back.records.size() == answer.records.size());
  CHECK(back.manifest.batch_id == answer.manifest.batch_id);
  for (std::size_t i = 0; i < back.records.size(); ++i) {
    CHECK(back.records[i].epc_hex == answer.records[i].epc_hex);
    CHECK(back.records[i].last_name == answer.records[i].last_name);
    CHECK(back.records[i].entry_time == answer.records[i].entry_time);
  }
}

TEST_CASE("partner simulator: files in and out, summary line, bad inputs refused") {
  const auto& p = pki();
  const fs::path dir = p / ("run-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::string error;
  REQUIRE_FALSE(write_batch_file(dir, "export.p7m", sealed_export(sample_export(30, 0)), error));

  PartnerSimulatorOptions o;
  o.in = dir / "export.p7m";
  o.out_dir = dir / "out";
  o.key_file = p / "partner.key";
  o.cert_file = p / "partner.pem";
  o.ca_file = p / "ca.pem";
  o.recipient = p / "signing.pem";
  o.extra = 4;
  o.seed = 9;
  {
    std::ostringstream out, err;
    INFO(err.str());
    REQUIRE(run_partner_simulator(o, out, err) == kExitOk);
    std::smatch m;
    const std::string line = out.str();
    REQUIRE(std::regex_match(line, m,
                             std::regex("partner: wrote (.*/cbp-return-2026-W47-[0-9a-f-]{36}"
                                        "\\.p7m) records=30 answered=30 unknown=0 extra=4\n")));
    std::string bytes;
    REQUIRE_FALSE(read_batch_file(m[1].str(), bytes, error));
    ReturnBatch back;
    INFO(error);
    REQUIRE_FALSE(
        open_return_batch(bytes, p.pair("signing"), p.store("partner-ca"), {}, "CBP", back, error));
    CHECK(back.records.size() == 34);
    CHECK(fs::path(m[1].str()).filename().string() ==
          return_file_name("2026-W47", back.manifest.batch_id));
  }
  {  // An export signed under another CA than --ca: rejected, nothing written.
    PartnerSimulatorOptions bad = o;
    bad.ca_file = p / "wrong-ca.pem";
    bad.out_dir = dir / "out-bad";
    std::ostringstream out, err;
    CHECK(run_partner_simulator(bad, out, err) == kExitRejected);
    CHECK(err.str().find("export batch rejected") != std::string::npos);
    CHECK_FALSE(fs::exists(bad.out_dir));
  }
  {  // A miss rate outside 0..1.
    PartnerSimulatorOptions bad = o;
    bad.miss_rate = 1.5;
    std::ostringstream out, err;
    CHECK(run_partner_simulator(bad, out, err) == kExitBadInput);
    CHECK(err.str().find("--miss-rate") != std::string::npos);
  }
  {  // A partner key readable by others is refused.
    const fs::path loose = dir / "loose.key";
    fs::copy_file(p / "partner.key", loose);
    fs::permissions(loose, fs::perms::group_read, fs::perm_options::add);
    PartnerSimulatorOptions bad = o;
    bad.key_file = loose;
    std::ostringstream out, err;
    CHECK(run_partner_simulator(bad, out, err) == kExitBadInput);
  }
  {  // An expected export sender that does not match.
    PartnerSimulatorOptions bad = o;
    bad.expected_sender_id = "INM-TIJ";
    std::ostringstream out, err;
    CHECK(run_partner_simulator(bad, out, err) == kExitRejected);
  }
}
