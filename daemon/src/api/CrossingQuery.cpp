#include "garita/daemon/api/CrossingQuery.hpp"

#include <charconv>
#include <cstdio>

#include "garita/common/Hex.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/daemon/CrossingsCommand.hpp"
#include "garita/daemon/api/ApiErrc.hpp"
#include "garita/daemon/security/Role.hpp"

namespace garita::daemon::api {
namespace {

std::error_code bad(std::string& why, std::string text) {
  why = std::move(text);
  return ApiErrc::bad_parameter;
}

template <typename T>
bool parse_int(std::string_view s, T& v) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_time(const RequestTarget& t, std::string_view name, std::int64_t now,
                std::optional<std::int64_t>& out, std::string& why) {
  const auto v = t.get(name);
  if (!v) return true;
  std::int64_t us = 0;
  std::string reason;
  if (!parse_time_arg(*v, now, us, reason)) {
    why = std::string(name) + ": " + reason;
    return false;
  }
  out = us;
  return true;
}

bool parse_limit(const RequestTarget& t, std::size_t& out, std::string& why) {
  const auto v = t.get("limit");
  if (!v) return true;
  std::size_t n = 0;
  if (!parse_int(*v, n) || n == 0 || n > kMaxPageRows) {
    why = "limit: must be a whole number from 1 to " + std::to_string(kMaxPageRows);
    return false;
  }
  out = n;
  return true;
}

bool only_known(const RequestTarget& t, std::initializer_list<std::string_view> known,
                std::string& why) {
  for (const auto& [name, value] : t.params) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || name == k;
    if (!ok) {
      why = "unknown parameter '" + name + "' (known:";
      for (std::string_view k : known) why += " " + std::string(k);
      why += ")";
      return false;
    }
  }
  return true;
}

bool is_lane_id(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string format_cursor(const store::CrossingCursor& cursor) {
  return std::to_string(cursor.first_seen_utc_us) + "." + std::to_string(cursor.id);
}

bool parse_cursor(std::string_view text, store::CrossingCursor& out) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return false;
  store::CrossingCursor c;
  if (!parse_int(text.substr(0, dot), c.first_seen_utc_us)) return false;
  if (!parse_int(text.substr(dot + 1), c.id) || c.id < 0) return false;
  out = c;
  return true;
}

std::error_code parse_crossing_query(const RequestTarget& t, std::int64_t now,
                                     store::CrossingFilter& out, std::string& why) {
  out = store::CrossingFilter{};
  out.limit = kDefaultPageRows;
  if (!only_known(t, {"epc", "lane", "document", "since", "until", "limit", "after"}, why)) {
    return ApiErrc::bad_parameter;
  }
  if (const auto v = t.get("epc")) {
    // The store matches any case/separators; check here so a typo is a 400
    // naming the parameter rather than an empty page.
    std::vector<std::uint8_t> bytes;
    if (parse_hex(*v, bytes, 62)) {
      return bad(why, "epc: not an EPC in hex (whole bytes, at most 62)");
    }
    out.epc_hex = std::string(*v);
  }
  if (const auto v = t.get("lane")) {
    if (!is_lane_id(*v)) return bad(why, "lane: not a lane id (letters, digits, '-', '_')");
    out.lane_id = std::string(*v);
  }
  if (const auto v = t.get("document")) {
    const auto d = document_type_from_string(*v);
    if (!d) return bad(why, "document: not a document type (bcc, prc, passport_card, ...)");
    out.document = *d;
  }
  if (!parse_time(t, "since", now, out.since_utc_us, why)) return ApiErrc::bad_parameter;
  if (!parse_time(t, "until", now, out.until_utc_us, why)) return ApiErrc::bad_parameter;
  if (out.since_utc_us && out.until_utc_us && *out.since_utc_us > *out.until_utc_us) {
    return bad(why, "since: later than until");
  }
  if (!parse_limit(t, out.limit, why)) return ApiErrc::bad_parameter;
  if (const auto v = t.get("after")) {
    store::CrossingCursor c;
    if (!parse_cursor(*v, c)) return bad(why, "after: not a cursor (use the previous \"next\")");
    out.after = c;
  }
  return {};
}

std::error_code parse_audit_query(const RequestTarget& t, std::int64_t now, AuditQuery& out,
                                  std::string& why) {
  out = AuditQuery{};
  if (!only_known(t, {"since", "until", "user", "limit", "after"}, why))
    return ApiErrc::bad_parameter;
  if (!parse_time(t, "since", now, out.since_utc_us, why)) return ApiErrc::bad_parameter;
  if (!parse_time(t, "until", now, out.until_utc_us, why)) return ApiErrc::bad_parameter;
  if (const auto v = t.get("user")) {
    if (v->empty() || v->size() > 64) return bad(why, "user: 1 to 64 characters");
    out.user = std::string(*v);
  }
  if (!parse_limit(t, out.limit, why)) return ApiErrc::bad_parameter;
  if (const auto v = t.get("after")) {
    if (!parse_int(*v, out.after_id) || out.after_id < 0) {
      return bad(why, "after: not a row id (use the previous \"next\")");
    }
  }
  return {};
}

std::string search_terms_text(const RequestTarget& t) {
  std::string s;
  for (const auto& [name, value] : t.params) {
    if (!s.empty()) s += '&';
    s += name;
    s += '=';
    s += value;
  }
  return s;
}

boost::json::object crossing_to_json(const Crossing& c, bool card_numbers) {
  boost::json::object o;
  o["lane_id"] = c.lane_id;
  o["sequence"] = c.sequence;
  o["port_code"] = c.port_code;
  o["first_seen_utc"] = utc_text(c.first_seen_utc_us, UtcDigits::millis);
  o["last_seen_utc"] = utc_text(c.last_seen_utc_us, UtcDigits::millis);
  o["first_seen_utc_us"] = c.first_seen_utc_us;
  o["last_seen_utc_us"] = c.last_seen_utc_us;
  o["document"] = to_string(c.document);
  o["epc_scheme"] = c.epc_scheme;
  if (card_numbers) {
    o["epc_hex"] = c.epc_hex;
    o["epc_uri"] = c.epc_uri;
    o["tid_hex"] = c.tid_hex;
    o["tid_serial"] = c.tid_serial;
  } else {
    // security::mask_epc_hex keeps the scheme header and the length only.
    o["epc_hex"] = security::mask_epc_hex(c.epc_hex);
    o["epc_uri"] = nullptr;
    o["tid_hex"] = c.tid_hex.empty() ? std::string() : security::mask_epc_hex(c.tid_hex);
    o["tid_serial"] = nullptr;
  }
  o["masked"] = !card_numbers;
  o["tid_maker"] = c.tid_maker;
  o["tid_model"] = c.tid_model;
  o["read_count"] = c.read_count;
  o["peak_rssi_dbm"] = c.peak_rssi_cdbm / 100.0;
  o["antenna_mask"] = c.antenna_mask;
  o["direction"] = to_string(c.direction);
  o["time_source"] = to_string(c.time_source);
  o["clock_offset_us"] = c.clock_offset_us;
  o["host_clock_synchronized"] = c.host_clock_synchronized;
  o["source"] = c.source;
  return o;
}

boost::json::object crossing_to_json(const store::StoredCrossing& row, bool card_numbers) {
  boost::json::object o = crossing_to_json(row.crossing, card_numbers);
  o["id"] = row.id;
  o["created_at_utc"] = utc_text(row.created_at_us, UtcDigits::millis);
  o["updated_at_utc"] = utc_text(row.updated_at_us, UtcDigits::millis);
  return o;
}

}  // namespace garita::daemon::api
