// Weekly partner exchange batches (issue 7; docs/batch-format.md), beside
// the stock `openssl cms` command doing the same work on the same bytes in
// the same run:
//
//   BM_EncodeExport          N crossings -> content bytes (validation, JSON
//                            Lines, records SHA-256)
//   BM_SealContent           content -> CMS SignedData (SHA-384, ECDSA P-256)
//                            -> AuthEnvelopedData (AES-256-GCM, ECDH P-256)
//   BM_SealExport            both: what an export costs end to end
//   BM_Baseline_OpensslCms   `openssl cms -sign -binary -md sha384 ... |
//                            openssl cms -encrypt -aes-256-gcm ...` on the
//                            same content file (process start included)
//   BM_ParseReturn           N returned exit records: strict parse+validate
//   BM_OpenReturn            the same batch sealed by the partner: decrypt,
//                            verify, parse
//
// Counters: records/s and MB/s of content. N = --records=N (default
// 1,000,000). The PKI is scripts/test-pki.sh's, in a temp folder.
//
//   build/release/tests/bench/bench_batch   (docs/performance.md)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "BenchSupport.hpp"
#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/batch/BatchFile.hpp"

namespace {

using namespace garita::batch;

std::size_t g_records = 1'000'000;

struct Fixture {
  garita::bench::TempDir dir{"garita-bench-batch"};
  BatchKeyPair workstation, partner;
  BatchCertificate partner_cert, workstation_cert;
  BatchTrustStore partner_ca;
  std::vector<ExportRecord> crossings;
  std::string export_content;
  std::vector<ExitRecord> exits;
  std::string return_content;
  std::string return_der;

  std::string path(const char* name) const { return dir.file(name).string(); }

  Fixture() {
    const std::string cmd = std::string(GARITA_SOURCE_DIR "/scripts/test-pki.sh ") +
                            dir.file("pki").string() + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) std::abort();
    const auto pki = dir.file("pki");
    std::string error;
    if (BatchKeyPair::load(pki / "signing.key", pki / "signing.pem", workstation, error) ||
        BatchKeyPair::load(pki / "partner.key", pki / "partner.pem", partner, error) ||
        BatchCertificate::load(pki / "partner.pem", partner_cert, error) ||
        BatchCertificate::load(pki / "signing.pem", workstation_cert, error) ||
        BatchTrustStore::load(pki / "partner-ca.pem", partner_ca, error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::abort();
    }
    crossings.reserve(g_records);
    for (std::size_t i = 0; i < g_records; ++i) {
      RfidEntryRecord r;
      char epc[32], tid[32];
      std::snprintf(epc, sizeof epc, "E2801160600002%010zX", i);
      std::snprintf(tid, sizeof tid, "E2801160200074%010zX", i * 7);
      r.epc_hex = epc;
      r.tid_hex = tid;
      r.entry = {1795154400 + static_cast<std::int64_t>(i % 604800), -480};
      r.port = "TIJ";
      r.lane = "P0" + std::to_string(1 + i % 8);
      crossings.emplace_back(std::move(r));
    }
    BatchManifest m = manifest(BatchType::export_batch, workstation_cert, partner_cert);
    if (encode_export_batch(m, crossings, export_content, error)) std::abort();
    if (!write_file("content", export_content)) std::abort();

    exits.resize(g_records);
    for (std::size_t i = 0; i < g_records; ++i) {
      ExitRecord& e = exits[i];
      e.first_name = "John";
      e.last_name = "Smith";
      e.middle_name = "Q";
      e.birth_date = "1970-12-31";
      e.nationality = "USA";
      e.gender = "M";
      e.document_type = "C";
      e.document_number = "C" + std::to_string(10'000'000 + i);
      e.document_country = "USA";
      e.exit_port = "2504";
      e.entry_date = "2026-11-19";
      e.entry_time = "22:00:00";
      e.epc_hex = std::get<RfidEntryRecord>(crossings[i]).epc_hex;
    }
    BatchManifest rm = manifest(BatchType::return_batch, partner.certificate(), workstation_cert);
    rm.sender_id = "CBP";
    if (encode_return_batch(rm, exits, return_content, error)) std::abort();
    if (seal(return_content, partner, workstation_cert, return_der, error)) std::abort();
  }

  static BatchManifest manifest(BatchType type, const BatchCertificate& sender,
                                const BatchCertificate& recipient) {
    BatchManifest m;
    m.type = type;
    std::string error;
    if (new_batch_id(m.batch_id, error)) std::abort();
    m.period = "2026-W47";
    m.created_at_utc = 1795410000;
    m.sender_id = "TIJ-WS1";
    m.sender_port = "TIJ";
    m.sender_certificate_sha256 = sender.sha256();
    m.recipient_subject = recipient.subject();
    m.recipient_certificate_sha256 = recipient.sha256();
    return m;
  }

  bool write_file(const char* name, const std::string& bytes) const {
    std::FILE* f = std::fopen(path(name).c_str(), "wb");
    if (f == nullptr) return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void set_counters(benchmark::State& state, std::size_t records, std::size_t bytes) {
  const auto n = static_cast<double>(state.iterations());
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records) * n, benchmark::Counter::kIsRate);
  state.counters["MB/s"] =
      benchmark::Counter(static_cast<double>(bytes) * n / 1e6, benchmark::Counter::kIsRate);
  state.counters["content_MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_EncodeExport(benchmark::State& state) {
  Fixture& f = fixture();
  std::string out, error;
  for (auto _ : state) {
    BatchManifest m =
        Fixture::manifest(BatchType::export_batch, f.workstation_cert, f.partner_cert);
    if (encode_export_batch(m, f.crossings, out, error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, f.crossings.size(), out.size());
}

void BM_SealContent(benchmark::State& state) {
  Fixture& f = fixture();
  std::string der, error;
  for (auto _ : state) {
    if (seal(f.export_content, f.workstation, f.partner_cert, der, error))
      state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(der.data());
  }
  set_counters(state, f.crossings.size(), f.export_content.size());
  state.counters["der_MB"] = static_cast<double>(der.size()) / 1e6;
}

void BM_SealExport(benchmark::State& state) {
  Fixture& f = fixture();
  std::string der, error;
  for (auto _ : state) {
    ExportBatch batch;
    batch.manifest = Fixture::manifest(BatchType::export_batch, f.workstation_cert, f.partner_cert);
    batch.records = f.crossings;  // the copy is part of what a caller pays
    if (seal_export_batch(batch, f.workstation, f.partner_cert, der, error))
      state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(der.data());
  }
  set_counters(state, f.crossings.size(), f.export_content.size());
}

void BM_Baseline_OpensslCms(benchmark::State& state) {
  Fixture& f = fixture();
  const auto pki = f.dir.file("pki");
  const std::string cmd =
      "openssl cms -sign -binary -nodetach -md sha384 -signer " + (pki / "signing.pem").string() +
      " -inkey " + (pki / "signing.key").string() + " -in " + f.path("content") +
      " -outform DER | openssl cms -encrypt -binary -aes-256-gcm -outform DER -recip " +
      (pki / "partner.pem").string() + " -keyopt ecdh_kdf_md:sha384 -out " + f.path("cli.cms");
  for (auto _ : state) {
    if (std::system(cmd.c_str()) != 0) state.SkipWithError("openssl cms failed");
  }
  set_counters(state, f.crossings.size(), f.export_content.size());
}

void BM_ParseReturn(benchmark::State& state) {
  Fixture& f = fixture();
  std::string error;
  for (auto _ : state) {
    ReturnBatch batch;
    if (parse_return_batch(f.return_content, batch, error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(batch.records.data());
  }
  set_counters(state, f.exits.size(), f.return_content.size());
}

void BM_OpenReturn(benchmark::State& state) {
  Fixture& f = fixture();
  std::string error;
  for (auto _ : state) {
    ReturnBatch batch;
    if (open_return_batch(f.return_der, f.workstation, f.partner_ca, {}, "CBP", batch, error))
      state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(batch.records.data());
  }
  set_counters(state, f.exits.size(), f.return_content.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--records=", 10) == 0)
      g_records = std::strtoull(argv[i] + 10, nullptr, 10);
    else
      args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  for (auto* bm : {benchmark::RegisterBenchmark("BM_EncodeExport", BM_EncodeExport),
                   benchmark::RegisterBenchmark("BM_SealContent", BM_SealContent),
                   benchmark::RegisterBenchmark("BM_SealExport", BM_SealExport),
                   benchmark::RegisterBenchmark("BM_Baseline_OpensslCms", BM_Baseline_OpensslCms),
                   benchmark::RegisterBenchmark("BM_ParseReturn", BM_ParseReturn),
                   benchmark::RegisterBenchmark("BM_OpenReturn", BM_OpenReturn)})
    bm->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
  benchmark::Initialize(&n, args.data());
  std::printf("records per batch: %zu\n", g_records);
  fixture();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
