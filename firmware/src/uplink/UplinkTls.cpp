#include "UplinkTls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <fstream>

#include "../LaneErrc.hpp"

namespace garita::firmware {
namespace {

namespace ssl = boost::asio::ssl;

bool readable(const std::filesystem::path& path, std::string_view what, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (in) return true;
  why = std::string(what) + " '" + path.string() + "' cannot be opened (missing, or no permission)";
  return false;
}

}  // namespace

std::shared_ptr<ssl::context> make_uplink_tls_context(const UplinkTlsFiles& files,
                                                      std::error_code& ec, std::string& why) {
  ec.clear();
  auto fail = [&](std::string text) -> std::shared_ptr<ssl::context> {
    ec = LaneErrc::uplink_tls_setup;
    why = std::move(text);
    return nullptr;
  };
  if (!readable(files.ca_file, "uplink CA file", why) ||
      !readable(files.cert_file, "uplink certificate", why) ||
      !readable(files.key_file, "uplink key", why)) {
    ec = LaneErrc::uplink_tls_setup;
    return nullptr;
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  // Contract A: TLS 1.3 only (RFC 8446); nothing older is negotiated.
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_3_VERSION) != 1) {
    return fail("uplink: this OpenSSL cannot do TLS 1.3");
  }
  boost::system::error_code bec;
  context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, bec);
  context->load_verify_file(files.ca_file.string(), bec);
  if (bec) {
    return fail("uplink CA file '" + files.ca_file.string() +
                "' holds no usable PEM certificate (" + bec.message() + ")");
  }
  context->use_certificate_chain_file(files.cert_file.string(), bec);
  if (bec) {
    return fail("uplink certificate '" + files.cert_file.string() + "' is not a PEM certificate (" +
                bec.message() + ")");
  }
  context->use_private_key_file(files.key_file.string(), ssl::context::pem, bec);
  if (bec) {
    const auto code = static_cast<unsigned long>(bec.value());
    if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      return fail("uplink key '" + files.key_file.string() + "' does not belong to certificate '" +
                  files.cert_file.string() + "'");
    }
    return fail("uplink key '" + files.key_file.string() +
                "' is not a PEM private key, or is encrypted (" + bec.message() + ")");
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return fail("uplink key '" + files.key_file.string() + "' does not belong to certificate '" +
                files.cert_file.string() + "'");
  }
  return context;
}

std::error_code expect_server_name(ssl_st* ssl, const std::string& host, std::string& why) {
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  if (!not_ip) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1) {
      why = "cannot check garitad's certificate against address '" + host + "'";
      return LaneErrc::uplink_tls_setup;
    }
    return {};
  }
  // SNI (RFC 6066 §3) is for names only. SSL_set_tlsext_host_name is a macro
  // with a C cast; spelled out for -Wold-style-cast.
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(host.c_str()));
  if (SSL_set1_host(ssl, host.c_str()) != 1) {
    why = "cannot check garitad's certificate against name '" + host + "'";
    return LaneErrc::uplink_tls_setup;
  }
  return {};
}

std::string describe_tls_failure(const boost::system::error_code& ec, ssl_st* ssl,
                                 const std::string& host) {
  const long verdict = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verdict != X509_V_OK) {
    std::string why = "garitad's certificate was rejected: ";
    why += X509_verify_cert_error_string(verdict);
    switch (verdict) {
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        why += " (it does not name '" + host + "'; use the name or address it lists in url)";
        break;
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        why += " (not signed by the CA in uplink.ca_file)";
        break;
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        why += " (check both clocks and the certificate's dates)";
        break;
      default: break;
    }
    return why;
  }
  // Alerts garitad sent: in TLS 1.3 the server checks the client certificate
  // after the client's handshake finished (RFC 8446 §4.4.2), so these arrive
  // on the first read.
  const std::string text = ec.message();
  if (text.find("alert") != std::string::npos) {
    return "garitad refused the TLS session (" + text +
           "): is this lane's certificate signed by the site CA, current, and CN = the lane id?";
  }
  return "TLS failure: " + text;
}

}  // namespace garita::firmware
