#pragma once
// `garita audit verify` and `garita audit list`: the auditor's local tools
// (docs/security.md). verify exits 0 when the chain and every signature
// check out (warnings such as an unsigned tail are printed but still 0), 1
// with "row N: what" when the log was tampered with, 2 for usage/config
// problems. list prints rows (it is itself audited as "audit.read").
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace garita::daemon {

inline constexpr int kExitAuditTampered = 1;

struct AuditCommandOptions {
  std::string config = "/etc/garita/garitad.toml";
  std::vector<std::string> certificates;  // verify: extra certs/public keys (key rollover)
  std::optional<std::string> since;       // list: UTC time or age (see parse_time_arg)
  std::optional<std::string> until;
  std::optional<std::string> user;
  std::optional<std::string> action;
  std::size_t limit = 100;
  bool json = false;
};

int run_audit_verify(const AuditCommandOptions& options, std::ostream& out, std::ostream& err);
int run_audit_list(const AuditCommandOptions& options, std::ostream& out, std::ostream& err);
// Retention by hand or from a timer unit: purges rows older than [security]
// audit_retention_days in whole signed segments (docs/security.md).
int run_audit_purge(const AuditCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace garita::daemon
