#include "garita/daemon/api/ExchangeJson.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <initializer_list>
#include <set>

#include "garita/common/UtcText.hpp"
#include "garita/daemon/api/ApiErrc.hpp"
#include "garita/daemon/api/CrossingQuery.hpp"
#include "garita/daemon/batch/BatchManifest.hpp"

namespace garita::daemon::api {
namespace {

// What a client sent, as it may appear in a one-line error message: short
// printable ASCII is shown quoted; anything else (a newline, other control
// or non-ASCII bytes, a long string) only by its length, so an answer or a
// log line can never be split or flooded by a member name or value.
std::string shown(std::string_view text, bool quoted = true) {
  constexpr std::size_t kMaxShown = 40;
  bool plain = text.size() <= kMaxShown;
  for (const char c : text) plain = plain && c >= 0x20 && c <= 0x7e && c != '\'';
  if (plain) return quoted ? "'" + std::string(text) + "'" : std::string(text);
  return "(" + std::to_string(text.size()) + " bytes, not shown)";
}

std::error_code bad(std::string& why, std::string text) {
  why = std::move(text);
  return ApiErrc::bad_parameter;
}

std::string_view json_kind(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "something else";
}

// Boost.JSON keeps the last of repeated members silently (RFC 8259 §4 says
// names "SHOULD be unique" and leaves the rest to implementations): a
// record typed with "document_number" twice must not be stored with
// whichever came last. This SAX pass only notes the top-level names.
class TopLevelNames {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::string repeated;  // the first name given twice, if any

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return ++depth_, true; }
  bool on_object_end(std::size_t, boost::system::error_code&) { return --depth_, true; }
  bool on_array_begin(boost::system::error_code&) { return ++depth_, true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return --depth_, true; }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    if (depth_ == 1) key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code&) {
    if (depth_ != 1) return true;
    key_.append(s.data(), s.size());
    if (!names_.insert(key_).second && repeated.empty()) repeated = key_;
    key_.clear();
    return true;
  }
  bool on_string_part(boost::json::string_view, std::size_t, boost::system::error_code&) {
    return true;
  }
  bool on_string(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, boost::json::string_view, boost::system::error_code&) {
    return true;
  }
  bool on_double(double, boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  int depth_ = 0;
  std::string key_;
  std::set<std::string> names_;
};

// The body as one JSON object whose members are all among `known`.
std::error_code parse_object(std::string_view body, std::initializer_list<std::string_view> known,
                             boost::json::object& out, std::string& why) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return bad(why, "body: not JSON (" + ec.message() + ")");
  {
    boost::json::basic_parser<TopLevelNames> names(boost::json::parse_options{});
    names.write_some(false, body.data(), body.size(), ec);
    if (!ec && !names.handler().repeated.empty()) {
      return bad(why, shown(names.handler().repeated, false) + ": given more than once");
    }
  }
  if (!v.is_object())
    return bad(why, "body: must be a JSON object, not " + std::string(json_kind(v)));
  for (const auto& member : v.as_object()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || member.key() == k;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : " ") + std::string(k);
      return bad(why, "unknown field " + shown(member.key()) + " (known: " + list + ")");
    }
  }
  out = std::move(v.as_object());
  return {};
}

// A string member: required unless `fallback` is given.
std::error_code string_member(const boost::json::object& o, std::string_view name, std::string& out,
                              std::string& why,
                              std::optional<std::string_view> fallback = std::nullopt) {
  const auto* v = o.if_contains(name);
  if (v == nullptr) {
    if (fallback) {
      out = std::string(*fallback);
      return {};
    }
    return bad(why, std::string(name) + ": missing");
  }
  if (!v->is_string()) {
    return bad(why, std::string(name) + ": must be a string, not " + std::string(json_kind(*v)));
  }
  out = std::string(v->as_string());
  return {};
}

boost::json::value opt_string(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return boost::json::string(*s);
}

}  // namespace

std::optional<std::int64_t> parse_utc_second(std::string_view s) noexcept {
  // The batch format's own entry_utc rule (RFC 3339 §5.6 with "Z", to the
  // second, years 2000-2199): what is accepted here can be exported.
  return batch::parse_utc_field(s);
}

std::error_code parse_export_request(std::string_view body, std::string& period, std::string& why) {
  boost::json::object o;
  if (auto ec = parse_object(body, {"period"}, o, why)) return ec;
  if (auto ec = string_member(o, "period", period, why)) return ec;
  // The value goes into messages and audit rows: keep it short.
  if (period.size() > 16) return bad(why, "period: not an ISO 8601 week (e.g. \"2026-W47\")");
  if (!batch::is_valid_iso_week(period)) {
    return bad(why, "period: " + shown(period) +
                        " is not an ISO 8601 week that exists (e.g. \"2026-W47\")");
  }
  return {};
}

std::error_code parse_officer_record_request(std::string_view body, std::string_view default_port,
                                             batch::OfficerEntryRecord& out, std::string& why) {
  boost::json::object o;
  if (auto ec = parse_object(
          body,
          {"last_name", "first_name", "middle_name", "birth_date", "nationality", "gender",
           "document_type", "document_number", "document_country", "entry_utc", "port"},
          o, why)) {
    return ec;
  }
  batch::OfficerEntryRecord r;
  std::string entry;
  if (auto ec = string_member(o, "last_name", r.last_name, why)) return ec;
  if (auto ec = string_member(o, "first_name", r.first_name, why)) return ec;
  if (auto ec = string_member(o, "middle_name", r.middle_name, why, "")) return ec;
  if (auto ec = string_member(o, "birth_date", r.birth_date, why)) return ec;
  if (auto ec = string_member(o, "nationality", r.nationality, why)) return ec;
  if (auto ec = string_member(o, "gender", r.gender, why)) return ec;
  if (auto ec = string_member(o, "document_type", r.document_type, why)) return ec;
  if (auto ec = string_member(o, "document_number", r.document_number, why)) return ec;
  if (auto ec = string_member(o, "document_country", r.document_country, why)) return ec;
  if (auto ec = string_member(o, "entry_utc", entry, why)) return ec;
  if (auto ec = string_member(o, "port", r.port, why, default_port)) return ec;
  const auto utc = parse_utc_second(entry);
  if (!utc) {
    // A time, not personal data: echoed when it is short and printable.
    return bad(why, "entry_utc: " + shown(entry) +
                        " is not an RFC 3339 UTC time to the second (\"2026-11-18T17:04:05Z\")");
  }
  r.entry.utc_seconds = *utc;
  r.entry.utc_offset_minutes = 0;
  out = std::move(r);
  return {};
}

std::error_code parse_batch_list_query(const RequestTarget& target, BatchListQuery& out,
                                       std::string& why) {
  out = {};
  out.limit = kDefaultPageRows;
  for (const auto& [name, value] : target.params) {
    if (name == "period") {
      if (!batch::is_valid_iso_week(value)) {
        return bad(why, "period: " + shown(value) +
                            " is not an ISO 8601 week that exists (e.g. 2026-W47)");
      }
      out.period = value;
    } else if (name == "limit") {
      std::size_t n = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc{} || p != value.data() + value.size() || n == 0 ||
          n > kMaxPageRows) {
        return bad(why, "limit: must be a whole number from 1 to " + std::to_string(kMaxPageRows));
      }
      out.limit = n;
    } else {
      return bad(why, "unknown parameter " + shown(name) + " (known: period limit)");
    }
  }
  return {};
}

bool is_batch_id(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::optional<std::int64_t> parse_record_id(std::string_view s) noexcept {
  std::int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

boost::json::object batch_ledger_json(const exchange::BatchLedgerRow& row) {
  boost::json::object o;
  o["batch_id"] = row.batch_id;
  o["direction"] = row.direction;
  o["period"] = row.period;
  o["created_at_utc"] = utc_text(row.created_at_utc * 1'000'000);
  o["recorded_at_utc"] = utc_text(row.recorded_at_us, UtcDigits::millis);
  o["sender_id"] = row.sender_id;
  o["sender_certificate_sha256"] = row.sender_certificate_sha256;
  o["recipient_certificate_sha256"] = row.recipient_certificate_sha256;
  o["record_count"] = row.record_count;
  o["records_sha256"] = row.records_sha256;
  o["operator"] = row.operator_name;
  if (row.direction == "export") {
    o["rfid_records"] = row.rfid_records;
    o["officer_records"] = row.officer_records;
  } else {
    o["matched"] = row.matched;
    o["received_in_error"] = row.received_in_error;
    o["duplicates"] = row.duplicates;
  }
  o["file_sha256"] = opt_string(row.file_sha256);
  o["written_to"] = opt_string(row.written_to);
  o["written_at_utc"] = row.written_at_us
                            ? boost::json::value(utc_text(*row.written_at_us, UtcDigits::millis))
                            : boost::json::value(nullptr);
  return o;
}

boost::json::object export_result_json(const exchange::ExportResult& result) {
  boost::json::object o;
  o["period"] = result.period;
  boost::json::array batches;
  for (const auto& b : result.batches) {
    boost::json::object j;
    j["batch_id"] = b.batch_id;
    j["file"] = b.file.filename().string();
    j["folder"] = b.file.parent_path().string();
    j["file_sha256"] = b.file_sha256;
    j["bytes"] = b.bytes;
    j["rfid_records"] = b.rfid_records;
    j["officer_records"] = b.officer_records;
    j["rewritten"] = b.rewritten;
    batches.emplace_back(std::move(j));
  }
  o["nothing_new"] = result.batches.empty();
  o["batches"] = std::move(batches);
  o["skipped_exit_direction"] = result.skipped_exit_direction;
  o["already_exported"] = result.already_exported;
  return o;
}

boost::json::object officer_record_json(const exchange::StoredOfficerRecord& stored) {
  const batch::OfficerEntryRecord& r = stored.record;
  boost::json::object o;
  o["id"] = stored.id;
  o["last_name"] = r.last_name;
  o["first_name"] = r.first_name;
  o["middle_name"] = r.middle_name;
  o["birth_date"] = r.birth_date;
  o["nationality"] = r.nationality;
  o["gender"] = r.gender;
  o["document_type"] = r.document_type;
  o["document_number"] = r.document_number;
  o["document_country"] = r.document_country;
  o["entry_utc"] = utc_text(r.entry.utc_seconds * 1'000'000);
  o["port"] = r.port;
  o["entered_at_utc"] = utc_text(stored.entered_at_us, UtcDigits::millis);
  o["entered_by"] = stored.entered_by;
  o["export_batch_id"] = opt_string(stored.export_batch_id);
  return o;
}

}  // namespace garita::daemon::api
