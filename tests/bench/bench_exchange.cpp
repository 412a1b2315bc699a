// The weekly exchange end to end (issue 7; docs/operations.md "Weekly
// exchange"), on a crossing store holding N crossings of one week:
//
//   export   garita's export_period: select the week's unexported crossings,
//            encode, sign (SHA-384, ECDSA P-256) and encrypt (AES-256-GCM,
//            ECDH P-256 + SHA-384 KDF), mark them exported, write the file
//            atomically, custody audit row
//   openssl  the baseline, same run: `openssl cms -sign ... | openssl cms
//            -encrypt ...` on exactly the content bytes garita signed (taken
//            back out of garita's file with the partner key), process start
//            included
//   import   garita's import_file of the partner's answer (one exit record
//            per exported crossing): read, decrypt, verify, parse, match
//            every record to its crossing, store N entry records and stamp
//            the crossings, one transaction, audit row
//
// Prints seconds, records/s and MB/s (of the content) per phase, the ratio
// export/openssl, and the peak RSS. N = --records=N (default 1,000,000).
//
//   build/release/tests/bench/bench_exchange            (docs/performance.md)
//   build/release/tests/bench/bench_exchange --records=200000
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "BenchSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/batch/BatchFile.hpp"
#include "garita/daemon/exchange/BatchExchange.hpp"
#include "garita/daemon/security/AuditLog.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace garita;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_exchange: %s\n", what.c_str());
  std::exit(1);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs `phase` in a child process and returns its exit status, wall time
// and peak RSS (wait4's rusage is that child's own): each phase's memory is
// measured apart from the benchmark's set-up. The child opens its own store
// connection (SQLite connections must not cross a fork).
struct PhaseRun {
  int status = -1;
  double seconds = 0;
  double peak_rss_mib = 0;
};
template <typename Phase>
PhaseRun run_phase(Phase phase) {
  std::fflush(nullptr);
  malloc_trim(0);
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) _exit(phase());
  int status = 0;
  rusage u{};
  if (wait4(pid, &status, 0, &u) != pid) die("wait4 failed");
  PhaseRun r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  r.peak_rss_mib = static_cast<double>(u.ru_maxrss) / 1024.0;
  return r;
}

// A crossing as a lane makes it, spread evenly over [begin, end).
Crossing make_crossing(std::uint64_t i, std::uint64_t n, std::int64_t begin_us,
                       std::int64_t end_us) {
  Crossing c;
  c.lane_id = "P0" + std::to_string(1 + i % 8);
  c.sequence = 1 + i / 8;
  c.port_code = "SYS";
  std::uint8_t epc[12] = {0xE2, 0x00, 0x34, 0x11, 0xB8, 0x02, 0, 0, 0, 0, 0, 0};
  for (int b = 0; b < 6; ++b) epc[11 - b] = static_cast<std::uint8_t>(i >> (8 * b));
  c.epc.assign(epc);
  c.pc = 0x3000;
  c.epc_hex = to_hex(c.epc.view());
  c.epc_uri = "urn:epc:raw:96.x" + c.epc_hex;
  c.epc_scheme = "raw";
  std::uint8_t tid[12] = {0xE2, 0x80, 0x11, 0x30, 0x20, 0x00, 0, 0, 0, 0, 0, 0};
  for (int b = 0; b < 6; ++b) tid[11 - b] = static_cast<std::uint8_t>((i * 7) >> (8 * b));
  c.tid.assign(tid);
  c.tid_hex = to_hex(c.tid.view());
  c.tid_maker = "Impinj";
  c.tid_model = "Monza R6";
  c.document = DocumentType::bcc;
  c.issuer_rule = "bcc";
  const std::int64_t span = end_us - begin_us - 2'000'000;
  c.first_seen_utc_us = begin_us + 1'000'000 +
                        static_cast<std::int64_t>(static_cast<double>(i) / static_cast<double>(n) *
                                                  static_cast<double>(span));
  c.last_seen_utc_us = c.first_seen_utc_us + 400'000;
  c.time_source = TimeSource::reader_utc;
  c.read_count = 14;
  c.peak_rssi_cdbm = -5200;
  c.antenna_mask = 0x3;
  c.direction = Direction::with_flow;
  return c;
}

std::uint64_t size_of(const fs::path& p) {
  std::error_code ec;
  const auto s = fs::file_size(p, ec);
  return ec ? 0 : s;
}

void print_phase(const char* name, double secs, std::uint64_t records, std::uint64_t bytes) {
  std::printf("%-34s %9.2f s %12.0f records/s %9.1f MB/s\n", name, secs,
              static_cast<double>(records) / secs, static_cast<double>(bytes) / 1e6 / secs);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t n = 1'000'000;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--records=", 10) == 0) {
      n = std::strtoull(argv[i] + 10, nullptr, 10);
    } else if (std::strncmp(argv[i], "--benchmark", 11) == 0) {
      // CTest's smoke run passes Google Benchmark flags to every bench; ignored.
    } else {
      die(std::string("unknown argument ") + argv[i] + " (expected --records=N)");
    }
  }
  if (n == 0) die("--records must be at least 1");

  bench::TempDir dir("garita-bench-exchange");
  const fs::path pki = dir.file("pki");
  const std::string pki_cmd =
      std::string(GARITA_SOURCE_DIR "/scripts/test-pki.sh ") + pki.string() + " >/dev/null";
  if (std::system(pki_cmd.c_str()) != 0) die("scripts/test-pki.sh failed");

  config::SiteConfig site;
  site.port_code = "SYS";
  site.time_zone = "America/Tijuana";
  site.store.path = dir.file("garita.db");
  auto& x = site.exchange;
  x.enabled = true;
  x.key_file = pki / "signing.key";
  x.cert_file = pki / "signing.pem";
  x.partner_certificate = pki / "partner.pem";
  x.partner_ca_file = pki / "partner-ca.pem";
  std::string error;
  exchange::ExchangeContext ctx;
  if (exchange::ExchangeContext::load(site, ctx, error)) die(error);

  const std::string period = "2026-W47";
  std::int64_t begin_s = 0, end_s = 0;
  if (ctx.clock.week_bounds(period, begin_s, end_s, error)) die(error);

  // The store: N crossings of the week, written in big transactions.
  {
    store::CrossingStore crossings;
    if (crossings.open(site.store.path)) die(crossings.last_error());
    const auto t0 = Clock::now();
    std::vector<Crossing> chunk;
    for (std::uint64_t i = 0; i < n;) {
      chunk.clear();
      for (; i < n && chunk.size() < 20'000; ++i)
        chunk.push_back(make_crossing(i, n, begin_s * 1'000'000, end_s * 1'000'000));
      if (crossings.write_batch(chunk)) die(crossings.last_error());
    }
    std::printf("set-up: %llu crossings of %s stored in %.1f s (not measured below)\n",
                static_cast<unsigned long long>(n), period.c_str(), seconds_since(t0));
  }
  const exchange::ExchangeActor actor{"bench", security::Role::supervisor, "local:bench"};
  const fs::path device = dir.file("device");
  const fs::path audit_db = dir.file("audit.db");
  const fs::path return_file = dir.file("return.p7m");
  fs::create_directories(device);

  // What a phase child does: open the store and the audit log, run `work`.
  auto in_child = [&](auto work) {
    return [&, work]() -> int {
      store::CrossingStore crossings;
      security::AuditLog audit;
      if (crossings.open(site.store.path) || audit.open(audit_db)) return 10;
      store::StoreAccess access =
          [&crossings](const std::function<std::error_code(store::CrossingStore&)>& job) {
            return job(crossings);
          };
      const int rc = work(access, audit);
      (void)audit.close();
      return rc;
    };
  };

  // --- export ------------------------------------------------------------
  const PhaseRun export_run = run_phase(in_child([&](auto& access, auto& audit) {
    exchange::ExportResult result;
    std::string e;
    if (exchange::export_period(access, ctx, audit, actor, period, device,
                                static_cast<std::int64_t>(end_s + 3600) * 1'000'000, result, e)) {
      std::fprintf(stderr, "export: %s\n", e.c_str());
      return 1;
    }
    return result.batches.size() == 1 && result.batches.front().rfid_records == n ? 0 : 2;
  }));
  if (export_run.status != 0) die("export phase failed");
  fs::path export_file;
  for (const auto& entry : fs::directory_iterator(device)) export_file = entry.path();
  const std::uint64_t export_file_bytes = size_of(export_file);

  // The exact content bytes garita signed, out of its own file (partner side).
  std::string der, content_file = dir.file("content").string();
  if (batch::read_batch_file(export_file, der, error)) die(error);
  batch::BatchKeyPair partner;
  batch::BatchTrustStore workstation_ca;
  if (batch::BatchKeyPair::load(pki / "partner.key", pki / "partner.pem", partner, error) ||
      batch::BatchTrustStore::load(pki / "ca.pem", workstation_ca, error)) {
    die(error);
  }
  batch::OpenedEnvelope opened;
  if (batch::open(der, partner, workstation_ca, {}, opened, error)) die("partner open: " + error);
  std::string().swap(der);
  {
    std::ofstream out(content_file, std::ios::binary);
    out.write(opened.content.data(), static_cast<std::streamsize>(opened.content.size()));
    if (!out) die("cannot write " + content_file);
  }
  const std::uint64_t content_bytes = opened.content.size();

  // --- the openssl baseline on the same bytes -----------------------------------
  const std::string cms_cmd =
      "openssl cms -sign -binary -nodetach -md sha384 -signer " + (pki / "signing.pem").string() +
      " -inkey " + (pki / "signing.key").string() + " -in " + content_file +
      " -outform DER | openssl cms -encrypt -binary -aes-256-gcm -outform DER -recip " +
      (pki / "partner.pem").string() + " -keyopt ecdh_kdf_md:sha384 -out " +
      dir.file("openssl.cms").string();
  auto t0 = Clock::now();
  if (std::system(cms_cmd.c_str()) != 0) die("openssl cms failed");
  const double openssl_s = seconds_since(t0);
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);  // the largest child so far (openssl or a phase)

  // --- the partner's answer: one exit record per exported crossing ---------------
  std::uint64_t return_content_bytes = 0;
  double open_s = 0;
  {
    batch::ExportBatch export_batch;
    if (batch::parse_export_batch(opened.content, export_batch, error)) die(error);
    std::string().swap(opened.content);
    batch::ReturnBatch answer;
    answer.manifest.type = batch::BatchType::return_batch;
    answer.manifest.period = period;
    answer.manifest.sender_id = "CBP";
    answer.manifest.sender_port = "SYS";
    answer.records.reserve(export_batch.records.size());
    for (std::size_t i = 0; i < export_batch.records.size(); ++i) {
      const auto& r = std::get<batch::RfidEntryRecord>(export_batch.records[i]);
      batch::ExitRecord e;
      e.first_name = "José";
      e.last_name = "Núñez";
      e.middle_name = "";
      e.birth_date = "1980-02-29";
      e.nationality = "MEX";
      e.gender = "M";
      e.document_type = "P";
      e.document_number = "G" + std::to_string(10'000'000 + i);
      e.document_country = "MEX";
      e.exit_port = "2504";
      e.entry_date = exchange::local_date_of(r.entry);
      e.entry_time = exchange::local_time_of(r.entry);
      e.epc_hex = r.epc_hex;
      answer.records.push_back(std::move(e));
    }
    export_batch = {};
    std::string return_der;
    if (batch::seal_return_batch(answer, partner, ctx.workstation.certificate(), return_der,
                                 error)) {
      die("partner seal: " + error);
    }
    if (batch::write_batch_file(return_file.parent_path(), return_file.filename().string(),
                                return_der, error)) {
      die(error);
    }
    std::string return_content;
    if (batch::encode_return_batch(answer.manifest, answer.records, return_content, error))
      die(error);
    return_content_bytes = return_content.size();
    answer = {};
    std::string().swap(return_content);

    // Decrypt + verify + parse alone, to split the import's cost.
    t0 = Clock::now();
    batch::ReturnBatch check;
    if (batch::open_return_batch(return_der, ctx.workstation, ctx.partner_ca, {}, "CBP", check,
                                 error)) {
      die("open: " + error);
    }
    open_s = seconds_since(t0);
  }

  // --- import ---------------------------------------------------------------------
  const PhaseRun import_run = run_phase(in_child([&](auto& access, auto& audit) {
    exchange::ImportReport report;
    std::string e;
    if (exchange::import_file(access, ctx, audit, actor, return_file,
                              static_cast<std::int64_t>(end_s + 7200) * 1'000'000, report, e)) {
      std::fprintf(stderr, "import: %s\n", e.c_str());
      return 1;
    }
    return report.matched_crossings == n ? 0 : 2;
  }));
  if (import_run.status != 0) die("import phase failed");

  std::printf("records: %llu; export file %.1f MB, content %.1f MB, return file %.1f MB\n",
              static_cast<unsigned long long>(n), static_cast<double>(export_file_bytes) / 1e6,
              static_cast<double>(content_bytes) / 1e6,
              static_cast<double>(size_of(return_file)) / 1e6);
  print_phase("export (garita, end to end)", export_run.seconds, n, content_bytes);
  print_phase("baseline: openssl cms sign|encrypt", openssl_s, n, content_bytes);
  std::printf("ratio export / openssl: %.2f\n", export_run.seconds / openssl_s);
  print_phase("import (garita, end to end)", import_run.seconds, n, return_content_bytes);
  print_phase("  of which decrypt+verify+parse", open_s, n, return_content_bytes);
  std::printf(
      "peak RSS: export %.0f MiB, import %.0f MiB (each its own process; the largest "
      "child incl. openssl: %.0f MiB)\n",
      export_run.peak_rss_mib, import_run.peak_rss_mib,
      static_cast<double>(children.ru_maxrss) / 1024.0);
  return 0;
}
