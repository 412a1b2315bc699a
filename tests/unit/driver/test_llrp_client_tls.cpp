// llrps://: the LLRP client over TLS against a fake reader with a throwaway
// PKI (made with the openssl CLI in a temp directory). The reader's
// certificate must chain to the configured CA and name the address dialled;
// the reader checks garita's client certificate.
#include <catch2/catch.hpp>

#include "DriverHarness.hpp"
#include "FakeReader.hpp"
#include "garita/common/Hex.hpp"
#include "garita/hal/DriverErrc.hpp"

using namespace garita;
using namespace garita::test;
using namespace std::chrono_literals;
using hal::DriverState;

namespace {

const TestPki& pki() {
  static const TestPki instance;
  return instance;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The reader's side: its certificate, and garita's must chain to ca.crt.
std::unique_ptr<asio::ssl::context> reader_context(const std::string& cert = "reader") {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  context->use_certificate_chain_file(pki().path(cert + ".crt"));
  context->use_private_key_file(pki().path(cert + ".key"), asio::ssl::context::pem);
  context->load_verify_file(pki().path("ca.crt"));
  context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  return context;
}

hal::DriverOptions tls_options(const std::string& ca = "ca.crt") {
  auto options = fast_options();
  options.tls.ca_file = pki().path(ca);
  options.tls.cert_file = pki().path("client.crt");
  options.tls.key_file = pki().path("client.key");
  return options;
}

awaitable<void> tls_reader(FakeReader& reader, asio::ssl::context& context,
                           std::vector<OwnedMessage>& startup, bool& closed) {
  const auto spec = FakeReaderSpec::generic();
  auto accepted = co_await reader.accept_tls(context);
  if (!accepted) throw std::runtime_error("TLS handshake with garita failed");
  auto& c = *accepted;
  startup = co_await c.serve_startup(spec);
  auto report = ro_access_report({tag("3074257BF7194E4000001A85")}, 1);  // outside co_await: GCC 12
  co_await c.send(std::move(report));
  co_await c.serve_until_closed(spec);
  closed = true;
}

awaitable<void> refusing_tls_reader(FakeReader& reader, asio::ssl::context& context,
                                    bool& handshake_failed) {
  auto connection = co_await reader.accept_tls(context);
  handshake_failed = !connection;
}

}  // namespace

TEST_CASE("TLS: llrps:// with a CA-signed reader certificate and a client certificate") {
  auto context = reader_context();
  DriverHarness h(tls_options(), "llrps");
  std::vector<OwnedMessage> startup;
  bool closed = false;
  ScriptResult script;
  spawn(h.io, tls_reader(h.reader, *context, startup, closed), script);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 1 || script.finished; }));
  INFO(h.log_text());
  script.rethrow();
  CHECK(startup.size() == 11);
  CHECK(to_hex(h.sink.reads[0].epc.view()) == "3074257BF7194E4000001A85");
  CHECK(h.state() == DriverState::running);
  CHECK(h.status().uri == h.reader.uri("llrps"));
  REQUIRE(h.stop());
  REQUIRE(h.run([&] { return script.finished; }));
  CHECK(closed);
  script.rethrow();
}

TEST_CASE("TLS: a reader certificate from another CA is refused with a clear error") {
  auto context = reader_context();
  auto options = tls_options("other-ca.crt");
  options.backoff_initial = 10s;
  options.backoff_max = 10s;
  DriverHarness h(options, "llrps");
  bool handshake_failed = false;
  ScriptResult script;
  spawn(h.io, refusing_tls_reader(h.reader, *context, handshake_failed), script);
  REQUIRE(h.run_until_state(DriverState::backing_off));
  const auto s = h.status();
  INFO(s.last_error);
  CHECK(s.last_error_code == hal::DriverErrc::tls_handshake_failed);
  CHECK(contains(s.last_error, "TLS handshake with 127.0.0.1:"));
  CHECK(contains(s.last_error, "the reader's certificate was rejected"));
  CHECK(contains(s.last_error, "other-ca.crt' the CA that signed the reader's certificate"));
  CHECK(s.read_count == 0);
  REQUIRE(h.run([&] { return script.finished; }));
  CHECK(handshake_failed);
}

TEST_CASE("TLS: a reader certificate naming another host is refused") {
  auto context = reader_context("other");  // DNS:other-reader.example, dialled as 127.0.0.1
  auto options = tls_options();
  options.backoff_initial = 10s;
  options.backoff_max = 10s;
  DriverHarness h(options, "llrps");
  bool handshake_failed = false;
  ScriptResult script;
  spawn(h.io, refusing_tls_reader(h.reader, *context, handshake_failed), script);
  REQUIRE(h.run_until_state(DriverState::backing_off));
  const auto s = h.status();
  INFO(s.last_error);
  CHECK(s.last_error_code == hal::DriverErrc::tls_handshake_failed);
  CHECK(contains(s.last_error, "does not name '127.0.0.1'"));
}

TEST_CASE(
    "TLS: without a client certificate a reader that requires one refuses, and the error says what "
    "to give") {
  auto context = reader_context();
  auto options = tls_options();
  options.tls.cert_file.clear();
  options.tls.key_file.clear();
  options.backoff_initial = 10s;
  options.backoff_max = 10s;
  DriverHarness h(options, "llrps");
  bool handshake_failed = false;
  ScriptResult script;
  spawn(h.io, refusing_tls_reader(h.reader, *context, handshake_failed), script);
  // TLS 1.3 reports the refusal at the first read, 1.2 in the handshake:
  // either way the attempt fails and says so.
  REQUIRE(h.run_until_state(DriverState::backing_off));
  const auto s = h.status();
  INFO(s.last_error);
  CHECK(contains(s.last_error, "client certificate"));
  CHECK(h.sink.reads.empty());
}

TEST_CASE("TLS: bad or missing files are refused when the driver is made, naming the file") {
  asio::io_context io;
  RecordingSink sink;
  hal::ReaderUri uri;
  std::string why;
  REQUIRE_FALSE(hal::parse_reader_uri("llrps://127.0.0.1", uri, why));
  std::error_code ec;

  auto options = fast_options();
  CHECK_FALSE(hal::make_reader_driver(uri, io, sink, options, ec, why));
  CHECK(ec == hal::DriverErrc::tls_setup_failed);
  CHECK(contains(why, "needs a CA file"));

  options.tls.ca_file = pki().path("missing.crt");
  CHECK_FALSE(hal::make_reader_driver(uri, io, sink, options, ec, why));
  CHECK(contains(why, "missing.crt' cannot be opened"));

  options.tls.ca_file = pki().path("reader.ext");  // not PEM
  CHECK_FALSE(hal::make_reader_driver(uri, io, sink, options, ec, why));
  CHECK(contains(why, "holds no usable PEM certificate"));

  options.tls.ca_file = pki().path("ca.crt");
  options.tls.cert_file = pki().path("client.crt");
  CHECK_FALSE(hal::make_reader_driver(uri, io, sink, options, ec, why));
  CHECK(contains(why, "needs its key"));

  options.tls.key_file = pki().path("reader.key");  // another certificate's key
  CHECK_FALSE(hal::make_reader_driver(uri, io, sink, options, ec, why));
  CHECK(contains(why, "does not belong to certificate"));

  options.tls.key_file = pki().path("client.key");
  CHECK(hal::make_reader_driver(uri, io, sink, options, ec, why));
  CHECK_FALSE(ec);
}
