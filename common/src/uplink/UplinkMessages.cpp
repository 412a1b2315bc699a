#include "garita/common/uplink/UplinkMessages.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "garita/common/Hex.hpp"
#include "garita/common/IssuerTable.hpp"

namespace garita::uplink {
namespace {

namespace json = boost::json;

// The deepest message is {"crossings":[{...}]}: depth 3. A little room, no more,
// so a body of nested brackets is refused by the parser itself.
constexpr std::size_t kMaxDepth = 6;

// The first failure of a decode: its code and "PATH: what".
struct Failure {
  std::error_code code;
  std::string& message;

  std::error_code fail(Errc e, std::string_view path, std::string_view what) {
    if (!code) {
      code = e;
      message.assign(path);
      message += ": ";
      message += what;
    }
    return code;
  }
};

std::string_view kind_name(const json::value& v) noexcept {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a non-integer number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "something else";
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Plain hex digits only (no separators or prefix: this is a machine format).
bool strict_hex(std::string_view text, std::vector<std::uint8_t>& out, std::size_t max_bytes) {
  out.clear();
  if (text.size() % 2 != 0 || text.size() / 2 > max_bytes) return false;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_digit(text[i]);
    const int lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return true;
}

// Reads the fields of one JSON object, remembering which were read so that
// finish() can refuse the rest as unknown.
class ObjectReader {
 public:
  ObjectReader(const json::value& value, std::string_view path, Failure& failure)
      : path_(path), failure_(failure) {
    object_ = value.if_object();
    if (object_ == nullptr) {
      failure_.fail(Errc::wrong_type, path_,
                    "expected an object, got " + std::string(kind_name(value)));
    }
  }

  bool ok() const noexcept { return !failure_.code; }

  std::string field_path(std::string_view key) const {
    std::string p = path_;
    p += '.';
    p += key;
    return p;
  }

  // The value of a required field, nullptr (and a failure) when absent.
  const json::value* take(std::string_view key) {
    if (!ok()) return nullptr;
    taken_.push_back(key);
    const json::value* v = object_->if_contains(key);
    if (v == nullptr) failure_.fail(Errc::missing_field, field_path(key), "missing");
    return v;
  }

  bool string(std::string_view key, std::string& out, std::size_t max_bytes) {
    const json::value* v = take(key);
    if (v == nullptr) return false;
    const json::string* s = v->if_string();
    if (s == nullptr) return wrong(key, "a string", *v);
    if (s->size() > max_bytes) {
      failure_.fail(Errc::bad_value, field_path(key),
                    "longer than " + std::to_string(max_bytes) + " bytes");
      return false;
    }
    out.assign(s->data(), s->size());
    return true;
  }

  template <class Int>
  bool integer(std::string_view key, Int& out, Int lo = std::numeric_limits<Int>::min(),
               Int hi = std::numeric_limits<Int>::max()) {
    const json::value* v = take(key);
    if (v == nullptr) return false;
    bool in_range = false;
    if (const auto* i = v->if_int64()) {
      in_range = std::in_range<Int>(*i) && static_cast<Int>(*i) >= lo && static_cast<Int>(*i) <= hi;
      if (in_range) out = static_cast<Int>(*i);
    } else if (const auto* u = v->if_uint64()) {
      in_range = std::in_range<Int>(*u) && static_cast<Int>(*u) >= lo && static_cast<Int>(*u) <= hi;
      if (in_range) out = static_cast<Int>(*u);
    } else {
      return wrong(key, "an integer", *v);
    }
    if (!in_range) {
      failure_.fail(Errc::bad_value, field_path(key),
                    "integer outside " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    return in_range;
  }

  bool boolean(std::string_view key, bool& out) {
    const json::value* v = take(key);
    if (v == nullptr) return false;
    const bool* b = v->if_bool();
    if (b == nullptr) return wrong(key, "true or false", *v);
    out = *b;
    return true;
  }

  const json::array* array(std::string_view key) {
    const json::value* v = take(key);
    if (v == nullptr) return nullptr;
    const json::array* a = v->if_array();
    if (a == nullptr) wrong(key, "an array", *v);
    return a;
  }

  // Refuses any field that was not read.
  bool finish() {
    if (!ok()) return false;
    for (const auto& kv : *object_) {
      if (std::find(taken_.begin(), taken_.end(), kv.key()) == taken_.end()) {
        // The key is outside data we trust: print it only when it is short
        // and plain, so the message stays one readable line.
        const std::string_view key = kv.key();
        const bool plain = key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '_' || c == '-';
                           });
        failure_.fail(Errc::unknown_field, plain ? field_path(key) : field_path("?"),
                      "unknown field");
        return false;
      }
    }
    return true;
  }

  const std::string& path() const noexcept { return path_; }
  Failure& failure() noexcept { return failure_; }

 private:
  bool wrong(std::string_view key, std::string_view expected, const json::value& got) {
    failure_.fail(Errc::wrong_type, field_path(key),
                  "expected " + std::string(expected) + ", got " + std::string(kind_name(got)));
    return false;
  }

  std::string path_;
  Failure& failure_;
  const json::object* object_ = nullptr;
  std::vector<std::string_view> taken_;
};

template <class Enum, std::size_t N>
bool enum_field(ObjectReader& r, std::string_view key, const std::array<Enum, N>& values,
                Enum& out) {
  std::string text;
  if (!r.string(key, text, kMaxIdBytes)) return false;
  for (Enum e : values) {
    if (to_string(e) == text) {
      out = e;
      return true;
    }
  }
  std::string allowed;
  for (Enum e : values) {
    if (!allowed.empty()) allowed += ", ";
    allowed += to_string(e);
  }
  r.failure().fail(Errc::bad_value, r.field_path(key), "not one of " + allowed);
  return false;
}

constexpr std::array kDocuments{
    DocumentType::unknown, DocumentType::bcc,   DocumentType::prc,  DocumentType::passport_card,
    DocumentType::sentri,  DocumentType::nexus, DocumentType::fast, DocumentType::global_entry,
    DocumentType::edl,     DocumentType::etc,   DocumentType::other};
constexpr std::array kTimeSources{TimeSource::reader_utc, TimeSource::reader_uptime,
                                  TimeSource::host_receive};
constexpr std::array kDirections{Direction::unknown, Direction::with_flow, Direction::counter_flow};

std::error_code parse_body(std::string_view text, json::value& out, Failure& failure) {
  if (text.size() > kMaxBodyBytes) {
    return failure.fail(Errc::body_too_large, "$",
                        "body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
  }
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  out = json::parse(text, ec, {}, options);
  if (ec) return failure.fail(Errc::not_json, "$", "not valid JSON: " + ec.message());
  return {};
}

bool reader_state_from_json(const json::value& value, std::string_view path, ReaderState& out,
                            Failure& failure) {
  ObjectReader r(value, path, failure);
  return r.string("state", out.state, kMaxLabelBytes) &&
         r.string("uri_scheme", out.uri_scheme, kMaxLabelBytes) && r.finish();
}

std::string pc_hex(std::uint16_t pc) {
  const std::array<std::uint8_t, 2> bytes{static_cast<std::uint8_t>(pc >> 8),
                                          static_cast<std::uint8_t>(pc & 0xFF)};
  return to_hex(bytes);
}

}  // namespace

// ---------------------------------------------------------------- Crossing

json::object crossing_to_json(const Crossing& c) {
  json::object o;
  o["lane_id"] = c.lane_id;
  o["sequence"] = c.sequence;
  o["port_code"] = c.port_code;
  o["epc_hex"] = to_hex(c.epc.view());
  if (c.pc) {
    o["pc"] = pc_hex(*c.pc);
  } else {
    o["pc"] = nullptr;
  }
  o["epc_uri"] = c.epc_uri;
  o["epc_scheme"] = c.epc_scheme;
  o["tid_hex"] = to_hex(c.tid.view());
  o["tid_maker"] = c.tid_maker;
  o["tid_model"] = c.tid_model;
  o["tid_serial"] = c.tid_serial;
  o["document"] = to_string(c.document);
  o["issuer_rule"] = c.issuer_rule;
  o["first_seen_utc_us"] = c.first_seen_utc_us;
  o["last_seen_utc_us"] = c.last_seen_utc_us;
  o["time_source"] = to_string(c.time_source);
  o["clock_offset_us"] = c.clock_offset_us;
  o["host_clock_synchronized"] = c.host_clock_synchronized;
  o["read_count"] = c.read_count;
  o["peak_rssi_cdbm"] = c.peak_rssi_cdbm;
  o["antenna_mask"] = c.antenna_mask;
  o["direction"] = to_string(c.direction);
  o["source"] = c.source;
  return o;
}

namespace {

bool crossing_fields(const json::value& value, std::string_view path, Crossing& c,
                     Failure& failure) {
  ObjectReader r(value, path, failure);
  if (!r.string("lane_id", c.lane_id, kMaxIdBytes)) return false;
  // The store keeps sequences as SQLite INTEGER (signed 64-bit).
  if (!r.integer<std::uint64_t>(
          "sequence", c.sequence, 0,
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
    return false;
  }
  if (!r.string("port_code", c.port_code, kMaxIdBytes)) return false;

  std::string hex;
  std::vector<std::uint8_t> bytes;
  if (!r.string("epc_hex", hex, 4 * EpcBytes::capacity)) return false;
  if (!strict_hex(hex, bytes, EpcBytes::capacity)) {
    failure.fail(Errc::bad_value, r.field_path("epc_hex"),
                 "not an even number of hex digits for at most " +
                     std::to_string(EpcBytes::capacity) + " bytes");
    return false;
  }
  c.epc.assign(bytes);
  c.epc_hex = to_hex(c.epc.view());

  const json::value* pc = r.take("pc");
  if (pc == nullptr) return false;
  if (pc->is_null()) {
    c.pc.reset();
  } else {
    const json::string* s = pc->if_string();
    if (s == nullptr || !strict_hex(*s, bytes, 2) || bytes.size() != 2) {
      failure.fail(s == nullptr ? Errc::wrong_type : Errc::bad_value, r.field_path("pc"),
                   "expected null or 4 hex digits");
      return false;
    }
    c.pc = static_cast<std::uint16_t>((bytes[0] << 8) | bytes[1]);
  }

  if (!r.string("epc_uri", c.epc_uri, kMaxTextBytes) ||
      !r.string("epc_scheme", c.epc_scheme, kMaxTextBytes)) {
    return false;
  }
  if (!r.string("tid_hex", hex, 4 * TidBytes::capacity)) return false;
  if (!strict_hex(hex, bytes, TidBytes::capacity)) {
    failure.fail(Errc::bad_value, r.field_path("tid_hex"),
                 "not an even number of hex digits for at most " +
                     std::to_string(TidBytes::capacity) + " bytes");
    return false;
  }
  c.tid.assign(bytes);
  c.tid_hex = to_hex(c.tid.view());

  if (!r.string("tid_maker", c.tid_maker, kMaxTextBytes) ||
      !r.string("tid_model", c.tid_model, kMaxTextBytes) ||
      !r.string("tid_serial", c.tid_serial, kMaxTextBytes) ||
      !enum_field(r, "document", kDocuments, c.document) ||
      !r.string("issuer_rule", c.issuer_rule, kMaxTextBytes) ||
      !r.integer("first_seen_utc_us", c.first_seen_utc_us) ||
      !r.integer("last_seen_utc_us", c.last_seen_utc_us) ||
      !enum_field(r, "time_source", kTimeSources, c.time_source) ||
      !r.integer("clock_offset_us", c.clock_offset_us) ||
      !r.boolean("host_clock_synchronized", c.host_clock_synchronized) ||
      !r.integer("read_count", c.read_count) || !r.integer("peak_rssi_cdbm", c.peak_rssi_cdbm) ||
      !r.integer("antenna_mask", c.antenna_mask) ||
      !enum_field(r, "direction", kDirections, c.direction) ||
      !r.string("source", c.source, kMaxTextBytes)) {
    return false;
  }
  return r.finish();
}

}  // namespace

std::error_code crossing_from_json(const json::value& value, std::string_view path, Crossing& out,
                                   std::string& error) {
  error.clear();
  Failure failure{{}, error};
  out = Crossing{};
  crossing_fields(value, path, out, failure);
  return failure.code;
}

// ---------------------------------------------------------------- encode

std::string encode(const Hello& hello) {
  json::object o;
  o["lane"] = hello.lane;
  o["controller"] = hello.controller;
  o["backlog"] = hello.backlog;
  json::object reader;
  reader["state"] = hello.reader.state;
  reader["uri_scheme"] = hello.reader.uri_scheme;
  o["reader"] = std::move(reader);
  return json::serialize(o);
}

std::string encode(const HelloResponse& response) {
  json::object o;
  o["lane"] = response.lane;
  o["server_time_utc_us"] = response.server_time_utc_us;
  o["max_batch"] = response.max_batch;
  return json::serialize(o);
}

std::string encode(const CrossingBatch& batch) {
  json::object o;
  o["lane"] = batch.lane;
  o["backlog"] = batch.backlog;
  json::array crossings;
  crossings.reserve(batch.crossings.size());
  for (const Crossing& c : batch.crossings) crossings.emplace_back(crossing_to_json(c));
  o["crossings"] = std::move(crossings);
  return json::serialize(o);
}

std::string encode(const CrossingsResponse& response) {
  json::object o;
  json::array acked;
  acked.reserve(response.acked.size());
  for (std::uint64_t s : response.acked) acked.emplace_back(s);
  o["acked"] = std::move(acked);
  json::array rejected;
  for (const Rejection& r : response.rejected) {
    json::object item;
    item["sequence"] = r.sequence;
    item["reason"] = r.reason;
    rejected.emplace_back(std::move(item));
  }
  o["rejected"] = std::move(rejected);
  return json::serialize(o);
}

std::string encode(const ErrorBody& body) {
  json::object o;
  o["error"] = body.error;
  o["message"] = body.message;
  return json::serialize(o);
}

// ---------------------------------------------------------------- decode

std::error_code decode(std::string_view text, Hello& out, std::string& error) {
  error.clear();
  Failure failure{{}, error};
  json::value v;
  if (parse_body(text, v, failure)) return failure.code;
  ObjectReader r(v, "$", failure);
  if (r.string("lane", out.lane, kMaxIdBytes) &&
      r.string("controller", out.controller, kMaxLabelBytes) && r.integer("backlog", out.backlog)) {
    if (const json::value* reader = r.take("reader")) {
      if (reader_state_from_json(*reader, "$.reader", out.reader, failure)) r.finish();
    }
  }
  if (!failure.code && out.lane.empty()) failure.fail(Errc::bad_value, "$.lane", "empty");
  return failure.code;
}

std::error_code decode(std::string_view text, HelloResponse& out, std::string& error) {
  error.clear();
  Failure failure{{}, error};
  json::value v;
  if (parse_body(text, v, failure)) return failure.code;
  ObjectReader r(v, "$", failure);
  if (r.string("lane", out.lane, kMaxIdBytes) &&
      r.integer("server_time_utc_us", out.server_time_utc_us) &&
      r.integer<std::uint32_t>("max_batch", out.max_batch, 1, kMaxBatchLimit)) {
    r.finish();
  }
  return failure.code;
}

std::error_code decode(std::string_view text, CrossingBatch& out, std::string& error) {
  error.clear();
  Failure failure{{}, error};
  json::value v;
  if (parse_body(text, v, failure)) return failure.code;
  ObjectReader r(v, "$", failure);
  out.crossings.clear();
  if (!r.string("lane", out.lane, kMaxIdBytes) || !r.integer("backlog", out.backlog)) {
    return failure.code;
  }
  if (out.lane.empty()) return failure.fail(Errc::bad_value, "$.lane", "empty");
  const json::array* crossings = r.array("crossings");
  if (crossings == nullptr) return failure.code;
  if (crossings->empty() || crossings->size() > kMaxBatchLimit) {
    return failure.fail(Errc::bad_value, "$.crossings",
                        "expected 1.." + std::to_string(kMaxBatchLimit) + " crossings, got " +
                            std::to_string(crossings->size()));
  }
  if (!r.finish()) return failure.code;
  out.crossings.reserve(crossings->size());
  for (std::size_t i = 0; i < crossings->size(); ++i) {
    const std::string path = "$.crossings[" + std::to_string(i) + "]";
    Crossing c;
    if (!crossing_fields((*crossings)[i], path, c, failure)) return failure.code;
    // Contract A: a batch carries crossings of one lane, the sender's.
    if (c.lane_id != out.lane) {
      return failure.fail(Errc::bad_value, path + ".lane_id", "is not the batch's lane");
    }
    out.crossings.push_back(std::move(c));
  }
  return failure.code;
}

std::error_code decode(std::string_view text, CrossingsResponse& out, std::string& error) {
  error.clear();
  Failure failure{{}, error};
  json::value v;
  if (parse_body(text, v, failure)) return failure.code;
  ObjectReader r(v, "$", failure);
  out.acked.clear();
  out.rejected.clear();
  const json::array* acked = r.array("acked");
  if (acked == nullptr) return failure.code;
  const json::array* rejected = r.array("rejected");
  if (rejected == nullptr || !r.finish()) return failure.code;
  if (acked->size() + rejected->size() > kMaxBatchLimit) {
    return failure.fail(
        Errc::bad_value, "$",
        "more than " + std::to_string(kMaxBatchLimit) + " acked and rejected crossings");
  }
  constexpr auto kMaxSequence =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = 0; i < acked->size(); ++i) {
    const json::value& item = (*acked)[i];
    const std::string path = "$.acked[" + std::to_string(i) + "]";
    std::uint64_t seq = 0;
    if (const auto* s = item.if_int64(); s != nullptr && *s >= 0) {
      seq = static_cast<std::uint64_t>(*s);
    } else if (const auto* u = item.if_uint64(); u != nullptr && *u <= kMaxSequence) {
      seq = *u;
    } else {
      return failure.fail(item.is_number() ? Errc::bad_value : Errc::wrong_type, path,
                          "expected a sequence number 0..2^63-1");
    }
    out.acked.push_back(seq);
  }
  for (std::size_t i = 0; i < rejected->size(); ++i) {
    const std::string path = "$.rejected[" + std::to_string(i) + "]";
    ObjectReader item((*rejected)[i], path, failure);
    Rejection rej;
    if (!item.integer<std::uint64_t>("sequence", rej.sequence, 0, kMaxSequence) ||
        !item.string("reason", rej.reason, kMaxReasonBytes) || !item.finish()) {
      return failure.code;
    }
    out.rejected.push_back(std::move(rej));
  }
  return failure.code;
}

std::error_code decode(std::string_view text, ErrorBody& out, std::string& error) {
  error.clear();
  Failure failure{{}, error};
  json::value v;
  if (parse_body(text, v, failure)) return failure.code;
  ObjectReader r(v, "$", failure);
  if (r.string("error", out.error, kMaxIdBytes) &&
      r.string("message", out.message, kMaxReasonBytes)) {
    r.finish();
  }
  return failure.code;
}

}  // namespace garita::uplink
