#include "garita/daemon/UserCommand.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <ostream>

#include "SecurityFiles.hpp"
#include "garita/common/HostClock.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::daemon {
namespace detail {

bool load_security_config(const std::string& path, config::SiteConfig& site, std::ostream& err) {
  std::string error;
  if (config::load_site_config(path, site, error)) {
    err << "garita: " << error << "\n";
    return false;
  }
  return true;
}

bool open_audit_for_append(const config::SiteConfig& site, security::AuditLog& log,
                           std::ostream& err) {
  security::AuditLogOptions options;
  options.sign_every_rows = site.security.audit_sign_every_rows;
  options.sign_every = std::chrono::seconds(site.security.audit_sign_every_seconds);
  if (!site.security.signing_key.empty()) {
    auto key = std::make_shared<security::SigningKey>();
    std::string error;
    if (security::SigningKey::load(site.security.signing_key, site.security.signing_cert, *key,
                                   error)) {
      err << "garita: " << error << "\n";
      return false;
    }
    options.key = std::move(key);
  }
  if (log.open(site.security.audit_db, options)) {
    err << "garita: " << log.last_error() << "\n";
    return false;
  }
  return true;
}

security::AuditEvent local_event(std::string action, std::optional<security::Role> role) {
  security::AuditEvent e;
  e.user = local_actor();
  e.role = role;
  e.action = std::move(action);
  e.peer = "local:" + e.user;
  return e;
}

}  // namespace detail

std::string local_actor() {
  // Under sudo the person is SUDO_USER; the uid is root's.
  if (::getuid() == 0) {
    if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0') {
      std::string name(sudo);
      if (name.size() <= 32) return name;
    }
  }
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[1024];
  if (::getpwuid_r(::getuid(), &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid" + std::to_string(::getuid());
}

namespace {

// The user commands: config, users database, audit log, all open.
struct Session {
  config::SiteConfig site;
  security::UserStore users;
  security::AuditLog audit;
  std::int64_t now = host_now().utc_us;

  bool open(const UserCommandOptions& options, std::ostream& err, bool writes) {
    if (!detail::load_security_config(options.config, site, err)) return false;
    security::UserStoreOptions uo;
    uo.read_only = !writes;
    uo.create = writes;
    if (users.open(site.security.users_db, uo)) {
      err << "garita: " << users.last_error() << "\n";
      return false;
    }
    return detail::open_audit_for_append(site, audit, err);
  }

  // Records the change; a change that cannot be audited is reported as a
  // failure (exit 1) even though it happened, so it is noticed.
  bool audit_row(const security::AuditEvent& event, std::ostream& err) {
    if (audit.append(event, now, nullptr)) {
      err << "garita: could not write the audit row: " << audit.last_error() << "\n";
      return false;
    }
    return true;
  }

  bool lifetime(const UserCommandOptions& options, std::chrono::seconds& out, std::ostream& err) {
    const double hours = options.expires_hours.value_or(site.security.token_lifetime_hours);
    if (!std::isfinite(hours) || hours < 1.0 / 60 || hours > 24.0 * 90) {
      err << "garita: --expires-hours must be from 0.017 (1 minute) to 2160 (90 days)\n";
      return false;
    }
    out = std::chrono::seconds(static_cast<std::int64_t>(std::llround(hours * 3600)));
    return true;
  }
};

void print_token(const security::IssuedToken& t, std::ostream& out) {
  // The only place a token is ever shown. stdout only: a terminal or a pipe
  // the administrator chose, never a log.
  out << t.token << "\n";
  out << "# token " << t.info.id << " for " << t.info.user << ", expires "
      << utc_text(t.info.expires_utc_us) << " (shown once; garita keeps only its SHA-256)\n";
}

}  // namespace

int run_user_add(const UserCommandOptions& options, std::ostream& out, std::ostream& err) {
  const auto role = security::parse_role(options.role);
  if (!role) {
    err << "garita: --role '" << options.role
        << "' is not a role (technician, officer, supervisor, auditor, admin)\n";
    return kExitBadInput;
  }
  if (!security::is_valid_user_name(options.name)) {
    err << "garita: user name must be 1 to 32 of a-z 0-9 . _ - starting with a letter or digit\n";
    return kExitBadInput;
  }
  Session s;
  if (!s.open(options, err, true)) return kExitBadInput;
  std::chrono::seconds lifetime{};
  if (!s.lifetime(options, lifetime, err)) return kExitBadInput;
  auto event = detail::local_event("user.add", security::Role::admin);
  event.terms = boost::json::object{{"name", options.name}, {"role", options.role}};
  security::User user;
  if (auto ec = s.users.add_user(options.name, *role, s.now, user)) {
    event.outcome = security::AuditOutcome::failed;
    s.audit_row(event, err);
    err << "garita: " << s.users.last_error() << "\n";
    return ec == security::Errc::user_exists ? kExitBadInput : 1;
  }
  event.records = 1;
  if (!s.audit_row(event, err)) return 1;
  security::IssuedToken token;
  auto issue = detail::local_event("token.issue", security::Role::admin);
  issue.terms = boost::json::object{{"name", options.name}, {"lifetime_s", lifetime.count()}};
  if (s.users.issue_token(options.name, lifetime, s.now, token)) {
    issue.outcome = security::AuditOutcome::failed;
    s.audit_row(issue, err);
    err << "garita: user added but no token: " << s.users.last_error() << "\n";
    return 1;
  }
  issue.records = 1;
  if (!s.audit_row(issue, err)) return 1;
  out << "# user " << user.name << " added with role " << security::to_string(user.role) << "\n";
  print_token(token, out);
  return kExitOk;
}

int run_user_token(const UserCommandOptions& options, std::ostream& out, std::ostream& err) {
  Session s;
  if (!s.open(options, err, true)) return kExitBadInput;
  std::chrono::seconds lifetime{};
  if (!s.lifetime(options, lifetime, err)) return kExitBadInput;
  auto issue = detail::local_event("token.issue", security::Role::admin);
  issue.terms = boost::json::object{{"name", options.name}, {"lifetime_s", lifetime.count()}};
  security::IssuedToken token;
  if (auto ec = s.users.issue_token(options.name, lifetime, s.now, token)) {
    issue.outcome = security::AuditOutcome::failed;
    s.audit_row(issue, err);
    err << "garita: " << s.users.last_error() << "\n";
    return ec == security::Errc::unknown_user || ec == security::Errc::bad_user_name ? kExitBadInput
                                                                                     : 1;
  }
  issue.records = 1;
  if (!s.audit_row(issue, err)) return 1;
  print_token(token, out);
  return kExitOk;
}

int run_user_list(const UserCommandOptions& options, std::ostream& out, std::ostream& err) {
  Session s;
  if (!s.open(options, err, false)) return kExitBadInput;
  std::vector<security::User> users;
  std::vector<security::TokenInfo> tokens;
  if (s.users.list_users(users) || s.users.list_tokens("", tokens)) {
    err << "garita: " << s.users.last_error() << "\n";
    return 1;
  }
  auto event = detail::local_event("user.list", security::Role::admin);
  event.records = static_cast<std::int64_t>(users.size());
  if (!s.audit_row(event, err)) return 1;
  // Never tokens or hashes: ids, dates and states only.
  out << "user                             role        created               state\n";
  for (const auto& u : users) {
    char line[160];
    // An overlong user name is cut at the line size, like the column header.
    static_cast<void>(std::snprintf(line, sizeof line, "%-32s %-11s %-21s %s\n", u.name.c_str(),
                                    std::string(security::to_string(u.role)).c_str(),
                                    utc_text(u.created_utc_us).c_str(),
                                    u.disabled ? "disabled" : "enabled"));
    out << line;
    for (const auto& t : tokens) {
      if (t.user != u.name) continue;
      const char* state = t.revoked_utc_us != 0       ? "revoked"
                          : t.expires_utc_us <= s.now ? "expired"
                                                      : "valid";
      out << "    token " << t.id << ": issued " << utc_text(t.issued_utc_us) << ", expires "
          << utc_text(t.expires_utc_us) << ", " << state << "\n";
    }
  }
  return kExitOk;
}

int run_user_revoke(const UserCommandOptions& options, std::ostream& out, std::ostream& err) {
  if (options.name.empty() == !options.token_id.has_value()) {
    err << "garita: give a user NAME or --token-id ID (one of them)\n";
    return kExitBadInput;
  }
  Session s;
  if (!s.open(options, err, true)) return kExitBadInput;
  auto event = detail::local_event("user.revoke", security::Role::admin);
  if (options.token_id) {
    event.terms = boost::json::object{{"token_id", *options.token_id}};
    std::string owner;
    if (auto ec = s.users.revoke_token(*options.token_id, s.now, owner)) {
      event.outcome = security::AuditOutcome::failed;
      s.audit_row(event, err);
      err << "garita: " << s.users.last_error() << "\n";
      return ec == security::Errc::token_unknown ? kExitBadInput : 1;
    }
    event.records = 1;
    if (!s.audit_row(event, err)) return 1;
    out << "token " << *options.token_id << " of " << owner << " revoked\n";
    return kExitOk;
  }
  event.terms = boost::json::object{{"name", options.name}};
  std::size_t count = 0;
  if (auto ec = s.users.revoke_user_tokens(options.name, s.now, count)) {
    event.outcome = security::AuditOutcome::failed;
    s.audit_row(event, err);
    err << "garita: " << s.users.last_error() << "\n";
    return ec == security::Errc::unknown_user || ec == security::Errc::bad_user_name ? kExitBadInput
                                                                                     : 1;
  }
  event.records = static_cast<std::int64_t>(count);
  if (!s.audit_row(event, err)) return 1;
  out << count << " token(s) of " << options.name << " revoked\n";
  return kExitOk;
}

int run_user_disable(const UserCommandOptions& options, bool disable, std::ostream& out,
                     std::ostream& err) {
  Session s;
  if (!s.open(options, err, true)) return kExitBadInput;
  auto event = detail::local_event(disable ? "user.disable" : "user.enable", security::Role::admin);
  event.terms = boost::json::object{{"name", options.name}};
  if (auto ec = s.users.set_disabled(options.name, disable, s.now)) {
    event.outcome = security::AuditOutcome::failed;
    s.audit_row(event, err);
    err << "garita: " << s.users.last_error() << "\n";
    return ec == security::Errc::unknown_user || ec == security::Errc::bad_user_name ? kExitBadInput
                                                                                     : 1;
  }
  event.records = 1;
  if (!s.audit_row(event, err)) return 1;
  out << "user " << options.name << (disable ? " disabled" : " enabled") << "\n";
  return kExitOk;
}

}  // namespace garita::daemon
