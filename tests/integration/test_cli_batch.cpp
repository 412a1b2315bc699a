// `garita batch` (docs/operations.md "Weekly exchange", docs/batch-format.md
// §6-§8): the real binary on a real config, crossing database and audit log,
// with a PKI from scripts/test-pki.sh. An export writes one file that the
// stock `openssl cms` opens with the partner's key and garita's CA; a second
// export of the period writes nothing; later crossings go in a second batch
// with only themselves; neighbouring weeks (in port-local time) stay out;
// every export is a custody row. A partner-made return file is reconciled and
// stored. Every kind of bad return file is rejected with its reason, exit 3,
// an audit row, and the database's content unchanged.
#include <sqlite3.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>

#include "../unit/store/StoreTestSupport.hpp"
#include "AuditRows.hpp"
#include "BatchTestPki.hpp"
#include "ProcessRunner.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/config/SiteConfig.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchFile.hpp"
#include "garita/daemon/exchange/BatchExchange.hpp"
#include "garita/daemon/security/AuditLog.hpp"

namespace fs = std::filesystem;
using namespace garita::batch;

namespace {

constexpr std::int64_t kSecond = 1'000'000;
// 2026-W47 in America/Tijuana (PST, UTC-8): Monday 2026-11-16 00:00 local =
// 08:00Z, to Monday 2026-11-23 00:00 local = 08:00Z.
constexpr std::int64_t kW47Begin = 1794816000;   // 2026-11-16T08:00:00Z
constexpr std::int64_t kWednesday = 1795024800;  // 2026-11-18T18:00:00Z = 10:00 local
constexpr const char* kWednesdayLocalDate = "2026-11-18";

using garita::test::shell_quote;

garita::test::ProcessResult sh(const std::string& command) {
  return garita::test::run_process({"/bin/sh", "-c", command}, std::chrono::seconds(60));
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
  REQUIRE(f.good());
}

std::string sha256_of_file(const fs::path& p) {
  const auto r = sh("sha256sum " + shell_quote(p.string()));
  REQUIRE(r.exit_code == 0);
  std::string hex = r.out.substr(0, 64);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return hex;
}

// One PKI for the whole run (scripts/test-pki.sh: EC P-256).
const garita::test::BatchTestPki& pki() { return garita::test::batch_test_pki(); }

garita::Crossing crossing(std::uint64_t seq, std::uint32_t card, std::int64_t utc_seconds,
                          garita::Direction direction = garita::Direction::with_flow) {
  garita::Crossing c = garita::store::test::make_crossing("P01", seq, card, utc_seconds * kSecond);
  c.direction = direction;
  return c;
}

// Every table's rows, sorted: the database's content, whatever the pages.
std::string dump_database(const fs::path& db) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                             -1, &s, nullptr) == SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_finalize(s);
  std::string out;
  for (const std::string& t : tables) {
    REQUIRE(sqlite3_prepare_v2(h, ("SELECT * FROM \"" + t + "\"").c_str(), -1, &s, nullptr) ==
            SQLITE_OK);
    std::vector<std::string> rows;
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const unsigned char* v = sqlite3_column_text(s, i);
        row += v == nullptr ? std::string("NULL") : reinterpret_cast<const char*>(v);
        row += '|';
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    std::sort(rows.begin(), rows.end());
    out += "== " + t + " (" + std::to_string(rows.size()) + ")\n";
    for (const std::string& r : rows) out += r + "\n";
  }
  sqlite3_close(h);
  return out;
}

std::int64_t count_rows(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  const std::int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(h);
  return n;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The line after "label" in garita's output ("  SHA-256   ABCD...").
std::string value_after(const std::string& text, const std::string& label) {
  const auto at = text.find(label);
  if (at == std::string::npos) return {};
  auto begin = text.find_first_not_of(' ', at + label.size());
  return text.substr(begin, text.find('\n', begin) - begin);
}

struct Site {
  fs::path dir;
  fs::path config, db, device, keys;
  std::vector<garita::Crossing> w47;     // exported in the first batch
  std::vector<garita::Crossing> others;  // neighbouring weeks and walk-outs

  explicit Site(bool with_exchange = true) {
    char tmpl[] = "/tmp/garita-cli-batch-XXXXXX";
    dir = ::mkdtemp(tmpl);
    config = dir / "garitad.toml";
    db = dir / "crossings.db";
    device = dir / "device";
    keys = dir / "keys";
    fs::create_directories(device);
    fs::create_directories(keys);
    for (auto [from, to] :
         {std::pair{"signing.key", "exchange.key"}, std::pair{"signing.pem", "exchange.pem"},
          std::pair{"partner.pem", "partner.pem"}, std::pair{"partner-ca.pem", "partner-ca.pem"}}) {
      fs::copy_file(pki() / from, keys / to);
    }
    ::chmod((keys / "exchange.key").c_str(), 0600);
    std::ofstream(config) << "[site]\nport_code = \"SYS\"\ntime_zone = \"America/Tijuana\"\n"
                             "[database]\npath = \"crossings.db\"\n"
                             "[[reader]]\nid = \"r1\"\nuri = \"llrp://127.0.0.1\"\n"
                             "[[lane]]\nid = \"P01\"\n[[lane.antenna]]\nreader = \"r1\"\n"
                             "antenna = 1\n"
                          << (with_exchange ? "[exchange]\nsender_id = \"INM-SYS-WS1\"\n"
                                              "key_file = \"keys/exchange.key\"\n"
                                              "cert_file = \"keys/exchange.pem\"\n"
                                              "partner_certificate = \"keys/partner.pem\"\n"
                                              "partner_ca_file = \"keys/partner-ca.pem\"\n"
                                            : "");
    // W47: Monday 00:00 local, Wednesday, and Sunday 23:30 local (which is
    // already Monday of W48 in UTC: the week is the port's).
    w47.push_back(crossing(1, 0x100, kW47Begin));
    w47.push_back(crossing(2, 0x101, kWednesday));
    w47.push_back(crossing(3, 0x102, kWednesday + 60));
    w47.push_back(crossing(4, 0x103, kW47Begin + 7 * 86400 - 1800));
    // Not W47: Sunday 23:30 of W46 local (08:00Z Monday is W47 only from
    // 08:00Z), Monday 00:30 of W48 local, and a walk-out in the week.
    others.push_back(crossing(5, 0x200, kW47Begin - 1800));
    others.push_back(crossing(6, 0x201, kW47Begin + 7 * 86400 + 1800));
    others.push_back(crossing(7, 0x202, kWednesday + 120, garita::Direction::counter_flow));
    add(w47);
    add(others);
  }
  ~Site() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  void add(const std::vector<garita::Crossing>& crossings) const {
    garita::store::CrossingStore store;
    REQUIRE_FALSE(store.open(db));
    REQUIRE_FALSE(store.write_batch(crossings));
  }

  garita::test::ProcessResult run(std::vector<std::string> args) const {
    args.insert(args.begin() + 1, {"--config", config.string()});
    args.insert(args.begin(), {GARITA_CLI, "batch"});
    auto r = garita::test::run_process(args, std::chrono::seconds(60));
    REQUIRE_FALSE(r.timed_out);
    return r;
  }

  std::vector<garita::security::AuditRecord> audit_rows(const std::string& action) const {
    return garita::test::audit_rows(dir / "audit.db", action);
  }

  // The export file opened with the stock openssl command, as the partner
  // does (docs/batch-format.md §2): the content's lines.
  std::vector<std::string> open_with_openssl(const fs::path& file) const {
    const fs::path signed_der = dir / "signed.der", content = dir / "content.jsonl";
    const auto r = sh(
        "openssl cms -decrypt -inform DER -binary -in " + shell_quote(file.string()) + " -recip " +
        shell_quote((pki() / "partner.pem").string()) + " -inkey " +
        shell_quote((pki() / "partner.key").string()) + " -out " +
        shell_quote(signed_der.string()) + " && openssl cms -verify -inform DER -binary -in " +
        shell_quote(signed_der.string()) + " -CAfile " + shell_quote((pki() / "ca.pem").string()) +
        " -purpose any -out " + shell_quote(content.string()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> lines;
    std::istringstream in(bytes_of(content));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    fs::remove(signed_der);
    fs::remove(content);
    return lines;
  }
};

bool holds_epc(const std::vector<std::string>& lines, const garita::Crossing& c) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find("\"epc\":\"" + c.epc_hex + "\"") != std::string::npos;
  });
}

ExitRecord exit_record(const garita::Crossing& c, const std::string& local_date,
                       const std::string& local_time) {
  ExitRecord r;
  r.first_name = "ANA";
  r.last_name = "GARCIA";
  r.birth_date = "1990-04-01";
  r.nationality = "MEX";
  r.gender = "F";
  r.document_type = "C";
  r.document_number = "X1234567";
  r.document_country = "MEX";
  r.exit_port = "2504";
  r.entry_date = local_date;
  r.entry_time = local_time;
  r.epc_hex = c.epc_hex;
  return r;
}

// A return batch as the partner makes it: signed by `signer`, to `recipient`.
std::string return_batch(std::vector<ExitRecord> records, const std::string& signer = "partner",
                         const std::string& recipient = "signing",
                         std::string* batch_id = nullptr) {
  ReturnBatch b;
  b.manifest.period = "2026-W47";
  b.manifest.sender_id = "CBP";
  b.manifest.sender_port = "2504";
  b.records = std::move(records);
  std::string der, error;
  INFO(error);
  REQUIRE_FALSE(seal_return_batch(b, pki().pair(signer), pki().cert(recipient), der, error));
  if (batch_id != nullptr) *batch_id = b.manifest.batch_id;
  return der;
}

}  // namespace

TEST_CASE("garita batch export writes one batch of the port-local week that openssl opens") {
  Site site;
  auto r = site.run({"export", "--period", "2026-W47", "--to", site.device.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto files = files_in(site.device);
  REQUIRE(files.size() == 1);
  const std::string name = files[0].filename().string();
  CHECK(name.rfind("garita-export-SYS-2026-W47-", 0) == 0);
  CHECK(name.size() == std::string("garita-export-SYS-2026-W47-").size() + 36 + 4);
  CHECK(r.out.find("wrote " + files[0].string()) != std::string::npos);
  CHECK(r.out.find("records   4 (RFID 4 / officer 0)") != std::string::npos);
  CHECK(r.out.find("1 crossing(s) of the period walked out") != std::string::npos);
  const std::string sha = sha256_of_file(files[0]);
  CHECK(value_after(r.out, "SHA-256") == sha);
  const std::string batch_id = value_after(r.out, "batch id");
  CHECK(name.find(batch_id) != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(files[0].c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // The partner's view: openssl decrypts with the partner key and verifies
  // against garita's CA; the content holds exactly the week's entries.
  const auto lines = site.open_with_openssl(files[0]);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].find("\"type\":\"export\"") != std::string::npos);
  CHECK(lines[0].find("\"period\":\"2026-W47\"") != std::string::npos);
  CHECK(lines[0].find("\"sender_id\":\"INM-SYS-WS1\"") != std::string::npos);
  CHECK(lines[0].find("\"sender_port\":\"SYS\"") != std::string::npos);
  CHECK(lines[0].find("\"batch_id\":\"" + batch_id + "\"") != std::string::npos);
  for (const auto& c : site.w47) CHECK(holds_epc(lines, c));
  for (const auto& c : site.others) CHECK_FALSE(holds_epc(lines, c));
  // Sunday 23:30 local, in winter -08:00.
  CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find(
               "\"entry_date\":\"2026-11-22\",\"entry_time\":\"23:30:00\","
               "\"utc_offset\":\"-08:00\",\"entry_utc\":\"2026-11-23T07:30:00Z\"") !=
           std::string::npos;
  }));

  // Custody: one batch.export row, with the file's SHA-256 and no EPC.
  const auto rows = site.audit_rows("batch.export");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "ok");
  CHECK(rows[0].records == 4);
  CHECK(rows[0].user.rfind("local:", 0) == 0);
  CHECK(rows[0].role == "supervisor");
  for (const std::string& term : std::vector<std::string>{
           "\"period\":\"2026-W47\"", "\"batch_id\":\"" + batch_id + "\"",
           "\"file\":\"" + name + "\"", "\"file_sha256\":\"" + sha + "\"", "\"rfid_records\":4",
           "\"officer_records\":0", "\"rewrite\":false", "\"folder\":"}) {
    INFO(term);
    CHECK(rows[0].terms.find(term) != std::string::npos);
  }
  for (const auto& c : site.w47) CHECK(rows[0].terms.find(c.epc_hex) == std::string::npos);

  // The ledger.
  auto list = site.run({"list", "--period", "2026-W47"});
  INFO(list.out << list.err);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find(batch_id) != std::string::npos);
  CHECK(list.out.find("RFID 4 / officer 0, written") != std::string::npos);
  CHECK(list.out.find("file SHA-256 " + sha) != std::string::npos);

  // Again: nothing new, no second file.
  r = site.run({"export", "--period", "2026-W47", "--to", site.device.string()});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("nothing new to export for 2026-W47 (4 records already in earlier batches)") !=
        std::string::npos);
  CHECK(files_in(site.device).size() == 1);

  // Later crossings of the week: a second batch with only them.
  std::vector<garita::Crossing> late{crossing(10, 0x300, kWednesday + 3600),
                                     crossing(11, 0x301, kWednesday + 7200)};
  site.add(late);
  r = site.run({"export", "--period", "2026-W47", "--to", site.device.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("records   2 (RFID 2 / officer 0)") != std::string::npos);
  const auto after = files_in(site.device);
  REQUIRE(after.size() == 2);
  const fs::path second = after[0] == files[0] ? after[1] : after[0];
  const auto second_lines = site.open_with_openssl(second);
  REQUIRE(second_lines.size() == 3);
  for (const auto& c : late) CHECK(holds_epc(second_lines, c));
  for (const auto& c : site.w47) CHECK_FALSE(holds_epc(second_lines, c));
  CHECK(site.audit_rows("batch.export").size() == 2);

  // The neighbouring week is its own batch.
  const fs::path w48 = site.dir / "w48";
  fs::create_directories(w48);
  r = site.run({"export", "--period", "2026-W48", "--to", w48.string()});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("records   1 (RFID 1 / officer 0)") != std::string::npos);
  REQUIRE(files_in(w48).size() == 1);
  CHECK(holds_epc(site.open_with_openssl(files_in(w48)[0]), site.others[1]));
}

TEST_CASE("garita batch rewrite writes the same batch again") {
  Site site;
  auto r = site.run({"export", "--period", "2026-W47", "--to", site.device.string()});
  REQUIRE(r.exit_code == 0);
  const std::string batch_id = value_after(r.out, "batch id");
  const fs::path original = files_in(site.device)[0];
  const fs::path spare = site.dir / "spare";
  fs::create_directories(spare);
  r = site.run({"rewrite", batch_id, "--to", spare.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("(written again)") != std::string::npos);
  const auto copies = files_in(spare);
  REQUIRE(copies.size() == 1);
  CHECK(copies[0].filename() == original.filename());
  // Sealed anew (other bytes), the same content.
  CHECK(bytes_of(copies[0]) != bytes_of(original));
  CHECK(site.open_with_openssl(copies[0]) == site.open_with_openssl(original));
  const auto rows = site.audit_rows("batch.export");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].terms.find("\"rewrite\":true") != std::string::npos);
  // Unknown batch: bad input.
  r = site.run({"rewrite", "00000000-0000-4000-8000-000000000000", "--to", spare.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no export batch") != std::string::npos);
}

TEST_CASE("an export batch recorded but never written is written first, never twice") {
  // The state a failed write leaves (BatchExchange.hpp): records marked,
  // ledger row without a file. Made here by clearing the file columns.
  Site site;
  auto r = site.run({"export", "--period", "2026-W47", "--to", site.device.string()});
  REQUIRE(r.exit_code == 0);
  const std::string batch_id = value_after(r.out, "batch id");
  {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(site.db.c_str(), &h) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h,
                         "UPDATE exchange_batches SET file_sha256 = NULL, written_to = NULL, "
                         "written_at_us = NULL",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
  }
  CHECK(site.run({"list"}).out.find("NOT WRITTEN") != std::string::npos);
  site.add({crossing(20, 0x400, kWednesday + 600)});
  const fs::path second_device = site.dir / "device2";
  fs::create_directories(second_device);
  r = site.run({"export", "--period", "2026-W47", "--to", second_device.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto files = files_in(second_device);
  REQUIRE(files.size() == 2);
  // The unwritten batch again (same id, its 4 records), then only the new one.
  CHECK(r.out.find("(written again)\n  batch id  " + batch_id + "\n  records   4") !=
        std::string::npos);
  CHECK(r.out.find("records   1 (RFID 1 / officer 0)") != std::string::npos);
  std::size_t epcs = 0;
  for (const fs::path& f : files) epcs += site.open_with_openssl(f).size() - 1;
  CHECK(epcs == 5);
  CHECK(site.run({"list"}).out.find("NOT WRITTEN") == std::string::npos);
}

TEST_CASE("garita batch import reconciles a partner's return batch") {
  Site site;
  REQUIRE(site.run({"export", "--period", "2026-W47", "--to", site.device.string()}).exit_code ==
          0);
  std::string batch_id;
  const std::string der =
      return_batch({exit_record(site.w47[1], kWednesdayLocalDate, "10:00:00"),
                    exit_record(site.w47[2], kWednesdayLocalDate, "10:01:00"),
                    // Received in error: nothing exported matches (never crossed here).
                    exit_record(crossing(99, 0x999, kWednesday), kWednesdayLocalDate, "10:00:00"),
                    // The same crossing twice: a duplicate.
                    exit_record(site.w47[1], kWednesdayLocalDate, "10:00:00")},
                   "partner", "signing", &batch_id);
  const fs::path file = site.device / ("cbp-return-2026-W47-" + batch_id + ".p7m");
  write_bytes(file, der);
  auto r = site.run({"import", file.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("records in file          4") != std::string::npos);
  CHECK(r.out.find("stored as entry records  2 (crossings 2 / officer 0)") != std::string::npos);
  CHECK(r.out.find("received in error        1") != std::string::npos);
  CHECK(r.out.find("duplicates               1") != std::string::npos);
  CHECK(r.out.find("line 4: ") != std::string::npos);
  CHECK(r.out.find("line 5: ") != std::string::npos);
  CHECK(r.out.find("GARCIA") == std::string::npos);
  CHECK(r.out.find("X1234567") == std::string::npos);
  CHECK(count_rows(site.db, "SELECT count(*) FROM entry_records") == 2);
  CHECK(count_rows(site.db, "SELECT count(*) FROM crossings WHERE exit_record_at_us IS NOT NULL") ==
        2);

  const auto rows = site.audit_rows("batch.import");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "ok");
  CHECK(rows[0].records == 2);
  for (const std::string& term : std::vector<std::string>{
           "\"batch_id\":\"" + batch_id + "\"", "\"file_sha256\":\"" + sha256_of_file(file) + "\"",
           "\"matched\":2", "\"received_in_error\":1", "\"duplicates\":1",
           "\"period\":\"2026-W47\""}) {
    INFO(term);
    CHECK(rows[0].terms.find(term) != std::string::npos);
  }
  for (const char* personal : {"GARCIA", "ANA", "X1234567", "1990-04-01"}) {
    CHECK(rows[0].terms.find(personal) == std::string::npos);
  }
  CHECK(rows[0].terms.find(site.w47[1].epc_hex) == std::string::npos);

  auto list = site.run({"list"});
  CHECK(list.out.find("stored 2, in error 1, dup 1") != std::string::npos);
}

TEST_CASE("garita batch import rejects bad files, changes nothing and audits why") {
  Site site;
  REQUIRE(site.run({"export", "--period", "2026-W47", "--to", site.device.string()}).exit_code ==
          0);
  const fs::path own_export = files_in(site.device)[0];
  const std::vector<ExitRecord> good_records{
      exit_record(site.w47[1], kWednesdayLocalDate, "10:00:00")};
  const std::string good = return_batch(good_records);
  const fs::path good_file = site.dir / "good.p7m";
  write_bytes(good_file, good);
  REQUIRE(site.run({"import", good_file.string()}).exit_code == 0);

  std::string tampered = good;
  tampered[tampered.size() - 40] = static_cast<char>(tampered[tampered.size() - 40] ^ 0x01);
  std::string malformed, error;
  REQUIRE_FALSE(seal("{\"format\":\"garita-batch\"}\nnot json\n", pki().pair("partner"),
                     pki().cert("signing"), malformed, error));
  ExportBatch export_type;  // a partner-signed batch of the wrong type
  export_type.manifest.period = "2026-W47";
  export_type.manifest.sender_id = "CBP";
  export_type.manifest.sender_port = "2504";
  std::string wrong_type;
  REQUIRE_FALSE(seal_export_batch(export_type, pki().pair("partner"), pki().cert("signing"),
                                  wrong_type, error));

  struct Case {
    std::string name, bytes, reason;
  };
  const std::vector<Case> cases{
      {"tampered byte", tampered, "authentication tag check failed"},
      {"truncated", good.substr(0, good.size() - 100), "truncated"},
      {"encrypted to another recipient", return_batch(good_records, "partner", "partner"),
       "addressed to someone else"},
      {"signed under the wrong CA", return_batch(good_records, "wrong-L1"),
       "does not chain to the partner CA"},
      {"replay", good, "already imported"},
      {"malformed content", malformed, "line 1 (manifest)"},
      {"our own export batch", bytes_of(own_export), "addressed to someone else"},
      {"an export-type batch", wrong_type, "\"export\" where \"return\" was expected"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const std::string before = dump_database(site.db);
      const std::size_t audit_before = site.audit_rows("batch.import").size();
      const fs::path file = site.dir / "bad.p7m";
      write_bytes(file, c.bytes);
      const auto r = site.run({"import", file.string()});
      INFO(r.out << r.err);
      CHECK(r.exit_code == 3);
      CHECK(r.err.rfind("garita: batch rejected: ", 0) == 0);
      CHECK(r.err.find(c.reason) != std::string::npos);
      CHECK(r.err.find('\n') == r.err.find("\ngarita: nothing of"));
      CHECK(dump_database(site.db) == before);
      const auto rows = site.audit_rows("batch.import");
      REQUIRE(rows.size() == audit_before + 1);
      CHECK(rows.back().outcome == "invalid");
      CHECK(rows.back().records == 0);
      CHECK(rows.back().terms.find("\"reason\":") != std::string::npos);
      CHECK(rows.back().terms.find("\"file_sha256\":\"" + sha256_of_file(file) + "\"") !=
            std::string::npos);
      CHECK(rows.back().terms.find("GARCIA") == std::string::npos);
    }
  }
}

TEST_CASE("garita batch refuses an unsafe key and a missing [exchange]") {
  Site site;
  ::chmod((site.keys / "exchange.key").c_str(), 0644);
  auto r = site.run({"export", "--period", "2026-W47", "--to", site.device.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("exchange.key") != std::string::npos);
  CHECK(r.err.find("mode") != std::string::npos);
  CHECK(files_in(site.device).empty());

  Site bare(false);
  r = bare.run({"import", (bare.device / "x.p7m").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("not configured") != std::string::npos);
  r = bare.run({"export", "--period", "2026-W47", "--to", bare.device.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("has no [exchange] section") != std::string::npos);

  r = site.run({"list", "--period", "2026-47"});
  CHECK(r.exit_code == 2);
  ::chmod((site.keys / "exchange.key").c_str(), 0600);
  r = site.run({"export", "--period", "2026-W54", "--to", site.device.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("2026-W54") != std::string::npos);
  r = site.run({"export", "--period", "2026-W47", "--to", (site.dir / "unmounted").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is the exchange device mounted?") != std::string::npos);
  CHECK(count_rows(site.db, "SELECT count(*) FROM exchange_batches") == 0);
}

TEST_CASE("an export whose sealing fails marks nothing and records no batch") {
  // In process, on the same code garitad's /v1/batches runs: a partner
  // certificate that cannot be used makes sealing fail inside the export
  // transaction, which must roll back (BatchExchange.hpp step 1).
  Site site;
  garita::config::SiteConfig config;
  std::string error;
  REQUIRE_FALSE(garita::config::load_site_config(site.config, config, error));
  garita::exchange::ExchangeContext ctx;
  INFO(error);
  REQUIRE_FALSE(garita::exchange::ExchangeContext::load(config, ctx, error));
  ctx.partner = BatchCertificate{};  // not loaded: seal refuses it
  garita::security::AuditLog audit;
  REQUIRE_FALSE(audit.open(site.dir / "audit.db"));
  garita::store::CrossingStore store;
  REQUIRE_FALSE(store.open(site.db));
  const std::string before = dump_database(site.db);
  garita::store::StoreAccess access =
      [&store](const std::function<std::error_code(garita::store::CrossingStore&)>& work) {
        return work(store);
      };
  garita::exchange::ExchangeActor actor{"alice", garita::security::Role::supervisor,
                                        "203.0.113.7:51514"};
  garita::exchange::ExportResult result;
  const auto ec = garita::exchange::export_period(
      access, ctx, audit, actor, "2026-W47", site.device, 1795500000LL * kSecond, result, error);
  CHECK(ec == garita::batch::Errc::invalid_argument);
  CHECK(error.find("seal") != std::string::npos);
  CHECK_FALSE(store.in_transaction());
  CHECK(result.batches.empty());
  CHECK(dump_database(site.db) == before);
  CHECK(files_in(site.device).empty());
  store.close();
  (void)audit.close();
  const auto rows = site.audit_rows("batch.export");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].outcome == "failed");
  CHECK(rows[0].user == "alice");
  CHECK(rows[0].terms.find("\"reason\":") != std::string::npos);
}
