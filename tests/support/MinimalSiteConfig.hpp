#pragma once
// The smallest valid garitad.toml (one reader, one lane with one antenna),
// the base that config tests add to or break one key of. Header-only.
#include <filesystem>
#include <string>
#include <string_view>

namespace garita::test {

// Where the tests' configs "are": relative paths resolve to /etc/garita/.
inline const std::filesystem::path kSiteConfigSource = "/etc/garita/garitad.toml";

// `database_path` is [database] path; `after_path` follows it verbatim (more
// [database] keys, then other tables) before the [[reader]] block.
inline std::string minimal_site_config(std::string_view database_path = "crossings.db",
                                       std::string_view after_path = "") {
  std::string text = R"(
[site]
port_code = "SYS"
time_zone = "UTC"

[database]
path = ")";
  text += database_path;
  text += "\"\n";
  text += after_path;
  text += R"(
[[reader]]
id = "r1"
uri = "llrp://127.0.0.1:5084"

[[lane]]
id = "P01"
[[lane.antenna]]
reader = "r1"
antenna = 1
)";
  return text;
}

}  // namespace garita::test
