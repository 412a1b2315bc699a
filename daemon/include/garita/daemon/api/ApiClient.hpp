#pragma once
// A small HTTPS client for garitad's API, used by `garita search|status|tail`
// and the tests: one request per connection (no pooling needed for a CLI),
// TLS 1.2+ verified against a CA file with the host name or IP checked
// (RFC 6125; SSL_set1_host / X509_VERIFY_PARAM_set1_ip_asc), the token in
// the Authorization header only, every step bounded by a timeout.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace garita::daemon::api {

struct ApiUrl {
  std::string host;  // name or IP (IPv6 without brackets)
  std::uint16_t port = 8443;
};
// "https://HOST[:PORT][/]"; false with `why` otherwise (http:// refused).
bool parse_api_url(std::string_view text, ApiUrl& out, std::string& why);

// Reads a token file: refused when group/other may read it, or when it does
// not hold one "gar_..." token (surrounding whitespace ignored).
bool read_token_file(const std::filesystem::path& path, std::string& token, std::string& why);

struct ApiClientOptions {
  ApiUrl url;
  std::filesystem::path ca_file;  // PEM: the CA that signed garitad's API certificate
  std::string token;              // "gar_..." (empty: send no Authorization header)
  std::chrono::milliseconds timeout{30'000};
};

struct ApiReply {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;
};

class ApiClient {
 public:
  explicit ApiClient(ApiClientOptions options) : options_(std::move(options)) {}

  // One request; `error` is one line when the exchange itself failed
  // (connect, TLS, timeout). HTTP errors are a reply with their status.
  std::error_code request(std::string_view method, std::string_view target, ApiReply& out,
                          std::string& error, std::string_view body = {});
  std::error_code get(std::string_view target, ApiReply& out, std::string& error) {
    return request("GET", target, out, error);
  }

  // WebSocket to `target` (e.g. "/v1/live"): calls on_message for each text
  // message until it returns false, `limit` passes or the server closes.
  // A refused upgrade puts its status and body in `refusal`.
  std::error_code websocket(std::string_view target,
                            const std::function<bool(const std::string&)>& on_message,
                            std::chrono::milliseconds limit, ApiReply& refusal, std::string& error);

 private:
  ApiClientOptions options_;
};

}  // namespace garita::daemon::api
