#pragma once
// The workstation's audit signing key (EC P-256/P-384, RSA >= 2048 or
// Ed25519, PEM). Read only from a file that is a regular file not readable
// or writable by group/other (mode 0600 or 0400): a key anyone on the box
// can read signs nothing. Signatures use EVP_DigestSign with SHA-256 (no
// digest for Ed25519, which hashes internally, RFC 8032).
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

struct evp_pkey_st;

namespace garita::security {

// Refuses (key_unsafe_permissions) a path that is not a regular file or whose
// mode has any group/other bit; key_unreadable when it cannot be stat'ed.
// Exposed so the TLS listeners can apply the same rule to their keys.
std::error_code check_private_file_permissions(const std::filesystem::path& path,
                                               std::string& error);

// Hex SHA-256 of the DER SubjectPublicKeyInfo of a key (its "fingerprint",
// the same for the private key, its public key and its certificate).
std::string public_key_fingerprint(const evp_pkey_st* key);

class SigningKey {
 public:
  // Loads a PEM private key after check_private_file_permissions. When
  // `certificate` is not empty it must hold the matching public key
  // (key_invalid otherwise), so a wrong pair is caught at start.
  static std::error_code load(const std::filesystem::path& private_key,
                              const std::filesystem::path& certificate, SigningKey& out,
                              std::string& error);

  bool valid() const { return key_ != nullptr; }
  const std::string& fingerprint() const { return fingerprint_; }
  std::error_code sign(std::string_view message, std::string& signature, std::string& error) const;
  const evp_pkey_st* key() const { return key_.get(); }

 private:
  std::shared_ptr<evp_pkey_st> key_;
  std::string fingerprint_;
};

// A public key for verifying signatures: from a PEM certificate or a PEM
// public key file (no permission rule: public).
class VerifyKey {
 public:
  static std::error_code load(const std::filesystem::path& certificate_or_public_key,
                              VerifyKey& out, std::string& error);
  static VerifyKey from(const SigningKey& key);

  bool valid() const { return key_ != nullptr; }
  const std::string& fingerprint() const { return fingerprint_; }
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
  std::string fingerprint_;
};

}  // namespace garita::security
