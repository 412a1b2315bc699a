#pragma once
// The cryptographic layers of a batch file (docs/batch-format.md §2), with
// OpenSSL's CMS implementation (RFC 5652, RFC 5083, RFC 5084):
//   ContentInfo(AuthEnvelopedData, AES-256-GCM, one recipient:
//     RSA-OAEP/SHA-256 key transport, or ECDH dhSinglePass-stdDH-sha384kdf
//     with AES-256 key wrap)
//   -> DER ContentInfo(SignedData, SHA-384, signed attributes content-type,
//      message-digest, signing-time; the signer certificate included)
//   -> content (BatchContent.hpp), eContentType id-data.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/daemon/batch/BatchContent.hpp"
#include "garita/daemon/batch/BatchCredentials.hpp"

namespace garita::batch {

// Signs `content` with `signer` and encrypts it to `recipient`; DER into `der`.
std::error_code seal(std::string_view content, const BatchKeyPair& signer,
                     const BatchCertificate& recipient, std::string& der, std::string& error);

// Who may have signed a batch we open.
struct SignerConstraints {
  // Upper-case hex SHA-256 of the signer certificates accepted; empty = any
  // certificate that chains to the trust store.
  std::vector<std::string> certificate_sha256;
};

struct OpenedEnvelope {
  std::string content;            // the verified content bytes
  std::string signer_sha256;      // the signer certificate's fingerprint
  std::string signer_subject;     // RFC 2253
  std::int64_t signing_time = 0;  // signed attribute, seconds since the epoch
};

// Decrypts with `us`, checks the algorithms, verifies the signature and the
// signer's chain to `partner_ca` and the constraints. Does not parse the content.
std::error_code open(std::string_view der, const BatchKeyPair& us,
                     const BatchTrustStore& partner_ca, const SignerConstraints& constraints,
                     OpenedEnvelope& out, std::string& error);

// seal/open plus the content layer: the manifest's sender certificate must
// be the signer, the recipient ours, the sender id `expected_sender_id`
// (when not empty). The returned manifest's batch_id and period are for the
// caller's replay check (refuse a batch_id already imported).
std::error_code open_return_batch(std::string_view der, const BatchKeyPair& us,
                                  const BatchTrustStore& partner_ca,
                                  const SignerConstraints& constraints,
                                  std::string_view expected_sender_id, ReturnBatch& out,
                                  std::string& error);
std::error_code open_export_batch(std::string_view der, const BatchKeyPair& us,
                                  const BatchTrustStore& partner_ca,
                                  const SignerConstraints& constraints,
                                  std::string_view expected_sender_id, ExportBatch& out,
                                  std::string& error);

// Fills the manifest's batch_id (fresh), created_at (now), sender and
// recipient certificate fields from `signer` and `recipient`, encodes and seals.
std::error_code seal_export_batch(ExportBatch& batch, const BatchKeyPair& signer,
                                  const BatchCertificate& recipient, std::string& der,
                                  std::string& error);
std::error_code seal_return_batch(ReturnBatch& batch, const BatchKeyPair& signer,
                                  const BatchCertificate& recipient, std::string& der,
                                  std::string& error);

}  // namespace garita::batch
