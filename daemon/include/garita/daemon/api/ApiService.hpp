#pragma once
// garitad's people-facing HTTPS API (docs/api.md): an http::Handler on the
// [api] listener. For every request: parse the target (RequestTarget), route
// it (ApiRoutes), check the bearer token (security::UserStore), the token's
// request budget (RateLimiter) and the role (security::allows), then answer.
// Searches, the audit log and the live feed are audited
// (security::AuditLog); failed logins are audited as "login.failed" without
// the token. Card numbers are masked for roles that do not see them.
//
// Threads: requests arrive on the HTTP core's strands (the io thread); all
// work that touches SQLite (authentication, audit rows, searches) runs on a
// small worker pool, so a slow search never holds up the readers, and the
// answer goes back through the Responder. publish_crossing() is called on
// the io thread for each committed crossing.
//
// The weekly exchange endpoints (issue 7): reads (the batch ledger, an
// officer-entered record, the retention dry run) use the workers' read-only
// connections; writes (an export, a new officer record) go to garitad's
// store writer through options.writer (Daemon::store_access: a job on the
// GroupCommitter's thread, between crossing transactions), and the worker
// waits for it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "garita/common/Crossing.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/RetentionPurge.hpp"
#include "garita/common/store/RetentionSchedule.hpp"
#include "garita/daemon/api/ApiRoutes.hpp"
#include "garita/daemon/api/LiveFeed.hpp"
#include "garita/daemon/api/LiveTickets.hpp"
#include "garita/daemon/api/RateLimiter.hpp"
#include "garita/daemon/api/RequestTarget.hpp"
#include "garita/daemon/api/StatusBoard.hpp"
#include "garita/daemon/exchange/BatchExchange.hpp"
#include "garita/daemon/exchange/PortClock.hpp"
#include "garita/daemon/http/HttpServer.hpp"
#include "garita/daemon/security/AuditLog.hpp"
#include "garita/daemon/security/UserStore.hpp"

namespace garita::daemon::api {

struct ApiServiceOptions {
  std::filesystem::path crossings_db;  // opened read-only, one connection per worker
  std::size_t workers = 2;
  RateLimit per_token{20.0, 40.0, 4096};
  // Failed logins per client address: bounds what a flood of bad tokens
  // can cost (each failure is an audit row); beyond it, 429 and no row.
  RateLimit per_address{10.0, 30.0, 4096};
  std::size_t max_live_clients = 32;
  // GET /metrics without a token from 127.0.0.1/::1 (a local Prometheus).
  bool metrics_from_loopback_without_token = true;

  // --- The weekly exchange and retention (issue 7) ---
  std::string port_code;               // [site] port_code: default port of officer records
  store::RetentionSchedule retention;  // GET /v1/retention (a dry run of this schedule)
  // Runs work on the read-write store (garitad: its writer thread). Empty:
  // POST /v1/batches and POST /v1/entry-records answer 503 store_unavailable.
  store::StoreAccess writer;
  // [exchange], loaded once at garitad's start. Null: POST /v1/batches
  // answers 409 not_configured.
  std::shared_ptr<const exchange::ExchangeContext> exchange;
  // The port's clock ([site] time_zone): officer records' UTC offsets. Null:
  // POST /v1/entry-records answers 409 not_configured.
  std::shared_ptr<const exchange::PortClock> port_clock;
};

struct ApiCounters {
  std::uint64_t requests = 0;
  std::uint64_t auth_failures = 0;
  std::uint64_t forbidden = 0;
  std::uint64_t rate_limited = 0;
  std::uint64_t bad_requests = 0;
  std::uint64_t searches = 0;
  std::uint64_t server_errors = 0;
  std::uint64_t live_clients = 0;
  std::uint64_t live_messages = 0;
  std::uint64_t live_dropped = 0;
};

class ApiService final : public http::Handler {
 public:
  ApiService(ApiServiceOptions options, security::UserStore& users, security::AuditLog& audit,
             StatusBoard& board);
  ~ApiService() override;
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  // Opens the read-only crossing store connections. One line in `error`.
  std::error_code start(std::string& error);
  // Waits for running requests to finish; later ones get 503.
  void stop();

  // For /metrics: the HTTP core's counters of this listener.
  void set_http_counters(std::function<http::HttpServer::Counters()> counters);

  // io thread: one committed crossing, to every live-feed client.
  void publish_crossing(const Crossing& crossing);

  ApiCounters counters() const;

  // http::Handler
  void on_request(http::Request&& req, const http::Peer& peer, http::Responder respond) override;
  bool accept_websocket(const http::Request& req, const http::Peer& peer,
                        http::Response& refusal) override;
  void on_websocket_open(std::shared_ptr<http::WebSocketClient> client) override;

 private:
  struct Call;
  void handle(const std::shared_ptr<Call>& call);  // worker thread
  bool authenticate(Call& call);                   // worker thread; answers on failure
  void serve_static(Call& call, Endpoint endpoint);
  void serve_health(Call& call);
  void serve_metrics(Call& call);
  void serve_status(Call& call);
  void serve_crossings(Call& call);
  void serve_audit(Call& call);
  void serve_live_ticket(Call& call);
  void serve_batches(Call& call);
  void serve_batch(Call& call);
  void serve_batch_export(Call& call);
  void serve_entry_record_add(Call& call);
  void serve_entry_record(Call& call);
  void serve_retention(Call& call);
  // An audit row for a refused or failed exchange request (no record contents).
  void audit_outcome(Call& call, std::string_view action, security::AuditOutcome outcome,
                     boost::json::object terms);
  void audit(const security::AuditEvent& event);
  void reply(Call& call, http::Response res);  // finishes headers, counts, sends
  // Runs `work` on one of the workers' read-only connections.
  std::error_code with_reader(const std::function<std::error_code(store::CrossingStore&)>& work,
                              std::string& error);
  // The same with the exchange tables; `error` gets the store's message.
  std::error_code with_exchange_reader(
      const std::function<std::error_code(exchange::ExchangeStore&)>& work, std::string& error);
  std::unique_ptr<store::CrossingStore> borrow_store(std::string& error);
  void give_back(std::unique_ptr<store::CrossingStore> store);

  ApiServiceOptions options_;
  security::UserStore& users_;
  security::AuditLog& audit_;
  StatusBoard& board_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::atomic<bool> stopping_{false};

  std::mutex export_mutex_;  // one export at a time: a second one waits, then finds nothing new

  std::mutex stores_mutex_;
  std::vector<std::unique_ptr<store::CrossingStore>> stores_;

  std::mutex limiter_mutex_;
  RateLimiter token_limiter_;
  RateLimiter address_limiter_;

  LiveTickets tickets_;
  std::mutex live_mutex_;
  LiveFeed live_;
  // Accepted upgrades waiting for on_websocket_open, by remote endpoint. An
  // upgrade whose handshake then fails never opens: entries older than
  // 30 s are forgotten, so they cannot hold places for ever.
  struct PendingLive {
    bool card_numbers = false;
    std::int64_t accepted_mono_us = 0;
  };
  std::map<std::string, PendingLive> pending_live_;

  std::function<http::HttpServer::Counters()> http_counters_;
  mutable std::mutex counters_mutex_;
  ApiCounters counters_;
  std::map<unsigned, std::uint64_t> responses_by_status_;
};

}  // namespace garita::daemon::api
