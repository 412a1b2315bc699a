// The strict content parser: every way a line can be wrong gives one line
// naming the line number and field (docs/batch-format.md §6).
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "BatchTestData.hpp"
#include "garita/common/Hex.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"

using namespace garita::batch;
using namespace garita::batch::test;

namespace {

std::string sha256(std::string_view s) {
  unsigned char d[32];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_sha256(), nullptr);
  return garita::to_hex(std::span<const std::uint8_t>(d, n));
}

std::string good_export() {
  BatchManifest m = sample_manifest(BatchType::export_batch);
  std::vector<ExportRecord> records{sample_rfid(), sample_officer()};
  std::string out, error;
  REQUIRE_FALSE(encode_export_batch(m, records, out, error));
  return out;
}

// Replaces the first occurrence of `from` after the manifest and re-hashes
// the records so the edit reaches the field checks.
std::string edit_record(std::string content, const std::string& from, const std::string& to) {
  const std::size_t body = content.find('\n') + 1;
  const std::size_t at = content.find(from, body);
  REQUIRE(at != std::string::npos);
  content.replace(at, from.size(), to);
  const std::string old_hash = sha256(std::string_view(good_export()).substr(body));
  const std::string new_hash = sha256(std::string_view(content).substr(body));
  const std::size_t h = content.find(old_hash);
  REQUIRE(h < body);
  content.replace(h, old_hash.size(), new_hash);
  return content;
}

std::string parse_error(const std::string& content, std::error_code expected) {
  ExportBatch out;
  std::string error;
  CHECK(parse_export_batch(content, out, error) == expected);
  CHECK(out.records.empty());
  return error;
}

}  // namespace

TEST_CASE("record field errors name the line, the record and the field") {
  const std::string good = good_export();
  const auto malformed = make_error_code(Errc::malformed_content);
  CHECK(parse_error(edit_record(good, R"("lane":"P01")", R"("lane":"P01","rssi":"-40")"),
                    malformed) == "line 2 (record 1): rssi: unknown field");
  CHECK(parse_error(edit_record(good, R"(,"lane":"P01")", ""), malformed) ==
        "line 2 (record 1): lane: missing");
  CHECK(parse_error(edit_record(good, R"("lane":"P01")", R"("lane":1)"), malformed) ==
        "line 2 (record 1): lane: not a string");
  CHECK(parse_error(edit_record(good, R"("lane":"P01")", R"("lane":"P01","lane":"P02")"),
                    malformed) == "line 2 (record 1): lane: duplicate key");
  CHECK(parse_error(edit_record(good, R"("entry_time":"22:00:00")", R"("entry_time":"22:00:01")"),
                    malformed) == "line 2 (record 1): entry_time: not entry_utc + utc_offset");
  CHECK(parse_error(edit_record(good, R"("utc_offset":"-08:00")", R"("utc_offset":"-8:00")"),
                    malformed) == "line 2 (record 1): utc_offset: not +hh:mm or -hh:mm");
  CHECK(parse_error(edit_record(good, R"("source":"INM-OFFICER")", R"("source":"CBP")"),
                    malformed) == "line 3 (record 2): source: not \"INM-RFID\" or \"INM-OFFICER\"");
  CHECK(
      parse_error(edit_record(good, R"("birth_date":"1984-02-29")", R"("birth_date":"1984-02-30")"),
                  malformed) == "line 3 (record 2): birth_date: not a calendar date");
  CHECK(parse_error(edit_record(good, R"("gender":"F")", R"("gender":null)"), malformed) ==
        "line 3 (record 2): null is not allowed");
  CHECK(parse_error(edit_record(good, R"("port":"TIJ"})", R"("port":{"a":1}})"), malformed) ==
        "line 3 (record 2): nested objects are not allowed");
  CHECK(parse_error(edit_record(good, R"("epc":"E280)", R"("epc":"E28)"), malformed) ==
        "line 2 (record 1): epc: odd number of hex digits");
  CHECK(parse_error(edit_record(good, "}\n{", "}\r\n{"), malformed) ==
        "line 2 (record 1): the line is not a JSON object");
  CHECK(parse_error(edit_record(good, R"("port":"TIJ"})", R"("port":"TIJ",})"), malformed)
            .rfind("line 3 (record 2): not valid JSON", 0) == 0);
}

TEST_CASE("record count, hash and truncation are checked") {
  const std::string good = good_export();
  // One byte of a record changed without fixing the hash.
  std::string tampered = good;
  tampered[tampered.find("P01")] = 'Q';
  CHECK(parse_error(tampered, make_error_code(Errc::record_hash_mismatch)) ==
        "records_sha256: the records section does not hash to the manifest's value");
  // Truncated: the last LF missing (the hash no longer matches either; the
  // hash is checked first so an attacker learns nothing from field errors).
  CHECK(parse_error(good.substr(0, good.size() - 1), make_error_code(Errc::record_hash_mismatch))
            .size() > 0);
  // Manifest only, cut mid-line.
  CHECK(parse_error(good.substr(0, 40), make_error_code(Errc::malformed_content)) ==
        "line 1: not terminated by LF (truncated?)");
  // record_count says 3 but there are 2 (hash correct).
  std::string wrong_count = good;
  wrong_count.replace(wrong_count.find("\"record_count\":2"), 16, "\"record_count\":3");
  CHECK(parse_error(wrong_count, make_error_code(Errc::malformed_content)) ==
        "record_count: the manifest says 3 records, the batch has 2");
  wrong_count.replace(wrong_count.find("\"record_count\":3"), 16, "\"record_count\":1");
  CHECK(parse_error(wrong_count, make_error_code(Errc::malformed_content)) ==
        "line 3: more records than record_count 1");
  CHECK(parse_error("", make_error_code(Errc::malformed_content)) ==
        "line 1 (manifest): empty content");
  CHECK(parse_error(std::string(5000, 'x') + "\n", make_error_code(Errc::malformed_content)) ==
        "line 1: longer than 4096 bytes");
}

TEST_CASE("manifest errors name the field") {
  const std::string good = good_export();
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string c = good;
    const std::size_t at = c.find(from);
    REQUIRE(at < c.find('\n'));
    c.replace(at, from.size(), to);
    return c;
  };
  const auto malformed = make_error_code(Errc::malformed_content);
  CHECK(parse_error(edit(R"("version":1)", R"("version":2)"), malformed) ==
        "line 1 (manifest): version: unsupported version");
  CHECK(parse_error(edit(R"("version":1)", R"("version":-1)"), malformed) ==
        "line 1 (manifest): negative numbers are not allowed");
  CHECK(parse_error(edit(R"("version":1)", R"("version":1.0)"), malformed) ==
        "line 1 (manifest): fractional or exponent numbers are not allowed");
  CHECK(parse_error(edit(R"("period":"2026-W47")", R"("period":"2026-W00")"), malformed) ==
        "line 1 (manifest): period: not an ISO week YYYY-Www");
  CHECK(parse_error(edit(R"("batch_id":"0f8fad5b)", R"("batch_id":"0F8FAD5B)"), malformed) ==
        "line 1 (manifest): batch_id: not a lower-case hex UUID");
  CHECK(parse_error(edit(R"("sender_port":"TIJ",)", ""), malformed) ==
        "line 1 (manifest): sender_port: missing");
  CHECK(parse_error(edit(R"("format":"garita-batch")", R"("format":"other")"), malformed) ==
        "line 1 (manifest): format: not \"garita-batch\"");
  CHECK(parse_error(edit(R"("type":"export")", R"("type":"return")"),
                    make_error_code(Errc::wrong_batch_type)) ==
        "line 1 (manifest): type: a batch of type \"return\" where \"export\" was expected");
  CHECK(parse_error(
            edit(R"("created_at":"2026-11-23T05:00:00Z")", R"("created_at":"2026-11-23 05:00:00")"),
            malformed) == "line 1 (manifest): created_at: not YYYY-MM-DDThh:mm:ssZ");
}

TEST_CASE("manifest-only parse for listing and type checks") {
  BatchManifest m;
  std::string error;
  REQUIRE_FALSE(parse_batch_manifest(good_export(), m, error));
  CHECK(m.type == BatchType::export_batch);
  CHECK(m.sender_id == "TIJ-WS1");
  CHECK(m.record_count == 2);
}
