#include "garita/daemon/batch/BatchCredentials.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "garita/common/Hex.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"
#include "garita/daemon/security/SigningKey.hpp"

namespace garita::batch {
namespace {

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no OpenSSL reason";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct FileCloser {
  // Files here are only read, so a failing close loses nothing.
  void operator()(std::FILE* f) const { static_cast<void>(std::fclose(f)); }
};

std::string subject_rfc2253(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n > 0 ? n : 0));
  BIO_free(bio);
  return out;
}

std::error_code adopt(X509* raw, BatchCertificate& out, std::shared_ptr<x509_st>& slot,
                      std::string& sha256, std::string& subject, const std::string& name,
                      std::string& error) {
  slot.reset(raw, X509_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(raw, EVP_sha256(), digest, &n) != 1) {
    error = name + ": certificate digest failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  sha256 = to_hex(std::span<const std::uint8_t>(digest, n));
  subject = subject_rfc2253(raw);
  (void)out;
  return {};
}

}  // namespace

std::error_code BatchCertificate::load(const std::filesystem::path& pem, BatchCertificate& out,
                                       std::string& error) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(pem.c_str(), "re"));
  if (!f) {
    error = pem.string() + ": cannot open the certificate: " + std::strerror(errno);
    return security::Errc::key_unreadable;
  }
  X509* raw = PEM_read_X509(f.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    error = pem.string() + ": not a PEM certificate: " + openssl_reason();
    return security::Errc::key_invalid;
  }
  BatchCertificate c;
  if (auto ec = adopt(raw, c, c.cert_, c.sha256_, c.subject_, pem.string(), error)) return ec;
  out = std::move(c);
  return {};
}

std::error_code BatchCertificate::from_pem(std::string_view pem, BatchCertificate& out,
                                           std::string& error) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) {
    error = "certificate: BIO_new_mem_buf failed";
    return Errc::crypto_failed;
  }
  X509* raw = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (raw == nullptr) {
    error = "not a PEM certificate: " + openssl_reason();
    return security::Errc::key_invalid;
  }
  BatchCertificate c;
  if (auto ec = adopt(raw, c, c.cert_, c.sha256_, c.subject_, "certificate", error)) return ec;
  out = std::move(c);
  return {};
}

std::error_code BatchKeyPair::load(const std::filesystem::path& key_pem,
                                   const std::filesystem::path& cert_pem, BatchKeyPair& out,
                                   std::string& error) {
  if (auto ec = security::check_private_file_permissions(key_pem, error)) return ec;
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(key_pem.c_str(), "re"));
  if (!f) {
    error = key_pem.string() + ": cannot open the private key: " + std::strerror(errno);
    return security::Errc::key_unreadable;
  }
  // No passphrase prompt: an unattended daemon would hang on it.
  pem_password_cb* no_prompt = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* raw = PEM_read_PrivateKey(f.get(), nullptr, no_prompt, nullptr);
  if (raw == nullptr) {
    error = key_pem.string() + ": not a PEM private key (or encrypted): " + openssl_reason();
    return security::Errc::key_invalid;
  }
  BatchKeyPair pair;
  pair.key_.reset(raw, EVP_PKEY_free);
  if (auto ec = BatchCertificate::load(cert_pem, pair.cert_, error)) return ec;
  if (X509_check_private_key(pair.cert_.get(), raw) != 1) {
    ERR_clear_error();
    error =
        key_pem.string() + ": the private key does not match the certificate " + cert_pem.string();
    return security::Errc::key_invalid;
  }
  out = std::move(pair);
  return {};
}

std::error_code BatchTrustStore::load(const std::filesystem::path& ca_pem, BatchTrustStore& out,
                                      std::string& error) {
  std::shared_ptr<x509_store_st> store(X509_STORE_new(), X509_STORE_free);
  if (!store) {
    error = "X509_STORE_new failed";
    return Errc::crypto_failed;
  }
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(ca_pem.c_str(), "re"));
  if (!f) {
    error = ca_pem.string() + ": cannot open the CA file: " + std::strerror(errno);
    return security::Errc::key_unreadable;
  }
  int count = 0;
  while (X509* ca = PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) {
    const int ok = X509_STORE_add_cert(store.get(), ca);
    X509_free(ca);
    if (ok != 1) {
      error = ca_pem.string() + ": cannot add a CA certificate: " + openssl_reason();
      return security::Errc::key_invalid;
    }
    ++count;
  }
  ERR_clear_error();  // the read that ended the loop (end of file)
  if (count == 0) {
    error = ca_pem.string() + ": no PEM certificate in the CA file";
    return security::Errc::key_invalid;
  }
  out.store_ = std::move(store);
  return {};
}

}  // namespace garita::batch
