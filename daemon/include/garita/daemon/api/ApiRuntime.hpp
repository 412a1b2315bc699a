#pragma once
// Everything the people-facing API needs inside garitad, wired once: the
// users database and the audit log (security::), the status board fed from
// the Daemon once a second, the ApiService, and its HTTPS listener. garitad's
// main creates one after Daemon::start and stops it before Daemon::stop, so
// no request is half-answered while the store closes.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>
#include <system_error>

#include "garita/common/config/SiteConfig.hpp"
#include "garita/daemon/api/ApiService.hpp"
#include "garita/daemon/api/StatusBoard.hpp"
#include "garita/daemon/http/HttpServer.hpp"
#include "garita/daemon/security/AuditLog.hpp"
#include "garita/daemon/security/UserStore.hpp"

namespace garita::daemon {
class Daemon;
}

namespace garita::daemon::api {

struct ApiRuntimeSettings {
  http::ListenerOptions listener;  // from [api]
  ApiServiceOptions service;       // crossings_db from [database]
  config::SecuritySettings security;
  std::string time_zone;  // [site] time_zone: the port clock of officer records
  std::int64_t status_every_us = 1'000'000;
};

// From the site configuration: [api] (listener), [database] (the file
// searched), [security] (users, audit log, signing key), [site] (port code,
// time zone), [retention]. service.exchange is left null: garitad's main
// loads [exchange] (ExchangeContext::load) and sets it.
ApiRuntimeSettings api_runtime_settings(const config::SiteConfig& site);

class ApiRuntime {
 public:
  ApiRuntime(boost::asio::io_context& io, Daemon& daemon, ApiRuntimeSettings settings);
  ~ApiRuntime();
  ApiRuntime(const ApiRuntime&) = delete;
  ApiRuntime& operator=(const ApiRuntime&) = delete;

  // Opens the users and audit databases, the read-only crossing store
  // connections, loads the port clock, takes the daemon's store writer
  // (Daemon::store_access) for the write endpoints, starts listening. One line in `error` on
  // failure; nothing is left listening then.
  std::error_code start(std::string& error);
  // Closes the listener and every client, finishes running requests, signs
  // and closes the audit log. Idempotent.
  void stop();

  std::uint16_t port() const;
  ApiService& service() { return *service_; }

 private:
  void do_status();

  boost::asio::io_context& io_;
  Daemon& daemon_;
  ApiRuntimeSettings settings_;
  security::UserStore users_;
  security::AuditLog audit_;
  StatusBoard board_;
  std::unique_ptr<ApiService> service_;
  std::unique_ptr<http::HttpServer> server_;
  boost::asio::steady_timer status_timer_;
  std::int64_t started_utc_us_ = 0;
  std::int64_t last_sign_check_us_ = 0;
  std::map<std::string, std::int64_t> last_crossing_;  // lane -> first_seen of its last crossing
  bool running_ = false;
};

}  // namespace garita::daemon::api
