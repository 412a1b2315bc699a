// HTTPS server core (contracts.md B) against a Beast client on loopback:
// TLS setup, keep-alive, limits, malformed requests, deferred answers,
// client certificates, overload, timeouts, WebSockets and stop().
#include <catch2/catch.hpp>

#include <openssl/ssl.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "HttpTestSupport.hpp"
#include "garita/daemon/http/HttpErrc.hpp"

using namespace garita::daemon::http;
using namespace garita::daemon::http::test;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;

namespace {

// Routes: /echo (JSON about the request and peer), /later (answers from
// another thread), /drop (drops the Responder), /throw, /ws (WebSocket).
class TestHandler final : public Handler {
 public:
  void on_request(Request&& req, const Peer& peer, Responder respond) override {
    const std::string target(req.target());
    if (target == "/echo") {
      json::object o;
      o["method"] = std::string(req.method_string());
      o["body_bytes"] = req.body().size();
      o["cn"] = peer.cert_cn ? json::value(*peer.cert_cn) : json::value(nullptr);
      o["sha256"] = peer.cert_sha256;
      respond.send(json_response(bhttp::status::ok, o));
    } else if (target == "/later") {
      std::lock_guard lock(mutex);
      threads.emplace_back([respond] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        respond.send(json_response(bhttp::status::accepted, json::object{{"later", true}}));
        respond.send(json_response(bhttp::status::ok, json::object{{"twice", true}}));
      });
    } else if (target == "/drop") {
      // Responder goes out of scope unanswered.
    } else if (target == "/throw") {
      throw std::runtime_error("handler bug");
    } else {
      respond.send(error_response(bhttp::status::not_found, "not_found", "no such path"));
    }
  }
  bool accept_websocket(const Request& req, const Peer&, Response& refusal) override {
    if (req.target() == "/ws") return true;
    refusal = error_response(bhttp::status::forbidden, "forbidden", "not for you");
    return false;
  }
  void on_websocket_open(std::shared_ptr<WebSocketClient> client) override {
    std::lock_guard lock(mutex);
    clients.push_back(std::move(client));
  }
  std::vector<std::shared_ptr<WebSocketClient>> ws_clients() {
    std::lock_guard lock(mutex);
    return clients;
  }
  ~TestHandler() override {
    for (auto& t : threads) t.join();
  }

  std::mutex mutex;
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<WebSocketClient>> clients;
};

json::object body_json(const Response& res) { return json::parse(res.body()).as_object(); }

void require_json_error(const Response& res, bhttp::status status, const std::string& code) {
  CHECK(res.result() == status);
  CHECK(res[bhttp::field::content_type] == "application/json");
  const json::object body = body_json(res);
  CHECK(body.at("error").as_string() == code);
  CHECK(!body.at("message").as_string().empty());
}

struct Fixture {
  explicit Fixture(ListenerOptions options = server_options())
      : server(std::move(options), handler) {
    std::string error;
    const auto ec = server.start(error);
    INFO(error);
    REQUIRE(!ec);
    REQUIRE(server.port() != 0);
  }
  // WebSocket clients hold sockets: release them while the io_context lives.
  ~Fixture() {
    server.stop();
    std::lock_guard lock(handler.mutex);
    handler.clients.clear();
  }
  TestHandler handler;
  ServerThread server;
};

}  // namespace

TEST_CASE("serves JSON over TLS with keep-alive") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(!client.handshake());
  for (int i = 0; i < 3; ++i) {
    Response res;
    REQUIRE(!client.request(make_request(bhttp::verb::post, "/echo", "{\"a\":1}"), res));
    CHECK(res.result() == bhttp::status::ok);
    CHECK(res.keep_alive());
    CHECK(res[bhttp::field::cache_control] == "no-store");
    CHECK(body_json(res).at("body_bytes").to_number<std::uint64_t>() == 7);
    CHECK(body_json(res).at("cn").is_null());
  }
  Response res;
  REQUIRE(!client.request(make_request(bhttp::verb::get, "/nothing"), res));
  require_json_error(res, bhttp::status::not_found, "not_found");
  const auto c = f.server.server().counters();
  CHECK(c.accepted == 1);
  CHECK(c.requests == 4);
  CHECK(c.tls_failures == 0);
}

TEST_CASE("Connection: close is honoured") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(!client.handshake());
  Request req = make_request(bhttp::verb::get, "/echo");
  req.keep_alive(false);
  Response res;
  REQUIRE(!client.request(req, res));
  CHECK(!res.keep_alive());
  CHECK(client.read_until_closed(std::chrono::seconds(3)) != asio::error::timed_out);
}

TEST_CASE("answers from another thread, once; a dropped or throwing handler gives 500") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(!client.handshake());
  Response res;
  REQUIRE(!client.request(make_request(bhttp::verb::get, "/later"), res));
  CHECK(res.result() == bhttp::status::accepted);
  CHECK(body_json(res).contains("later"));
  REQUIRE(!client.request(make_request(bhttp::verb::get, "/drop"), res));
  require_json_error(res, bhttp::status::internal_server_error, "internal_error");
  REQUIRE(!client.request(make_request(bhttp::verb::get, "/throw"), res));
  require_json_error(res, bhttp::status::internal_server_error, "internal_error");
  // The connection is still usable, and the second send() of /later was ignored.
  REQUIRE(!client.request(make_request(bhttp::verb::get, "/echo"), res));
  CHECK(res.result() == bhttp::status::ok);
}

TEST_CASE("header and body limits give 431 and 413 as JSON") {
  ListenerOptions o = server_options();
  o.max_header_bytes = 1024;
  o.max_body_bytes = 4096;
  Fixture f(o);
  {
    TestClient client(f.server.port());
    REQUIRE(!client.handshake());
    Request req = make_request(bhttp::verb::get, "/echo");
    req.set("X-Padding", std::string(2000, 'x'));
    Response res;
    REQUIRE(!client.request(req, res));
    require_json_error(res, bhttp::status::request_header_fields_too_large, "header_too_large");
    CHECK(!res.keep_alive());
  }
  {
    TestClient client(f.server.port());
    REQUIRE(!client.handshake());
    Response res;
    REQUIRE(!client.request(make_request(bhttp::verb::post, "/echo", std::string(5000, 'x')), res));
    require_json_error(res, bhttp::status::payload_too_large, "body_too_large");
  }
  {
    // Chunked bodies are counted too.
    TestClient client(f.server.port());
    REQUIRE(!client.handshake());
    std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i) raw += "400\r\n" + std::string(1024, 'y') + "\r\n";
    raw += "0\r\n\r\n";
    REQUIRE(!client.write_raw(raw));
    Response res;
    REQUIRE(!client.read_response(res));
    require_json_error(res, bhttp::status::payload_too_large, "body_too_large");
  }
  {
    TestClient client(f.server.port());
    REQUIRE(!client.handshake());
    Response res;
    REQUIRE(!client.request(make_request(bhttp::verb::post, "/echo", std::string(4096, 'x')), res));
    CHECK(res.result() == bhttp::status::ok);
  }
  CHECK(f.server.server().counters().bad_requests == 3);
}

TEST_CASE("malformed requests get 400 as JSON and the connection closes") {
  Fixture f;
  const char* bad[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
  };
  for (const char* raw : bad) {
    INFO(raw);
    TestClient client(f.server.port());
    REQUIRE(!client.handshake());
    REQUIRE(!client.write_raw(raw));
    Response res;
    REQUIRE(!client.read_response(res));
    require_json_error(res, bhttp::status::bad_request, "bad_request");
    CHECK(client.read_until_closed(std::chrono::seconds(3)) != asio::error::timed_out);
  }
  CHECK(f.server.server().counters().bad_requests == std::size(bad));
  // Still serving.
  TestClient client(f.server.port());
  REQUIRE(!client.handshake());
  Response res;
  REQUIRE(!client.request(make_request(bhttp::verb::get, "/echo"), res));
  CHECK(res.result() == bhttp::status::ok);
}

TEST_CASE("idle and slow connections are closed") {
  ListenerOptions o = server_options();
  o.idle_timeout = std::chrono::seconds(1);
  o.request_timeout = std::chrono::seconds(1);
  Fixture f(o);
  {
    // Idle after a request.
    TestClient client(f.server.port());
    REQUIRE(!client.handshake());
    Response res;
    REQUIRE(!client.request(make_request(bhttp::verb::get, "/echo"), res));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(client.read_until_closed(std::chrono::seconds(5)) != asio::error::timed_out);
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(900));
  }
  {
    // A request that never completes (slowloris): closed after request_timeout.
    TestClient client(f.server.port());
    REQUIRE(!client.handshake());
    REQUIRE(!client.write_raw("GET /echo HTTP/1.1\r\nHost: x\r\n"));
    CHECK(client.read_until_closed(std::chrono::seconds(5)) != asio::error::timed_out);
  }
  {
    // TCP only, no handshake: closed and logged.
    StderrCapture log;
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), f.server.port()});
    CHECK(log.wait_for("test: TLS handshake from 127.0.0.1:"));
    CHECK(log.text().find("no TLS handshake within 1 s") != std::string::npos);
  }
  CHECK(eventually([&] { return f.server.server().open_connections() == 0; }));
}

TEST_CASE("plain HTTP to the TLS port is refused with a log line") {
  Fixture f;
  StderrCapture log;
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), f.server.port()});
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::array<char, 256> buf{};
  boost::system::error_code ec;
  s.read_some(asio::buffer(buf), ec);  // closed, maybe after a TLS alert
  REQUIRE(log.wait_for("TLS handshake from 127.0.0.1:"));
  const std::string text = log.text();
  INFO(text);
  CHECK((text.find("http request") != std::string::npos ||
         text.find("wrong version number") != std::string::npos));
  CHECK(text.find("not TLS: plain HTTP or TCP sent to this HTTPS port") != std::string::npos);
  CHECK(text.find("GET") == std::string::npos);  // nothing the peer sent is logged
  CHECK(f.server.server().counters().tls_failures == 1);
}

TEST_CASE("client certificates: CN and fingerprint exposed; wrong CA, expired, missing refused") {
  Fixture f(server_options(true));
  const auto& pki = test_pki();
  {
    TestClient client(f.server.port(), {pki / "L3.pem", pki / "L3.key"});
    REQUIRE(!client.handshake());
    Response res;
    REQUIRE(!client.request(make_request(bhttp::verb::get, "/echo"), res));
    REQUIRE(res.result() == bhttp::status::ok);
    CHECK(body_json(res).at("cn").as_string() == "L3");
    CHECK(body_json(res).at("sha256").as_string() == cert_sha256(pki / "L3.pem"));
  }
  struct Bad {
    const char* cert;
    const char* expected;
  };
  const Bad bad[] = {
      {"expired", "certificate verify failed (certificate has expired"},
      {"wrong-L1",
       "certificate verify failed (unable to get local issuer certificate; the client "
       "certificate is not issued by the configured client CA)"},
      {"", "peer did not return a certificate (the client presented no certificate)"},
  };
  for (const Bad& b : bad) {
    INFO(b.cert);
    StderrCapture log;
    ClientTls tls;
    if (*b.cert != '\0') {
      tls.cert_file = pki / (std::string(b.cert) + ".pem");
      tls.key_file = pki / (std::string(b.cert) + ".key");
    }
    TestClient client(f.server.port(), tls);
    // TLS 1.3 (RFC 8446 §4.4.2): the client may finish its handshake before
    // the server rejects its certificate; the refusal shows on the first read.
    boost::system::error_code ec = client.handshake();
    if (!ec) {
      Response res;
      ec = client.request(make_request(bhttp::verb::get, "/echo"), res);
    }
    CHECK(ec);
    REQUIRE(log.wait_for("TLS handshake from 127.0.0.1:"));
    CHECK(log.text().find(b.expected) != std::string::npos);
  }
  CHECK(f.server.server().counters().tls_failures == 3);
}

TEST_CASE("tls13_only refuses TLS 1.2 clients") {
  ListenerOptions o = server_options();
  o.tls13_only = true;
  Fixture f(o);
  StderrCapture log;
  ClientTls tls;
  tls.max_version = TLS1_2_VERSION;
  TestClient old_client(f.server.port(), tls);
  CHECK(old_client.handshake());
  REQUIRE(log.wait_for("TLS handshake from"));
  CHECK(log.text().find("unsupported protocol") != std::string::npos);
  TestClient client(f.server.port());
  REQUIRE(!client.handshake());
  CHECK(SSL_version(client.stream().native_handle()) == TLS1_3_VERSION);
}

TEST_CASE("start refuses unusable TLS files with one line naming the file") {
  TempDir dir;
  TestHandler handler;
  const auto& pki = test_pki();
  std::filesystem::copy_file(pki / "server.key", dir.path() / "open.key");
  ::chmod((dir.path() / "open.key").c_str(), 0640);
  std::filesystem::copy_file(pki / "L1.key", dir.path() / "other.key");
  ::chmod((dir.path() / "other.key").c_str(), 0600);

  struct Case {
    std::filesystem::path cert, key, ca;
    Errc code;
    std::string message;
  };
  const Case cases[] = {
      {pki / "server.pem",
       dir.path() / "open.key",
       {},
       Errc::key_permissions,
       "has mode 0640: group or others may read it"},
      {pki / "server.pem",
       dir.path() / "missing.key",
       {},
       Errc::tls_setup_failed,
       "missing.key' cannot be opened"},
      {pki / "server.pem",
       dir.path() / "other.key",
       {},
       Errc::tls_setup_failed,
       "does not belong to certificate"},
      {pki / "server.key",
       pki / "server.key",
       {},
       Errc::tls_setup_failed,
       "is not a PEM certificate chain"},
      {pki / "server.pem", pki / "server.key", dir.path() / "no-ca.pem", Errc::tls_setup_failed,
       "client CA file"},
  };
  for (const Case& c : cases) {
    ListenerOptions o = server_options();
    o.cert_file = c.cert;
    o.key_file = c.key;
    o.client_ca_file = c.ca;
    ServerThread server(o, handler, "uplink");
    std::string error;
    const std::error_code ec = server.start(error);
    INFO(error);
    CHECK(ec == c.code);
    CHECK(error.rfind("uplink: ", 0) == 0);
    CHECK(error.find(c.message) != std::string::npos);
    CHECK(error.find('\n') == std::string::npos);
  }
  {
    ListenerOptions o = server_options();
    o.address = "not-an-address";
    ServerThread server(o, handler);
    std::string error;
    CHECK(server.start(error) == Errc::bad_address);
  }
  {
    Fixture taken;
    ListenerOptions o = server_options();
    o.port = taken.server.port();
    ServerThread server(o, handler);
    std::string error;
    CHECK(server.start(error) == Errc::listen_failed);
    CHECK(error.find("bind") != std::string::npos);
  }
}

TEST_CASE("past max_connections clients get 503, then are served again") {
  ListenerOptions o = server_options();
  o.max_connections = 2;
  Fixture f(o);
  TestClient a(f.server.port()), b(f.server.port());
  REQUIRE(!a.handshake());
  REQUIRE(!b.handshake());
  REQUIRE(eventually([&] { return f.server.server().open_connections() == 2; }));
  {
    TestClient c(f.server.port());
    REQUIRE(!c.handshake());
    Response res;
    REQUIRE(!c.request(make_request(bhttp::verb::get, "/echo"), res));
    require_json_error(res, bhttp::status::service_unavailable, "overloaded");
    CHECK(!res.keep_alive());
  }
  CHECK(f.server.server().counters().rejected_overload == 1);
  Response res;
  REQUIRE(!a.request(make_request(bhttp::verb::get, "/echo"), res));
  CHECK(res.result() == bhttp::status::ok);
}

TEST_CASE("WebSocket: upgrade, push, refusal, limit, slow client dropped, stop") {
  ListenerOptions o = server_options();
  o.max_websockets = 2;
  o.websocket_queue_messages = 4;
  Fixture f(o);
  using Ws = websocket::stream<ClientStream&>;

  auto open_ws = [&](TestClient& client, const std::string& target,
                     websocket::response_type& answer) {
    REQUIRE(!client.handshake());
    auto ws = std::make_unique<Ws>(client.stream());
    boost::system::error_code ec;
    ws->handshake(answer, "127.0.0.1", target, ec);
    return std::make_pair(std::move(ws), ec);
  };

  TestClient c1(f.server.port());
  websocket::response_type answer;
  auto [ws1, ec1] = open_ws(c1, "/ws", answer);
  REQUIRE(!ec1);
  REQUIRE(eventually([&] { return f.handler.ws_clients().size() == 1; }));
  auto server_side = f.handler.ws_clients()[0];
  CHECK(server_side->is_open());
  CHECK(server_side->peer().remote.address().to_string() == "127.0.0.1");
  REQUIRE(server_side->send("hello"));
  REQUIRE(server_side->send("world"));
  beast::flat_buffer buffer;
  ws1->read(buffer);
  CHECK(beast::buffers_to_string(buffer.data()) == "hello");
  buffer.consume(buffer.size());
  ws1->read(buffer);
  CHECK(beast::buffers_to_string(buffer.data()) == "world");
  ws1->write(asio::buffer(std::string("ignored by the server")));

  {
    TestClient refused(f.server.port());
    websocket::response_type r;
    auto [ws, ec] = open_ws(refused, "/other", r);
    CHECK(ec);
    CHECK(r.result() == bhttp::status::forbidden);
  }

  // The slow client: never reads; large messages fill the socket buffers,
  // then the 4-message queue; it is then dropped and send() says so.
  TestClient c2(f.server.port());
  websocket::response_type answer2;
  auto [ws2, ec2] = open_ws(c2, "/ws", answer2);
  REQUIRE(!ec2);
  REQUIRE(eventually([&] { return f.handler.ws_clients().size() == 2; }));
  {
    TestClient c3(f.server.port());
    websocket::response_type r;
    auto [ws3, ec3] = open_ws(c3, "/ws", r);
    CHECK(ec3);
    CHECK(r.result() == bhttp::status::service_unavailable);
  }
  auto slow = f.handler.ws_clients()[1];
  {
    StderrCapture log;
    const std::string big(256 * 1024, 'x');
    bool dropped = false;
    for (int i = 0; i < 2000 && !dropped; ++i) {
      if (!slow->send(big)) dropped = true;
      if (i % 8 == 7) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(dropped);
    CHECK(!slow->is_open());
    CHECK(log.wait_for("dropped: 4 messages waiting (a slow or stalled client)"));
  }
  CHECK(eventually([&] { return f.server.server().open_websockets() == 1; }));
  // The good client is unaffected.
  REQUIRE(server_side->send("still here"));
  buffer.consume(buffer.size());
  ws1->read(buffer);
  CHECK(beast::buffers_to_string(buffer.data()) == "still here");

  // stop() closes the live-feed client and the listener.
  f.server.stop();
  buffer.consume(buffer.size());
  boost::system::error_code ec;
  ws1->read(buffer, ec);
  CHECK(ec);
  CHECK(eventually([&] { return f.server.server().open_connections() == 0; }));
  CHECK(!server_side->send("after stop"));
  CHECK(f.server.server().counters().websockets == 2);
}

TEST_CASE("stop closes idle connections and the listener") {
  Fixture f;
  TestClient client(f.server.port());
  REQUIRE(!client.handshake());
  Response res;
  REQUIRE(!client.request(make_request(bhttp::verb::get, "/echo"), res));
  f.server.stop();
  f.server.stop();  // idempotent
  CHECK(client.read_until_closed(std::chrono::seconds(3)) != asio::error::timed_out);
  CHECK(eventually([&] { return f.server.server().open_connections() == 0; }));
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), f.server.port()}, ec);
  CHECK(ec == asio::error::connection_refused);
}
