#include "garita/daemon/api/ApiRuntime.hpp"

#include "garita/common/HostClock.hpp"
#include "garita/common/Log.hpp"
#include "garita/daemon/Daemon.hpp"
#include "garita/daemon/security/SigningKey.hpp"

namespace garita::daemon::api {

namespace {
constexpr std::string_view kLog = "api";
}

ApiRuntimeSettings api_runtime_settings(const config::SiteConfig& site) {
  ApiRuntimeSettings s;
  s.listener.address = site.api.address;
  s.listener.port = site.api.port;
  s.listener.cert_file = site.api.cert_file;
  s.listener.key_file = site.api.key_file;
  s.listener.client_ca_file = site.api.client_ca_file;
  // People's requests are small: a search is a GET.
  s.listener.max_body_bytes = std::size_t{64} * 1024;
  s.service.crossings_db = site.store.path;
  s.service.port_code = site.port_code;
  s.service.retention = site.retention;
  s.security = site.security;
  s.time_zone = site.time_zone;
  return s;
}

ApiRuntime::ApiRuntime(boost::asio::io_context& io, Daemon& daemon, ApiRuntimeSettings settings)
    : io_(io), daemon_(daemon), settings_(std::move(settings)), status_timer_(io) {}

ApiRuntime::~ApiRuntime() {
  // A destructor must not throw (it would terminate); stop() only cancels and
  // closes, and nothing is left to do here if one of those throws.
  try {
    stop();
  } catch (...) {
  }
}

std::error_code ApiRuntime::start(std::string& error) {
  const config::SecuritySettings& sec = settings_.security;
  if (auto ec = users_.open(sec.users_db)) {
    error = "users database " + sec.users_db.string() + ": " + users_.last_error();
    return ec;
  }
  security::AuditLogOptions ao;
  if (!sec.signing_key.empty()) {
    auto key = std::make_shared<security::SigningKey>();
    if (auto ec = security::SigningKey::load(sec.signing_key, sec.signing_cert, *key, error)) {
      error = "audit signing key: " + error;
      return ec;
    }
    ao.key = std::move(key);
  }
  ao.sign_every_rows = sec.audit_sign_every_rows;
  ao.sign_every = std::chrono::seconds(sec.audit_sign_every_seconds);
  if (auto ec = audit_.open(sec.audit_db, ao)) {
    error = "audit log " + sec.audit_db.string() + ": " + audit_.last_error();
    return ec;
  }
  if (!settings_.time_zone.empty()) {
    auto clock = std::make_shared<exchange::PortClock>();
    if (auto ec = exchange::PortClock::load(settings_.time_zone, *clock, error)) {
      error = "time zone: " + error;
      return ec;
    }
    settings_.service.port_clock = std::move(clock);
  }
  // Exports and officer records are written by the store's writer thread.
  settings_.service.writer = daemon_.store_access();
  service_ = std::make_unique<ApiService>(settings_.service, users_, audit_, board_);
  if (auto ec = service_->start(error)) return ec;
  server_ = std::make_unique<http::HttpServer>(io_, settings_.listener, *service_, "api");
  if (auto ec = server_->start(error)) {
    service_->stop();
    return ec;
  }
  http::HttpServer* server = server_.get();
  service_->set_http_counters([server] { return server->counters(); });
  started_utc_us_ = host_now().utc_us;
  daemon_.set_commit_listener([this](const Crossing& c) {
    auto& last = last_crossing_[c.lane_id];
    last = std::max(last, c.first_seen_utc_us);
    service_->publish_crossing(c);
  });
  running_ = true;
  do_status();
  log::info(kLog, "listening on https://" + settings_.listener.address + ":" +
                      std::to_string(server_->port()) + " (status page at /)");
  return {};
}

void ApiRuntime::do_status() {
  DaemonStatus s = daemon_.status_snapshot();
  s.started_utc_us = started_utc_us_;
  for (LaneView& l : s.lanes) {
    if (auto it = last_crossing_.find(l.id); it != last_crossing_.end()) {
      l.last_crossing_utc_us = it->second;
    }
  }
  disk_space(settings_.service.crossings_db, s.disk_total_bytes, s.disk_free_bytes);
  const std::int64_t now_utc = s.taken_utc_us;
  board_.publish(std::move(s));
  // The audit head is signed when due even when nobody uses the API.
  if (now_utc - last_sign_check_us_ > 10'000'000) {
    last_sign_check_us_ = now_utc;
    if (auto ec = audit_.sign_if_due(now_utc)) {
      log::error(kLog, "audit log: could not sign the chain head: " + audit_.last_error());
    }
  }
  status_timer_.expires_after(std::chrono::microseconds(settings_.status_every_us));
  status_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    do_status();
  });
}

void ApiRuntime::stop() {
  if (!running_) return;
  running_ = false;
  status_timer_.cancel();
  daemon_.set_commit_listener(nullptr);
  if (server_) server_->stop();
  if (service_) service_->stop();
  (void)audit_.close(host_now().utc_us);
  users_.close();
}

std::uint16_t ApiRuntime::port() const { return server_ ? server_->port() : 0; }

}  // namespace garita::daemon::api
