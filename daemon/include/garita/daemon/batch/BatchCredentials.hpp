#pragma once
// Keys and certificates for sealing and opening batches, read from PEM files.
// Private keys only from files not readable by group/other
// (security::check_private_file_permissions), never from the command line.
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

struct evp_pkey_st;
struct x509_st;
struct x509_store_st;

namespace garita::batch {

// A certificate (ours, or the partner's recipient certificate).
class BatchCertificate {
 public:
  static std::error_code load(const std::filesystem::path& pem, BatchCertificate& out,
                              std::string& error);
  static std::error_code from_pem(std::string_view pem, BatchCertificate& out, std::string& error);
  bool valid() const { return cert_ != nullptr; }
  x509_st* get() const { return cert_.get(); }
  // Upper-case hex SHA-256 of the DER certificate (what manifests carry).
  const std::string& sha256() const { return sha256_; }
  // RFC 2253 subject ("CN=garita partner").
  const std::string& subject() const { return subject_; }

 private:
  friend class BatchKeyPair;
  std::shared_ptr<x509_st> cert_;
  std::string sha256_, subject_;
};

// Our private key and its certificate: signs what we send, decrypts what we receive.
class BatchKeyPair {
 public:
  // Refuses a key file readable by group/other, and a key that is not the certificate's.
  static std::error_code load(const std::filesystem::path& key_pem,
                              const std::filesystem::path& cert_pem, BatchKeyPair& out,
                              std::string& error);
  bool valid() const { return key_ != nullptr; }
  evp_pkey_st* key() const { return key_.get(); }
  const BatchCertificate& certificate() const { return cert_; }

 private:
  std::shared_ptr<evp_pkey_st> key_;
  BatchCertificate cert_;
};

// The partner CA(s) a signer must chain to (PEM file, one or more certificates).
class BatchTrustStore {
 public:
  static std::error_code load(const std::filesystem::path& ca_pem, BatchTrustStore& out,
                              std::string& error);
  bool valid() const { return store_ != nullptr; }
  x509_store_st* get() const { return store_.get(); }

 private:
  std::shared_ptr<x509_store_st> store_;
};

}  // namespace garita::batch
