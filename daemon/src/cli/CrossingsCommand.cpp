#include "garita/daemon/CrossingsCommand.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <ctime>
#include <ostream>

#include "garita/common/HostClock.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/daemon/DecodeCommand.hpp"

namespace garita::daemon {
namespace {

bool parse_uint(std::string_view s, long long& v) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && v >= 0;
}

}  // namespace

bool parse_time_arg(std::string_view text, std::int64_t now_utc_us, std::int64_t& out,
                    std::string& why) {
  // Relative: a number and a unit, meaning that long ago.
  if (!text.empty()) {
    const char unit = text.back();
    long long n = 0;
    long long scale = 0;
    switch (unit) {
      case 's': scale = 1; break;
      case 'm': scale = 60; break;
      case 'h': scale = 3600; break;
      case 'd': scale = 86400; break;
      default: break;
    }
    if (scale != 0 && parse_uint(text.substr(0, text.size() - 1), n)) {
      out = now_utc_us - n * scale * 1'000'000;
      return true;
    }
  }
  // Absolute UTC: YYYY-MM-DD[THH:MM[:SS]][Z]
  std::tm tm{};
  std::string s(text);
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.pop_back();
  const char* end = nullptr;
  for (const char* format : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    tm = std::tm{};
    end = ::strptime(s.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') break;
    end = nullptr;
  }
  if (end == nullptr) {
    why = "'" + std::string(text) +
          "' is not a time: use UTC like 2026-11-23T14:30:00Z or 2026-11-23, or an age like 15m, "
          "2h, 1d";
    return false;
  }
  out = static_cast<std::int64_t>(::timegm(&tm)) * 1'000'000;
  return true;
}

int run_crossings(const CrossingsOptions& options, std::ostream& out, std::ostream& err) {
  store::CrossingFilter filter;
  const std::int64_t now = host_now().utc_us;
  std::string why;
  if (options.since) {
    std::int64_t t = 0;
    if (!parse_time_arg(*options.since, now, t, why)) {
      err << "garita: --since " << why << "\n";
      return kExitBadInput;
    }
    filter.since_utc_us = t;
  }
  if (options.until) {
    std::int64_t t = 0;
    if (!parse_time_arg(*options.until, now, t, why)) {
      err << "garita: --until " << why << "\n";
      return kExitBadInput;
    }
    filter.until_utc_us = t;
  }
  if (options.limit == 0 || options.limit > 10000) {
    err << "garita: --limit must be from 1 to 10000\n";
    return kExitBadInput;
  }
  filter.lane_id = options.lane;
  filter.limit = options.limit;

  store::CrossingStore db;
  store::StoreOptions so;
  so.read_only = true;
  so.create = false;
  if (db.open(options.db, so)) {
    err << "garita: " << db.last_error() << "\n";
    return kExitBadInput;
  }
  if (options.count_only) {
    std::uint64_t n = 0;
    if (db.count_crossings(filter, n)) {
      err << "garita: " << db.last_error() << "\n";
      return 1;
    }
    out << n << "\n";
    return kExitOk;
  }
  store::CrossingPage page;
  if (db.list_crossings(filter, page)) {
    err << "garita: " << db.last_error() << "\n";
    return 1;
  }
  if (!options.json) {
    out << "first_seen_utc            lane  seq     document        reads dir           epc\n";
  }
  for (const store::StoredCrossing& row : page.rows) {
    const Crossing& c = row.crossing;
    if (options.json) {
      boost::json::object o;
      o["lane_id"] = c.lane_id;
      o["sequence"] = c.sequence;
      o["port_code"] = c.port_code;
      o["first_seen_utc"] = utc_text(c.first_seen_utc_us, UtcDigits::millis);
      o["last_seen_utc"] = utc_text(c.last_seen_utc_us, UtcDigits::millis);
      o["epc_hex"] = c.epc_hex;
      o["epc_uri"] = c.epc_uri;
      o["tid_hex"] = c.tid_hex;
      o["tid_model"] = c.tid_model;
      o["document"] = to_string(c.document);
      o["read_count"] = c.read_count;
      o["peak_rssi_dbm"] = c.peak_rssi_cdbm / 100.0;
      o["direction"] = to_string(c.direction);
      o["time_source"] = to_string(c.time_source);
      o["host_clock_synchronized"] = c.host_clock_synchronized;
      o["source"] = c.source;
      out << boost::json::serialize(o) << "\n";
    } else {
      char line[256];
      const int n = std::snprintf(line, sizeof line, "%-25s %-5s %-7llu %-15s %5u %-13s %s\n",
                                  utc_text(c.first_seen_utc_us, UtcDigits::millis).c_str(),
                                  c.lane_id.c_str(), static_cast<unsigned long long>(c.sequence),
                                  std::string(to_string(c.document)).c_str(), c.read_count,
                                  std::string(to_string(c.direction)).c_str(), c.epc_hex.c_str());
      if (n > 0) out.write(line, std::min<std::streamsize>(n, sizeof line - 1));
    }
  }
  if (page.next && !options.json) {
    out << "(more rows match: raise --limit or narrow with --lane/--since/--until)\n";
  }
  return kExitOk;
}

}  // namespace garita::daemon
