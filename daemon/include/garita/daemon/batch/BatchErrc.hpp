#pragma once
// Error codes of the weekly partner exchange batches (category "batch";
// docs/batch-format.md §7). Every function that returns one also leaves a
// one-line message for a person (which layer, which record number and field,
// what was wrong) that never contains record contents.
#include <system_error>

namespace garita::batch {

enum class Errc {
  invalid_argument = 1,  // bad call (empty period, record of the wrong kind, ...)
  malformed_content,     // decrypted content breaks docs/batch-format.md (line + field named)
  wrong_batch_type,      // an export batch where a return batch was expected, or back
  record_hash_mismatch,  // records_sha256 in the manifest is not the hash of the records
  recipient_mismatch,    // the manifest names another recipient than our certificate
  sender_mismatch,       // manifest sender differs from the signer or the expected sender
  malformed_envelope,    // not complete DER CMS (truncated, garbage, trailing bytes)
  not_encrypted,         // CMS, but not AuthEnvelopedData
  unexpected_algorithm,  // anything but AES-256-GCM / RSA-OAEP-SHA256 / ECDH-SHA384 / SHA-384
  not_for_us,            // no RecipientInfo for our certificate (addressed to someone else)
  decrypt_failed,        // key unwrap or GCM authentication tag failed (tampered, truncated)
  not_signed,            // the decrypted layer is not CMS SignedData
  signature_invalid,     // the signature or message digest does not verify
  signer_untrusted,      // the signer certificate does not chain to the partner CA
  signer_unexpected,     // chains, but is not one of the expected signer certificates
  too_large,             // above the size limits of docs/batch-format.md §5
  crypto_failed,         // an OpenSSL call failed (RAND_bytes, CMS creation)
  io_failed,             // writing or reading a batch file failed
  // The exchange around the format (daemon/exchange):
  already_imported,  // a return batch whose batch_id this workstation already imported (replay)
  not_configured,    // [exchange] missing or incomplete, unknown time zone, unreadable key
  store_failed,      // the crossing database refused (busy, full, schema too old)
  unknown_batch,     // no batch with that id in the ledger
};

const std::error_category& batch_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), batch_category()};
}

}  // namespace garita::batch

template <>
struct std::is_error_code_enum<garita::batch::Errc> : std::true_type {};
