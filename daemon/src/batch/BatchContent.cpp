#include "garita/daemon/batch/BatchContent.hpp"

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "FlatJsonLine.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"

namespace garita::batch {
namespace {

using detail::FlatJsonLine;
using detail::FlatJsonMember;

constexpr std::string_view format_name = "garita-batch";
constexpr std::uint64_t format_version = 1;
constexpr std::string_view source_rfid = "INM-RFID";
constexpr std::string_view source_officer = "INM-OFFICER";
constexpr std::string_view source_exit = "CBP";
// Instants accepted (entry, creation): 2000-01-01T00:00:00Z .. 2199-12-31T23:59:59Z.
constexpr std::int64_t min_instant = 946684800;
constexpr std::int64_t max_instant = 7258118399;
// Written instants are seconds from stored µs or the host clock: ×10⁶ cannot overflow.
constexpr std::int64_t kMicrosPerSecond = 1'000'000;

// ---- field rules (docs/batch-format.md §4); nullptr = fine ----

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

const char* check_hex(std::string_view s, std::size_t min_bytes, std::size_t max_bytes,
                      bool allow_empty) {
  if (s.empty() && allow_empty) return nullptr;
  if (s.size() % 2 != 0) return "odd number of hex digits";
  if (s.size() < 2 * min_bytes || s.size() > 2 * max_bytes) return "hex length out of range";
  for (char c : s)
    if (!is_upper_hex(c)) return "not upper-case hex";
  return nullptr;
}

const char* check_sha256(std::string_view s) {
  if (s.size() != 64) return "not 64 hex digits";
  return check_hex(s, 32, 32, false);
}

// [A-Z0-9]{min,max}
const char* check_code(std::string_view s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return "length out of range";
  for (char c : s)
    if (!is_upper(c) && !is_digit(c)) return "only A-Z and 0-9 allowed";
  return nullptr;
}

const char* check_id(std::string_view s, std::size_t max, bool dot) {
  if (s.empty() || s.size() > max) return "length out of range";
  for (char c : s) {
    const bool ok = is_upper(c) || is_digit(c) || (c >= 'a' && c <= 'z') || c == '_' || c == '-' ||
                    (dot && c == '.');
    if (!ok) return dot ? "only A-Z a-z 0-9 . _ - allowed" : "only A-Z a-z 0-9 _ - allowed";
  }
  return nullptr;
}

// ICAO 9303 three-letter state code ("MEX", "USA", "D<<").
const char* check_country(std::string_view s) {
  if (s.size() != 3 || !is_upper(s[0])) return "not a three-letter ICAO 9303 code";
  for (char c : s)
    if (!is_upper(c) && c != '<') return "not a three-letter ICAO 9303 code";
  return nullptr;
}

const char* check_document_type(std::string_view s) {
  if (s.empty() || s.size() > 2) return "not a one- or two-letter ICAO 9303 document code";
  for (char c : s)
    if (!is_upper(c)) return "not a one- or two-letter ICAO 9303 document code";
  return nullptr;
}

const char* check_gender(std::string_view s) {
  return (s == "M" || s == "F" || s == "X") ? nullptr : "not M, F or X";
}

// Well-formed UTF-8 (RFC 3629 §4: no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

// A person's name part: UTF-8, no control characters, no surrounding spaces.
const char* check_name(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty ? nullptr : "empty";
  if (s.size() > 100) return "longer than 100 bytes";
  if (s.front() == ' ' || s.back() == ' ') return "leading or trailing space";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return "control character";
  }
  if (!valid_utf8(s)) return "not valid UTF-8";
  return nullptr;
}

const char* check_subject(std::string_view s) {
  if (s.empty() || s.size() > 1024) return "length out of range";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return "control character";
  }
  if (!valid_utf8(s)) return "not valid UTF-8";
  return nullptr;
}

const char* check_uuid(std::string_view s) {
  if (s.size() != 36) return "not a UUID (36 characters)";
  for (std::size_t i = 0; i < 36; ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return "not a UUID";
    } else if (!is_digit(c) && !(c >= 'a' && c <= 'f')) {
      return "not a lower-case hex UUID";
    }
  }
  return nullptr;
}

int digits(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!is_digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// YYYY-MM-DD, a real calendar date in [min_year, 2199].
const char* parse_date(std::string_view s, int min_year, std::chrono::sys_days* out) {
  using namespace std::chrono;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return "not YYYY-MM-DD";
  const int y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
  if (y < 0 || m < 0 || d < 0) return "not YYYY-MM-DD";
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return "not a calendar date";
  if (y < min_year || y > 2199) return "year out of range";
  if (out != nullptr) *out = sys_days{ymd};
  return nullptr;
}

// hh:mm:ss (00:00:00 .. 23:59:59).
const char* parse_time(std::string_view s, int* seconds_of_day) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return "not hh:mm:ss";
  const int h = digits(s, 0, 2), m = digits(s, 3, 2), sec = digits(s, 6, 2);
  if (h < 0 || m < 0 || sec < 0 || h > 23 || m > 59 || sec > 59) return "not hh:mm:ss";
  if (seconds_of_day != nullptr) *seconds_of_day = h * 3600 + m * 60 + sec;
  return nullptr;
}

// +hh:mm / -hh:mm within ±14:00 (UTC-12 .. UTC+14 exist).
const char* parse_offset(std::string_view s, std::int32_t* minutes) {
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return "not +hh:mm or -hh:mm";
  const int h = digits(s, 1, 2), m = digits(s, 4, 2);
  if (h < 0 || m < 0 || m > 59 || h * 60 + m > 840) return "not +hh:mm or -hh:mm within 14:00";
  *minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
  return nullptr;
}

// YYYY-MM-DDThh:mm:ssZ within [min_instant, max_instant].
const char* parse_utc(std::string_view s, std::int64_t* out) {
  if (s.size() != 20 || s[10] != 'T' || s[19] != 'Z') return "not YYYY-MM-DDThh:mm:ssZ";
  std::chrono::sys_days day;
  int sod = 0;
  if (parse_date(s.substr(0, 10), 2000, &day) != nullptr ||
      parse_time(s.substr(11, 8), &sod) != nullptr)
    return "not YYYY-MM-DDThh:mm:ssZ";
  *out = static_cast<std::int64_t>(day.time_since_epoch().count()) * 86400 + sod;
  return nullptr;
}

void format_date(std::int64_t seconds, char* out /* 24 */) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_seconds{std::chrono::seconds{seconds}});
  const year_month_day ymd{day};
  // snprintf truncates safely; a valid date always fits in 24.
  static_cast<void>(std::snprintf(out, 24, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                                  static_cast<unsigned>(ymd.month()),
                                  static_cast<unsigned>(ymd.day())));
}

void format_time(std::int64_t seconds, char* out /* 24 */) {
  std::int64_t sod = seconds % 86400;
  if (sod < 0) sod += 86400;
  // sod is 0..86399: "HH:MM:SS" always fits.
  static_cast<void>(std::snprintf(out, 24, "%02d:%02d:%02d", static_cast<int>(sod / 3600),
                                  static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60)));
}

std::string format_offset(std::int32_t minutes) {
  char out[24];
  const int a = minutes < 0 ? -minutes : minutes;
  // snprintf truncates safely; any int32 offset fits in 24.
  static_cast<void>(
      std::snprintf(out, sizeof out, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60));
  return out;
}

const char* check_entry(const EntryTime& e) {
  if (e.utc_seconds < min_instant || e.utc_seconds > max_instant)
    return "entry instant out of range (2000..2199)";
  if (e.utc_offset_minutes < -840 || e.utc_offset_minutes > 840) return "UTC offset beyond 14:00";
  return nullptr;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr) != 1) return {};
  return to_hex(std::span<const std::uint8_t>(digest, n));
}

// ---- writing ----

class LineWriter {
 public:
  explicit LineWriter(std::string& out) : out_(out) {}
  void begin() {
    out_ += '{';
    first_ = true;
  }
  void end() { out_ += "}\n"; }
  void str(std::string_view key, std::string_view value) {
    key_(key);
    out_ += '"';
    // Values are validated first: no control characters, so only '"' and
    // '\' need escaping (RFC 8259 §7).
    for (char c : value) {
      if (c == '"' || c == '\\') out_ += '\\';
      out_ += c;
    }
    out_ += '"';
  }
  void num(std::string_view key, std::uint64_t value) {
    key_(key);
    out_ += std::to_string(value);
  }

 private:
  void key_(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }
  std::string& out_;
  bool first_ = true;
};

struct FieldProblem {
  const char* field = nullptr;
  const char* what = nullptr;
  explicit operator bool() const { return what != nullptr; }
};

#define GARITA_CHECK(field, expr)                          \
  do {                                                     \
    if (const char* what_ = (expr)) return {field, what_}; \
  } while (false)

FieldProblem check_manifest(const BatchManifest& m) {
  GARITA_CHECK("batch_id", check_uuid(m.batch_id));
  GARITA_CHECK("period", is_valid_iso_week(m.period) ? nullptr : "not an ISO week YYYY-Www");
  GARITA_CHECK("created_at", (m.created_at_utc < min_instant || m.created_at_utc > max_instant)
                                 ? "out of range (2000..2199)"
                                 : nullptr);
  GARITA_CHECK("sender_id", check_id(m.sender_id, 64, true));
  GARITA_CHECK("sender_port", check_code(m.sender_port, 1, 16));
  GARITA_CHECK("sender_certificate_sha256", check_sha256(m.sender_certificate_sha256));
  GARITA_CHECK("recipient_subject", check_subject(m.recipient_subject));
  GARITA_CHECK("recipient_certificate_sha256", check_sha256(m.recipient_certificate_sha256));
  return {};
}

FieldProblem check_record(const RfidEntryRecord& r) {
  GARITA_CHECK("epc", check_hex(r.epc_hex, 2, 62, false));
  GARITA_CHECK("tid", check_hex(r.tid_hex, 4, 64, true));
  GARITA_CHECK("entry_utc", check_entry(r.entry));
  GARITA_CHECK("port", check_code(r.port, 1, 16));
  GARITA_CHECK("lane", check_id(r.lane, 16, false));
  return {};
}

FieldProblem check_person(std::string_view last, std::string_view first, std::string_view middle,
                          std::string_view birth, std::string_view nationality,
                          std::string_view gender, std::string_view doc_type,
                          std::string_view doc_number, std::string_view doc_country) {
  GARITA_CHECK("last_name", check_name(last, false));
  GARITA_CHECK("first_name", check_name(first, false));
  GARITA_CHECK("middle_name", check_name(middle, true));
  GARITA_CHECK("birth_date", parse_date(birth, 1900, nullptr));
  GARITA_CHECK("nationality", check_country(nationality));
  GARITA_CHECK("gender", check_gender(gender));
  GARITA_CHECK("document_type", check_document_type(doc_type));
  GARITA_CHECK("document_number", check_code(doc_number, 1, 20));
  GARITA_CHECK("document_country", check_country(doc_country));
  return {};
}

FieldProblem check_record(const OfficerEntryRecord& r) {
  if (auto p = check_person(r.last_name, r.first_name, r.middle_name, r.birth_date, r.nationality,
                            r.gender, r.document_type, r.document_number, r.document_country))
    return p;
  GARITA_CHECK("entry_utc", check_entry(r.entry));
  GARITA_CHECK("port", check_code(r.port, 1, 16));
  return {};
}

FieldProblem check_record(const ExitRecord& r) {
  if (auto p = check_person(r.last_name, r.first_name, r.middle_name, r.birth_date, r.nationality,
                            r.gender, r.document_type, r.document_number, r.document_country))
    return p;
  GARITA_CHECK("exit_port", check_code(r.exit_port, 1, 8));
  GARITA_CHECK("entry_date", parse_date(r.entry_date, 2000, nullptr));
  GARITA_CHECK("entry_time", parse_time(r.entry_time, nullptr));
  GARITA_CHECK("epc", check_hex(r.epc_hex, 2, 62, true));
  return {};
}

#undef GARITA_CHECK

void write_entry(LineWriter& w, const EntryTime& e) {
  const std::int64_t local = e.utc_seconds + std::int64_t{e.utc_offset_minutes} * 60;
  char d[24], t[24];
  format_date(local, d);
  format_time(local, t);
  w.str("entry_date", d);
  w.str("entry_time", t);
  w.str("utc_offset", format_offset(e.utc_offset_minutes));
  w.str("entry_utc", utc_text(e.utc_seconds * kMicrosPerSecond));
}

void write_record(LineWriter& w, const RfidEntryRecord& r) {
  w.begin();
  w.str("source", source_rfid);
  w.str("epc", r.epc_hex);
  w.str("tid", r.tid_hex);
  write_entry(w, r.entry);
  w.str("port", r.port);
  w.str("lane", r.lane);
  w.end();
}

void write_record(LineWriter& w, const OfficerEntryRecord& r) {
  w.begin();
  w.str("source", source_officer);
  w.str("last_name", r.last_name);
  w.str("first_name", r.first_name);
  w.str("middle_name", r.middle_name);
  w.str("birth_date", r.birth_date);
  w.str("nationality", r.nationality);
  w.str("gender", r.gender);
  w.str("document_type", r.document_type);
  w.str("document_number", r.document_number);
  w.str("document_country", r.document_country);
  write_entry(w, r.entry);
  w.str("port", r.port);
  w.end();
}

void write_record(LineWriter& w, const ExitRecord& r) {
  w.begin();
  w.str("source", source_exit);
  w.str("first_name", r.first_name);
  w.str("last_name", r.last_name);
  w.str("middle_name", r.middle_name);
  w.str("birth_date", r.birth_date);
  w.str("nationality", r.nationality);
  w.str("gender", r.gender);
  w.str("document_type", r.document_type);
  w.str("document_number", r.document_number);
  w.str("document_country", r.document_country);
  w.str("exit_port", r.exit_port);
  w.str("entry_date", r.entry_date);
  w.str("entry_time", r.entry_time);
  w.str("epc", r.epc_hex);
  w.end();
}

void write_manifest(std::string& out, const BatchManifest& m) {
  LineWriter w(out);
  w.begin();
  w.str("format", format_name);
  w.num("version", format_version);
  w.str("type", to_string(m.type));
  w.str("batch_id", m.batch_id);
  w.str("period", m.period);
  w.str("created_at", utc_text(m.created_at_utc * kMicrosPerSecond));
  w.str("sender_id", m.sender_id);
  w.str("sender_port", m.sender_port);
  w.str("sender_certificate_sha256", m.sender_certificate_sha256);
  w.str("recipient_subject", m.recipient_subject);
  w.str("recipient_certificate_sha256", m.recipient_certificate_sha256);
  w.num("record_count", m.record_count);
  w.str("records_sha256", m.records_sha256);
  w.end();
}

template <typename Record>
std::error_code encode(BatchManifest& manifest, BatchType type, std::span<const Record> records,
                       std::string& out, std::string& error) {
  if (manifest.type != type) {
    error = "encode: manifest type is not " + std::string(to_string(type));
    return Errc::invalid_argument;
  }
  if (auto p = check_manifest(manifest)) {
    error = std::string("encode: manifest: ") + p.field + ": " + p.what;
    return Errc::invalid_argument;
  }
  if (records.size() > max_records) {
    error = "encode: more than " + std::to_string(max_records) + " records";
    return Errc::too_large;
  }
  std::string body;
  body.reserve(records.size() * 200);
  LineWriter w(body);
  for (std::size_t i = 0; i < records.size(); ++i) {
    FieldProblem p;
    const std::size_t before = body.size();
    if constexpr (std::is_same_v<Record, ExportRecord>) {
      std::visit(
          [&](const auto& r) {
            p = check_record(r);
            if (!p) write_record(w, r);
          },
          records[i]);
    } else {
      p = check_record(records[i]);
      if (!p) write_record(w, records[i]);
    }
    if (p) {
      error = "encode: record " + std::to_string(i + 1) + ": " + p.field + ": " + p.what;
      return Errc::invalid_argument;
    }
    if (body.size() - before > max_line_bytes + 1) {
      error = "encode: record " + std::to_string(i + 1) + ": longer than " +
              std::to_string(max_line_bytes) + " bytes";
      return Errc::too_large;
    }
  }
  manifest.record_count = records.size();
  manifest.records_sha256 = sha256_hex(body);
  if (manifest.records_sha256.empty()) {
    error = "encode: SHA-256 failed";
    return Errc::crypto_failed;
  }
  out.clear();
  write_manifest(out, manifest);
  if (out.size() + body.size() > max_content_bytes) {
    error = "encode: content larger than 2 GiB";
    return Errc::too_large;
  }
  out += body;
  return {};
}

}  // namespace

std::string check_officer_record(const OfficerEntryRecord& record) {
  const FieldProblem p = check_record(record);
  return p ? std::string(p.field) + ": " + p.what : std::string{};
}

std::optional<std::int64_t> parse_utc_field(std::string_view text) noexcept {
  std::int64_t out = 0;
  if (parse_utc(text, &out) != nullptr) return std::nullopt;
  return out;
}

std::optional<std::int64_t> parse_local_date_time(std::string_view date,
                                                  std::string_view time) noexcept {
  std::chrono::sys_days day;
  int sod = 0;
  if (parse_date(date, 1900, &day) != nullptr || parse_time(time, &sod) != nullptr) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(day.time_since_epoch().count()) * 86400 + sod;
}

namespace {

// ---- reading ----

class LineReader {
 public:
  LineReader(FlatJsonLine& line, std::size_t number) : line_(line), number_(number) {}

  // The string member `key`; sets the problem when missing or not a string.
  std::string_view str(const char* key) {
    if (problem_) return {};
    const FlatJsonMember* m = line_.take(key);
    if (m == nullptr) {
      fail(key, "missing");
      return {};
    }
    if (!m->is_string) {
      fail(key, "not a string");
      return {};
    }
    return m->text;
  }
  std::uint64_t num(const char* key) {
    if (problem_) return 0;
    const FlatJsonMember* m = line_.take(key);
    if (m == nullptr) {
      fail(key, "missing");
      return 0;
    }
    if (m->is_string) {
      fail(key, "not a number");
      return 0;
    }
    return m->number;
  }
  void check(const char* key, const char* what) {
    if (!problem_ && what != nullptr) fail(key, what);
  }
  void check(FieldProblem p) {
    if (!problem_ && p) fail(p.field, p.what);
  }
  // No member left over (data minimisation: no field beyond the list).
  void finish() {
    if (problem_) return;
    if (const FlatJsonMember* m = line_.first_unused()) {
      unknown_key_ = m->key.substr(0, 64);
      fail(unknown_key_.c_str(), "unknown field");
    }
  }
  bool failed() const { return problem_; }
  std::string message() const {
    return "line " + std::to_string(number_) + (number_ == 1 ? " (manifest)" : "") +
           (number_ > 1 ? " (record " + std::to_string(number_ - 1) + ")" : "") + ": " + field_ +
           ": " + what_;
  }

 private:
  void fail(const char* field, const char* what) {
    problem_ = true;
    field_ = field;
    what_ = what;
  }
  FlatJsonLine& line_;
  std::size_t number_;
  bool problem_ = false;
  std::string field_;
  const char* what_ = "";
  std::string unknown_key_;
};

void read_entry(LineReader& r, EntryTime& e) {
  const std::string_view date = r.str("entry_date");
  const std::string_view time = r.str("entry_time");
  const std::string_view offset = r.str("utc_offset");
  const std::string_view utc = r.str("entry_utc");
  if (r.failed()) return;
  r.check("entry_date", parse_date(date, 2000, nullptr));
  r.check("entry_time", parse_time(time, nullptr));
  r.check("utc_offset", parse_offset(offset, &e.utc_offset_minutes));
  r.check("entry_utc", parse_utc(utc, &e.utc_seconds));
  if (r.failed()) return;
  // The local date and time must be exactly entry_utc + utc_offset.
  const std::int64_t local = e.utc_seconds + std::int64_t{e.utc_offset_minutes} * 60;
  char d[24], t[24];
  format_date(local, d);
  format_time(local, t);
  r.check("entry_date", date == d ? nullptr : "not entry_utc + utc_offset");
  r.check("entry_time", time == t ? nullptr : "not entry_utc + utc_offset");
}

void read_record(LineReader& r, RfidEntryRecord& out) {
  out.epc_hex = r.str("epc");
  out.tid_hex = r.str("tid");
  read_entry(r, out.entry);
  out.port = r.str("port");
  out.lane = r.str("lane");
  if (!r.failed()) r.check(check_record(out));
}

template <typename Person>
void read_person(LineReader& r, Person& out) {
  out.last_name = r.str("last_name");
  out.first_name = r.str("first_name");
  out.middle_name = r.str("middle_name");
  out.birth_date = r.str("birth_date");
  out.nationality = r.str("nationality");
  out.gender = r.str("gender");
  out.document_type = r.str("document_type");
  out.document_number = r.str("document_number");
  out.document_country = r.str("document_country");
}

void read_record(LineReader& r, OfficerEntryRecord& out) {
  read_person(r, out);
  read_entry(r, out.entry);
  out.port = r.str("port");
  if (!r.failed()) r.check(check_record(out));
}

void read_record(LineReader& r, ExitRecord& out) {
  read_person(r, out);
  out.exit_port = r.str("exit_port");
  out.entry_date = r.str("entry_date");
  out.entry_time = r.str("entry_time");
  out.epc_hex = r.str("epc");
  if (!r.failed()) r.check(check_record(out));
}

// Splits off line `number` (1-based) at `pos`; false with an error when the
// line is not LF-terminated or too long.
bool next_line(std::string_view content, std::size_t& pos, std::size_t number,
               std::string_view& line, std::string& error) {
  const std::size_t lf = content.find('\n', pos);
  const std::size_t end = lf == std::string_view::npos ? content.size() : lf;
  if (end - pos > max_line_bytes) {
    error = "line " + std::to_string(number) + ": longer than " + std::to_string(max_line_bytes) +
            " bytes";
    return false;
  }
  if (lf == std::string_view::npos) {
    error = "line " + std::to_string(number) + ": not terminated by LF (truncated?)";
    return false;
  }
  line = content.substr(pos, lf - pos);
  pos = lf + 1;
  return true;
}

std::error_code read_manifest(std::string_view content, FlatJsonLine& json, BatchManifest& m,
                              std::size_t& body_start, std::string& error) {
  if (content.size() > max_content_bytes) {
    error = "content larger than 2 GiB";
    return Errc::too_large;
  }
  if (content.empty()) {
    error = "line 1 (manifest): empty content";
    return Errc::malformed_content;
  }
  std::size_t pos = 0;
  std::string_view line;
  if (!next_line(content, pos, 1, line, error)) return Errc::malformed_content;
  std::string why;
  if (!json.parse(line, why)) {
    error = "line 1 (manifest): " + why;
    return Errc::malformed_content;
  }
  LineReader r(json, 1);
  const std::string_view format = r.str("format");
  r.check("format", r.failed() || format == format_name ? nullptr : "not \"garita-batch\"");
  const std::uint64_t version = r.num("version");
  r.check("version", r.failed() || version == format_version ? nullptr : "unsupported version");
  const std::string_view type = r.str("type");
  if (!r.failed()) {
    if (type == "export")
      m.type = BatchType::export_batch;
    else if (type == "return")
      m.type = BatchType::return_batch;
    else
      r.check("type", R"(not "export" or "return")");
  }
  m.batch_id = r.str("batch_id");
  m.period = r.str("period");
  const std::string_view created = r.str("created_at");
  if (!r.failed()) r.check("created_at", parse_utc(created, &m.created_at_utc));
  m.sender_id = r.str("sender_id");
  m.sender_port = r.str("sender_port");
  m.sender_certificate_sha256 = r.str("sender_certificate_sha256");
  m.recipient_subject = r.str("recipient_subject");
  m.recipient_certificate_sha256 = r.str("recipient_certificate_sha256");
  m.record_count = r.num("record_count");
  m.records_sha256 = r.str("records_sha256");
  if (!r.failed()) r.check(check_manifest(m));
  r.check("record_count", r.failed() || m.record_count <= max_records ? nullptr : "too large");
  r.check("records_sha256", r.failed() ? nullptr : check_sha256(m.records_sha256));
  r.finish();
  if (r.failed()) {
    error = r.message();
    return Errc::malformed_content;
  }
  body_start = pos;
  return {};
}

template <typename Batch>
std::error_code parse_records(std::string_view content, BatchType type, Batch& out,
                              std::string& error) {
  FlatJsonLine json;
  std::size_t pos = 0;
  out.records.clear();
  if (auto ec = read_manifest(content, json, out.manifest, pos, error)) return ec;
  if (out.manifest.type != type) {
    error = "line 1 (manifest): type: a batch of type \"" +
            std::string(to_string(out.manifest.type)) + "\" where \"" +
            std::string(to_string(type)) + "\" was expected";
    return Errc::wrong_batch_type;
  }
  const std::string_view body = content.substr(pos);
  if (sha256_hex(body) != out.manifest.records_sha256) {
    error = "records_sha256: the records section does not hash to the manifest's value";
    return Errc::record_hash_mismatch;
  }
  out.records.reserve(static_cast<std::size_t>(out.manifest.record_count));
  std::size_t number = 1;
  std::string why;
  while (pos < content.size()) {
    ++number;
    if (number - 1 > out.manifest.record_count) {
      error = "line " + std::to_string(number) + ": more records than record_count " +
              std::to_string(out.manifest.record_count);
      return Errc::malformed_content;
    }
    std::string_view line;
    if (!next_line(content, pos, number, line, error)) return Errc::malformed_content;
    if (!json.parse(line, why)) {
      error =
          "line " + std::to_string(number) + " (record " + std::to_string(number - 1) + "): " + why;
      return Errc::malformed_content;
    }
    LineReader r(json, number);
    const std::string_view source = r.str("source");
    if constexpr (std::is_same_v<Batch, ExportBatch>) {
      if (!r.failed() && source == source_rfid) {
        RfidEntryRecord rec;
        read_record(r, rec);
        out.records.emplace_back(std::move(rec));
      } else if (!r.failed() && source == source_officer) {
        OfficerEntryRecord rec;
        read_record(r, rec);
        out.records.emplace_back(std::move(rec));
      } else {
        r.check("source", R"(not "INM-RFID" or "INM-OFFICER")");
      }
    } else {
      if (!r.failed() && source == source_exit) {
        ExitRecord rec;
        read_record(r, rec);
        out.records.push_back(std::move(rec));
      } else {
        r.check("source", "not \"CBP\"");
      }
    }
    r.finish();
    if (r.failed()) {
      error = r.message();
      out.records.clear();
      return Errc::malformed_content;
    }
  }
  if (out.records.size() != out.manifest.record_count) {
    error = "record_count: the manifest says " + std::to_string(out.manifest.record_count) +
            " records, the batch has " + std::to_string(out.records.size());
    out.records.clear();
    return Errc::malformed_content;
  }
  return {};
}

// Nothing half-parsed is handed back on failure.
template <typename Batch>
std::error_code parse(std::string_view content, BatchType type, Batch& out, std::string& error) {
  const std::error_code ec = parse_records(content, type, out, error);
  if (ec) out.records.clear();
  return ec;
}

}  // namespace

std::error_code encode_export_batch(BatchManifest& manifest, std::span<const ExportRecord> records,
                                    std::string& out, std::string& error) {
  return encode(manifest, BatchType::export_batch, records, out, error);
}

std::error_code encode_return_batch(BatchManifest& manifest, std::span<const ExitRecord> records,
                                    std::string& out, std::string& error) {
  return encode(manifest, BatchType::return_batch, records, out, error);
}

std::error_code parse_export_batch(std::string_view content, ExportBatch& out, std::string& error) {
  return parse(content, BatchType::export_batch, out, error);
}

std::error_code parse_return_batch(std::string_view content, ReturnBatch& out, std::string& error) {
  return parse(content, BatchType::return_batch, out, error);
}

std::error_code parse_batch_manifest(std::string_view content, BatchManifest& out,
                                     std::string& error) {
  FlatJsonLine json;
  std::size_t pos = 0;
  return read_manifest(content, json, out, pos, error);
}

}  // namespace garita::batch
