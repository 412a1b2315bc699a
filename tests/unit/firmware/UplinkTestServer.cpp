#include "UplinkTestServer.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdlib>

namespace garita::firmware::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct UplinkTestServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_in, Handler h) : io(io_in), acceptor(io_in), handler(std::move(h)) {}

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec || stopped) co_return;
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    auto self = shared_from_this();
    auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(
        beast::tcp_stream(std::move(socket)), context);
    streams.push_back(stream);
    ++connections;
    boost::system::error_code ec;
    co_await stream->async_handshake(asio::ssl::stream_base::server,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ++handshake_failures;
      last_handshake_error = ec.message();
      co_return;
    }
    std::string cn;
    if (X509* peer = SSL_get1_peer_certificate(stream->native_handle())) {
      char buf[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof buf);
      cn = buf;
      X509_free(peer);
    }
    beast::flat_buffer buffer;
    for (;;) {
      Request req;
      co_await http::async_read(*stream, buffer, req,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec || stopped) co_return;
      Response res = handler(req, cn);
      res.version(11);
      const bool close = !res.keep_alive();
      res.prepare_payload();
      co_await http::async_write(*stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || close || stopped) {
        beast::get_lowest_layer(*stream).close();
        co_return;
      }
    }
  }

  asio::io_context& io;
  asio::ssl::context context{asio::ssl::context::tls_server};
  tcp::acceptor acceptor;
  Handler handler;
  std::vector<std::weak_ptr<beast::ssl_stream<beast::tcp_stream>>> streams;
  std::size_t connections = 0;
  std::size_t handshake_failures = 0;
  std::string last_handshake_error;
  bool stopped = false;
};

UplinkTestServer::UplinkTestServer(asio::io_context& io, const ServerFiles& files, Handler handler,
                                   const std::string& address, unsigned short port)
    : impl_(std::make_shared<Impl>(io, std::move(handler))) {
  auto& ctx = impl_->context;
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_3_VERSION);
  ctx.use_certificate_chain_file(files.cert_file.string());
  ctx.use_private_key_file(files.key_file.string(), asio::ssl::context::pem);
  ctx.load_verify_file(files.client_ca_file.string());
  ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  const tcp::endpoint ep(asio::ip::make_address(address), port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  asio::co_spawn(io, impl_->accept_loop(), asio::detached);
}

UplinkTestServer::~UplinkTestServer() { stop(); }

unsigned short UplinkTestServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void UplinkTestServer::stop() {
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& w : impl_->streams) {
    if (auto s = w.lock()) beast::get_lowest_layer(*s).socket().close(ignored);
  }
}

std::size_t UplinkTestServer::connections() const { return impl_->connections; }
std::size_t UplinkTestServer::handshake_failures() const { return impl_->handshake_failures; }
const std::string& UplinkTestServer::last_handshake_error() const {
  return impl_->last_handshake_error;
}

Response json_response(unsigned status, std::string body) {
  Response res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.keep_alive(true);
  return res;
}

bool make_test_pki(const std::filesystem::path& dir) {
  const std::string cmd =
      "sh '" GARITA_SOURCE_DIR "/scripts/test-pki.sh' '" + dir.string() + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

bool run_until(asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return pred();
}

}  // namespace garita::firmware::test
