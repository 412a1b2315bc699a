#pragma once
// Splits an HTTP request-target (RFC 9112 §3.2, origin-form) into its path
// and its query parameters, percent-decoded (RFC 3986 §2.1). Pure: bytes in,
// values out, bounded. Refuses anything odd with one line naming what: a
// repeated parameter, a control character, a bad %-escape, too many or too
// long parameters. The API never guesses what a malformed search meant.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace garita::daemon::api {

struct TargetLimits {
  std::size_t max_target = 4096;
  std::size_t max_params = 16;
  std::size_t max_value = 256;
};

struct RequestTarget {
  std::string path;                                         // decoded, e.g. "/v1/crossings"
  std::vector<std::pair<std::string, std::string>> params;  // in order, names unique

  std::optional<std::string_view> get(std::string_view name) const noexcept;
};

// Returns ApiErrc::bad_target and sets `why` when `target` is not a clean
// origin-form target.
std::error_code parse_request_target(std::string_view target, RequestTarget& out, std::string& why,
                                     const TargetLimits& limits = {});

// Percent-decodes one component ('+' is a space in query components, as
// HTML forms send it). False on a bad escape or a decoded control byte.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);

// Percent-encodes a query value (RFC 3986 unreserved characters kept).
std::string percent_encode(std::string_view in);

}  // namespace garita::daemon::api
