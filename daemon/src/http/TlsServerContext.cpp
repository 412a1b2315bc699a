#include "TlsServerContext.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cstdio>

#include "garita/common/Hex.hpp"
#include "garita/daemon/http/HttpErrc.hpp"

namespace garita::daemon::http {
namespace {

namespace ssl = boost::asio::ssl;

std::error_code setup_error(std::string& why, std::string text,
                            Errc code = Errc::tls_setup_failed) {
  why = std::move(text);
  return code;
}

// The file must exist and be a regular file we can read.
bool readable_file(const std::filesystem::path& path, std::string_view what, std::string& why) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    why =
        std::string(what) + " '" + path.string() + "' cannot be opened (missing, or no permission)";
    return false;
  }
  static_cast<void>(std::fclose(f));  // opened only to test it: nothing was read or written
  return true;
}

// Rule: private keys are read only from files nobody but the owner can read.
std::error_code check_key_permissions(const std::filesystem::path& key, std::string& why) {
  struct stat st {};
  if (::stat(key.c_str(), &st) != 0) {
    return setup_error(
        why, "key file '" + key.string() + "' cannot be opened (missing, or no permission)");
  }
  if (!S_ISREG(st.st_mode)) {
    return setup_error(why, "key file '" + key.string() + "' is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    // At most "7777": always fits in 8.
    static_cast<void>(
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777)));
    return setup_error(why,
                       "key file '" + key.string() + "' has mode " + mode +
                           ": group or others may read it (chmod 600, owned by the garitad user)",
                       Errc::key_permissions);
  }
  return {};
}

std::string hint_for_verdict(long verdict) {
  switch (verdict) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return "; check the certificate's dates and both clocks";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "; the client certificate is not issued by the configured client CA";
    case X509_V_ERR_INVALID_PURPOSE:
      return "; the certificate is not meant for TLS client authentication";
    default: return {};
  }
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_server_context(const ListenerOptions& options,
                                                      std::error_code& ec, std::string& why) {
  ec.clear();
  if (options.cert_file.empty() || options.key_file.empty()) {
    ec = setup_error(why, "a TLS listener needs cert_file and key_file");
    return nullptr;
  }
  if (!readable_file(options.cert_file, "certificate file", why)) {
    ec = Errc::tls_setup_failed;
    return nullptr;
  }
  if ((ec = check_key_permissions(options.key_file, why))) return nullptr;
  if (!readable_file(options.key_file, "key file", why)) {
    ec = Errc::tls_setup_failed;
    return nullptr;
  }

  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  // TLS 1.2 is the floor (RFC 8996 deprecates 1.0/1.1); the uplink uses 1.3
  // only (contracts.md A). Renegotiation is refused (it has no use here).
  SSL_CTX_set_min_proto_version(ctx, options.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);

  boost::system::error_code bec;
  context->use_certificate_chain_file(options.cert_file.string(), bec);
  if (bec) {
    ec = setup_error(why, "certificate file '" + options.cert_file.string() +
                              "' is not a PEM certificate chain (" + bec.message() + ")");
    return nullptr;
  }
  context->use_private_key_file(options.key_file.string(), ssl::context::pem, bec);
  if (bec) {
    const auto code = static_cast<unsigned long>(bec.value());
    if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      ec = setup_error(why, "key file '" + options.key_file.string() +
                                "' does not belong to certificate '" + options.cert_file.string() +
                                "'");
    } else {
      ec = setup_error(why, "key file '" + options.key_file.string() +
                                "' is not a PEM private key, or is encrypted (" + bec.message() +
                                ")");
    }
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ec = setup_error(why, "key file '" + options.key_file.string() +
                              "' does not belong to certificate '" + options.cert_file.string() +
                              "'");
    return nullptr;
  }

  if (!options.client_ca_file.empty()) {
    const std::string ca = options.client_ca_file.string();
    if (!readable_file(options.client_ca_file, "client CA file", why)) {
      ec = Errc::tls_setup_failed;
      return nullptr;
    }
    context->load_verify_file(ca, bec);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
    if (bec || names == nullptr) {
      ec = setup_error(why, "client CA file '" + ca + "' holds no usable PEM certificate");
      return nullptr;
    }
    // RFC 8446 §4.2.4: tell clients which CA to present a certificate from.
    SSL_CTX_set_client_CA_list(ctx, names);
    context->set_verify_mode(
        ssl::verify_peer | ssl::verify_fail_if_no_peer_cert | ssl::verify_client_once, bec);
    // Sessions must be tied to this context for resumption with client
    // certificates (SSL_CTX_set_session_id_context(3)).
    static constexpr unsigned char kSessionContext[] = "garita";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  } else {
    context->set_verify_mode(ssl::verify_none, bec);
  }
  ERR_clear_error();
  return context;
}

void read_peer_certificate(ssl_st* ssl, Peer& peer) {
  peer.cert_cn.reset();
  peer.cert_sha256.clear();
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest.data(), &length) == 1) {
    peer.cert_sha256 = to_hex(std::span<const std::uint8_t>(digest.data(), length));
  }
  X509_NAME* subject = X509_get_subject_name(cert);
  const int at = subject != nullptr ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
  if (at < 0) return;
  // A subject with two CNs is ambiguous: treat it as having none.
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, at) >= 0) return;
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n >= 0 && utf8 != nullptr) {
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
    // A CN with a NUL or control byte is not a usable identity.
    bool plain = true;
    for (char ch : cn) {
      const auto c = static_cast<unsigned char>(ch);
      plain = plain && c >= 0x20 && c != 0x7F;
    }
    if (plain) peer.cert_cn = std::move(cn);
  }
  OPENSSL_free(utf8);
}

std::string describe_handshake_failure(const boost::system::error_code& ec, ssl_st* ssl) {
  if (ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof ||
      ec == boost::asio::error::connection_reset) {
    return "connection closed by the peer during the handshake (a port probe, or the client "
           "refused this server's certificate)";
  }
  if (ec.category() != boost::asio::error::get_ssl_category()) return ec.message();
  const auto code = static_cast<unsigned long>(ec.value());
  const char* reason_text = ERR_reason_error_string(code);
  std::string why = reason_text != nullptr ? reason_text : ec.message();
  const long verdict = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verdict != X509_V_OK) {
    why += " (";
    why += X509_verify_cert_error_string(verdict);
    why += hint_for_verdict(verdict);
    why += ")";
  } else if (ERR_GET_LIB(code) == ERR_LIB_SSL) {
    switch (ERR_GET_REASON(code)) {
      case SSL_R_HTTP_REQUEST:
      case SSL_R_WRONG_VERSION_NUMBER:
      case SSL_R_UNKNOWN_PROTOCOL:
      case SSL_R_PACKET_LENGTH_TOO_LONG:
        why += " (not TLS: plain HTTP or TCP sent to this HTTPS port)";
        break;
      case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        why += " (the client presented no certificate)";
        break;
      case SSL_R_UNSUPPORTED_PROTOCOL:
        why += " (the client's TLS version is below this listener's minimum)";
        break;
      default: break;
    }
  }
  return why;
}

}  // namespace garita::daemon::http
