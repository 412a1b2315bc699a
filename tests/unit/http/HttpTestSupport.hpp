#pragma once
// Test support for the HTTPS server core: a throwaway PKI (scripts/test-pki.sh),
// a server on an io_context thread, a synchronous Beast client, and a capture
// of garita's log lines (stderr).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "garita/daemon/http/HttpServer.hpp"

namespace garita::daemon::http::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A test PKI made once per process by scripts/test-pki.sh (see its header
// for the files).
const std::filesystem::path& test_pki();

// Reads a file's text (throws when it cannot).
std::string read_text(const std::filesystem::path& path);

// SHA-256 of a PEM certificate's DER, upper-case hex.
std::string cert_sha256(const std::filesystem::path& pem);

// Captures what is written to stderr (garita::log) while alive.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  std::string text() const;  // so far
  // Waits (bounded) until the capture contains `needle`.
  bool wait_for(const std::string& needle,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

 private:
  int saved_ = -1;
  std::filesystem::path file_;
};

// An HttpServer on its own io_context thread.
class ServerThread {
 public:
  ServerThread(ListenerOptions options, Handler& handler, std::string name = "test");
  ~ServerThread();
  std::error_code start(std::string& error);
  void stop();
  HttpServer& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

// Options for a listener with the test PKI's server certificate.
ListenerOptions server_options(bool client_certs = false);

struct ClientTls {
  std::filesystem::path cert_file, key_file;  // client certificate (optional)
  bool verify_server = true;                  // against the test CA, name 127.0.0.1
  int max_version = 0;                        // e.g. TLS1_2_VERSION; 0 = library default
};

using ClientStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A synchronous HTTPS client (one connection).
class TestClient {
 public:
  explicit TestClient(std::uint16_t port, ClientTls tls = {});
  // TLS handshake; returns the error (empty on success).
  boost::system::error_code handshake();
  // Sends a request and reads its response; error on failure.
  boost::system::error_code request(const Request& req, Response& res);
  boost::system::error_code write_raw(const std::string& bytes);
  // Reads one response (after write_raw).
  boost::system::error_code read_response(Response& res);
  // Reads until the server closes; the error ends it (eof, truncated, ...).
  boost::system::error_code read_until_closed(std::chrono::milliseconds timeout);
  ClientStream& stream() { return *stream_; }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_;
  std::unique_ptr<ClientStream> stream_;
  boost::beast::flat_buffer buffer_;
};

Request make_request(boost::beast::http::verb verb, std::string target, std::string body = {});

// Polls `condition` until true or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace garita::daemon::http::test
