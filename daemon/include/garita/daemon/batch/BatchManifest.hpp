#pragma once
// The first line of every batch (docs/batch-format.md §3): what the batch is,
// who made it for whom, and a hash binding the records to it. The recipient
// and sender certificate fingerprints inside the signed content are what
// detect a batch re-encrypted to someone else or re-signed by someone else.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace garita::batch {

enum class BatchType : std::uint8_t { export_batch, return_batch };
std::string_view to_string(BatchType type) noexcept;  // "export" / "return"

struct BatchManifest {
  BatchType type = BatchType::export_batch;
  std::string batch_id;                   // UUID v4, lower-case, 36 characters
  std::string period;                     // ISO 8601 week, "2026-W47"
  std::int64_t created_at_utc = 0;        // seconds since the Unix epoch
  std::string sender_id;                  // [A-Za-z0-9._-]{1,64}: workstation id or partner office
  std::string sender_port;                // [A-Z0-9]{1,16}
  std::string sender_certificate_sha256;  // 64 upper-case hex: the signer's certificate
  std::string recipient_subject;          // RFC 2253 subject of the recipient certificate
  std::string recipient_certificate_sha256;  // 64 upper-case hex
  std::uint64_t record_count = 0;            // filled by the encoder
  std::string records_sha256;                // filled by the encoder
};

// A fresh random UUID v4 (RFC 4122 §4.4) from RAND_bytes.
std::error_code new_batch_id(std::string& out, std::string& error);

// The ISO 8601 week ("2026-W47") containing a UTC instant.
std::string iso_week_of(std::int64_t utc_seconds);

// True when `period` is "YYYY-Www" with a week that exists in that ISO year.
bool is_valid_iso_week(std::string_view period) noexcept;

}  // namespace garita::batch
