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
    case Endpoint::batch: return "batch";
    case Endpoint::batch_export: return "batch_export";
    case Endpoint::entry_records: return "entry_records";
    case Endpoint::entry_record: return "entry_record";
  }
  return "unknown";
}

namespace {

constexpr std::string_view kBatchesPrefix = "/v1/batches/";
constexpr std::string_view kEntryRecordsPrefix = "/v1/entry-records/";

// "/v1/batches/abc" under "/v1/batches/": "abc"; empty when the rest is
// empty or has another '/' (no deeper paths).
std::string_view one_segment_after(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return {};
  const std::string_view rest = path.substr(prefix.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) return {};
  return rest;
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
  if (path == "/v1/batches") {
    if (method == "GET") return {RouteResult::found, Endpoint::batches, "GET, POST"};
    if (method == "POST") return {RouteResult::found, Endpoint::batch_export, "GET, POST"};
    return {RouteResult::method_not_allowed, Endpoint::batches, "GET, POST"};
  }
  if (!one_segment_after(path, kBatchesPrefix).empty()) return get_only(method, Endpoint::batch);
  if (path == "/v1/entry-records") {
    if (method == "POST") return {RouteResult::found, Endpoint::entry_records, "POST"};
    return {RouteResult::method_not_allowed, Endpoint::entry_records, "POST"};
  }
  if (!one_segment_after(path, kEntryRecordsPrefix).empty()) {
    return get_only(method, Endpoint::entry_record);
  }
  // A dry run only: purging stays `garita purge` and garitad's daily job
  // (docs/operations.md "Retention"), so POST is 405 with Allow: GET.
  if (path == "/v1/retention") return get_only(method, Endpoint::retention);
  return {};
}

std::string_view path_id(Endpoint endpoint, std::string_view path) noexcept {
  switch (endpoint) {
    case Endpoint::batch: return one_segment_after(path, kBatchesPrefix);
    case Endpoint::entry_record: return one_segment_after(path, kEntryRecordsPrefix);
    default: return {};
  }
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
    case Endpoint::batch:
    case Endpoint::retention:
    case Endpoint::batch_export: return Permission::manage_batches;
    case Endpoint::entry_records:
    case Endpoint::entry_record: return Permission::search_crossings;
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
  // The ledger and the retention dry run: supervisors run them, auditors
  // check them (counts, times, hashes and who; never a record's contents).
  if (endpoint == Endpoint::batches || endpoint == Endpoint::batch ||
      endpoint == Endpoint::retention) {
    return security::allows(role, security::Permission::manage_batches) ||
           security::allows(role, security::Permission::read_audit);
  }
  return security::allows(role, *permission);
}

std::span<const Endpoint> all_endpoints() noexcept {
  static constexpr std::array kAll{
      Endpoint::status_page,  Endpoint::static_asset,  Endpoint::health,      Endpoint::metrics,
      Endpoint::status,       Endpoint::crossings,     Endpoint::live,        Endpoint::live_ticket,
      Endpoint::audit,        Endpoint::batches,       Endpoint::retention,   Endpoint::batch,
      Endpoint::batch_export, Endpoint::entry_records, Endpoint::entry_record};
  return kAll;
}

}  // namespace garita::daemon::api
