#include "garita/common/store/CrossingRow.hpp"

namespace garita::store {

std::optional<TimeSource> time_source_from(std::string_view text) noexcept {
  for (TimeSource v :
       {TimeSource::reader_utc, TimeSource::reader_uptime, TimeSource::host_receive}) {
    if (to_string(v) == text) return v;
  }
  return std::nullopt;
}

std::optional<Direction> direction_from(std::string_view text) noexcept {
  for (Direction v : {Direction::unknown, Direction::with_flow, Direction::counter_flow}) {
    if (to_string(v) == text) return v;
  }
  return std::nullopt;
}

std::string_view column_text(sqlite3_stmt* stmt, int column) noexcept {
  const unsigned char* p = sqlite3_column_text(stmt, column);
  if (p == nullptr) return {};
  // sqlite3_column_bytes after sqlite3_column_text: the length of the UTF-8
  // text just produced (SQLite "Result Values From A Query" §).
  return {reinterpret_cast<const char*>(p),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt, column))};
}

std::span<const std::uint8_t> column_blob(sqlite3_stmt* stmt, int column) noexcept {
  const void* p = sqlite3_column_blob(stmt, column);
  const int n = sqlite3_column_bytes(stmt, column);
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n)};
}

void bind_text(sqlite3_stmt* stmt, int parameter, std::string_view text) noexcept {
  sqlite3_bind_text(stmt, parameter, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void bind_blob(sqlite3_stmt* stmt, int parameter, std::span<const std::uint8_t> bytes) noexcept {
  // sqlite3_bind_blob with a null pointer binds NULL; zeroblob(0) is X''.
  if (bytes.empty()) {
    sqlite3_bind_zeroblob(stmt, parameter, 0);
  } else {
    sqlite3_bind_blob(stmt, parameter, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
  }
}

void bind_crossing_columns(sqlite3_stmt* s, int first_parameter, const Crossing& c) {
  int i = first_parameter;
  bind_text(s, i++, c.lane_id);
  sqlite3_bind_int64(s, i++, static_cast<sqlite3_int64>(c.sequence));
  bind_text(s, i++, c.port_code);
  bind_blob(s, i++, c.epc.view());
  bind_text(s, i++, c.epc_hex);
  if (c.pc) {
    sqlite3_bind_int(s, i++, *c.pc);
  } else {
    sqlite3_bind_null(s, i++);
  }
  bind_text(s, i++, c.epc_uri);
  bind_text(s, i++, c.epc_scheme);
  bind_blob(s, i++, c.tid.view());
  bind_text(s, i++, c.tid_hex);
  bind_text(s, i++, c.tid_maker);
  bind_text(s, i++, c.tid_model);
  bind_text(s, i++, c.tid_serial);
  bind_text(s, i++, to_string(c.document));
  bind_text(s, i++, c.issuer_rule);
  sqlite3_bind_int64(s, i++, c.first_seen_utc_us);
  sqlite3_bind_int64(s, i++, c.last_seen_utc_us);
  bind_text(s, i++, to_string(c.time_source));
  sqlite3_bind_int64(s, i++, c.clock_offset_us);
  sqlite3_bind_int(s, i++, c.host_clock_synchronized ? 1 : 0);
  sqlite3_bind_int64(s, i++, c.read_count);
  sqlite3_bind_int(s, i++, c.peak_rssi_cdbm);
  sqlite3_bind_int64(s, i++, c.antenna_mask);
  bind_text(s, i++, to_string(c.direction));
  bind_text(s, i, c.source);
}

void read_crossing_columns(sqlite3_stmt* s, int first_column, Crossing& c) {
  int i = first_column;
  c.lane_id = column_text(s, i++);
  c.sequence = static_cast<std::uint64_t>(sqlite3_column_int64(s, i++));
  c.port_code = column_text(s, i++);
  c.epc.assign(column_blob(s, i++));
  c.epc_hex = column_text(s, i++);
  if (sqlite3_column_type(s, i) == SQLITE_NULL) {
    c.pc.reset();
  } else {
    c.pc = static_cast<std::uint16_t>(sqlite3_column_int(s, i));
  }
  ++i;
  c.epc_uri = column_text(s, i++);
  c.epc_scheme = column_text(s, i++);
  c.tid.assign(column_blob(s, i++));
  c.tid_hex = column_text(s, i++);
  c.tid_maker = column_text(s, i++);
  c.tid_model = column_text(s, i++);
  c.tid_serial = column_text(s, i++);
  c.document = document_type_from_string(column_text(s, i++)).value_or(DocumentType::other);
  c.issuer_rule = column_text(s, i++);
  c.first_seen_utc_us = sqlite3_column_int64(s, i++);
  c.last_seen_utc_us = sqlite3_column_int64(s, i++);
  c.time_source = time_source_from(column_text(s, i++)).value_or(TimeSource::host_receive);
  c.clock_offset_us = sqlite3_column_int64(s, i++);
  c.host_clock_synchronized = sqlite3_column_int(s, i++) != 0;
  c.read_count = static_cast<std::uint32_t>(sqlite3_column_int64(s, i++));
  c.peak_rssi_cdbm = static_cast<std::int16_t>(sqlite3_column_int(s, i++));
  c.antenna_mask = static_cast<std::uint32_t>(sqlite3_column_int64(s, i++));
  c.direction = direction_from(column_text(s, i++)).value_or(Direction::unknown);
  c.source = column_text(s, i);
}

}  // namespace garita::store
