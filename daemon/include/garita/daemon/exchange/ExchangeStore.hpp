#pragma once
// The exchange tables of the crossing database (schema v4, docs/data-formats.md
// "Exchange tables"): the batch ledger, officer-entered records and the entry
// records kept from the partner's returned exit records. They live in the
// same SQLite file as the crossings so that marking crossings exported, and
// storing entry records while stamping their crossings' exit_record_at_us,
// are each one transaction with the batch ledger row: all or nothing.
//
// Works on an open read-write CrossingStore's connection (native_handle());
// like the store it is not thread-safe: one thread at a time (garitad runs it
// as a job on the GroupCommitter's writer thread, the CLI on its own store).
// Errors are batch::Errc (store_failed for SQLite) with a one-line message
// in last_error() that never contains a name, an EPC or a document number.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/common/store/CrossingStore.hpp"
#include "garita/daemon/batch/BatchContent.hpp"
#include "garita/daemon/exchange/PortClock.hpp"

namespace garita::exchange {

// Where an entry record came from (privacy assessment: records tagged by source).
inline constexpr std::string_view kSourcePartner = "CBP";          // returned exit records
inline constexpr std::string_view kSourceRfid = "INM-RFID";        // export: lane crossings
inline constexpr std::string_view kSourceOfficer = "INM-OFFICER";  // export: typed in by officers

// One record picked for an export batch.
struct ExportCandidate {
  enum class Kind : std::uint8_t { crossing, officer };
  Kind kind = Kind::crossing;
  std::int64_t row_id = 0;     // crossings.id or officer_records.id
  batch::ExportRecord record;  // exactly as it goes into the batch
};

struct ExportSelection {
  std::vector<ExportCandidate> records;  // crossings first, each kind oldest first
  std::uint64_t rfid_count = 0;
  std::uint64_t officer_count = 0;
  // Crossings whose direction is "exit" (counter-flow: the traveller walked
  // back out) are not entries and never exported; counted for the report.
  std::uint64_t skipped_exit_direction = 0;
};

// A row of the batch ledger (exchange_batches).
struct BatchLedgerRow {
  std::string batch_id;
  std::string direction;  // "export" | "return"
  std::string period;
  std::int64_t created_at_utc = 0;  // the manifest's, seconds
  std::int64_t recorded_at_us = 0;  // when this workstation recorded it
  std::string sender_id;
  std::string sender_certificate_sha256;
  std::string recipient_certificate_sha256;
  std::uint64_t record_count = 0;
  std::string records_sha256;
  std::string operator_name;  // who exported / imported ("alice" or "local:root")
  std::uint64_t rfid_records = 0, officer_records = 0;               // export
  std::uint64_t matched = 0, received_in_error = 0, duplicates = 0;  // return
  std::optional<std::string> file_sha256;  // export: the last file written of it
  std::optional<std::string> written_to;   // its path
  std::optional<std::int64_t> written_at_us;
};

// Why one returned record was not kept (no personal data: line and reason).
struct RejectedReturnRecord {
  std::uint64_t line = 0;  // line in the batch content (2 = first record)
  std::string reason;      // "no exported crossing with this RFID number at that local date
                           // and time", "duplicate of line 7", "a second exit record for the
                           // same crossing (kept from batch 1f0c...)"
};

struct ImportReport {
  std::string batch_id;
  std::string period;
  std::uint64_t records = 0;            // in the file
  std::uint64_t matched_crossings = 0;  // stored as entry records, matched to an RFID crossing
  std::uint64_t matched_officer = 0;    // stored, matched to an officer-entered record
  std::uint64_t received_in_error = 0;  // matched nothing exported: not stored (destroyed)
  std::uint64_t duplicates = 0;         // matched a record that already has an entry record
  std::vector<RejectedReturnRecord> rejected;  // at most kMaxRejectedListed, in line order
  std::uint64_t matched() const { return matched_crossings + matched_officer; }
};
inline constexpr std::size_t kMaxRejectedListed = 1000;

struct ExchangeCounts {
  std::uint64_t unexported_crossings = 0;
  std::uint64_t exported_crossings = 0;
  std::uint64_t crossings_with_exit_record = 0;
  std::uint64_t officer_records = 0;
  std::uint64_t unexported_officer_records = 0;
  std::uint64_t entry_records = 0;
  std::uint64_t export_batches = 0;
  std::uint64_t return_batches = 0;
};

// What an officer-entered record is stored with.
struct StoredOfficerRecord {
  std::int64_t id = 0;
  std::int64_t entered_at_us = 0;
  std::string entered_by;
  batch::OfficerEntryRecord record;
  std::optional<std::string> export_batch_id;
};

class ExchangeStore {
 public:
  // `store` must stay open (read-write, schema >= 4) while this is used.
  explicit ExchangeStore(store::CrossingStore& store) noexcept : store_(store) {}

  // --- Export (docs/batch-format.md §8) ---------------------------------------
  // Call between store.begin() and store.commit():
  //   select_unexported -> seal (BatchExchange) -> record_export -> commit.
  // Crossings (not direction "exit") with first_seen in [begin, end) and
  // officer records with entry time in [begin, end), not yet exported, with
  // the port offset from `clock` at their instant and `port` as port code.
  std::error_code select_unexported(std::int64_t begin_utc_us, std::int64_t end_utc_us,
                                    const PortClock& clock, std::string_view port,
                                    ExportSelection& out);
  // The records an earlier export batch carried, exactly as it carried them
  // (stored offsets), to write its file again (same batch id, same records).
  std::error_code select_batch(std::string_view batch_id, std::string_view port,
                               ExportSelection& out);
  // Marks every selected row exported (export_batch_id, exported_at_us,
  // the offset written) and inserts the ledger row. Reads only each
  // candidate's kind, row_id and record EntryTime (the record's strings may
  // have been moved into the batch already). `manifest` is the one
  // the encoder filled (record_count, records_sha256 set).
  std::error_code record_export(const batch::BatchManifest& manifest,
                                const ExportSelection& selection, std::string_view operator_name,
                                std::int64_t now_us);
  // After the file reached the exchange device (own transaction).
  std::error_code record_file_written(std::string_view batch_id, std::string_view file_sha256,
                                      std::string_view written_to, std::int64_t now_us);

  // --- Import (docs/batch-format.md §9) ---------------------------------------
  // One IMMEDIATE transaction of its own; on any error it rolls back and
  // nothing changed. already_imported when the ledger has batch_id (names
  // when). Matching, per returned record:
  //   * with an EPC: the exported crossing (export_batch_id set) with that EPC
  //     whose port-local first_seen (utc seconds + its stored export offset)
  //     is exactly entry_date + entry_time;
  //   * without an EPC: the exported officer record with the same document
  //     type, number and country and the same local date and time.
  //   Matched: one entry_records row (source "CBP", this batch), and the
  //   crossing's / officer record's exit_record_at_us = now (its retention
  //   clock). A record matching an export record that already has an entry
  //   record (from this or an earlier batch) is a duplicate: not stored.
  //   Records matching nothing are received in error: not stored, counted.
  std::error_code import_return(const batch::ReturnBatch& batch, std::string_view operator_name,
                                std::int64_t now_us, ImportReport& report);

  // --- Officer-entered records (phase two) ---------------------------------------
  // Validates with the batch format's rules (so it can be exported), in its
  // own transaction. batch::Errc::invalid_argument naming the field.
  std::error_code add_officer_record(const batch::OfficerEntryRecord& record,
                                     std::string_view entered_by, std::int64_t now_us,
                                     std::int64_t& id);
  std::error_code find_officer_record(std::int64_t id, std::optional<StoredOfficerRecord>& out);

  // --- Ledger ------------------------------------------------------------------
  std::error_code find_batch(std::string_view batch_id, std::optional<BatchLedgerRow>& out);
  // Newest recorded first; `period` empty = all.
  std::error_code list_batches(std::string_view period, std::size_t limit,
                               std::vector<BatchLedgerRow>& out);
  std::error_code counts(ExchangeCounts& out);

  const std::string& last_error() const noexcept { return last_error_; }

 private:
  std::error_code fail(std::error_code ec, std::string message);
  store::CrossingStore& store_;
  std::string last_error_;
};

// Field checks of an officer-entered record (the batch encoder's rules):
// empty when valid, else "document_number: ..." naming the field.
std::string validate_officer_record(const batch::OfficerEntryRecord& record);

}  // namespace garita::exchange
