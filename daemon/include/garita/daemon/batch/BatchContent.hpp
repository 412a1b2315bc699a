#pragma once
// The decrypted, verified content of a batch (docs/batch-format.md §3-§5):
// UTF-8 JSON Lines, the manifest first, one record per line, every line ended
// by LF. Pure: no I/O. The encoder validates every field with the same rules
// as the parser, so garita never writes a batch it would itself refuse.
// Errors are one line naming the line number (1 = manifest) and the field.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/daemon/batch/BatchManifest.hpp"
#include "garita/daemon/batch/BatchRecords.hpp"

namespace garita::batch {

struct ExportBatch {
  BatchManifest manifest;
  std::vector<ExportRecord> records;
};

struct ReturnBatch {
  BatchManifest manifest;
  std::vector<ExitRecord> records;
};

// Writes the content into `out`; sets manifest.record_count and
// records_sha256 from the records (the caller's values are ignored).
// manifest.type must match the function.
std::error_code encode_export_batch(BatchManifest& manifest, std::span<const ExportRecord> records,
                                    std::string& out, std::string& error);
std::error_code encode_return_batch(BatchManifest& manifest, std::span<const ExitRecord> records,
                                    std::string& out, std::string& error);

// Strict parsers: exact key sets (no unknown, missing or duplicate keys),
// exact types and formats, record count and records_sha256 checked.
std::error_code parse_export_batch(std::string_view content, ExportBatch& out, std::string& error);
std::error_code parse_return_batch(std::string_view content, ReturnBatch& out, std::string& error);

// Only the manifest (line 1), without checking the records: used to tell
// "wrong type" apart and by tools that list batches.
std::error_code parse_batch_manifest(std::string_view content, BatchManifest& out,
                                     std::string& error);

// The encoder's field checks of one officer-entered record (docs/batch-format.md
// §4), for checking it when it is typed in: empty when it can be exported,
// else "field: what was wrong" (no field contents).
std::string check_officer_record(const OfficerEntryRecord& record);

// The format's date and time fields (§4), for code that reads the same
// fields outside a batch (the API's entry times, the import's matching):
// "YYYY-MM-DDThh:mm:ssZ" with a year in 2000..2199 -> seconds since the epoch.
std::optional<std::int64_t> parse_utc_field(std::string_view text) noexcept;
// A local date "YYYY-MM-DD" (years 1900..2199) and time "hh:mm:ss" -> seconds
// since 1970-01-01T00:00:00 of that wall clock (no zone applied).
std::optional<std::int64_t> parse_local_date_time(std::string_view date,
                                                  std::string_view time) noexcept;

// Limits (docs/batch-format.md §5).
inline constexpr std::size_t max_line_bytes = 4096;
inline constexpr std::size_t max_records = 5'000'000;
inline constexpr std::size_t max_content_bytes = std::size_t{1} << 31;  // 2 GiB

}  // namespace garita::batch
