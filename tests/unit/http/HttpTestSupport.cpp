#include "HttpTestSupport.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "garita/common/Hex.hpp"

namespace garita::daemon::http::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "garita-http-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

const std::filesystem::path& test_pki() {
  static TempDir dir;
  static const bool made = [] {
    const std::string script = std::string(GARITA_SOURCE_DIR) + "/scripts/test-pki.sh";
    const std::string command = "sh '" + script + "' '" + dir.path().string() + "/pki'";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("test-pki.sh failed");
    return true;
  }();
  static const std::filesystem::path pki = dir.path() / "pki";
  (void)made;
  return pki;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string cert_sha256(const std::filesystem::path& pem) {
  std::FILE* f = std::fopen(pem.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("cannot open " + pem.string());
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) throw std::runtime_error("not a PEM certificate: " + pem.string());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int n = 0;
  X509_digest(cert, EVP_sha256(), digest.data(), &n);
  X509_free(cert);
  return to_hex(std::span<const std::uint8_t>(digest.data(), n));
}

StderrCapture::StderrCapture() {
  static int counter = 0;
  file_ = std::filesystem::temp_directory_path() /
          ("garita-http-log-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  const int fd = ::open(file_.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + file_.string());
  saved_ = ::dup(STDERR_FILENO);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

StderrCapture::~StderrCapture() {
  ::dup2(saved_, STDERR_FILENO);
  ::close(saved_);
  // Show what was captured, for the test's log.
  const std::string captured = text();
  if (!captured.empty()) std::fprintf(stderr, "%s", captured.c_str());
  std::error_code ec;
  std::filesystem::remove(file_, ec);
}

std::string StderrCapture::text() const { return read_text(file_); }

bool StderrCapture::wait_for(const std::string& needle, std::chrono::milliseconds timeout) const {
  return eventually([&] { return text().find(needle) != std::string::npos; }, timeout);
}

ServerThread::ServerThread(ListenerOptions options, Handler& handler, std::string name)
    : work_(asio::make_work_guard(io_)),
      server_(std::make_unique<HttpServer>(io_, std::move(options), handler, std::move(name))) {
  thread_ = std::thread([this] { io_.run(); });
}

ServerThread::~ServerThread() {
  stop();
  work_.reset();
  // Sessions drain (their sockets are closed); bounded by the stream timeouts.
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

std::error_code ServerThread::start(std::string& error) { return server_->start(error); }

void ServerThread::stop() { server_->stop(); }

ListenerOptions server_options(bool client_certs) {
  ListenerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.cert_file = test_pki() / "server.pem";
  o.key_file = test_pki() / "server.key";
  if (client_certs) o.client_ca_file = test_pki() / "ca.pem";
  return o;
}

TestClient::TestClient(std::uint16_t port, ClientTls tls) : ctx_(asio::ssl::context::tls_client) {
  if (tls.max_version != 0) SSL_CTX_set_max_proto_version(ctx_.native_handle(), tls.max_version);
  if (tls.verify_server) {
    ctx_.load_verify_file((test_pki() / "ca.pem").string());
    ctx_.set_verify_mode(asio::ssl::verify_peer);
  } else {
    ctx_.set_verify_mode(asio::ssl::verify_none);
  }
  if (!tls.cert_file.empty()) {
    ctx_.use_certificate_chain_file(tls.cert_file.string());
    ctx_.use_private_key_file(tls.key_file.string(), asio::ssl::context::pem);
  }
  stream_ = std::make_unique<ClientStream>(io_, ctx_);
  if (tls.verify_server) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream_->native_handle()), "127.0.0.1");
  }
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(*stream_).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

boost::system::error_code TestClient::handshake() {
  boost::system::error_code ec;
  stream_->handshake(asio::ssl::stream_base::client, ec);
  return ec;
}

boost::system::error_code TestClient::request(const Request& req, Response& res) {
  boost::system::error_code ec;
  bhttp::write(*stream_, req, ec);
  if (ec) return ec;
  return read_response(res);
}

boost::system::error_code TestClient::write_raw(const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(*stream_, asio::buffer(bytes), ec);
  return ec;
}

boost::system::error_code TestClient::read_response(Response& res) {
  boost::system::error_code ec;
  res = {};
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  bhttp::read(*stream_, buffer_, parser, ec);
  if (!ec) res = parser.release();
  return ec;
}

boost::system::error_code TestClient::read_until_closed(std::chrono::milliseconds timeout) {
  // The sync API has no timeout: run the async read on our io_context, bounded.
  boost::system::error_code result;
  bool done = false;
  std::array<char, 4096> scratch{};
  std::function<void(boost::system::error_code, std::size_t)> on_read;
  on_read = [&](boost::system::error_code ec, std::size_t) {
    if (ec) {
      result = ec;
      done = true;
      return;
    }
    stream_->async_read_some(asio::buffer(scratch), on_read);
  };
  stream_->async_read_some(asio::buffer(scratch), on_read);
  io_.restart();
  io_.run_for(timeout);
  if (!done) {
    beast::get_lowest_layer(*stream_).close();
    io_.restart();
    io_.run_for(std::chrono::seconds(1));
    return asio::error::timed_out;
  }
  return result;
}

Request make_request(bhttp::verb verb, std::string target, std::string body) {
  Request req{verb, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
  }
  req.prepare_payload();
  return req;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace garita::daemon::http::test
