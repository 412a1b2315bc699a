#pragma once
// The SQLite row codec of a garita::Crossing: the 25 crossing columns, their
// order, and how each field is bound and read back. garitad's crossing store
// (crossings, crossing_conflicts) and garita-lane's journal (pending,
// dead_letters) keep the same columns with the same names and types
// (docs/data-formats.md), so both use this one codec and store the same
// values. Pure: binds and reads columns of a prepared statement, no stepping.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "garita/common/Crossing.hpp"

namespace garita::store {

// How many columns (and bound parameters) a crossing takes.
inline constexpr int kCrossingColumnCount = 25;

// The crossing's column names, in the codec's order: bind_crossing_columns
// binds them to ?first..?first+24 and read_crossing_columns reads them from
// first..first+24 in exactly this order.
inline constexpr const char* kCrossingColumnList =
    "lane_id, sequence, port_code, epc, epc_hex, pc, epc_uri, epc_scheme, tid, tid_hex, "
    "tid_maker, tid_model, tid_serial, document, issuer_rule, first_seen_utc_us, "
    "last_seen_utc_us, time_source, clock_offset_us, host_clock_synchronized, read_count, "
    "peak_rssi_cdbm, antenna_mask, direction, source";

// The stored text of the enums is common's to_string(); these are its
// inverses. nullopt for text no garita version wrote.
std::optional<TimeSource> time_source_from(std::string_view text) noexcept;
std::optional<Direction> direction_from(std::string_view text) noexcept;

// Column helpers. The views point into SQLite's buffer: valid until the
// statement is stepped, reset or finalized. NULL reads as empty.
std::string_view column_text(sqlite3_stmt* stmt, int column) noexcept;
std::span<const std::uint8_t> column_blob(sqlite3_stmt* stmt, int column) noexcept;

// Parameter helpers (SQLite copies the bytes). An empty blob binds as a
// zero-length blob, not NULL: the epc and tid columns are NOT NULL.
void bind_text(sqlite3_stmt* stmt, int parameter, std::string_view text) noexcept;
void bind_blob(sqlite3_stmt* stmt, int parameter, std::span<const std::uint8_t> bytes) noexcept;

// Binds the crossing to parameters ?first_parameter..?first_parameter+24 in
// kCrossingColumnList order.
void bind_crossing_columns(sqlite3_stmt* stmt, int first_parameter, const Crossing& crossing);

// Reads the crossing from result columns first_column..first_column+24 in
// kCrossingColumnList order. Text no garita version wrote falls back to
// DocumentType::other, TimeSource::host_receive and Direction::unknown.
void read_crossing_columns(sqlite3_stmt* stmt, int first_column, Crossing& crossing);

}  // namespace garita::store
