#pragma once
// JSON of the API's exchange endpoints (docs/api.md "Weekly batches",
// "Officer-entered records", "Retention report"): strict request bodies and
// the answers' shapes. Pure: no store, no clock, no I/O, so every rule is
// unit-tested with literal bodies.
//
// Request bodies are one JSON object (RFC 8259) with exactly the documented
// members: an unknown, missing or mistyped member is refused with a message
// naming it, so a client typo ("documnet_number") never silently drops a
// field of a record that goes to the partner agency.
#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/daemon/api/RequestTarget.hpp"
#include "garita/daemon/batch/BatchRecords.hpp"
#include "garita/daemon/exchange/BatchExchange.hpp"
#include "garita/daemon/exchange/ExchangeStore.hpp"

namespace garita::daemon::api {

// POST /v1/batches: {"period":"2026-W47"}. ApiErrc::bad_parameter with `why`
// naming the member ("period: '2026-W54' is not an ISO 8601 week ...").
std::error_code parse_export_request(std::string_view body, std::string& period, std::string& why);

// POST /v1/entry-records. Members (all strings): last_name, first_name,
// birth_date, nationality, gender, document_type, document_number,
// document_country, entry_utc (RFC 3339 UTC to the second,
// "2026-11-18T17:04:05Z"); optional middle_name (default "") and port
// (default `default_port`). The record's entry.utc_seconds is set and its
// utc_offset_minutes left 0: the caller fills it from the port's clock.
// Field contents are checked afterwards by exchange::validate_officer_record
// (the batch format's rules); here only shape and the entry time.
std::error_code parse_officer_record_request(std::string_view body, std::string_view default_port,
                                             batch::OfficerEntryRecord& out, std::string& why);

// "2026-11-18T17:04:05Z" -> seconds since the epoch; nullopt otherwise
// (fractions and offsets other than Z are refused: the batch carries seconds).
std::optional<std::int64_t> parse_utc_second(std::string_view s) noexcept;

// GET /v1/batches?period=2026-W47&limit=N (limit 1..1000, default 100).
struct BatchListQuery {
  std::string period;  // empty: every period
  std::size_t limit = 100;
};
std::error_code parse_batch_list_query(const RequestTarget& target, BatchListQuery& out,
                                       std::string& why);

// A batch id in a path: a UUID as the manifest writes it (36 characters,
// lower-case hex and '-').
bool is_batch_id(std::string_view s) noexcept;
// An entry-record id in a path: a positive decimal row id.
std::optional<std::int64_t> parse_record_id(std::string_view s) noexcept;

// One ledger row: ids, direction, period, counts, operator, hashes, where
// and when the file was written. No personal data is in the ledger.
boost::json::object batch_ledger_json(const exchange::BatchLedgerRow& row);
// The answer to POST /v1/batches: the period, each batch written (file
// name, folder, SHA-256, bytes, counts, rewritten), "nothing_new" when the
// period had nothing unexported.
boost::json::object export_result_json(const exchange::ExportResult& result);
// An officer-entered record as stored (personal data: officers only).
boost::json::object officer_record_json(const exchange::StoredOfficerRecord& stored);
// (The retention dry run is daemon::retention_audit_terms: the API answers
// exactly what `garita purge --dry-run` audits.)

}  // namespace garita::daemon::api
