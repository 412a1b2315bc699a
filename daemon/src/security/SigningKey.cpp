#include "garita/daemon/security/SigningKey.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::security {
namespace {

struct FileCloser {
  // Files here are only read, so a failing close loses nothing.
  void operator()(std::FILE* f) const { static_cast<void>(std::fclose(f)); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) {
  return {key, [](EVP_PKEY* k) { EVP_PKEY_free(k); }};
}

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no PEM data found";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// Ed25519/Ed448 sign the message itself (no separate digest, RFC 8032);
// EC and RSA keys sign its SHA-256.
const EVP_MD* digest_for(const EVP_PKEY* key) {
  const int id = EVP_PKEY_get_base_id(key);
  return (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) ? nullptr : EVP_sha256();
}

std::error_code check_key_strength(const EVP_PKEY* key, const std::string& name,
                                   std::string& error) {
  const int id = EVP_PKEY_get_base_id(key);
  const int bits = EVP_PKEY_get_bits(key);
  if (id == EVP_PKEY_RSA && bits < 2048) {
    error = name + ": RSA key of " + std::to_string(bits) + " bits is too weak (need >= 2048)";
    return Errc::key_invalid;
  }
  if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC && id != EVP_PKEY_ED25519 && id != EVP_PKEY_ED448) {
    error = name + ": unsupported key type (use EC P-256/P-384, RSA >= 2048 or Ed25519)";
    return Errc::key_invalid;
  }
  return {};
}

}  // namespace

std::error_code check_private_file_permissions(const std::filesystem::path& path,
                                               std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = path.string() + ": cannot read the private key: " + std::strerror(errno);
    return Errc::key_unreadable;
  }
  if (!S_ISREG(st.st_mode)) {
    error = path.string() + ": the private key is not a regular file";
    return Errc::key_unsafe_permissions;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    // At most "7777": always fits in 8.
    static_cast<void>(
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777)));
    error = path.string() + ": private key has mode " + mode +
            ", readable or writable by group/other; refused (chmod 600 it)";
    return Errc::key_unsafe_permissions;
  }
  return {};
}

std::string public_key_fingerprint(const evp_pkey_st* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const bool ok =
      EVP_Digest(der, static_cast<std::size_t>(n), digest, &length, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!ok) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::error_code SigningKey::load(const std::filesystem::path& private_key,
                                 const std::filesystem::path& certificate, SigningKey& out,
                                 std::string& error) {
  if (auto ec = check_private_file_permissions(private_key, error)) return ec;
  File f(std::fopen(private_key.c_str(), "re"));
  if (!f) {
    error = private_key.string() + ": cannot open the private key: " + std::strerror(errno);
    return Errc::key_unreadable;
  }
  // A passphrase prompt would hang an unattended daemon: an empty callback
  // makes an encrypted key fail to load instead.
  pem_password_cb* no_prompt = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* raw = PEM_read_PrivateKey(f.get(), nullptr, no_prompt, nullptr);
  if (raw == nullptr) {
    error = private_key.string() + ": not a PEM private key (or encrypted): " + openssl_reason();
    return Errc::key_invalid;
  }
  auto key = own(raw);
  if (auto ec = check_key_strength(key.get(), private_key.string(), error)) return ec;
  std::string fingerprint = public_key_fingerprint(key.get());
  if (fingerprint.empty()) {
    error = private_key.string() + ": cannot compute the key's fingerprint";
    return Errc::crypto_failed;
  }
  if (!certificate.empty()) {
    VerifyKey cert;
    if (auto ec = VerifyKey::load(certificate, cert, error)) return ec;
    if (cert.fingerprint() != fingerprint) {
      error = certificate.string() + ": its public key does not belong to " + private_key.string() +
              " (fingerprints differ)";
      return Errc::key_invalid;
    }
  }
  out.key_ = std::move(key);
  out.fingerprint_ = std::move(fingerprint);
  return {};
}

std::error_code SigningKey::sign(std::string_view message, std::string& signature,
                                 std::string& error) const {
  if (!key_) {
    error = "no signing key loaded";
    return Errc::invalid_argument;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t length = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, digest_for(key_.get()), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    error = "signing the audit head failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  signature.resize(length);
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    error = "signing the audit head failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  signature.resize(length);
  return {};
}

std::error_code VerifyKey::load(const std::filesystem::path& certificate_or_public_key,
                                VerifyKey& out, std::string& error) {
  File f(std::fopen(certificate_or_public_key.c_str(), "re"));
  if (!f) {
    error = certificate_or_public_key.string() +
            ": cannot open the certificate: " + std::strerror(errno);
    return Errc::key_unreadable;
  }
  EVP_PKEY* raw = nullptr;
  if (X509* cert = PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) {
    raw = X509_get_pubkey(cert);
    X509_free(cert);
  } else {
    ERR_clear_error();
    std::rewind(f.get());
    raw = PEM_read_PUBKEY(f.get(), nullptr, nullptr, nullptr);
  }
  if (raw == nullptr) {
    error = certificate_or_public_key.string() +
            ": neither a PEM certificate nor a PEM public key: " + openssl_reason();
    return Errc::key_invalid;
  }
  auto key = own(raw);
  if (auto ec = check_key_strength(key.get(), certificate_or_public_key.string(), error)) return ec;
  out.key_ = std::move(key);
  out.fingerprint_ = public_key_fingerprint(out.key_.get());
  return {};
}

VerifyKey VerifyKey::from(const SigningKey& key) {
  VerifyKey out;
  if (key.valid()) {
    // The private key object also carries the public half.
    auto* pkey = const_cast<EVP_PKEY*>(key.key());
    EVP_PKEY_up_ref(pkey);
    out.key_ = own(pkey);
    out.fingerprint_ = key.fingerprint();
  }
  return out;
}

bool VerifyKey::verify(std::string_view message, std::string_view signature) const {
  if (!key_) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ok =
      ctx &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(key_.get()), nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace garita::security
