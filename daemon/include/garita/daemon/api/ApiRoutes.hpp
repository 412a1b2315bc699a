#pragma once
// The API's route table and role matrix (docs/api.md "Roles"). Pure: the
// service asks route() what a request is, then permits() whether the
// caller's role may do it, before touching any store.
//
// Which permission each endpoint needs (security::Permission):
//   /v1/status, the status page data   view_status
//   /metrics                           view_metrics (or loopback without a token)
//   /v1/crossings                      search_crossings
//   /v1/live, /v1/live/ticket          live_feed, else view_status (masked feed)
//   /v1/audit                          read_audit
//   POST /v1/batches (export)          manage_batches
//   GET /v1/batches[/{id}], /v1/retention
//                                      manage_batches, or read_audit: the batch
//                                      ledger (custody) and the retention dry
//                                      run hold no personal data and are what
//                                      an audit checks
//   /v1/entry-records[/{id}]           search_crossings: the role that handles
//                                      travellers' personal data (officers)
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "garita/daemon/security/Role.hpp"

namespace garita::daemon::api {

enum class Endpoint : std::uint8_t {
  status_page,    // GET /            (static, no token: the page asks for one)
  static_asset,   // GET /static/*    (static, no token)
  health,         // GET /v1/health   (no token, no personal data)
  metrics,        // GET /metrics     (token, or loopback without one)
  status,         // GET /v1/status
  crossings,      // GET /v1/crossings
  live,           // GET /v1/live     (WebSocket)
  live_ticket,    // POST /v1/live/ticket (a one-time ticket for the browser's WebSocket)
  audit,          // GET /v1/audit
  batches,        // GET /v1/batches  (the batch ledger)
  retention,      // GET /v1/retention (dry-run retention report; purging stays a CLI/daily job)
  batch,          // GET /v1/batches/{batch_id}
  batch_export,   // POST /v1/batches  (export a period to [exchange] export_dir)
  entry_records,  // POST /v1/entry-records (an officer-entered record)
  entry_record,   // GET /v1/entry-records/{id}
};

std::string_view to_string(Endpoint endpoint) noexcept;

enum class RouteResult : std::uint8_t { found, not_found, method_not_allowed };

struct Route {
  RouteResult result = RouteResult::not_found;
  Endpoint endpoint = Endpoint::health;
  std::string_view allow;  // the Allow header for 405, e.g. "GET"
};

// `method` as on the request line ("GET", "POST", ...); `path` decoded.
Route route(std::string_view method, std::string_view path) noexcept;

// The {id} of "/v1/batches/{id}" or "/v1/entry-records/{id}" (route() gave
// batch or entry_record); empty otherwise.
std::string_view path_id(Endpoint endpoint, std::string_view path) noexcept;

// Whether the endpoint needs a bearer token at all.
bool needs_token(Endpoint endpoint) noexcept;

// The permission an endpoint needs (nullopt: none, e.g. health). The role
// matrix itself is security::allows (Role.hpp): one table for the product.
std::optional<security::Permission> required_permission(Endpoint endpoint) noexcept;

// May `role` use `endpoint`?
bool permits(Endpoint endpoint, security::Role role) noexcept;

// Every endpoint, for the role matrix tests and docs.
std::span<const Endpoint> all_endpoints() noexcept;

}  // namespace garita::daemon::api
