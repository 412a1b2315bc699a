// Batch content parser fuzz target (what garita reads from a decrypted,
// verified partner batch; docs/batch-format.md §3-§6). The first byte picks
// the mode:
//   0: the bytes are a whole content (manifest + records);
//   1/2: the bytes are an export/return records section, behind a manifest
//        the harness makes with the right record count and SHA-256, so the
//        fuzzer gets past the hash check into the record parser.
// Any input either parses or gives exactly one error line; whatever parses
// re-encodes, and the re-encoding parses and re-encodes to the same bytes.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "garita/common/Hex.hpp"
#include "garita/daemon/batch/BatchContent.hpp"

namespace {

using namespace garita::batch;

void check_error(const std::string& error) {
  if (error.empty() || error.find('\n') != std::string::npos) std::abort();
}

std::string manifest_for(std::string_view body, const char* type) {
  unsigned char d[32];
  unsigned int n = 0;
  EVP_Digest(body.data(), body.size(), d, &n, EVP_sha256(), nullptr);
  std::size_t count = 0;
  for (char c : body) count += c == '\n';
  return std::string(R"({"format":"garita-batch","version":1,"type":")") + type +
         R"(","batch_id":"0f8fad5b-d9cb-469f-a165-70867728950e","period":"2026-W47",)"
         R"("created_at":"2026-11-23T05:00:00Z","sender_id":"TIJ-WS1","sender_port":"TIJ",)"
         R"("sender_certificate_sha256":")" +
         std::string(64, 'A') + R"(","recipient_subject":"CN=garita partner",)" +
         R"("recipient_certificate_sha256":")" + std::string(64, 'B') + R"(","record_count":)" +
         std::to_string(count) + R"(,"records_sha256":")" +
         garita::to_hex(std::span<const std::uint8_t>(d, n)) + "\"}\n";
}

template <typename Batch, typename Parse, typename Encode>
void round_trip(std::string_view content, Parse parse, Encode encode) {
  Batch batch;
  std::string error;
  if (parse(content, batch, error)) {
    check_error(error);
    if (!batch.records.empty()) std::abort();
    return;
  }
  std::string first, second;
  if (encode(batch.manifest, batch.records, first, error)) std::abort();
  Batch again;
  if (parse(first, again, error)) std::abort();
  if (encode(again.manifest, again.records, second, error) || second != first) std::abort();
}

void fuzz_content(std::string_view content) {
  round_trip<ExportBatch>(content, parse_export_batch,
                          [](BatchManifest& m, const std::vector<ExportRecord>& r, std::string& o,
                             std::string& e) { return encode_export_batch(m, r, o, e); });
  round_trip<ReturnBatch>(content, parse_return_batch,
                          [](BatchManifest& m, const std::vector<ExitRecord>& r, std::string& o,
                             std::string& e) { return encode_return_batch(m, r, o, e); });
  BatchManifest m;
  std::string error;
  if (parse_batch_manifest(content, m, error)) check_error(error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > (1u << 20)) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: fuzz_content(rest); break;
    case 1: fuzz_content(manifest_for(rest, "export") + std::string(rest)); break;
    default: fuzz_content(manifest_for(rest, "return") + std::string(rest)); break;
  }
  return 0;
}
