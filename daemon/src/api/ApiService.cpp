#include "garita/daemon/api/ApiService.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "garita/common/HostClock.hpp"
#include "garita/common/Log.hpp"
#include "garita/common/UtcText.hpp"
#include "garita/common/store/StoreErrc.hpp"
#include "garita/daemon/RetentionJob.hpp"
#include "garita/daemon/api/ApiErrc.hpp"
#include "garita/daemon/api/CrossingQuery.hpp"
#include "garita/daemon/api/ExchangeJson.hpp"
#include "garita/daemon/api/PrometheusText.hpp"
#include "garita/daemon/api/WebAssets.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/security/ApiToken.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::daemon::api {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using Status = bhttp::status;

namespace {

constexpr std::string_view kLog = "api";

// The page may load only its own files and talk only to its own origin.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string peer_text(const http::Peer& peer) {
  const auto& ep = peer.remote;
  if (ep.address().is_v6())
    return "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

boost::json::object params_json(const RequestTarget& t) {
  boost::json::object o;
  for (const auto& [k, v] : t.params) o[k] = v;
  return o;
}

std::string auth_failure_code(std::error_code ec) {
  // security::Errc names (token_malformed, token_expired, ...), for the
  // audit row only: the client is told just "unauthenticated", so it cannot
  // probe which tokens exist.
  if (ec.category() == security::security_category()) {
    switch (static_cast<security::Errc>(ec.value())) {
      case security::Errc::token_malformed: return "token_malformed";
      case security::Errc::token_unknown: return "token_unknown";
      case security::Errc::token_expired: return "token_expired";
      case security::Errc::token_revoked: return "token_revoked";
      case security::Errc::user_disabled: return "user_disabled";
      default: break;
    }
  }
  return "error";
}

// Action names of audit rows (docs/security.md lists them).
std::string_view audit_action(Endpoint e) {
  switch (e) {
    case Endpoint::crossings: return "crossings.search";
    case Endpoint::live:
    case Endpoint::live_ticket: return "crossings.live";
    case Endpoint::audit: return "audit.read";
    case Endpoint::batches:
    case Endpoint::batch: return "batch.list";
    case Endpoint::batch_export: return "batch.export";
    case Endpoint::entry_records: return "entry_record.add";
    case Endpoint::entry_record: return "entry_record.read";
    case Endpoint::retention: return "retention.report";
    case Endpoint::status: return "status.view";
    case Endpoint::metrics: return "metrics.view";
    default: return "api.request";
  }
}

class WebSocketSink final : public LiveSink {
 public:
  explicit WebSocketSink(std::shared_ptr<http::WebSocketClient> client)
      : client_(std::move(client)) {}
  bool deliver(const std::string& text) override { return client_->send(text); }
  bool alive() const override { return client_->is_open(); }
  void close() override { client_->close(); }

 private:
  std::shared_ptr<http::WebSocketClient> client_;
};

}  // namespace

struct ApiService::Call {
  http::Request req;
  http::Peer peer;
  http::Responder respond;
  RequestTarget target;
  Endpoint endpoint = Endpoint::health;
  std::optional<security::Authenticated> caller;
  std::string peer_str;
};

ApiService::ApiService(ApiServiceOptions options, security::UserStore& users,
                       security::AuditLog& audit, StatusBoard& board)
    : options_(std::move(options)),
      users_(users),
      audit_(audit),
      board_(board),
      token_limiter_(options_.per_token),
      address_limiter_(options_.per_address),
      live_(options_.max_live_clients) {}

ApiService::~ApiService() { stop(); }

std::error_code ApiService::start(std::string& error) {
  store::StoreOptions so;
  so.read_only = true;
  so.create = false;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.workers); ++i) {
    auto s = std::make_unique<store::CrossingStore>();
    if (auto ec = s->open(options_.crossings_db, so)) {
      error = "api: crossings database: " + s->last_error();
      stores_.clear();
      return ec;
    }
    stores_.push_back(std::move(s));
  }
  pool_ = std::make_unique<asio::thread_pool>(std::max<std::size_t>(1, options_.workers));
  return {};
}

void ApiService::stop() {
  if (stopping_.exchange(true)) return;
  {
    // The clients belong to the HTTP core's io_context: let go of them
    // while it is still there.
    std::lock_guard lock(live_mutex_);
    live_.clear();
    pending_live_.clear();
  }
  if (pool_) pool_->join();
  std::lock_guard lock(stores_mutex_);
  stores_.clear();
}

void ApiService::set_http_counters(std::function<http::HttpServer::Counters()> counters) {
  http_counters_ = std::move(counters);
}

ApiCounters ApiService::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

void ApiService::publish_crossing(const Crossing& crossing) {
  std::lock_guard lock(live_mutex_);
  live_.publish(crossing);
  std::lock_guard c(counters_mutex_);
  counters_.live_clients = live_.clients();
  counters_.live_messages = live_.messages_sent();
  counters_.live_dropped = live_.clients_dropped();
}

// ------------------------------------------------------------------ answers

namespace {

void finish(http::Response& res, const http::Request& req) {
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  res.set(bhttp::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.prepare_payload();
}

}  // namespace

void ApiService::reply(Call& call, http::Response res) {
  finish(res, call.req);
  {
    std::lock_guard lock(counters_mutex_);
    const unsigned code = res.result_int();
    ++responses_by_status_[code];
    if (code == 400 || code == 404 || code == 405) ++counters_.bad_requests;
  }
  call.respond.send(std::move(res));
}

void ApiService::on_request(http::Request&& req, const http::Peer& peer, http::Responder respond) {
  auto call = std::make_shared<Call>();
  call->req = std::move(req);
  call->peer = peer;
  call->respond = std::move(respond);
  call->peer_str = peer_text(peer);
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.requests;
  }
  auto answer = [this, call](http::Response res) { reply(*call, std::move(res)); };
  std::string why;
  if (parse_request_target(call->req.target(), call->target, why)) {
    answer(http::error_response(Status::bad_request, "bad_target", why));
    return;
  }
  const Route r = route(call->req.method_string(), call->target.path);
  if (r.result == RouteResult::not_found) {
    answer(http::error_response(Status::not_found, "not_found",
                                "no such endpoint: " + call->target.path));
    return;
  }
  if (r.result == RouteResult::method_not_allowed) {
    auto res =
        http::error_response(Status::method_not_allowed, "method_not_allowed",
                             std::string(call->req.method_string()) + " is not allowed on " +
                                 call->target.path + " (allowed: " + std::string(r.allow) + ")");
    res.set(bhttp::field::allow, r.allow);
    answer(std::move(res));
    return;
  }
  call->endpoint = r.endpoint;
  if (r.endpoint == Endpoint::live) {
    // A plain GET without the upgrade handshake.
    answer(http::error_response(Status::upgrade_required, "upgrade_required",
                                "/v1/live is a WebSocket: connect with wss://"));
    return;
  }
  // Cheap answers with no token and no database stay on the io thread.
  if (r.endpoint == Endpoint::status_page || r.endpoint == Endpoint::static_asset) {
    serve_static(*call, r.endpoint);
    return;
  }
  if (r.endpoint == Endpoint::health) {
    serve_health(*call);
    return;
  }
  if (stopping_ || !pool_) {
    answer(http::error_response(Status::service_unavailable, "stopping", "garitad is stopping"));
    return;
  }
  asio::post(*pool_, [this, call] { handle(call); });
}

void ApiService::handle(const std::shared_ptr<Call>& call) {
  // Every path below answers exactly once; a throw would be answered 500 by
  // the Responder when the last copy goes away.
  try {
    const bool loopback_metrics = call->endpoint == Endpoint::metrics &&
                                  options_.metrics_from_loopback_without_token &&
                                  call->peer.remote.address().is_loopback() &&
                                  call->req.find(bhttp::field::authorization) == call->req.end();
    if (loopback_metrics) {
      serve_metrics(*call);
      return;
    }
    if (!authenticate(*call)) return;
    if (!permits(call->endpoint, call->caller->user.role)) {
      {
        std::lock_guard lock(counters_mutex_);
        ++counters_.forbidden;
      }
      security::AuditEvent ev;
      ev.user = call->caller->user.name;
      ev.role = call->caller->user.role;
      ev.action = std::string(audit_action(call->endpoint));
      ev.outcome = security::AuditOutcome::denied;
      boost::json::object terms = params_json(call->target);
      terms["endpoint"] = call->target.path;
      ev.terms = std::move(terms);
      ev.peer = call->peer_str;
      audit(ev);
      auto res =
          http::error_response(Status::forbidden, "forbidden",
                               "role " + std::string(security::to_string(call->caller->user.role)) +
                                   " may not use " + call->target.path);
      reply(*call, std::move(res));
      return;
    }
    switch (call->endpoint) {
      case Endpoint::metrics: serve_metrics(*call); return;
      case Endpoint::status: serve_status(*call); return;
      case Endpoint::crossings: serve_crossings(*call); return;
      case Endpoint::audit: serve_audit(*call); return;
      case Endpoint::live_ticket: serve_live_ticket(*call); return;
      case Endpoint::batches: serve_batches(*call); return;
      case Endpoint::batch: serve_batch(*call); return;
      case Endpoint::batch_export: serve_batch_export(*call); return;
      case Endpoint::entry_records: serve_entry_record_add(*call); return;
      case Endpoint::entry_record: serve_entry_record(*call); return;
      case Endpoint::retention: serve_retention(*call); return;
      default: break;
    }
    auto res = http::error_response(Status::not_found, "not_found", "no such endpoint");
    reply(*call, std::move(res));
  } catch (const std::exception& e) {
    log::error(kLog, std::string("request failed: ") + e.what());
    std::lock_guard lock(counters_mutex_);
    ++counters_.server_errors;
  }
}

bool ApiService::authenticate(Call& call) {
  const HostTime now = host_now();
  std::string_view header;
  if (auto it = call.req.find(bhttp::field::authorization); it != call.req.end()) {
    header = it->value();
  }
  const std::string_view token = security::bearer_token(header);
  security::Authenticated who;
  std::error_code ec;
  std::string reason;
  if (token.empty()) {
    reason = header.empty() ? "no_token" : "not_bearer";
    ec = ApiErrc::unauthenticated;
  } else {
    ec = users_.authenticate(token, now.utc_us, who);
    if (ec) reason = auth_failure_code(ec);
  }
  if (ec) {
    {
      std::lock_guard c(counters_mutex_);
      ++counters_.auth_failures;
    }
    // Failed logins cost an audit row each: an address that keeps failing is
    // slowed down (429) and its further failures are not written.
    RateLimiter::Decision d;
    {
      std::lock_guard lock(limiter_mutex_);
      d = address_limiter_.take(call.peer.remote.address().to_string(), now.mono_us);
    }
    if (!d.allowed) {
      {
        std::lock_guard c(counters_mutex_);
        ++counters_.rate_limited;
      }
      auto res = http::error_response(Status::too_many_requests, "rate_limited",
                                      "too many failed logins from this address");
      res.set(bhttp::field::retry_after, std::to_string(d.retry_after_s));
      reply(call, std::move(res));
      return false;
    }
    security::AuditEvent ev;
    ev.action = "login.failed";
    ev.outcome = security::AuditOutcome::denied;
    boost::json::object terms;
    terms["reason"] = reason;
    terms["endpoint"] = call.target.path;
    ev.terms = std::move(terms);
    ev.peer = call.peer_str;
    audit(ev);
    auto res = http::error_response(Status::unauthorized, "unauthenticated",
                                    "a valid API token is needed (Authorization: Bearer gar_...)");
    res.set(bhttp::field::www_authenticate, "Bearer realm=\"garita\"");
    reply(call, std::move(res));
    return false;
  }
  {
    std::lock_guard lock(limiter_mutex_);
    const auto d = token_limiter_.take(std::to_string(who.token_id), now.mono_us);
    if (!d.allowed) {
      {
        std::lock_guard c(counters_mutex_);
        ++counters_.rate_limited;
      }
      auto res = http::error_response(Status::too_many_requests, "rate_limited",
                                      "this token's request budget is spent; retry after " +
                                          std::to_string(d.retry_after_s) + " s");
      res.set(bhttp::field::retry_after, std::to_string(d.retry_after_s));
      reply(call, std::move(res));
      return false;
    }
  }
  call.caller = std::move(who);
  return true;
}

void ApiService::audit(const security::AuditEvent& event) {
  if (auto ec = audit_.append(event)) {
    // The row could not be written: say so loudly (without the terms, which
    // may hold card numbers).
    log::error(kLog, "audit row '" + event.action + "' NOT written: " + audit_.last_error());
  }
}

void ApiService::serve_static(Call& call, Endpoint endpoint) {
  const WebAsset* asset =
      find_web_asset(endpoint == Endpoint::status_page ? "/" : call.target.path);
  http::Response res;
  if (!asset) {
    res = http::error_response(Status::not_found, "not_found", "no such file: " + call.target.path);
  } else {
    res.result(Status::ok);
    res.set(bhttp::field::content_type, asset->content_type);
    res.set("Content-Security-Policy", kPagePolicy);
    res.set("X-Frame-Options", "DENY");
    res.body() = std::string(asset->body);
  }
  reply(call, std::move(res));
}

void ApiService::serve_health(Call& call) {
  // No token, no personal data: ok/degraded and the alarm codes (with reader
  // and lane ids, which are equipment, not people).
  const auto status = board_.latest();
  boost::json::object o;
  Status code = Status::ok;
  if (!status) {
    o["status"] = "starting";
    code = Status::service_unavailable;
  } else {
    const auto alarms = compute_alarms(*status, board_.thresholds());
    boost::json::array reasons;
    for (const Alarm& a : alarms) {
      reasons.emplace_back(a.subject.empty() ? a.code : a.code + ":" + a.subject);
    }
    const bool writer_down = !status->store.writer_running;
    o["status"] = writer_down ? "failing" : (alarms.empty() ? "ok" : "degraded");
    o["reasons"] = std::move(reasons);
    o["time_utc"] = utc_text(status->taken_utc_us, UtcDigits::millis);
    if (writer_down) code = Status::service_unavailable;
  }
  auto res = http::json_response(code, o);
  reply(call, std::move(res));
}

void ApiService::serve_status(Call& call) {
  const auto status = board_.latest();
  http::Response res;
  if (!status) {
    res = http::error_response(Status::service_unavailable, "starting",
                               "garitad has not published its status yet");
  } else {
    boost::json::object o = status_to_json(*status, compute_alarms(*status, board_.thresholds()));
    boost::json::object caller;
    caller["user"] = call.caller->user.name;
    caller["role"] = security::to_string(call.caller->user.role);
    caller["sees_card_numbers"] = security::sees_full_epc(call.caller->user.role);
    o["caller"] = std::move(caller);
    res = http::json_response(Status::ok, o);
  }
  reply(call, std::move(res));
}

void ApiService::serve_metrics(Call& call) {
  PrometheusText p;
  const auto s = board_.latest();
  if (s) {
    p.family("garita_reader_up", "gauge", "1 when the reader is connected and running");
    for (const auto& r : s->readers)
      p.sample("garita_reader_up", std::uint64_t{r.connected}, {{"reader", r.id}});
    p.family("garita_reader_reads_total", "counter",
             "Tag reads from the reader since garitad started");
    for (const auto& r : s->readers)
      p.sample("garita_reader_reads_total", r.read_count, {{"reader", r.id}});
    p.family("garita_reader_reconnects_total", "counter", "Connection attempts after the first");
    for (const auto& r : s->readers)
      p.sample("garita_reader_reconnects_total", r.reconnects, {{"reader", r.id}});
    p.family("garita_reader_clock_offset_seconds", "gauge", "Reader UTC minus host UTC");
    for (const auto& r : s->readers) {
      if (r.clock_offset_us) {
        p.sample("garita_reader_clock_offset_seconds",
                 static_cast<double>(*r.clock_offset_us) / 1e6, {{"reader", r.id}});
      }
    }
    p.family("garita_lane_crossings_total", "counter", "Crossings created since garitad started");
    for (const auto& l : s->lanes)
      p.sample("garita_lane_crossings_total", l.crossings, {{"lane", l.id}});
    p.family("garita_lane_reads_total", "counter", "Reads routed to the lane");
    for (const auto& l : s->lanes) p.sample("garita_lane_reads_total", l.reads, {{"lane", l.id}});
    p.family("garita_lane_open_sessions", "gauge", "Debounce sessions open now");
    for (const auto& l : s->lanes)
      p.sample("garita_lane_open_sessions", l.open_sessions, {{"lane", l.id}});
    p.family("garita_uplink_backlog", "gauge", "Crossings a lane controller holds undelivered");
    for (const auto& l : s->lanes) {
      if (l.uplink_backlog) p.sample("garita_uplink_backlog", *l.uplink_backlog, {{"lane", l.id}});
    }
    p.family("garita_store_committed_total", "counter", "Crossings whose COMMIT returned");
    p.sample("garita_store_committed_total", s->store.committed);
    p.family("garita_store_queue_depth", "gauge", "Crossings waiting for the store writer");
    p.sample("garita_store_queue_depth", static_cast<std::uint64_t>(s->store.queue_depth));
    p.family("garita_store_queue_capacity", "gauge", "Capacity of the writer queue");
    p.sample("garita_store_queue_capacity", static_cast<std::uint64_t>(s->store.queue_capacity));
    p.family("garita_store_held_for_retry", "gauge", "Crossings held by garitad for a full queue");
    p.sample("garita_store_held_for_retry", static_cast<std::uint64_t>(s->store.held_for_retry));
    p.family("garita_store_commit_errors_total", "counter", "Transactions that failed (retried)");
    p.sample("garita_store_commit_errors_total", s->store.commit_errors);
    p.family("garita_store_commit_latency_seconds", "summary", "BEGIN to COMMIT returned");
    p.sample("garita_store_commit_latency_seconds",
             static_cast<double>(s->store.commit_latency_p50_us) / 1e6, {{"quantile", "0.5"}});
    p.sample("garita_store_commit_latency_seconds",
             static_cast<double>(s->store.commit_latency_p99_us) / 1e6, {{"quantile", "0.99"}});
    p.sample("garita_store_commit_latency_seconds_sum",
             static_cast<double>(s->store.commit_latency_sum_us) / 1e6);
    p.sample("garita_store_commit_latency_seconds_count", s->store.commit_latency_count);
    p.family("garita_host_clock_synchronized", "gauge",
             "1 when the host clock is NTP-synchronised");
    p.sample("garita_host_clock_synchronized", std::uint64_t{s->host_clock_synchronized});
    p.family("garita_disk_free_bytes", "gauge", "Free bytes on the database's file system");
    p.sample("garita_disk_free_bytes", s->disk_free_bytes);
    p.family("garita_disk_total_bytes", "gauge", "Size of the database's file system");
    p.sample("garita_disk_total_bytes", s->disk_total_bytes);
  }
  if (http_counters_) {
    const auto h = http_counters_();
    p.family("garita_http_connections_total", "counter", "TCP connections accepted (API listener)");
    p.sample("garita_http_connections_total", h.accepted, {{"listener", "api"}});
    p.family("garita_http_tls_failures_total", "counter", "TLS handshakes that failed");
    p.sample("garita_http_tls_failures_total", h.tls_failures, {{"listener", "api"}});
    p.family("garita_http_requests_read_total", "counter", "Complete requests read");
    p.sample("garita_http_requests_read_total", h.requests, {{"listener", "api"}});
    p.family("garita_http_bad_requests_total", "counter",
             "Requests refused 400/413/431 by the core");
    p.sample("garita_http_bad_requests_total", h.bad_requests, {{"listener", "api"}});
    p.family("garita_http_rejected_overload_total", "counter", "Refused for the connection caps");
    p.sample("garita_http_rejected_overload_total", h.rejected_overload, {{"listener", "api"}});
  }
  {
    std::lock_guard lock(counters_mutex_);
    p.family("garita_api_responses_total", "counter", "API responses by status code");
    for (const auto& [code, n] : responses_by_status_) {
      p.sample("garita_api_responses_total", n, {{"code", std::to_string(code)}});
    }
    p.family("garita_api_auth_failures_total", "counter", "Requests refused for their token");
    p.sample("garita_api_auth_failures_total", counters_.auth_failures);
    p.family("garita_api_forbidden_total", "counter", "Requests refused for the caller's role");
    p.sample("garita_api_forbidden_total", counters_.forbidden);
    p.family("garita_api_rate_limited_total", "counter", "Requests refused with 429");
    p.sample("garita_api_rate_limited_total", counters_.rate_limited);
    p.family("garita_api_searches_total", "counter", "Crossing searches answered");
    p.sample("garita_api_searches_total", counters_.searches);
    p.family("garita_api_live_clients", "gauge", "Live-feed WebSocket clients");
    p.sample("garita_api_live_clients", counters_.live_clients);
    p.family("garita_api_live_dropped_total", "counter", "Live clients dropped (slow or gone)");
    p.sample("garita_api_live_dropped_total", counters_.live_dropped);
  }
  http::Response res;
  res.result(Status::ok);
  res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.body() = p.text();
  reply(call, std::move(res));
}

std::unique_ptr<store::CrossingStore> ApiService::borrow_store(std::string& error) {
  std::lock_guard lock(stores_mutex_);
  if (stores_.empty()) {
    error = "no database connection free";
    return nullptr;
  }
  auto s = std::move(stores_.back());
  stores_.pop_back();
  return s;
}

void ApiService::give_back(std::unique_ptr<store::CrossingStore> s) {
  std::lock_guard lock(stores_mutex_);
  if (!stopping_) stores_.push_back(std::move(s));
}

void ApiService::serve_crossings(Call& call) {
  const HostTime now = host_now();
  security::AuditEvent ev;
  ev.user = call.caller->user.name;
  ev.role = call.caller->user.role;
  ev.action = "crossings.search";
  ev.terms = params_json(call.target);  // exactly as given
  ev.peer = call.peer_str;
  store::CrossingFilter filter;
  std::string why;
  if (parse_crossing_query(call.target, now.utc_us, filter, why)) {
    ev.outcome = security::AuditOutcome::invalid;
    audit(ev);
    reply(call, http::error_response(Status::bad_request, "bad_parameter", why));
    return;
  }
  store::CrossingPage page;
  std::string error;
  auto db = borrow_store(error);
  std::error_code ec;
  if (db) {
    ec = db->list_crossings(filter, page);
    if (ec) error = db->last_error();
    give_back(std::move(db));
  } else {
    ec = ApiErrc::unavailable;
  }
  if (ec) {
    log::error(kLog, "search failed: " + error);
    ev.outcome = security::AuditOutcome::failed;
    audit(ev);
    reply(call,
          http::error_response(Status::service_unavailable, "store_unavailable",
                               "the crossings database could not be read; see garitad's log"));
    return;
  }
  const bool whole = security::sees_full_epc(call.caller->user.role);
  boost::json::array rows;
  for (const auto& row : page.rows) rows.emplace_back(crossing_to_json(row, whole));
  boost::json::object o;
  o["count"] = page.rows.size();
  o["crossings"] = std::move(rows);
  o["next"] =
      page.next ? boost::json::value(format_cursor(*page.next)) : boost::json::value(nullptr);
  o["masked"] = !whole;
  ev.records = static_cast<std::int64_t>(page.rows.size());
  ev.outcome = security::AuditOutcome::ok;
  // The row is written before the answer leaves: a search nobody can see in
  // the audit log never reaches the officer.
  if (auto aec = audit_.append(ev)) {
    log::error(kLog, "audit row 'crossings.search' NOT written: " + audit_.last_error());
    reply(call, http::error_response(Status::service_unavailable, "audit_unavailable",
                                     "the search could not be audited, so it is not answered"));
    return;
  }
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.searches;
  }
  reply(call, http::json_response(Status::ok, o));
}

void ApiService::serve_audit(Call& call) {
  const HostTime now = host_now();
  security::AuditEvent ev;
  ev.user = call.caller->user.name;
  ev.role = call.caller->user.role;
  ev.action = "audit.read";
  ev.terms = params_json(call.target);
  ev.peer = call.peer_str;
  AuditQuery q;
  std::string why;
  if (parse_audit_query(call.target, now.utc_us, q, why)) {
    ev.outcome = security::AuditOutcome::invalid;
    audit(ev);
    reply(call, http::error_response(Status::bad_request, "bad_parameter", why));
    return;
  }
  security::AuditQuery sq;
  sq.since_utc_us = q.since_utc_us;
  sq.until_utc_us = q.until_utc_us;
  sq.user = q.user;
  sq.after_id = q.after_id;
  sq.limit = q.limit + 1;  // one more tells whether there is a next page
  std::vector<security::AuditRecord> rows;
  if (auto ec = audit_.query(call.caller->user.role, sq, rows)) {
    ev.outcome = security::AuditOutcome::failed;
    audit(ev);
    log::error(kLog, "audit read failed: " + audit_.last_error());
    reply(call, http::error_response(Status::service_unavailable, "audit_unavailable",
                                     "the audit log could not be read; see garitad's log"));
    return;
  }
  const bool more = rows.size() > q.limit;
  if (more) rows.resize(q.limit);
  boost::json::array out;
  for (const auto& r : rows) {
    boost::json::object j;
    j["id"] = r.id;
    j["time_utc"] = utc_text(r.utc_us, UtcDigits::millis);
    j["user"] = r.user;
    j["role"] = r.role;
    j["action"] = r.action;
    boost::system::error_code jec;
    boost::json::value terms = boost::json::parse(r.terms, jec);
    j["terms"] = jec ? boost::json::value(r.terms) : std::move(terms);
    j["records"] = r.records;
    j["outcome"] = r.outcome;
    j["peer"] = r.peer;
    j["row_hash"] = r.row_hash;
    out.emplace_back(std::move(j));
  }
  boost::json::object o;
  o["count"] = out.size();
  o["next"] =
      more ? boost::json::value(std::to_string(rows.back().id)) : boost::json::value(nullptr);
  o["rows"] = std::move(out);
  ev.records = static_cast<std::int64_t>(rows.size());
  if (audit_.append(ev)) {
    log::error(kLog, "audit row 'audit.read' NOT written: " + audit_.last_error());
    reply(call, http::error_response(Status::service_unavailable, "audit_unavailable",
                                     "the read could not be audited, so it is not answered"));
    return;
  }
  reply(call, http::json_response(Status::ok, o));
}

void ApiService::serve_live_ticket(Call& call) {
  const HostTime now = host_now();
  const std::string ticket = tickets_.issue(*call.caller, now.mono_us);
  http::Response res;
  if (ticket.empty()) {
    res = http::error_response(Status::internal_server_error, "crypto_failed",
                               "no random bytes for a ticket");
  } else {
    boost::json::object o;
    o["ticket"] = ticket;
    o["expires_in_s"] = 30;
    o["masked"] = !security::sees_full_epc(call.caller->user.role);
    res = http::json_response(Status::ok, o);
  }
  reply(call, std::move(res));
}

// ------------------------------------------------------- weekly exchange (issue 7)

std::error_code ApiService::with_reader(
    const std::function<std::error_code(store::CrossingStore&)>& work, std::string& error) {
  auto db = borrow_store(error);
  if (!db) return ApiErrc::unavailable;
  const auto ec = work(*db);
  give_back(std::move(db));
  return ec;
}

std::error_code ApiService::with_exchange_reader(
    const std::function<std::error_code(exchange::ExchangeStore&)>& work, std::string& error) {
  return with_reader(
      [&](store::CrossingStore& s) {
        exchange::ExchangeStore xs(s);
        const auto ec = work(xs);
        if (ec) error = xs.last_error();
        return ec;
      },
      error);
}

void ApiService::audit_outcome(Call& call, std::string_view action, security::AuditOutcome outcome,
                               boost::json::object terms) {
  security::AuditEvent ev;
  ev.user = call.caller->user.name;
  ev.role = call.caller->user.role;
  ev.action = std::string(action);
  ev.outcome = outcome;
  ev.terms = std::move(terms);
  ev.peer = call.peer_str;
  audit(ev);
}

namespace {

http::Response store_unavailable(std::string_view what) {
  return http::error_response(Status::service_unavailable, "store_unavailable",
                              std::string(what) + "; see garitad's log");
}

// "document_number: ..." -> "document_number": the audit row names the
// field, never the value (which may be a name or a document number).
std::string field_of(const std::string& why) {
  const auto colon = why.find(':');
  if (colon > 40) return "body";  // also std::string::npos: no colon at all
  const std::string field = why.substr(0, colon);
  return field.find(' ') == std::string::npos ? field : "body";
}

}  // namespace

void ApiService::serve_batches(Call& call) {
  BatchListQuery q;
  std::string why;
  if (parse_batch_list_query(call.target, q, why)) {
    reply(call, http::error_response(Status::bad_request, "bad_parameter", why));
    return;
  }
  std::vector<exchange::BatchLedgerRow> rows;
  std::string error;
  const auto ec = with_exchange_reader(
      [&](exchange::ExchangeStore& xs) { return xs.list_batches(q.period, q.limit, rows); }, error);
  if (ec) {
    log::error(kLog, "batch ledger: " + error);
    reply(call, store_unavailable("the batch ledger could not be read"));
    return;
  }
  boost::json::array out;
  for (const auto& row : rows) out.emplace_back(batch_ledger_json(row));
  boost::json::object o;
  o["count"] = out.size();
  o["batches"] = std::move(out);
  reply(call, http::json_response(Status::ok, o));
}

void ApiService::serve_batch(Call& call) {
  if (!call.target.params.empty()) {
    reply(call, http::error_response(Status::bad_request, "bad_parameter",
                                     "unknown parameter '" + call.target.params.front().first +
                                         "' (this endpoint takes none)"));
    return;
  }
  const std::string id(path_id(Endpoint::batch, call.target.path));
  if (!is_batch_id(id)) {
    reply(call, http::error_response(
                    Status::bad_request, "bad_parameter",
                    "batch_id: '" + id + "' is not a batch id (a lower-case UUID, 36 characters)"));
    return;
  }
  std::optional<exchange::BatchLedgerRow> row;
  std::string error;
  const auto ec = with_exchange_reader(
      [&](exchange::ExchangeStore& xs) { return xs.find_batch(id, row); }, error);
  if (ec) {
    log::error(kLog, "batch ledger: " + error);
    reply(call, store_unavailable("the batch ledger could not be read"));
    return;
  }
  if (!row) {
    reply(call, http::error_response(Status::not_found, "not_found", "no batch " + id));
    return;
  }
  reply(call, http::json_response(Status::ok, batch_ledger_json(*row)));
}

void ApiService::serve_batch_export(Call& call) {
  constexpr std::string_view kAction = "batch.export";
  std::string period;
  std::string why;
  if (parse_export_request(call.req.body(), period, why)) {
    boost::json::object terms;
    terms["reason"] = why;  // the period as given, or a member name: no personal data
    audit_outcome(call, kAction, security::AuditOutcome::invalid, std::move(terms));
    reply(call, http::error_response(Status::bad_request, "bad_request", why));
    return;
  }
  const auto ctx = options_.exchange;
  if (!ctx || ctx->settings.export_dir.empty()) {
    const std::string message =
        !ctx ? "the weekly exchange is not configured ([exchange] in garitad's configuration)"
             : "[exchange] export_dir is not set: exports through the API have no folder to go "
               "to (use `garita batch export --to DIR`)";
    boost::json::object terms;
    terms["period"] = period;
    terms["reason"] = "not_configured";
    audit_outcome(call, kAction, security::AuditOutcome::failed, std::move(terms));
    reply(call, http::error_response(Status::conflict, "not_configured", message));
    return;
  }
  // The week must exist in the port's calendar too (W53 of a 52-week year).
  std::int64_t begin = 0, end = 0;
  if (auto ec = ctx->clock.week_bounds(period, begin, end, why)) {
    boost::json::object terms;
    terms["reason"] = "period: " + why;
    audit_outcome(call, kAction, security::AuditOutcome::invalid, std::move(terms));
    reply(call, http::error_response(Status::bad_request, "bad_request", "period: " + why));
    return;
  }
  if (!options_.writer) {
    reply(call, store_unavailable("the crossing store's writer is not available"));
    return;
  }
  exchange::ExchangeActor actor;
  actor.user = call.caller->user.name;
  actor.role = call.caller->user.role;
  actor.peer = call.peer_str;
  exchange::ExportResult result;
  std::string error;
  std::error_code ec;
  {
    // export_period writes its own "batch.export" custody rows (success and
    // failure): nothing more is audited here.
    std::lock_guard lock(export_mutex_);
    ec = exchange::export_period(options_.writer, *ctx, audit_, actor, period,
                                 ctx->settings.export_dir, host_now().utc_us, result, error);
  }
  if (ec) {
    log::error(kLog, "export of " + period + " failed: " + error);
    http::Response res;
    if (ec == batch::Errc::invalid_argument) {
      res = http::error_response(Status::bad_request, "bad_request", error);
    } else if (ec == batch::Errc::not_configured) {
      res = http::error_response(Status::conflict, "not_configured", error);
    } else if (ec == batch::Errc::store_failed || ec.category() == store::store_category()) {
      res = store_unavailable("the export could not use the crossing store: " + error);
    } else if (ec == batch::Errc::io_failed) {
      // The exchange device is missing, read-only or full: a state of the
      // workstation, not a fault of garitad (RFC 9110 §15.5.10). A batch
      // already sealed stays recorded; exporting the period again writes it.
      res = http::error_response(Status::conflict, "export_failed", error);
    } else {
      res = http::error_response(Status::internal_server_error, "export_failed", error);
    }
    reply(call, std::move(res));
    return;
  }
  // Who asked is in the audit row, not in the journal.
  log::info(kLog, "export of " + period + " through the API: " +
                      std::to_string(result.batches.size()) + " batch file(s) written");
  reply(call, http::json_response(Status::ok, export_result_json(result)));
}

void ApiService::serve_entry_record_add(Call& call) {
  constexpr std::string_view kAction = "entry_record.add";
  batch::OfficerEntryRecord record;
  std::string why;
  auto refuse = [&](const std::string& message) {
    boost::json::object terms;
    terms["field"] = field_of(message);
    audit_outcome(call, kAction, security::AuditOutcome::invalid, std::move(terms));
    reply(call, http::error_response(Status::bad_request, "bad_request", message));
  };
  if (parse_officer_record_request(call.req.body(), options_.port_code, record, why)) {
    refuse(why);
    return;
  }
  if (!options_.port_clock || !options_.port_clock->valid()) {
    reply(call, http::error_response(Status::conflict, "not_configured",
                                     "the port's time zone is not loaded"));
    return;
  }
  record.entry = options_.port_clock->entry_time(record.entry.utc_seconds);
  if (const std::string problem = exchange::validate_officer_record(record); !problem.empty()) {
    refuse(problem);
    return;
  }
  if (!options_.writer) {
    reply(call, store_unavailable("the crossing store's writer is not available"));
    return;
  }
  const std::string user = call.caller->user.name;
  std::int64_t id = 0;
  std::string error;
  const auto ec = options_.writer([&](store::CrossingStore& s) {
    exchange::ExchangeStore xs(s);
    auto e = xs.add_officer_record(record, user, host_now().utc_us, id);
    if (e) error = xs.last_error();
    return e;
  });
  if (ec == batch::Errc::invalid_argument) {
    refuse(error);
    return;
  }
  boost::json::object terms;
  terms["port"] = record.port;
  if (ec) {
    log::error(kLog, "officer record not stored: " + error);
    audit_outcome(call, kAction, security::AuditOutcome::failed, std::move(terms));
    reply(call, store_unavailable("the record could not be stored"));
    return;
  }
  terms["id"] = id;
  security::AuditEvent ev;
  ev.user = user;
  ev.role = call.caller->user.role;
  ev.action = std::string(kAction);
  ev.outcome = security::AuditOutcome::ok;
  ev.records = 1;
  ev.terms = std::move(terms);
  ev.peer = call.peer_str;
  // Stored already: an audit failure is logged loudly (audit()), and the
  // officer still gets the id, so the record is not typed in twice.
  audit(ev);
  boost::json::object o;
  o["id"] = id;
  reply(call, http::json_response(Status::created, o));
}

void ApiService::serve_entry_record(Call& call) {
  constexpr std::string_view kAction = "entry_record.read";
  const std::string text(path_id(Endpoint::entry_record, call.target.path));
  const auto id = parse_record_id(text);
  if (!id || !call.target.params.empty()) {
    const std::string why = !id ? "id: '" + text + "' is not a record id (a positive whole number)"
                                : "unknown parameter '" + call.target.params.front().first +
                                      "' (this endpoint takes none)";
    boost::json::object terms;
    terms["reason"] = why;
    audit_outcome(call, kAction, security::AuditOutcome::invalid, std::move(terms));
    reply(call, http::error_response(Status::bad_request, "bad_parameter", why));
    return;
  }
  std::optional<exchange::StoredOfficerRecord> stored;
  std::string error;
  const auto ec = with_exchange_reader(
      [&](exchange::ExchangeStore& xs) { return xs.find_officer_record(*id, stored); }, error);
  security::AuditEvent ev;
  ev.user = call.caller->user.name;
  ev.role = call.caller->user.role;
  ev.action = std::string(kAction);
  boost::json::object terms;
  terms["id"] = *id;
  ev.terms = std::move(terms);
  ev.peer = call.peer_str;
  if (ec) {
    log::error(kLog, "officer record read failed: " + error);
    ev.outcome = security::AuditOutcome::failed;
    audit(ev);
    reply(call, store_unavailable("the record could not be read"));
    return;
  }
  ev.records = stored ? 1 : 0;
  ev.outcome = security::AuditOutcome::ok;
  // Personal data: the read is audited before the answer leaves.
  if (audit_.append(ev)) {
    log::error(kLog, "audit row 'entry_record.read' NOT written: " + audit_.last_error());
    reply(call, http::error_response(Status::service_unavailable, "audit_unavailable",
                                     "the read could not be audited, so it is not answered"));
    return;
  }
  if (!stored) {
    reply(call, http::error_response(Status::not_found, "not_found",
                                     "no entry record " + std::to_string(*id)));
    return;
  }
  reply(call, http::json_response(Status::ok, officer_record_json(*stored)));
}

void ApiService::serve_retention(Call& call) {
  constexpr std::string_view kAction = "retention.report";
  if (!call.target.params.empty()) {
    reply(call, http::error_response(Status::bad_request, "bad_parameter",
                                     "unknown parameter '" + call.target.params.front().first +
                                         "' (this endpoint takes none)"));
    return;
  }
  const std::int64_t now = host_now().utc_us;
  store::PurgeOptions po;
  po.dry_run = true;  // counts only, on a read-only connection: nothing is written
  po.verify_disposal = false;
  store::PurgeReport report;
  std::string error;
  std::string purge_error;
  const auto ec = with_reader(
      [&](store::CrossingStore& s) {
        const store::StoreAccess access = [&s](const auto& work) { return work(s); };
        return store::run_retention_purge(access, options_.crossings_db, options_.retention, now,
                                          po, report, purge_error);
      },
      error);
  if (ec) {
    log::error(kLog, "retention report failed: " + (purge_error.empty() ? error : purge_error));
    audit_outcome(call, kAction, security::AuditOutcome::failed, {});
    reply(call, store_unavailable("the retention report could not be made"));
    return;
  }
  // The audit log's own class (its file, whole signed segments: see
  // daemon::purge_audit_class): its cutoff only, as `garita purge --dry-run`.
  store::ClassPurgeReport audit_class;
  audit_class.record_class = store::RecordClass::audit;
  audit_class.cutoff_us =
      now - static_cast<std::int64_t>(options_.retention.audit_days) * 86'400'000'000LL;
  audit_class.note = "whole signed segments older than the cutoff; counted when purged";
  report.classes.push_back(std::move(audit_class));
  boost::json::object o = daemon::retention_audit_terms(report);
  security::AuditEvent ev;
  ev.user = call.caller->user.name;
  ev.role = call.caller->user.role;
  ev.action = std::string(kAction);
  ev.outcome = security::AuditOutcome::ok;
  ev.terms = o;
  ev.peer = call.peer_str;
  if (audit_.append(ev)) {
    log::error(kLog, "audit row 'retention.report' NOT written: " + audit_.last_error());
    reply(call, http::error_response(Status::service_unavailable, "audit_unavailable",
                                     "the report could not be audited, so it is not answered"));
    return;
  }
  reply(call, http::json_response(Status::ok, o));
}

// ---------------------------------------------------------------- WebSocket

bool ApiService::accept_websocket(const http::Request& req, const http::Peer& peer,
                                  http::Response& refusal) {
  const HostTime now = host_now();
  auto refuse = [&](Status status, std::string_view code, std::string_view message) {
    refusal = http::error_response(status, code, message);
    finish(refusal, req);
    return false;
  };
  RequestTarget target;
  std::string why;
  if (parse_request_target(req.target(), target, why)) {
    return refuse(Status::bad_request, "bad_target", why);
  }
  if (target.path != "/v1/live") return refuse(Status::not_found, "not_found", "no such WebSocket");
  if (stopping_ || !pool_) return refuse(Status::service_unavailable, "stopping", "stopping");
  const std::string peer_str = peer_text(peer);
  std::optional<security::Authenticated> who;
  std::string reason;
  if (const auto ticket = target.get("ticket")) {
    who = tickets_.redeem(std::string(*ticket), now.mono_us);
    if (!who) reason = "ticket_unknown";
  } else {
    std::string_view header;
    if (auto it = req.find(bhttp::field::authorization); it != req.end()) header = it->value();
    const std::string_view token = security::bearer_token(header);
    security::Authenticated a;
    if (token.empty()) {
      reason = "no_token";
    } else if (auto ec = users_.authenticate(token, now.utc_us, a)) {
      reason = auth_failure_code(ec);
    } else {
      who = a;
    }
  }
  if (!who) {
    bool allowed = false;
    {
      std::lock_guard lock(limiter_mutex_);
      allowed = address_limiter_.take(peer.remote.address().to_string(), now.mono_us).allowed;
    }
    if (!allowed) {
      return refuse(Status::too_many_requests, "rate_limited",
                    "too many failed logins from this address");
    }
    security::AuditEvent ev;
    ev.action = "login.failed";
    ev.outcome = security::AuditOutcome::denied;
    boost::json::object terms;
    terms["reason"] = reason;
    terms["endpoint"] = "/v1/live";
    ev.terms = std::move(terms);
    ev.peer = peer_str;
    asio::post(*pool_, [this, ev] { audit(ev); });
    {
      std::lock_guard c(counters_mutex_);
      ++counters_.auth_failures;
    }
    return refuse(Status::unauthorized, "unauthenticated", "a valid API token or ticket is needed");
  }
  security::AuditEvent ev;
  ev.user = who->user.name;
  ev.role = who->user.role;
  ev.action = "crossings.live";
  ev.peer = peer_str;
  if (!permits(Endpoint::live, who->user.role)) {
    ev.outcome = security::AuditOutcome::denied;
    asio::post(*pool_, [this, ev] { audit(ev); });
    return refuse(Status::forbidden, "forbidden",
                  "role " + std::string(security::to_string(who->user.role)) +
                      " may not watch the live feed");
  }
  const bool whole = security::sees_full_epc(who->user.role);
  {
    std::lock_guard lock(live_mutex_);
    std::erase_if(pending_live_, [&](const auto& entry) {
      return now.mono_us - entry.second.accepted_mono_us > 30'000'000;
    });
    if (!live_.has_room() || live_.clients() + pending_live_.size() >= options_.max_live_clients) {
      return refuse(Status::service_unavailable, "too_many_clients",
                    "the live feed has its maximum of " +
                        std::to_string(options_.max_live_clients) + " clients");
    }
    pending_live_[peer_str] = PendingLive{whole, now.mono_us};
  }
  boost::json::object terms;
  terms["masked"] = !whole;
  ev.terms = std::move(terms);
  ev.outcome = security::AuditOutcome::ok;
  asio::post(*pool_, [this, ev] { audit(ev); });
  return true;
}

void ApiService::on_websocket_open(std::shared_ptr<http::WebSocketClient> client) {
  const std::string key = peer_text(client->peer());
  std::lock_guard lock(live_mutex_);
  auto it = pending_live_.find(key);
  if (it == pending_live_.end()) {
    client->close();  // never accepted by us: cannot happen, but fail closed
    return;
  }
  const bool whole = it->second.card_numbers;
  pending_live_.erase(it);
  if (!live_.add(std::make_shared<WebSocketSink>(client), whole)) client->close();
  std::lock_guard c(counters_mutex_);
  counters_.live_clients = live_.clients();
}

}  // namespace garita::daemon::api
