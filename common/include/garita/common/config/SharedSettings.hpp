#pragma once
// Settings that garitad.toml and garita-lane.toml both carry, read with one
// set of rules and messages so that a lane is configured, and behaves, the
// same behind either program: the port (code and time zone), plain ids, a
// lane's debounce rules (docs/lane-pipeline.md), an antenna's role and an
// llrps:// reader's TLS files.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/common/config/SiteConfig.hpp"
#include "garita/common/config/TomlTableReader.hpp"

namespace garita::config {

// Lane and reader ids end up in crossing ids, logs, URLs and a lane
// certificate's CN: 1 to 16 letters, digits, '-' or '_'.
bool is_plain_id(std::string_view id);

// The required keys port_code (2 to 8 upper-case letters or digits) and
// time_zone (an IANA name in the system's tz database, when installed).
std::error_code read_port(TomlTableReader& r, std::string& port_code, std::string& time_zone);

// The optional keys gap_s, min_reads, min_rssi_dbm, rearm_s and
// max_open_sessions; absent keys keep `d`'s values.
std::error_code read_debounce(TomlTableReader& r, DebounceSettings& d);

// The optional keys tls_ca, tls_cert and tls_key of a reader (paths made by
// `resolve`): only for an llrps:// reader (`llrps`), which needs tls_ca; the
// client certificate and key come together, else `pair_message`.
using ConfigPathResolver = std::function<std::filesystem::path(const std::string&)>;
std::error_code read_reader_tls(TomlTableReader& r, bool llrps, const ConfigPathResolver& resolve,
                                std::string& ca, std::string& cert, std::string& key,
                                std::string_view pair_message);

// The optional key role: "entry", "exit" or "both" (the default). `Role` is
// config::AntennaRole or lane::AntennaRole.
template <typename Role>
std::error_code read_antenna_role(TomlTableReader& r, Role& out) {
  std::string role = "both";
  if (auto ec = r.optional_string("role", role)) return ec;
  if (role == "entry") {
    out = Role::entry;
  } else if (role == "exit") {
    out = Role::exit;
  } else if (role == "both") {
    out = Role::both;
  } else {
    return r.fail(Errc::config_bad_value, "role",
                  "unknown role " + in_quotes(role) + " (expected entry, exit or both)");
  }
  return {};
}

}  // namespace garita::config
