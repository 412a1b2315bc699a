#include "garita/daemon/api/ApiRoutes.hpp"

#include <array>

namespace garita::daemon::api {

std::string_view to_string(Endpoint endpoint) noexcept {
  switch (endpoint) {
    case Endpoint::status_page: return "status_page";
    case Endpoint::static_asset: return "static_asset";
    case Endpoint::health: return "health";
    case Endpoint::metrics: return "metrics";
    case Endpoint::status: return "status";
    case Endpoint::crossings: return "crossings";
    case Endpoint::live: return "live";
    case Endpoint::live_ticket: return "live_ticket";
    case Endpoint::audit: return "audit";
    case Endpoint::batches: return "batches";
    case Endpoint::retention: return "retention";
  }
  return "unknown";
}

namespace {

bool starts_with_segment(std::string_view path, std::string_view prefix) {
  // "/v1/batches" matches "/v1/batches" and "/v1/batches/2026-W47", not "/v1/batchesX".
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

Route get_only(std::string_view method, Endpoint e) {
  if (method == "GET") return {RouteResult::found, e, "GET"};
  return {RouteResult::method_not_allowed, e, "GET"};
}

}  // namespace

Route route(std::string_view method, std::string_view path) noexcept {
  if (path == "/" || path == "/index.html") return get_only(method, Endpoint::status_page);
  if (path.starts_with("/static/") && path.size() > 8) {
    return get_only(method, Endpoint::static_asset);
  }
  if (path == "/v1/health") return get_only(method, Endpoint::health);
  if (path == "/metrics") return get_only(method, Endpoint::metrics);
  if (path == "/v1/status") return get_only(method, Endpoint::status);
  if (path == "/v1/crossings") return get_only(method, Endpoint::crossings);
  if (path == "/v1/live") return get_only(method, Endpoint::live);
  if (path == "/v1/live/ticket") {
    if (method == "POST") return {RouteResult::found, Endpoint::live_ticket, "POST"};
    return {RouteResult::method_not_allowed, Endpoint::live_ticket, "POST"};
  }
  if (path == "/v1/audit") return get_only(method, Endpoint::audit);
  // Issue 7 will add GET (list) and POST (export/import, purge) under these.
  if (starts_with_segment(path, "/v1/batches")) {
    if (method == "GET" || method == "POST") return {RouteResult::found, Endpoint::batches, ""};
    return {RouteResult::method_not_allowed, Endpoint::batches, "GET, POST"};
  }
  if (starts_with_segment(path, "/v1/retention")) {
    if (method == "GET" || method == "POST") return {RouteResult::found, Endpoint::retention, ""};
    return {RouteResult::method_not_allowed, Endpoint::retention, "GET, POST"};
  }
  return {};
}

bool needs_token(Endpoint endpoint) noexcept {
  switch (endpoint) {
    case Endpoint::status_page:
    case Endpoint::static_asset:
    case Endpoint::health: return false;
    default: return true;
  }
}

std::optional<security::Permission> required_permission(Endpoint endpoint) noexcept {
  using security::Permission;
  switch (endpoint) {
    case Endpoint::status_page:
    case Endpoint::static_asset:
    case Endpoint::health: return std::nullopt;
    case Endpoint::metrics: return Permission::view_metrics;
    case Endpoint::status: return Permission::view_status;
    case Endpoint::crossings: return Permission::search_crossings;
    // Officers get the live feed whole; whoever may see the status gets it
    // masked (the status page shows it). permits() checks both.
    case Endpoint::live:
    case Endpoint::live_ticket: return Permission::live_feed;
    case Endpoint::audit: return Permission::read_audit;
    case Endpoint::batches:
    case Endpoint::retention: return Permission::manage_batches;
  }
  return std::nullopt;
}

bool permits(Endpoint endpoint, security::Role role) noexcept {
  const auto permission = required_permission(endpoint);
  if (!permission) return true;
  if (endpoint == Endpoint::live || endpoint == Endpoint::live_ticket) {
    return security::allows(role, security::Permission::live_feed) ||
           security::allows(role, security::Permission::view_status);
  }
  return security::allows(role, *permission);
}

std::span<const Endpoint> all_endpoints() noexcept {
  static constexpr std::array kAll{
      Endpoint::status_page, Endpoint::static_asset, Endpoint::health,   Endpoint::metrics,
      Endpoint::status,      Endpoint::crossings,    Endpoint::live,     Endpoint::live_ticket,
      Endpoint::audit,       Endpoint::batches,      Endpoint::retention};
  return kAll;
}

}  // namespace garita::daemon::api
