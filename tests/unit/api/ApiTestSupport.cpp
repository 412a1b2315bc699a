#include "ApiTestSupport.hpp"

#include <stdexcept>

#include <cstdlib>

#include "garita/common/HostClock.hpp"
#include "garita/common/store/CrossingStore.hpp"

namespace garita::daemon::api::test {

ScratchDir::ScratchDir() {
  std::string templ = (fs::temp_directory_path() / "garita-api-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (std::getenv("GARITA_KEEP_TMP") == nullptr) fs::remove_all(path_, ec);
}

void make_test_pki(const fs::path& dir) {
  const std::string command = "sh '" + std::string(GARITA_SOURCE_DIR) + "/scripts/test-pki.sh' '" +
                              dir.string() + "' >/dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("scripts/test-pki.sh failed");
}

std::string fixture_epc(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "3074257BF7194E40%08X", static_cast<unsigned>(0x1A00 + i));
  return buf;
}

Crossing fixture_crossing(int i) {
  Crossing c;
  c.lane_id = i % 2 == 0 ? "P01" : "P02";
  c.sequence = static_cast<std::uint64_t>(i / 2 + 1);
  c.port_code = "SYS";
  c.epc_hex = fixture_epc(i);
  std::vector<std::uint8_t> bytes;
  for (std::size_t k = 0; k < c.epc_hex.size(); k += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(c.epc_hex.substr(k, 2), nullptr, 16)));
  }
  c.epc.assign(bytes);
  c.epc_uri = "urn:epc:raw:96.x" + c.epc_hex;
  c.epc_scheme = "raw";
  c.document = i % 3 == 0 ? DocumentType::bcc : DocumentType::passport_card;
  c.first_seen_utc_us = kFixtureStartUs + i * 60'000'000LL;
  c.last_seen_utc_us = c.first_seen_utc_us + 1'500'000;
  c.read_count = 10;
  c.antenna_mask = 3;
  c.host_clock_synchronized = true;
  return c;
}

namespace {
constexpr security::Role kRoles[] = {security::Role::technician, security::Role::officer,
                                     security::Role::supervisor, security::Role::auditor,
                                     security::Role::admin};
}

std::string ApiFixture::user(security::Role role) const {
  return std::string(security::to_string(role)) + "1";
}

ApiFixture::ApiFixture(ServiceOptions options) {
  make_test_pki(dir() / "pki");
  // The crossings database with known rows.
  {
    store::CrossingStore db;
    if (db.open(dir() / "crossings.db")) throw std::runtime_error(db.last_error());
    for (int i = 0; i < kFixtureCrossings; ++i) {
      if (db.write(fixture_crossing(i))) throw std::runtime_error(db.last_error());
    }
  }
  const std::int64_t now = host_now().utc_us;
  if (users_.open(dir() / "users.db")) throw std::runtime_error(users_.last_error());
  for (security::Role r : kRoles) {
    security::User u;
    if (users_.add_user(user(r), r, now, u)) throw std::runtime_error(users_.last_error());
    security::IssuedToken t;
    if (users_.issue_token(user(r), std::chrono::hours(1), now, t)) {
      throw std::runtime_error(users_.last_error());
    }
    tokens_[r] = t.token;
  }
  if (audit_.open(dir() / "audit.db")) throw std::runtime_error(audit_.last_error());

  DaemonStatus s;
  s.taken_utc_us = now;
  s.port_code = "SYS";
  s.host_clock_synchronized = true;
  ReaderView r;
  r.id = "r1";
  r.state = "running";
  r.connected = true;
  r.lanes = {"P01", "P02"};
  r.read_count = 1234;
  s.readers.push_back(r);
  for (const char* id : {"P01", "P02"}) {
    LaneView l;
    l.id = id;
    l.reading = true;
    l.crossings = 12;
    s.lanes.push_back(l);
  }
  s.store.writer_running = true;
  s.store.queue_capacity = 4096;
  board_.publish(s);

  options.service.crossings_db = dir() / "crossings.db";
  std::string error;
  // The write endpoints' store access: one read-write connection, one job
  // at a time, as garitad's GroupCommitter runs them on its writer thread.
  if (writer_db_.open(dir() / "crossings.db")) throw std::runtime_error(writer_db_.last_error());
  options.service.writer =
      [this](const std::function<std::error_code(store::CrossingStore&)>& work) {
        std::lock_guard lock(writer_mutex_);
        ++writer_jobs_;
        return work(writer_db_);
      };
  options.service.port_code = "SYS";
  auto clock = std::make_shared<exchange::PortClock>();
  if (exchange::PortClock::load(kFixtureTimeZone, *clock, error)) throw std::runtime_error(error);
  options.service.port_clock = std::move(clock);
  if (options.exchange) {
    config::SiteConfig site;
    site.source = dir() / "garitad.toml";
    site.port_code = "SYS";
    site.time_zone = std::string(kFixtureTimeZone);
    site.exchange.enabled = true;
    site.exchange.key_file = dir() / "pki" / "signing.key";
    site.exchange.cert_file = dir() / "pki" / "signing.pem";
    site.exchange.partner_certificate = dir() / "pki" / "partner.pem";
    site.exchange.partner_ca_file = dir() / "pki" / "partner-ca.pem";
    if (options.export_dir) {
      site.exchange.export_dir = export_dir();
      fs::create_directories(export_dir());
    }
    auto ctx = std::make_shared<exchange::ExchangeContext>();
    if (exchange::ExchangeContext::load(site, *ctx, error)) throw std::runtime_error(error);
    options.service.exchange = std::move(ctx);
  }
  service_ = std::make_unique<ApiService>(options.service, users_, audit_, board_);
  if (service_->start(error)) throw std::runtime_error(error);
  options.listener.cert_file = dir() / "pki" / "server.pem";
  options.listener.key_file = dir() / "pki" / "server.key";
  options.listener.port = 0;
  options.listener.max_websockets = std::max<std::size_t>(options.listener.max_websockets, 8);
  server_ = std::make_unique<http::HttpServer>(io_, options.listener, *service_, "api");
  if (server_->start(error)) throw std::runtime_error(error);
  http::HttpServer* server = server_.get();
  service_->set_http_counters([server] { return server->counters(); });
  work_.emplace(io_.get_executor());
  thread_ = std::thread([this] { io_.run(); });
}

ApiFixture::~ApiFixture() {
  service_->stop();  // lets go of its WebSocket clients first
  server_->stop();
  work_.reset();
  thread_.join();
  server_.reset();
  service_.reset();
}

ApiClient ApiFixture::client_with(std::string token) const {
  ApiClientOptions o;
  o.url.host = "127.0.0.1";
  o.url.port = port();
  o.ca_file = dir_.path() / "pki" / "ca.pem";
  o.token = std::move(token);
  o.timeout = std::chrono::seconds(10);
  return ApiClient(o);
}

ApiClient ApiFixture::client(security::Role role) const { return client_with(token(role)); }

std::vector<security::AuditRecord> ApiFixture::audit_rows() {
  security::AuditLog reader;
  security::AuditLogOptions o;
  o.read_only = true;
  o.create = false;
  if (reader.open(dir() / "audit.db", o)) throw std::runtime_error(reader.last_error());
  security::AuditQuery q;
  q.limit = 10000;
  std::vector<security::AuditRecord> rows;
  if (reader.query(security::Role::auditor, q, rows)) throw std::runtime_error(reader.last_error());
  return rows;
}

}  // namespace garita::daemon::api::test
