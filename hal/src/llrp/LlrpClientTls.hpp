#pragma once
// TLS for llrps:// (LLRP 1.1 §19.2 allows TLS on port 5085): the client
// context from the site's files and the checks on the reader's certificate.
// TLS 1.2 or newer; the reader's certificate must chain to the configured
// CA and name the host or address the URI uses.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <system_error>

#include "garita/hal/DriverOptions.hpp"

struct ssl_st;

namespace garita::hal::llrp {

// Loads CA, certificate and key (DriverErrc::tls_setup_failed with a why
// naming the file and the problem). Called for every connection attempt, so
// certificates renewed on disk are picked up without a restart.
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(const TlsFiles& files,
                                                                   std::error_code& ec,
                                                                   std::string& why);

// Sets SNI (for host names) and has OpenSSL check during the handshake that
// the reader's certificate names `host` (a DNS name or an IP address).
std::error_code expect_peer_name(ssl_st* ssl, const std::string& host, std::string& why);

// One line after a failed handshake: OpenSSL's verdict on the reader's
// certificate when there is one, and what to check.
std::string describe_tls_failure(const boost::system::error_code& ec, ssl_st* ssl,
                                 const std::string& peer, const std::string& host,
                                 const TlsFiles& files);

}  // namespace garita::hal::llrp
