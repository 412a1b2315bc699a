// The weekly partner exchange end to end, with the real binaries (issue 7,
// docs/operations.md "Weekly exchange", docs/batch-format.md):
//   garita-sim llrp (3 lanes, seeded traffic) -> garitad -> crossings.db
//   -> garita batch export -> garita-sim partner (10 % of travellers unknown,
//   5 records that belong to nobody) -> garita batch import -> entry records.
// Then the books are reconciled on the database with the SQLite C API:
// every entry crossing of the period exported, one entry record per answered
// crossing and its exit_record_at_us stamped, the 5 extras counted
// "received in error" and found nowhere in the database files' raw bytes
// (destroyed, not merely hidden), and a second import of the same file
// refused without changing anything.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "ProcessRunner.hpp"
#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/batch/BatchFile.hpp"
#include "garita/daemon/exchange/PortClock.hpp"
#include "test_garitad_support.hpp"

using namespace garita::test;
using namespace garita::test::gd;
namespace batch = garita::batch;

namespace {

constexpr int kArrivalsS = 15;
constexpr int kExtra = 5;

// Read-only SQLite handle on the crossing database, closed on scope exit.
class Db {
 public:
  explicit Db(const fs::path& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  std::int64_t integer(const std::string& sql) {
    std::int64_t v = -1;
    each(sql, [&](sqlite3_stmt* s) { v = sqlite3_column_int64(s, 0); });
    return v;
  }
  // Rows of text columns.
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    each(sql, [&](sqlite3_stmt* s) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const auto* t = sqlite3_column_text(s, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    });
    return out;
  }

 private:
  template <typename F>
  void each(const std::string& sql, F f) {
    sqlite3_stmt* s = nullptr;
    INFO(sql << ": " << sqlite3_errmsg(db_));
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) f(s);
    sqlite3_finalize(s);
    REQUIRE(rc == SQLITE_DONE);
  }
  sqlite3* db_ = nullptr;
};

std::string read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string to_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::uint64_t field(const std::string& text, const std::string& pattern) {
  std::smatch m;
  INFO("no \"" << pattern << "\" in:\n" << text);
  REQUIRE(std::regex_search(text, m, std::regex(pattern)));
  return std::stoull(m[1].str());
}

batch::BatchKeyPair key_pair(const fs::path& pki, const std::string& name) {
  batch::BatchKeyPair p;
  std::string error;
  INFO(error);
  REQUIRE_FALSE(batch::BatchKeyPair::load(pki / (name + ".key"), pki / (name + ".pem"), p, error));
  return p;
}

batch::BatchTrustStore trust(const fs::path& pki, const std::string& name) {
  batch::BatchTrustStore s;
  std::string error;
  REQUIRE_FALSE(batch::BatchTrustStore::load(pki / (name + ".pem"), s, error));
  return s;
}

struct Cycle {
  fs::path export_file, return_file;
  std::uint64_t exported = 0, answered = 0, unknown = 0, extra = 0;
  std::uint64_t stored = 0, received_in_error = 0;
};

}  // namespace

TEST_CASE("weekly cycle: lanes -> export -> partner -> import, books reconciled") {
  ScratchDir dir("weekly");
  const fs::path pki = dir / "pki";
  {
    const auto r =
        run_process({"/bin/sh", GARITA_SOURCE_DIR "/scripts/test-pki.sh", pki.string()}, 60s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  const fs::path db = dir / "crossings.db";
  std::ostringstream exchange;
  exchange << "[exchange]\n"
           << "key_file = \"" << (pki / "signing.key").string() << "\"\n"
           << "cert_file = \"" << (pki / "signing.pem").string() << "\"\n"
           << "partner_certificate = \"" << (pki / "partner.pem").string() << "\"\n"
           << "partner_ca_file = \"" << (pki / "partner-ca.pem").string() << "\"\n"
           << "[security]\n"
           << "signing_key = \"" << (pki / "signing.key").string() << "\"\n"
           << "signing_cert = \"" << (pki / "signing.pem").string() << "\"\n";

  // 1. A short, busy, seeded run on 3 lanes (realistic preset: counter-flow
  //    walkers included, whose crossings are not entries and not exported).
  fs::path config;
  {
    Simulator sim(dir, {"--lanes", "3", "--seed", "4747", "--rate", "40", "--duration",
                        std::to_string(kArrivalsS), "--preset", "default"});
    config = write_config(dir, sim.ports(), db, exchange.str());
    Garitad daemon(dir, config);
    const bool started = daemon.wait_started();
    INFO("garitad log:\n" << daemon.log());
    REQUIRE(started);
    const ProcessResult s = sim.process().wait(std::chrono::seconds(kArrivalsS + 90));
    INFO("simulator: " << s.err);
    REQUIRE(s.exit_code == 0);
    std::this_thread::sleep_for(3s);  // the last sessions close (gap 2 s)
    const ProcessResult d = daemon.process().stop(60s);
    INFO("garitad: " << log_without_commits(d.err));
    REQUIRE(d.exit_code == 0);
  }
  const auto stored = read_crossings(db);
  REQUIRE(stored.size() >= 10);

  // 2. The crossings' periods: port-local ISO weeks of their first reads
  //    (one week, or two when the run straddles Monday 00:00 in Tijuana).
  garita::exchange::PortClock clock;
  {
    std::string error;
    INFO(error);
    REQUIRE_FALSE(garita::exchange::PortClock::load("America/Tijuana", clock, error));
  }
  std::set<std::string> periods;
  for (const auto& row : stored)
    periods.insert(clock.week_of(row.crossing.first_seen_utc_us / 1'000'000));

  const fs::path device = dir / "device";
  const fs::path returns = dir / "returns";
  fs::create_directories(device);
  std::vector<Cycle> cycles;
  std::set<std::string> exported_epcs;
  std::vector<batch::ExitRecord> returned;
  for (const std::string& period : periods) {
    Cycle c;
    // 3. garita batch export.
    const auto ex = run_process({GARITA_CLI, "batch", "export", "--config", config.string(),
                                 "--period", period, "--to", device.string()},
                                120s);
    INFO("export " << period << ": " << ex.out << ex.err);
    REQUIRE(ex.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(ex.out, m, std::regex("wrote (\\S+\\.p7m)")));
    c.export_file = m[1].str();
    CHECK(c.export_file.filename().string().rfind("garita-export-SYS-" + period + "-", 0) == 0);
    c.exported = field(ex.out, "records\\s+(\\d+)");

    // What the partner received (opened here as the partner opens it).
    std::string bytes, error;
    REQUIRE_FALSE(batch::read_batch_file(c.export_file, bytes, error));
    batch::ExportBatch exported;
    INFO(error);
    REQUIRE_FALSE(batch::open_export_batch(bytes, key_pair(pki, "partner"), trust(pki, "ca"), {},
                                           "INM-SYS", exported, error));
    CHECK(exported.records.size() == c.exported);
    for (const auto& rec : exported.records) {
      const auto* r = std::get_if<batch::RfidEntryRecord>(&rec);
      REQUIRE(r != nullptr);
      exported_epcs.insert(r->epc_hex);
    }

    // 4. The partner answers.
    const auto pa = run_process({GARITA_SIM,    "partner",
                                 "--in",        c.export_file.string(),
                                 "--out",       returns.string(),
                                 "--key",       (pki / "partner.key").string(),
                                 "--cert",      (pki / "partner.pem").string(),
                                 "--ca",        (pki / "ca.pem").string(),
                                 "--recipient", (pki / "signing.pem").string(),
                                 "--seed",      "2026",
                                 "--extra",     std::to_string(kExtra),
                                 "--miss-rate", "0.1"},
                                60s);
    INFO("partner: " << pa.out << pa.err);
    REQUIRE(pa.exit_code == 0);
    REQUIRE(std::regex_search(
        pa.out, m,
        std::regex("^partner: wrote (\\S+) records=(\\d+) answered=(\\d+) unknown=(\\d+) "
                   "extra=(\\d+)\n$")));
    c.return_file = m[1].str();
    CHECK(std::stoull(m[2].str()) == c.exported);
    c.answered = std::stoull(m[3].str());
    c.unknown = std::stoull(m[4].str());
    c.extra = std::stoull(m[5].str());
    CHECK(c.answered + c.unknown == c.exported);
    CHECK(c.extra == kExtra);

    // The return as the workstation opens it: to tell the extras apart.
    REQUIRE_FALSE(batch::read_batch_file(c.return_file, bytes, error));
    batch::ReturnBatch back;
    REQUIRE_FALSE(batch::open_return_batch(bytes, key_pair(pki, "signing"),
                                           trust(pki, "partner-ca"), {}, "CBP", back, error));
    CHECK(back.manifest.period == period);
    returned.insert(returned.end(), back.records.begin(), back.records.end());

    // 5. garita batch import.
    const auto im = run_process(
        {GARITA_CLI, "batch", "import", "--config", config.string(), c.return_file.string()}, 120s);
    INFO("import: " << im.out << im.err);
    REQUIRE(im.exit_code == 0);
    c.stored = field(im.out, "stored as entry records\\s+(\\d+)");
    c.received_in_error = field(im.out, "received in error\\s+(\\d+)");
    CHECK(c.stored == c.answered);
    CHECK(c.received_in_error == kExtra);
    cycles.push_back(c);
  }

  std::uint64_t exported = 0, answered = 0;
  for (const Cycle& c : cycles) exported += c.exported, answered += c.answered;
  std::vector<batch::ExitRecord> extras, kept;
  for (const auto& r : returned) (exported_epcs.count(r.epc_hex) ? kept : extras).push_back(r);
  REQUIRE(extras.size() == kExtra * cycles.size());
  REQUIRE(kept.size() == answered);
  REQUIRE(answered > 0);

  // 6. The books, on the database itself.
  std::set<std::string> kept_names;
  {
    Db d(db);
    CHECK(d.integer("SELECT count(*) FROM entry_records") == static_cast<std::int64_t>(answered));
    CHECK(d.integer("SELECT count(*) FROM entry_records WHERE source <> 'CBP' OR "
                    "matched_kind <> 'crossing'") == 0);
    // Every entry crossing of the periods went out in a batch; only
    // counter-flow crossings (walked out: not entries) stayed home.
    CHECK(d.integer("SELECT count(*) FROM crossings WHERE export_batch_id IS NULL AND "
                    "direction <> 'counter_flow'") == 0);
    CHECK(d.integer("SELECT count(*) FROM crossings WHERE export_batch_id IS NOT NULL") ==
          static_cast<std::int64_t>(exported));
    CHECK(d.integer("SELECT count(*) FROM crossings WHERE export_batch_id IS NOT NULL AND "
                    "direction = 'counter_flow'") == 0);
    // Matched crossings are stamped, and only they.
    std::multiset<std::string> stamped, kept_epcs;
    for (const auto& row :
         d.rows("SELECT epc_hex FROM crossings WHERE exit_record_at_us IS NOT NULL"))
      stamped.insert(row[0]);
    for (const auto& r : kept) kept_epcs.insert(r.epc_hex);
    CHECK(stamped == kept_epcs);
    // Each entry record is the partner's record of that crossing, as sent.
    std::multiset<std::string> entry_keys, sent_keys;
    for (const auto& row : d.rows("SELECT e.epc_hex, e.entry_date, e.entry_time, e.last_name, "
                                  "e.document_number FROM entry_records e JOIN crossings c ON "
                                  "c.lane_id = e.crossing_lane_id AND c.sequence = "
                                  "e.crossing_sequence AND c.epc_hex = e.epc_hex")) {
      entry_keys.insert(row[0] + "|" + row[1] + "|" + row[2] + "|" + row[3] + "|" + row[4]);
    }
    for (const auto& r : kept)
      sent_keys.insert(r.epc_hex + "|" + r.entry_date + "|" + r.entry_time + "|" + r.last_name +
                       "|" + r.document_number);
    CHECK(entry_keys == sent_keys);
    for (const auto& row : d.rows("SELECT first_name, middle_name, last_name FROM entry_records"))
      kept_names.insert(row.begin(), row.end());
  }

  // 7. Destroyed: the extras' EPCs (hex either case, and as bytes), document
  //    numbers and the names no kept record shares are in no database file.
  std::string raw;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    if (name.find(".db") == std::string::npos) continue;
    raw += read_bytes(entry.path());
    ++files;
  }
  REQUIRE(files >= 1);
  std::size_t names_checked = 0;
  for (const auto& e : extras) {
    INFO("an extra record's field found in the database files");
    CHECK(raw.find(e.epc_hex) == std::string::npos);
    CHECK(raw.find(to_lower(e.epc_hex)) == std::string::npos);
    CHECK(raw.find(unhex(e.epc_hex)) == std::string::npos);
    CHECK(raw.find(e.document_number) == std::string::npos);
    for (const std::string& n : {e.first_name, e.middle_name, e.last_name}) {
      if (n.size() < 4 || kept_names.count(n) != 0) continue;
      CHECK(raw.find(n) == std::string::npos);
      ++names_checked;
    }
  }
  CHECK(names_checked >= 1);
  // Sanity of the probe: a kept record's document number IS found.
  CHECK(raw.find(kept.front().document_number) != std::string::npos);

  // 8. Replay: the same file again is refused and changes nothing.
  std::int64_t entries_before = 0, batches_before = 0, stamps_before = 0;
  {
    Db d(db);
    entries_before = d.integer("SELECT count(*) FROM entry_records");
    batches_before = d.integer("SELECT count(*) FROM exchange_batches");
    stamps_before = d.integer("SELECT total(exit_record_at_us) FROM crossings");
  }
  const auto again = run_process(
      {GARITA_CLI, "batch", "import", "--config", config.string(), cycles.front().return_file},
      120s);
  INFO("re-import: " << again.out << again.err);
  CHECK(again.exit_code == 3);
  CHECK(again.err.find("garita: batch rejected:") != std::string::npos);
  {
    Db d(db);
    CHECK(d.integer("SELECT count(*) FROM entry_records") == entries_before);
    CHECK(d.integer("SELECT count(*) FROM exchange_batches") == batches_before);
    CHECK(d.integer("SELECT total(exit_record_at_us) FROM crossings") == stamps_before);
  }

  std::cout << "\n=== weekly cycle (3 lanes, seed 4747, " << kArrivalsS << " s of arrivals) ===\n"
            << stored.size() << " crossings stored, " << exported << " exported in "
            << cycles.size() << " batch(es), " << answered << " answered by the partner ("
            << (exported - answered) << " unknown), " << answered << " entry records stored, "
            << extras.size() << " extras received in error and destroyed\n"
            << std::flush;
}
