#pragma once
// An in-process HTTPS server on loopback for the uplink client's tests:
// TLS 1.3, client certificates required and checked against a CA, HTTP/1.1
// keep-alive, and a handler the test scripts. It runs on the test's
// io_context (the same thread as the client), so no locking is needed.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace garita::firmware::test {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ServerFiles {
  std::filesystem::path cert_file, key_file, client_ca_file;
};

class UplinkTestServer {
 public:
  // The handler gets the request and the client certificate's CN.
  using Handler = std::function<Response(const Request&, const std::string& client_cn)>;

  UplinkTestServer(boost::asio::io_context& io, const ServerFiles& files, Handler handler,
                   const std::string& address = "127.0.0.1", unsigned short port = 0);
  ~UplinkTestServer();
  unsigned short port() const;
  void stop();

  std::size_t connections() const;
  std::size_t handshake_failures() const;
  const std::string& last_handshake_error() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

Response json_response(unsigned status, std::string body);

// Runs scripts/test-pki.sh into `dir`; false when it failed.
bool make_test_pki(const std::filesystem::path& dir);

// Runs io until pred() or the timeout; returns pred().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::milliseconds timeout);

}  // namespace garita::firmware::test
