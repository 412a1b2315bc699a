#pragma once
// `garita purge`: the retention purge by hand (docs/operations.md
// "Retention"). Same code as garitad's daily job, on its own connection
// (safe while garitad runs: WAL, bounded transactions, busy timeout).
// --dry-run prints per class what would go and the oldest/newest kept record
// and changes nothing. Every run, dry or not, is one "retention.purge" audit
// row. Exit 0 ok, 2 config/usage, 1 runtime failure (including purged data
// still found in the files).
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace garita::daemon {

struct PurgeCommandOptions {
  std::string config = "/etc/garita/garitad.toml";
  bool dry_run = false;
  std::vector<std::string> classes;  // empty: every class
  std::optional<std::string> now;    // for tests: UTC time the schedule is measured from
};

int run_purge(const PurgeCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace garita::daemon
