// The API's request handling up to the point where a store would be asked:
// Beast's request parser (with the API listener's header/body limits), then
// request-target parsing, routing, the role check for every role and the
// query-parameter parsers. Nothing may crash or hang; every refusal must
// name what was wrong.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "garita/daemon/api/ApiRoutes.hpp"
#include "garita/daemon/api/CrossingQuery.hpp"
#include "garita/daemon/api/RequestTarget.hpp"

namespace {

void check_target(std::string_view text) {
  using namespace garita::daemon::api;
  RequestTarget t;
  std::string why;
  if (parse_request_target(text, t, why)) {
    if (why.empty()) std::abort();
    return;
  }
  if (t.path.empty() || t.path.front() != '/') std::abort();
  for (const auto& [k, v] : t.params) {
    if (k.empty() || k.size() > 32 || v.size() > 256) std::abort();
  }
  for (std::string_view method : {"GET", "POST", "PUT"}) {
    const Route r = route(method, t.path);
    if (r.result != RouteResult::found) continue;
    for (auto role : {garita::security::Role::technician, garita::security::Role::officer,
                      garita::security::Role::supervisor, garita::security::Role::auditor,
                      garita::security::Role::admin}) {
      (void)permits(r.endpoint, role);
    }
  }
  garita::store::CrossingFilter f;
  if (parse_crossing_query(t, 1'795'420'800'000'000, f, why)) {
    if (why.empty()) std::abort();
  } else if (f.limit == 0 || f.limit > kMaxPageRows) {
    std::abort();
  }
  AuditQuery q;
  if (parse_audit_query(t, 1'795'420'800'000'000, q, why) && why.empty()) std::abort();
  (void)search_terms_text(t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The raw bytes as a request-target, too: the parser's own input.
  check_target(bytes);

  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);  // the API listener's limits (ListenerOptions)
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const std::size_t n =
        parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_header_done()) return 0;
  const auto& req = parser.get();
  check_target(std::string_view(req.target().data(), req.target().size()));
  return 0;
}
