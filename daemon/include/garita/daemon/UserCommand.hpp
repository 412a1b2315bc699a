#pragma once
// `garita user ...`: the local administrator's tool for API users and tokens
// (docs/security.md). Reads [security] from garitad's config to find the
// users database and the audit log; every change is an audit row by the
// local account (SUDO_USER under sudo), with role "admin" and peer
// "local:ACCOUNT". Tokens are printed once, on stdout, and nowhere else.
#include <iosfwd>
#include <optional>
#include <string>

namespace garita::daemon {

inline constexpr const char* kDefaultConfigPath = "/etc/garita/garitad.toml";

struct UserCommandOptions {
  std::string config = kDefaultConfigPath;
  std::string name;                     // add, revoke, token, disable, enable
  std::string role;                     // add
  std::optional<double> expires_hours;  // add, token: default [security] token_lifetime_hours
  std::optional<long long> token_id;    // revoke --token-id
};

int run_user_add(const UserCommandOptions& options, std::ostream& out, std::ostream& err);
int run_user_list(const UserCommandOptions& options, std::ostream& out, std::ostream& err);
int run_user_revoke(const UserCommandOptions& options, std::ostream& out, std::ostream& err);
int run_user_token(const UserCommandOptions& options, std::ostream& out, std::ostream& err);
int run_user_disable(const UserCommandOptions& options, bool disable, std::ostream& out,
                     std::ostream& err);

// The local account acting: SUDO_USER when run through sudo as root, else
// the account of getuid(). Used as the audit row's user.
std::string local_actor();

}  // namespace garita::daemon
