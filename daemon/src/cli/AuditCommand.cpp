#include "garita/daemon/AuditCommand.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <ostream>
#include <tuple>

#include "SecurityFiles.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/daemon/CrossingsCommand.hpp"
#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::daemon {
namespace {}  // namespace

int run_audit_verify(const AuditCommandOptions& options, std::ostream& out, std::ostream& err) {
  config::SiteConfig site;
  if (!detail::load_security_config(options.config, site, err)) return kExitBadInput;
  std::vector<security::VerifyKey> keys;
  std::vector<std::string> files = options.certificates;
  if (!site.security.signing_cert.empty()) files.push_back(site.security.signing_cert.string());
  for (const std::string& file : files) {
    security::VerifyKey key;
    std::string error;
    if (security::VerifyKey::load(file, key, error)) {
      err << "garita: " << error << "\n";
      return kExitBadInput;
    }
    keys.push_back(std::move(key));
  }
  // Verification needs no private key and writes nothing: an auditor can
  // run it on a copy of the file.
  security::AuditLog log;
  security::AuditLogOptions lo;
  lo.read_only = true;
  lo.create = false;
  if (log.open(site.security.audit_db, lo)) {
    err << "garita: " << log.last_error() << "\n";
    return kExitBadInput;
  }
  security::AuditVerifyReport report;
  if (log.verify(keys, report)) {
    err << "garita: " << log.last_error() << "\n";
    return kExitBadInput;
  }
  const std::string file = site.security.audit_db.string();
  for (const std::string& w : report.warnings) out << "warning: " << w << "\n";
  if (!report.ok) {
    out << file << ": TAMPERED: " << report.problem << "\n";
    err << "garita: audit log " << file << ": " << report.problem << "\n";
    return kExitAuditTampered;
  }
  out << file << ": OK: " << report.rows_checked << " row(s) checked, " << report.signatures_checked
      << " signature(s) valid";
  if (report.anchor_row != 0)
    out << ", rows up to " << report.anchor_row << " purged (anchor signed)";
  out << "\n";
  if (report.last_row != 0) {
    out << "head: row " << report.last_row << " " << report.last_hash << " (last signed row "
        << report.last_signed_row << ")\n";
  }
  if (keys.empty() && report.signatures_checked == 0 && report.last_row != 0) {
    out << "warning: no certificate given ([security] signing_cert or --cert): signatures not "
           "checked\n";
  }
  return kExitOk;
}

int run_audit_list(const AuditCommandOptions& options, std::ostream& out, std::ostream& err) {
  config::SiteConfig site;
  if (!detail::load_security_config(options.config, site, err)) return kExitBadInput;
  security::AuditQuery q;
  const std::int64_t now = host_now().utc_us;
  std::string why;
  for (auto [arg, text, field] : {std::tuple{"--since", &options.since, &q.since_utc_us},
                                  std::tuple{"--until", &options.until, &q.until_utc_us}}) {
    if (!*text) continue;
    std::int64_t t = 0;
    if (!parse_time_arg(**text, now, t, why)) {
      err << "garita: " << arg << " " << why << "\n";
      return kExitBadInput;
    }
    *field = t;
  }
  if (options.limit == 0 || options.limit > 10000) {
    err << "garita: --limit must be from 1 to 10000\n";
    return kExitBadInput;
  }
  q.limit = options.limit;
  q.user = options.user;
  q.action = options.action;

  security::AuditLog log;
  if (!detail::open_audit_for_append(site, log, err)) return kExitBadInput;
  std::vector<security::AuditRecord> rows;
  // The local account reads as an auditor; reading is itself audited.
  auto event = detail::local_event("audit.read", security::Role::auditor);
  boost::json::object terms;
  if (q.since_utc_us) terms["since_utc_us"] = *q.since_utc_us;
  if (q.until_utc_us) terms["until_utc_us"] = *q.until_utc_us;
  if (q.user) terms["user"] = *q.user;
  if (q.action) terms["action"] = *q.action;
  terms["limit"] = q.limit;
  event.terms = std::move(terms);
  if (log.query(security::Role::auditor, q, rows)) {
    err << "garita: " << log.last_error() << "\n";
    return 1;
  }
  event.records = static_cast<std::int64_t>(rows.size());
  if (log.append(event, now, nullptr)) {
    err << "garita: could not audit this read: " << log.last_error() << "\n";
    return 1;
  }
  if (!options.json)
    out << "id      utc                          user         role        action               "
           "records outcome peer  terms\n";
  for (const auto& r : rows) {
    if (options.json) {
      boost::json::object o;
      o["id"] = r.id;
      o["utc"] = utc_text(r.utc_us, UtcDigits::micros);
      o["utc_us"] = r.utc_us;
      o["user"] = r.user;
      o["role"] = r.role;
      o["action"] = r.action;
      boost::system::error_code ec;
      o["terms"] = boost::json::parse(r.terms, ec);
      if (ec) o["terms"] = r.terms;
      o["records"] = r.records;
      o["outcome"] = r.outcome;
      o["peer"] = r.peer;
      o["row_hash"] = r.row_hash;
      out << boost::json::serialize(o) << "\n";
    } else {
      char line[256];
      // The fixed columns; an overlong user or action is cut at the line size.
      static_cast<void>(
          std::snprintf(line, sizeof line, "%-7lld %-28s %-12s %-11s %-20s %7lld %-7s ",
                        static_cast<long long>(r.id), utc_text(r.utc_us, UtcDigits::micros).c_str(),
                        r.user.c_str(), r.role.empty() ? "-" : r.role.c_str(), r.action.c_str(),
                        static_cast<long long>(r.records), r.outcome.c_str()));
      out << line << r.peer << "  " << r.terms << "\n";
    }
  }
  return kExitOk;
}

int run_audit_purge(const AuditCommandOptions& options, std::ostream& out, std::ostream& err) {
  config::SiteConfig site;
  if (!detail::load_security_config(options.config, site, err)) return kExitBadInput;
  security::AuditLog log;
  if (!detail::open_audit_for_append(site, log, err)) return kExitBadInput;
  const std::int64_t now = host_now().utc_us;
  const std::int64_t cutoff =
      now - static_cast<std::int64_t>(site.security.audit_retention_days) * 86'400'000'000;
  security::AuditPurgeResult result;
  const auto actor = detail::local_event("audit.purge", security::Role::admin);
  if (auto ec = log.purge_older_than(cutoff, now, actor, result)) {
    err << "garita: " << log.last_error() << "\n";
    return ec == security::Errc::audit_tampered ? kExitAuditTampered : 1;
  }
  if (result.through_row == 0) {
    out << "nothing to purge: no whole signed segment is older than "
        << site.security.audit_retention_days << " days\n";
  } else {
    out << result.rows_deleted << " row(s) purged, through row " << result.through_row
        << " (older than " << utc_text(cutoff, UtcDigits::micros) << "); the anchor is signed\n";
  }
  return kExitOk;
}

}  // namespace garita::daemon
