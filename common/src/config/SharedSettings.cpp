#include "garita/common/config/SharedSettings.hpp"

#include <cstdint>
#include <utility>

namespace garita::config {
namespace {

bool is_port_code(std::string_view code) {
  if (code.size() < 2 || code.size() > 8) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// IANA zone names are checked against the system's tz database when it is
// installed (Debian's tzdata); the daemon needs it to print local times. A
// host without it (a lane board without tzdata) cannot check here.
bool is_known_time_zone(std::string_view name) {
  const std::filesystem::path db = "/usr/share/zoneinfo";
  std::error_code ec;
  if (!std::filesystem::is_directory(db, ec)) return true;
  if (name.empty() || name.find("..") != std::string_view::npos || name.front() == '/') {
    return false;
  }
  return std::filesystem::is_regular_file(db / name, ec);
}

}  // namespace

bool is_plain_id(std::string_view id) {
  if (id.empty() || id.size() > 16) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::error_code read_port(TomlTableReader& r, std::string& port_code, std::string& time_zone) {
  if (auto ec = r.required_string("port_code", port_code,
                                  "the port of entry's code, e.g. port_code = \"SYS\"")) {
    return ec;
  }
  if (!is_port_code(port_code)) {
    return r.fail(Errc::config_bad_value, "port_code",
                  in_quotes(port_code) + " must be 2 to 8 upper-case letters or digits");
  }
  if (auto ec = r.required_string("time_zone", time_zone,
                                  "the port's IANA time zone, e.g. \"America/Tijuana\"")) {
    return ec;
  }
  if (!is_known_time_zone(time_zone)) {
    return r.fail(Errc::config_bad_value, "time_zone",
                  in_quotes(time_zone) +
                      " is not a time zone in /usr/share/zoneinfo (e.g. \"America/Tijuana\")");
  }
  return {};
}

std::error_code read_debounce(TomlTableReader& r, DebounceSettings& d) {
  if (auto ec = r.optional_number("gap_s", 0.1, 60, d.gap_s)) return ec;
  std::int64_t min_reads = d.min_reads;
  if (auto ec = r.optional_int("min_reads", 1, 1000, min_reads)) return ec;
  d.min_reads = static_cast<std::uint32_t>(min_reads);
  if (auto ec = r.optional_number("min_rssi_dbm", -128, 0, d.min_rssi_dbm)) return ec;
  if (auto ec = r.optional_number("rearm_s", 0, 3600, d.rearm_s)) return ec;
  std::int64_t max_open = d.max_open_sessions;
  if (auto ec = r.optional_int("max_open_sessions", 16, 1000000, max_open)) return ec;
  d.max_open_sessions = static_cast<std::uint32_t>(max_open);
  return {};
}

std::error_code read_reader_tls(TomlTableReader& r, bool llrps, const ConfigPathResolver& resolve,
                                std::string& ca, std::string& cert, std::string& key,
                                std::string_view pair_message) {
  for (auto [name, field] :
       {std::pair{"tls_ca", &ca}, std::pair{"tls_cert", &cert}, std::pair{"tls_key", &key}}) {
    std::string value;
    if (auto ec = r.optional_string(name, value)) return ec;
    if (!value.empty()) *field = resolve(value).string();
  }
  const bool any_tls = !ca.empty() || !cert.empty() || !key.empty();
  if (any_tls && !llrps) {
    return r.fail(Errc::config_bad_value, "uri",
                  "tls_ca/tls_cert/tls_key are only used with llrps:// readers");
  }
  if (llrps && ca.empty()) {
    return r.fail(Errc::config_missing_key, "tls_ca",
                  "an llrps:// reader needs tls_ca: the CA file that signed its certificate");
  }
  if (cert.empty() != key.empty()) {
    return r.fail(Errc::config_bad_value, cert.empty() ? "tls_cert" : "tls_key", pair_message);
  }
  return {};
}

}  // namespace garita::config
