#include "garita/daemon/batch/BatchErrc.hpp"

#include <string>

namespace garita::batch {
namespace {

class BatchCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "batch"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_argument: return "invalid argument";
      case Errc::malformed_content: return "batch content is malformed";
      case Errc::wrong_batch_type: return "batch is of the wrong type";
      case Errc::record_hash_mismatch: return "records do not match the manifest hash";
      case Errc::recipient_mismatch: return "batch manifest names another recipient";
      case Errc::sender_mismatch: return "batch manifest sender does not match the signer";
      case Errc::malformed_envelope: return "not a complete DER CMS structure";
      case Errc::not_encrypted: return "batch is not CMS AuthEnvelopedData";
      case Errc::unexpected_algorithm: return "batch uses an algorithm not accepted";
      case Errc::not_for_us: return "batch is not addressed to our certificate";
      case Errc::decrypt_failed: return "batch cannot be decrypted (tampered or truncated)";
      case Errc::not_signed: return "batch content is not CMS SignedData";
      case Errc::signature_invalid: return "batch signature does not verify";
      case Errc::signer_untrusted: return "batch signer does not chain to the partner CA";
      case Errc::signer_unexpected: return "batch signer is not an expected signer";
      case Errc::too_large: return "batch exceeds the size limits";
      case Errc::crypto_failed: return "cryptographic operation failed";
      case Errc::io_failed: return "batch file input/output failed";
      case Errc::already_imported: return "batch already imported (replay)";
      case Errc::not_configured: return "partner exchange not configured";
      case Errc::store_failed: return "crossing database refused the exchange";
      case Errc::unknown_batch: return "no such batch";
    }
    return "unknown batch error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& batch_category() noexcept {
  static const BatchCategory category;
  return category;
}

}  // namespace garita::batch
