#include "garita/daemon/api/ApiClient.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/x509v3.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "garita/daemon/security/ApiToken.hpp"
#include "garita/daemon/security/SigningKey.hpp"

namespace garita::daemon::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

bool parse_api_url(std::string_view text, ApiUrl& out, std::string& why) {
  constexpr std::string_view kScheme = "https://";
  if (!text.starts_with(kScheme)) {
    why = "'" + std::string(text) + "' is not an https:// URL (the API is HTTPS only)";
    return false;
  }
  std::string_view rest = text.substr(kScheme.size());
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") {
      why = "the URL must be just https://HOST[:PORT] (no path)";
      return false;
    }
    rest = rest.substr(0, slash);
  }
  ApiUrl u;
  std::string_view port;
  bool has_port = false;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      why = "unclosed '[' in the URL";
      return false;
    }
    u.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (rest.starts_with(':')) {
      port = rest.substr(1);
      has_port = true;
    } else if (!rest.empty()) {
      why = "unexpected text after ']' in the URL";
      return false;
    }
  } else {
    const auto colon = rest.rfind(':');
    u.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      has_port = true;
    }
  }
  if (u.host.empty()) {
    why = "no host in the URL";
    return false;
  }
  if (has_port) {
    unsigned p = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || ptr != port.data() + port.size() || p == 0 || p > 65535) {
      why = "port '" + std::string(port) + "' is not 1-65535";
      return false;
    }
    u.port = static_cast<std::uint16_t>(p);
  }
  out = std::move(u);
  return true;
}

bool read_token_file(const std::filesystem::path& path, std::string& token, std::string& why) {
  // Same rule as private keys: a token readable by others is a leaked token.
  if (security::check_private_file_permissions(path, why)) {
    why = "token file: " + why;
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "token file " + path.string() + ": cannot be read";
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 4096) {
    why = "token file " + path.string() + ": too large to hold one token";
    return false;
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  token = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  if (!security::is_well_formed_token(token)) {
    token.clear();
    why = "token file " + path.string() + ": does not hold one gar_... token";
    return false;
  }
  return true;
}

namespace {

struct Connection {
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  beast::ssl_stream<beast::tcp_stream> stream{io, ctx};
};

std::error_code setup_tls(Connection& c, const ApiClientOptions& o, std::string& error) {
  boost::system::error_code ec;
  c.ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
  c.ctx.set_verify_mode(ssl::verify_peer);
  c.ctx.load_verify_file(o.ca_file.string(), ec);
  if (ec) {
    error = "CA file " + o.ca_file.string() + ": cannot be loaded (" + ec.message() + ")";
    return std::make_error_code(std::errc::invalid_argument);
  }
  SSL* ssl = c.stream.native_handle();
  boost::system::error_code aec;
  (void)asio::ip::make_address(o.url.host, aec);
  if (!aec) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), o.url.host.c_str());
  } else {
    // SNI (RFC 6066 §3); SSL_set_tlsext_host_name is a macro with a C cast.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(o.url.host.c_str()));
    SSL_set1_host(ssl, o.url.host.c_str());
  }
  return {};
}

std::error_code connect(Connection& c, const ApiClientOptions& o, std::string& error) {
  if (auto ec = setup_tls(c, o, error)) return ec;
  beast::get_lowest_layer(c.stream).expires_after(o.timeout);
  tcp::resolver resolver(c.io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(o.url.host, std::to_string(o.url.port), ec);
  std::error_code out;
  if (ec) {
    error = "cannot resolve " + o.url.host + ": " + ec.message();
    return ec;
  }
  beast::get_lowest_layer(c.stream).async_connect(results, [&](auto e, auto) { ec = e; });
  c.io.run();
  c.io.restart();
  if (ec) {
    error =
        "cannot connect to " + o.url.host + ":" + std::to_string(o.url.port) + ": " + ec.message();
    return ec;
  }
  c.stream.async_handshake(ssl::stream_base::client, [&](auto e) { ec = e; });
  c.io.run();
  c.io.restart();
  if (ec) {
    error = "TLS handshake with " + o.url.host + ":" + std::to_string(o.url.port) +
            " failed: " + ec.message();
    return ec;
  }
  return {};
}

}  // namespace

std::error_code ApiClient::request(std::string_view method, std::string_view target, ApiReply& out,
                                   std::string& error, std::string_view body) {
  Connection c;
  if (auto ec = connect(c, options_, error)) return ec;
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, options_.url.host);
  req.set(bhttp::field::user_agent, "garita-cli");
  req.set(bhttp::field::accept, "application/json");
  if (!options_.token.empty()) req.set(bhttp::field::authorization, "Bearer " + options_.token);
  req.keep_alive(false);
  req.body() = std::string(body);
  req.prepare_payload();
  boost::system::error_code ec;
  beast::get_lowest_layer(c.stream).expires_after(options_.timeout);
  bhttp::async_write(c.stream, req, [&](auto e, auto) { ec = e; });
  c.io.run();
  c.io.restart();
  if (ec) {
    error = "sending the request failed: " + ec.message();
    return ec;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{64} * 1024 * 1024);
  bhttp::async_read(c.stream, buffer, parser, [&](auto e, auto) { ec = e; });
  c.io.run();
  c.io.restart();
  if (ec) {
    error = "reading the answer failed: " + ec.message();
    return ec;
  }
  const auto& res = parser.get();
  out.status = res.result_int();
  out.body = res.body();
  out.content_type = std::string(res[bhttp::field::content_type]);
  out.retry_after = std::string(res[bhttp::field::retry_after]);
  // Say goodbye politely; the answer is already complete either way.
  beast::get_lowest_layer(c.stream).expires_after(std::chrono::seconds(2));
  c.stream.async_shutdown([](auto) {});
  c.io.run();
  return {};
}

std::error_code ApiClient::websocket(std::string_view target,
                                     const std::function<bool(const std::string&)>& on_message,
                                     std::chrono::milliseconds limit, ApiReply& refusal,
                                     std::string& error) {
  Connection c;
  if (auto ec = connect(c, options_, error)) return ec;
  namespace ws = beast::websocket;
  ws::stream<beast::ssl_stream<beast::tcp_stream>&> socket(c.stream);
  socket.set_option(ws::stream_base::decorator([this](ws::request_type& req) {
    req.set(bhttp::field::user_agent, "garita-cli");
    if (!options_.token.empty()) req.set(bhttp::field::authorization, "Bearer " + options_.token);
  }));
  socket.read_message_max(std::size_t{1024} * 1024);
  ws::response_type res;
  boost::system::error_code ec;
  beast::get_lowest_layer(c.stream).expires_after(options_.timeout);
  const std::string host = options_.url.host;
  socket.async_handshake(res, host, target, [&](auto e) { ec = e; });
  c.io.run();
  c.io.restart();
  if (ec) {
    refusal.status = res.result_int();
    refusal.body = res.body();
    error = "WebSocket upgrade refused: " +
            (refusal.status ? std::to_string(refusal.status) : ec.message());
    return ec;
  }
  // From here the deadline is the caller's `limit`; the server keeps the
  // connection alive with pings (tcp_stream's timeout is off for WebSocket).
  beast::get_lowest_layer(c.stream).expires_never();
  socket.set_option(ws::stream_base::timeout::suggested(beast::role_type::client));
  asio::steady_timer deadline(c.io);
  deadline.expires_after(limit);
  bool done = false;
  deadline.async_wait([&](boost::system::error_code e) {
    if (e || done) return;
    done = true;
    socket.async_close(ws::close_code::normal, [](auto) {});
  });
  beast::flat_buffer buffer;
  std::function<void()> read_next;
  read_next = [&] {
    socket.async_read(buffer, [&](boost::system::error_code e, std::size_t) {
      if (e) {
        if (!done) ec = e;
        done = true;
        deadline.cancel();
        return;
      }
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      if (!on_message(text)) {
        done = true;
        deadline.cancel();
        socket.async_close(ws::close_code::normal, [](auto) {});
        return;
      }
      read_next();
    });
  };
  read_next();
  c.io.run();
  if (ec && ec != ws::error::closed && ec != asio::error::operation_aborted) {
    error = "live feed ended: " + ec.message();
    return ec;
  }
  return {};
}

}  // namespace garita::daemon::api
