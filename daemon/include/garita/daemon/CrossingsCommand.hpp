#pragma once
// `garita crossings --db PATH [--lane L] [--since T] [--until T] [--limit N] [--json]`:
// the local administrator's direct look at the crossings database (read
// only). Person-facing searches go through garitad's audited API instead.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace garita::daemon {

struct CrossingsOptions {
  std::string db;
  std::optional<std::string> lane;
  std::optional<std::string>
      since;  // "2026-11-23T10:00:00Z", "2026-11-23", or "15m", "2h", "1d" ago
  std::optional<std::string> until;
  std::size_t limit = 100;
  bool json = false;
  bool count_only = false;
};

int run_crossings(const CrossingsOptions& options, std::ostream& out, std::ostream& err);

// Parses a --since/--until value into UTC µs; `now_utc_us` anchors relative
// values. Returns false with `why` set when it is neither form.
bool parse_time_arg(std::string_view text, std::int64_t now_utc_us, std::int64_t& out,
                    std::string& why);

}  // namespace garita::daemon
