#pragma once
// The server side of TLS for garitad's listeners: the context built from the
// site's files, what a verified client certificate says, and one line for a
// failed handshake.
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>
#include <system_error>

#include "garita/daemon/http/HttpServer.hpp"

struct ssl_st;

namespace garita::daemon::http {

// Loads the server certificate chain and key (the key must not be readable
// by group or others) and, when client_ca_file is set, requires client
// certificates issued by it. TLS 1.2 is the floor; tls13_only raises it to
// 1.3 (contracts.md A). On failure returns http::Errc and a one-line `why`.
std::shared_ptr<boost::asio::ssl::context> make_tls_server_context(const ListenerOptions& options,
                                                                   std::error_code& ec,
                                                                   std::string& why);

// Fills peer.cert_cn and peer.cert_sha256 from the verified client
// certificate, when the client sent one.
void read_peer_certificate(ssl_st* ssl, Peer& peer);

// OpenSSL's reason for a failed handshake plus, for a rejected client
// certificate, the verification verdict and what to check, e.g.
// "certificate verify failed (certificate has expired; check ...)".
// Nothing in it comes from the peer's bytes.
std::string describe_handshake_failure(const boost::system::error_code& ec, ssl_st* ssl);

}  // namespace garita::daemon::http
