#pragma once
// `garita batch`: the supervisor's weekly exchange with the partner agency
// by hand (docs/operations.md "Weekly exchange"), on its own connection to
// the crossing database (safe while garitad runs: WAL, busy timeout) and
// with the same code as garitad's /v1/batches (exchange/BatchExchange.hpp).
//
//   export --period 2026-W47 --to DIR   seal the period's new records to the partner
//   import FILE                         open a returned batch, store its entry records
//   list [--period P]                   the batch ledger
//   rewrite BATCH_ID --to DIR           write an earlier export batch's file again
//
// Run as the service account or root (the key files are mode 0600); the
// operator is recorded as "local:<login>" (SUDO_USER under sudo). Every
// export and import is a custody row in the audit log. Exit 0 ok, 2 bad
// usage or config ([exchange] missing, unreadable key), 1 runtime failure,
// 3 an import file rejected ("garita: batch rejected: <reason>").
#include <cstddef>
#include <iosfwd>
#include <string>

namespace garita::daemon {

inline constexpr int kExitBatchRejected = 3;

struct BatchCommandOptions {
  std::string config = "/etc/garita/garitad.toml";
  std::string period;       // export, list: ISO week "2026-W47"
  std::string to;           // export, rewrite: the exchange device's folder
  std::string file;         // import: the returned batch file
  std::string batch_id;     // rewrite
  std::size_t limit = 100;  // list: rows
};

int run_batch_export(const BatchCommandOptions& options, std::ostream& out, std::ostream& err);
int run_batch_import(const BatchCommandOptions& options, std::ostream& out, std::ostream& err);
int run_batch_list(const BatchCommandOptions& options, std::ostream& out, std::ostream& err);
int run_batch_rewrite(const BatchCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace garita::daemon
