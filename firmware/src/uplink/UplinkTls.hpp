#pragma once
// TLS for the uplink to garitad (contracts.md A): TLS 1.3 only, mutual
// authentication with the site's private CA. The lane presents its client
// certificate (CN = lane id); it accepts garitad only with a certificate
// that chains to the CA and names the host or IP address of the uplink URL
// (RFC 6125 §6; OpenSSL SSL_set1_host / X509_VERIFY_PARAM_set1_ip_asc).
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

struct ssl_st;

namespace garita::firmware {

struct UplinkTlsFiles {
  std::filesystem::path ca_file;
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
};

// Loads CA, certificate and key. On failure returns null, sets `ec`
// (LaneErrc::uplink_tls_setup) and a one-line `why` naming the file. Made
// for every connection attempt, so renewed certificates need no restart.
std::shared_ptr<boost::asio::ssl::context> make_uplink_tls_context(const UplinkTlsFiles& files,
                                                                   std::error_code& ec,
                                                                   std::string& why);

// SNI for names, and the name/address check of garitad's certificate.
std::error_code expect_server_name(ssl_st* ssl, const std::string& host, std::string& why);

// One line describing a failed handshake or a TLS failure on the first read
// (in TLS 1.3 a rejected client certificate shows up only there): OpenSSL's
// verdict on garitad's certificate, or the alert garitad sent.
std::string describe_tls_failure(const boost::system::error_code& ec, ssl_st* ssl,
                                 const std::string& host);

}  // namespace garita::firmware
