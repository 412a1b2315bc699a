#pragma once
// The person-facing CLI commands; each goes through garitad's API so the
// search is authorised and audited exactly like one from the status page:
//   garita search [--epc HEX] [--lane L] [--document T] [--since T] [--until T]
//                 [--limit N] [--all] [--json]
//   garita status [--json]
//   garita tail   [--json] [--count N] [--seconds S]
// Common: --url https://127.0.0.1:8443 --ca FILE --token-file FILE. The token
// is never an argument (it would show in `ps` and shell history); the token
// file must not be readable by group or others.
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

namespace garita::daemon::api {

struct ApiConnectOptions {
  std::string url = "https://127.0.0.1:8443";
  std::string ca_file;     // default: $GARITA_API_CA, else /etc/garita/api-ca.pem
  std::string token_file;  // default: $GARITA_TOKEN_FILE, else ~/.config/garita/token
};

struct SearchOptions {
  ApiConnectOptions connect;
  std::optional<std::string> epc, lane, document, since, until;
  std::size_t limit = 100;
  bool all = false;  // follow "next" until every match is printed (at most 100000 rows)
  bool json = false;
};

struct StatusOptions {
  ApiConnectOptions connect;
  bool json = false;
};

struct TailOptions {
  ApiConnectOptions connect;
  bool json = false;
  std::size_t count = 0;  // stop after this many crossings (0: never)
  double seconds = 0;     // stop after this long (0: never)
};

int run_search(const SearchOptions& options, std::ostream& out, std::ostream& err);
int run_status(const StatusOptions& options, std::ostream& out, std::ostream& err);
int run_tail(const TailOptions& options, std::ostream& out, std::ostream& err);

}  // namespace garita::daemon::api
