// The crossing store's schema as a list of migration steps. A released step
// is never edited: a change is a new step at the end (and kSchemaVersion in
// CrossingStore.hpp goes up by one). docs/data-formats.md describes every
// column.
#include "Schema.hpp"

namespace garita::store::detail {
namespace {

// v1: the crossing table. One row per (lane, sequence).
constexpr std::string_view kV1 = R"sql(
CREATE TABLE crossings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  lane_id TEXT NOT NULL CHECK (length(lane_id) BETWEEN 1 AND 64),
  sequence INTEGER NOT NULL CHECK (sequence >= 0),
  port_code TEXT NOT NULL CHECK (length(port_code) <= 64),
  epc BLOB NOT NULL CHECK (length(epc) BETWEEN 1 AND 62),
  epc_hex TEXT NOT NULL CHECK (length(epc_hex) = 2 * length(epc)),
  pc INTEGER CHECK (pc BETWEEN 0 AND 65535),
  epc_uri TEXT NOT NULL,
  epc_scheme TEXT NOT NULL,
  tid BLOB NOT NULL CHECK (length(tid) <= 32),
  tid_hex TEXT NOT NULL CHECK (length(tid_hex) = 2 * length(tid)),
  tid_maker TEXT NOT NULL,
  tid_model TEXT NOT NULL,
  tid_serial TEXT NOT NULL,
  document TEXT NOT NULL,
  issuer_rule TEXT NOT NULL,
  first_seen_utc_us INTEGER NOT NULL,
  last_seen_utc_us INTEGER NOT NULL,
  time_source TEXT NOT NULL
    CHECK (time_source IN ('reader_utc', 'reader_uptime', 'host_receive')),
  clock_offset_us INTEGER NOT NULL,
  host_clock_synchronized INTEGER NOT NULL CHECK (host_clock_synchronized IN (0, 1)),
  read_count INTEGER NOT NULL CHECK (read_count BETWEEN 0 AND 4294967295),
  peak_rssi_cdbm INTEGER NOT NULL CHECK (peak_rssi_cdbm BETWEEN -32768 AND 32767),
  antenna_mask INTEGER NOT NULL CHECK (antenna_mask BETWEEN 0 AND 4294967295),
  direction TEXT NOT NULL CHECK (direction IN ('unknown', 'with_flow', 'counter_flow')),
  source TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL,
  UNIQUE (lane_id, sequence),
  CHECK (last_seen_utc_us >= first_seen_utc_us)
) STRICT;
CREATE INDEX crossings_by_time ON crossings (first_seen_utc_us);
CREATE INDEX crossings_by_lane_time ON crossings (lane_id, first_seen_utc_us);
CREATE INDEX crossings_by_epc ON crossings (epc_hex, first_seen_utc_us);
)sql";

// v2: crossings whose (lane, sequence) was already taken by another card are
// kept apart instead of being merged or lost; and the opt-in diagnostic
// capture of raw tag reads.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE crossing_conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  lane_id TEXT NOT NULL CHECK (length(lane_id) BETWEEN 1 AND 64),
  sequence INTEGER NOT NULL CHECK (sequence >= 0),
  port_code TEXT NOT NULL CHECK (length(port_code) <= 64),
  epc BLOB NOT NULL CHECK (length(epc) BETWEEN 1 AND 62),
  epc_hex TEXT NOT NULL CHECK (length(epc_hex) = 2 * length(epc)),
  pc INTEGER CHECK (pc BETWEEN 0 AND 65535),
  epc_uri TEXT NOT NULL,
  epc_scheme TEXT NOT NULL,
  tid BLOB NOT NULL CHECK (length(tid) <= 32),
  tid_hex TEXT NOT NULL CHECK (length(tid_hex) = 2 * length(tid)),
  tid_maker TEXT NOT NULL,
  tid_model TEXT NOT NULL,
  tid_serial TEXT NOT NULL,
  document TEXT NOT NULL,
  issuer_rule TEXT NOT NULL,
  first_seen_utc_us INTEGER NOT NULL,
  last_seen_utc_us INTEGER NOT NULL,
  time_source TEXT NOT NULL
    CHECK (time_source IN ('reader_utc', 'reader_uptime', 'host_receive')),
  clock_offset_us INTEGER NOT NULL,
  host_clock_synchronized INTEGER NOT NULL CHECK (host_clock_synchronized IN (0, 1)),
  read_count INTEGER NOT NULL CHECK (read_count BETWEEN 0 AND 4294967295),
  peak_rssi_cdbm INTEGER NOT NULL CHECK (peak_rssi_cdbm BETWEEN -32768 AND 32767),
  antenna_mask INTEGER NOT NULL CHECK (antenna_mask BETWEEN 0 AND 4294967295),
  direction TEXT NOT NULL CHECK (direction IN ('unknown', 'with_flow', 'counter_flow')),
  source TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL,
  UNIQUE (lane_id, sequence, epc),
  CHECK (last_seen_utc_us >= first_seen_utc_us)
) STRICT;
CREATE TABLE tag_reads (
  id INTEGER PRIMARY KEY,
  reader_id INTEGER NOT NULL CHECK (reader_id BETWEEN 0 AND 4294967295),
  antenna INTEGER NOT NULL CHECK (antenna BETWEEN 0 AND 65535),
  pc INTEGER CHECK (pc BETWEEN 0 AND 65535),
  epc_hex TEXT NOT NULL CHECK (length(epc_hex) <= 124),
  tid_hex TEXT NOT NULL CHECK (length(tid_hex) <= 64),
  peak_rssi_cdbm INTEGER CHECK (peak_rssi_cdbm BETWEEN -32768 AND 32767),
  reader_first_seen_utc_us INTEGER,
  reader_first_seen_uptime_us INTEGER CHECK (reader_first_seen_uptime_us >= 0),
  host_utc_us INTEGER NOT NULL,
  host_mono_us INTEGER NOT NULL,
  channel INTEGER CHECK (channel BETWEEN 0 AND 65535),
  seen_count INTEGER NOT NULL CHECK (seen_count BETWEEN 0 AND 4294967295)
) STRICT;
CREATE INDEX tag_reads_by_time ON tag_reads (host_utc_us);
)sql";

// v3: retention (docs/operations.md). Two crossing columns the weekly
// exchange fills in (NULL until then): when the crossing was exported, and
// when the partner's exit record for it came back; the purge keys on them.
// And each lane's highest purged sequence, so numbering never restarts
// after a lane's crossings were all purged (a (lane, sequence) is never
// reused, even years apart). Lane ids are not personal data.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE crossings ADD COLUMN exported_at_us INTEGER;
ALTER TABLE crossings ADD COLUMN exit_record_at_us INTEGER;
CREATE INDEX crossings_by_exit_record ON crossings (exit_record_at_us)
  WHERE exit_record_at_us IS NOT NULL;
CREATE INDEX crossing_conflicts_by_time ON crossing_conflicts (first_seen_utc_us);
CREATE TABLE lane_sequence_floor (
  lane_id TEXT PRIMARY KEY CHECK (length(lane_id) BETWEEN 1 AND 64),
  max_sequence INTEGER NOT NULL CHECK (max_sequence >= 0)
) STRICT, WITHOUT ROWID;
)sql";

// v4: the weekly exchange with the partner agency (docs/batch-format.md,
// docs/data-formats.md "Exchange tables"). Which batch carried a crossing
// and the port's UTC offset written for it (so the returned local date and
// time match exactly what was sent, whatever tzdata says later); the batch
// ledger (export and return batches: the replay check is its primary key);
// entry records an officer typed in (phase two); and the entry records kept
// from the partner's returned exit records, tagged with source and batch.
// An entry record does not reference the crossing row: crossings are purged
// days after their exit record came back, entry records stay 35 years.
constexpr std::string_view kV4 = R"sql(
ALTER TABLE crossings ADD COLUMN export_batch_id TEXT;
ALTER TABLE crossings ADD COLUMN export_utc_offset_min INTEGER;
CREATE INDEX crossings_unexported_by_time ON crossings (first_seen_utc_us)
  WHERE export_batch_id IS NULL;
CREATE INDEX crossings_by_export_batch ON crossings (export_batch_id)
  WHERE export_batch_id IS NOT NULL;
CREATE TABLE exchange_batches (
  batch_id TEXT PRIMARY KEY CHECK (length(batch_id) = 36),
  direction TEXT NOT NULL CHECK (direction IN ('export', 'return')),
  period TEXT NOT NULL CHECK (length(period) = 8),
  created_at_utc INTEGER NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  sender_id TEXT NOT NULL,
  sender_certificate_sha256 TEXT NOT NULL,
  recipient_certificate_sha256 TEXT NOT NULL,
  record_count INTEGER NOT NULL CHECK (record_count >= 0),
  records_sha256 TEXT NOT NULL,
  operator TEXT NOT NULL,
  rfid_records INTEGER NOT NULL DEFAULT 0,
  officer_records INTEGER NOT NULL DEFAULT 0,
  matched INTEGER NOT NULL DEFAULT 0,
  received_in_error INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  file_sha256 TEXT,
  written_to TEXT,
  written_at_us INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX exchange_batches_by_period ON exchange_batches (period, direction);
CREATE TABLE officer_records (
  id INTEGER PRIMARY KEY,
  entered_at_us INTEGER NOT NULL,
  entered_by TEXT NOT NULL CHECK (length(entered_by) BETWEEN 1 AND 64),
  last_name TEXT NOT NULL,
  first_name TEXT NOT NULL,
  middle_name TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  nationality TEXT NOT NULL,
  gender TEXT NOT NULL,
  document_type TEXT NOT NULL,
  document_number TEXT NOT NULL,
  document_country TEXT NOT NULL,
  port TEXT NOT NULL,
  entry_utc_us INTEGER NOT NULL,
  entry_utc_offset_min INTEGER NOT NULL CHECK (entry_utc_offset_min BETWEEN -840 AND 840),
  export_batch_id TEXT,
  exported_at_us INTEGER,
  exit_record_at_us INTEGER
) STRICT;
CREATE INDEX officer_records_by_time ON officer_records (entry_utc_us);
CREATE INDEX officer_records_by_document ON officer_records (document_number, entry_utc_us);
CREATE TABLE entry_records (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('CBP')),
  batch_id TEXT NOT NULL REFERENCES exchange_batches (batch_id),
  matched_kind TEXT NOT NULL CHECK (matched_kind IN ('crossing', 'officer')),
  crossing_lane_id TEXT,
  crossing_sequence INTEGER,
  officer_record_id INTEGER,
  epc_hex TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  middle_name TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  nationality TEXT NOT NULL,
  gender TEXT NOT NULL,
  document_type TEXT NOT NULL,
  document_number TEXT NOT NULL,
  document_country TEXT NOT NULL,
  exit_port TEXT NOT NULL,
  entry_date TEXT NOT NULL,
  entry_time TEXT NOT NULL,
  entry_utc_us INTEGER NOT NULL,
  port TEXT NOT NULL,
  imported_at_us INTEGER NOT NULL,
  UNIQUE (crossing_lane_id, crossing_sequence),
  UNIQUE (officer_record_id)
) STRICT;
CREATE INDEX entry_records_by_time ON entry_records (entry_utc_us);
CREATE INDEX entry_records_by_document ON entry_records (document_number, entry_utc_us);
CREATE INDEX entry_records_by_epc ON entry_records (epc_hex, entry_utc_us);
)sql";

constexpr Migration kMigrations[] = {
    {1, "crossings table and its indexes", kV1},
    {2, "crossing_conflicts table; tag_reads diagnostic capture table", kV2},
    {3, "retention: export/exit-record columns, purged lanes' sequence floor", kV3},
    {4, "weekly exchange: batch ledger, officer and entry records, export columns", kV4},
};

static_assert(std::size(kMigrations) == static_cast<std::size_t>(kSchemaVersion),
              "one migration step per schema version");

}  // namespace

std::span<const Migration> migrations() noexcept { return kMigrations; }

}  // namespace garita::store::detail
