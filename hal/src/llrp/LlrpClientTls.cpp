#include "LlrpClientTls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <fstream>

#include "garita/hal/DriverErrc.hpp"

namespace garita::hal::llrp {
namespace {

namespace ssl = boost::asio::ssl;

// A file we cannot even open gets the plain reason, not OpenSSL's.
bool readable(const std::string& path, std::string_view what, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (in) return true;
  why = std::string(what) + " '" + path + "' cannot be opened (missing, or no permission)";
  return false;
}

std::error_code setup_error(std::string& why, std::string text) {
  why = std::move(text);
  return DriverErrc::tls_setup_failed;
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_client_context(const TlsFiles& files, std::error_code& ec,
                                                      std::string& why) {
  ec.clear();
  if (files.ca_file.empty()) {
    ec = setup_error(
        why, "llrps:// needs a CA file to check the reader's certificate (tls.ca_file / --tls-ca)");
    return nullptr;
  }
  if (files.cert_file.empty() != files.key_file.empty()) {
    ec = setup_error(why,
                     "a client certificate needs its key and the other way round "
                     "(give both --tls-cert and --tls-key, or neither)");
    return nullptr;
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code bec;
  // TLS 1.2 is the floor: 1.0/1.1 are broken and every LLRP-over-TLS reader
  // in the field speaks 1.2.
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       bec);
  context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, bec);

  if (!readable(files.ca_file, "CA file", why)) {
    ec = DriverErrc::tls_setup_failed;
    return nullptr;
  }
  context->load_verify_file(files.ca_file, bec);
  if (bec) {
    ec = setup_error(why, "CA file '" + files.ca_file + "' holds no usable PEM certificate (" +
                              bec.message() + ")");
    return nullptr;
  }
  if (!files.cert_file.empty()) {
    if (!readable(files.cert_file, "client certificate", why) ||
        !readable(files.key_file, "client key", why)) {
      ec = DriverErrc::tls_setup_failed;
      return nullptr;
    }
    context->use_certificate_chain_file(files.cert_file, bec);
    if (bec) {
      ec = setup_error(why, "client certificate '" + files.cert_file +
                                "' is not a PEM certificate (" + bec.message() + ")");
      return nullptr;
    }
    context->use_private_key_file(files.key_file, ssl::context::pem, bec);
    const auto code = static_cast<unsigned long>(bec.value());
    if (bec && ERR_GET_LIB(code) == ERR_LIB_X509 &&
        ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      ec = setup_error(why, "client key '" + files.key_file + "' does not belong to certificate '" +
                                files.cert_file + "'");
      return nullptr;
    }
    if (bec) {
      ec = setup_error(why, "client key '" + files.key_file +
                                "' is not a PEM private key, or is encrypted (" + bec.message() +
                                ")");
      return nullptr;
    }
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      ec = setup_error(why, "client key '" + files.key_file + "' does not belong to certificate '" +
                                files.cert_file + "'");
      return nullptr;
    }
  }
  return context;
}

std::error_code expect_peer_name(ssl_st* ssl, const std::string& host, std::string& why) {
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  if (!not_ip) {
    // An address: the certificate must list it as an IP subjectAltName.
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1) {
      why = "cannot check the reader's certificate against address '" + host + "'";
      return DriverErrc::tls_setup_failed;
    }
    return {};
  }
  // SNI (RFC 6066) is for names only. SSL_set_tlsext_host_name is a macro
  // around this call with a C cast; spelled out for -Wold-style-cast.
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(host.c_str()));
  if (SSL_set1_host(ssl, host.c_str()) != 1) {
    why = "cannot check the reader's certificate against name '" + host + "'";
    return DriverErrc::tls_setup_failed;
  }
  return {};
}

std::string describe_tls_failure(const boost::system::error_code& ec, ssl_st* ssl,
                                 const std::string& peer, const std::string& host,
                                 const TlsFiles& files) {
  std::string why = "TLS handshake with " + peer + " failed: ";
  const long verdict = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verdict != X509_V_OK) {
    why += "the reader's certificate was rejected: ";
    why += X509_verify_cert_error_string(verdict);
    switch (verdict) {
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        why += " (it does not name '" + host +
               "'; use the name or address the certificate lists, or reissue it)";
        break;
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        why += " (is '" + files.ca_file + "' the CA that signed the reader's certificate?)";
        break;
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        why += " (check the certificate's dates and the clocks of the reader and this host)";
        break;
      default: break;
    }
    return why;
  }
  why += ec.message();
  if (files.cert_file.empty()) {
    why += " (if the reader requires a client certificate, give --tls-cert and --tls-key)";
  }
  return why;
}

}  // namespace garita::hal::llrp
