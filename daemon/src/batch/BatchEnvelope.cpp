#include "garita/daemon/batch/BatchEnvelope.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <limits>

#include "garita/common/Hex.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"

namespace garita::batch {
namespace {

// ---- small OpenSSL ownership helpers ----

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CmsFree {
  void operator()(CMS_ContentInfo* c) const { CMS_ContentInfo_free(c); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct AlgorFree {
  void operator()(X509_ALGOR* a) const { X509_ALGOR_free(a); }
};
struct OaepFree {
  void operator()(RSA_OAEP_PARAMS* p) const { RSA_OAEP_PARAMS_free(p); }
};
struct CertsFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cms = std::unique_ptr<CMS_ContentInfo, CmsFree>;

std::string openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return "no OpenSSL reason";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Bio memory_bio(std::string_view bytes) {
  // BIO_new_mem_buf takes an int length; callers bound sizes first.
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return {data, static_cast<std::size_t>(n > 0 ? n : 0)};
}

// Plaintext of a batch (personal data) is wiped before its memory is
// released: OpenSSL's memory BIOs clear their buffers when freed
// (BUF_MEM_free uses OPENSSL_clear_free); the copies garita makes are
// wiped by this guard.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& s) noexcept : s_(s) {}
  ~WipeOnExit() { OPENSSL_cleanse(s_.data(), s_.size()); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& s_;
};

std::error_code to_der(CMS_ContentInfo* cms, std::string& der) {
  unsigned char* out = nullptr;
  const int n = i2d_CMS_ContentInfo(cms, &out);
  if (n <= 0) return Errc::crypto_failed;
  der.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  return {};
}

// Parses one complete CMS ContentInfo (BER accepted: streaming encoders such
// as `openssl cms` write indefinite lengths); trailing bytes are refused.
Cms from_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CMS_ContentInfo* raw = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size()));
  Cms cms(raw);
  if (cms && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) cms.reset();
  return cms;
}

std::string cert_sha256(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &n) != 1) return {};
  return to_hex(std::span<const std::uint8_t>(digest, n));
}

std::string subject_rfc2253(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  return drain(bio.get());
}

constexpr std::size_t max_der_bytes = max_content_bytes + (std::size_t{1} << 20);

// ---- the AuthEnvelopedData content-encryption algorithm ----
//
// OpenSSL 3.0 has no accessor for it, so it is read from the DER encoding
// with ASN1_get_object (RFC 5083 §2.1 AuthEnvelopedData; RFC 5652 §6.1
// EncryptedContentInfo). Only definite lengths are walked.
class DerWalker {
 public:
  DerWalker(const unsigned char* p, long n) : p_(p), end_(p + n) {}
  // Reads one header; `constructed` elements are entered, others skipped.
  bool next(int& tag, int& cls, bool enter, const unsigned char** content = nullptr,
            long* length = nullptr) {
    const unsigned char* q = p_;
    long len = 0;
    const int r = ASN1_get_object(&q, &len, &tag, &cls, end_ - p_);
    if ((r & 0x80) != 0 || (r & 0x01) != 0) return false;  // error or indefinite length
    if (content != nullptr) *content = q;
    if (length != nullptr) *length = len;
    p_ = enter ? q : q + len;
    return true;
  }
  const unsigned char* position() const { return p_; }

 private:
  const unsigned char* p_;
  const unsigned char* end_;
};

// NID of the contentEncryptionAlgorithm in DER `der`, NID_undef when not
// found or when a length on the way is indefinite (BER).
int content_encryption_nid(std::string_view der) {
  DerWalker w(reinterpret_cast<const unsigned char*>(der.data()), static_cast<long>(der.size()));
  int tag = 0, cls = 0;
  if (!w.next(tag, cls, true) || tag != V_ASN1_SEQUENCE) return NID_undef;  // ContentInfo
  if (!w.next(tag, cls, false) || tag != V_ASN1_OBJECT) return NID_undef;   // contentType
  if (!w.next(tag, cls, true) || cls != V_ASN1_CONTEXT_SPECIFIC || tag != 0)
    return NID_undef;                                                       // [0] EXPLICIT
  if (!w.next(tag, cls, true) || tag != V_ASN1_SEQUENCE) return NID_undef;  // AuthEnvelopedData
  if (!w.next(tag, cls, false) || tag != V_ASN1_INTEGER) return NID_undef;  // version
  // originatorInfo [0] IMPLICIT OPTIONAL, then recipientInfos SET.
  if (!w.next(tag, cls, false)) return NID_undef;
  if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0 && !w.next(tag, cls, false)) return NID_undef;
  if (tag != V_ASN1_SET) return NID_undef;
  if (!w.next(tag, cls, true) || tag != V_ASN1_SEQUENCE) return NID_undef;  // EncryptedContentInfo
  if (!w.next(tag, cls, false) || tag != V_ASN1_OBJECT) return NID_undef;   // contentType
  if (!w.next(tag, cls, true) || tag != V_ASN1_SEQUENCE) return NID_undef;  // AlgorithmIdentifier
  const unsigned char* oid = w.position();
  long oid_len = 0;
  const unsigned char* body = nullptr;
  if (!w.next(tag, cls, false, &body, &oid_len) || tag != V_ASN1_OBJECT) return NID_undef;
  ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &oid, (body - oid) + oid_len);
  if (obj == nullptr) return NID_undef;
  const int nid = OBJ_obj2nid(obj);
  ASN1_OBJECT_free(obj);
  return nid;
}

// The file as written (garita writes DER: no copy); when that fails (BER
// from a streaming encoder), OpenSSL's DER re-encoding of what it parsed.
int content_encryption_nid(std::string_view file, CMS_ContentInfo* cms) {
  const int nid = content_encryption_nid(file);
  if (nid != NID_undef) return nid;
  std::string der;
  if (to_der(cms, der)) return NID_undef;
  return content_encryption_nid(der);
}

// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 A.2.1; RFC 4055 §4.1).
bool is_oaep_sha256(const X509_ALGOR* alg) {
  if (alg == nullptr || OBJ_obj2nid(alg->algorithm) != NID_rsaesOaep) return false;
  if (alg->parameter == nullptr || alg->parameter->type != V_ASN1_SEQUENCE) return false;
  std::unique_ptr<RSA_OAEP_PARAMS, OaepFree> params(static_cast<RSA_OAEP_PARAMS*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_OAEP_PARAMS), alg->parameter)));
  if (!params || params->hashFunc == nullptr || params->maskGenFunc == nullptr) return false;
  if (OBJ_obj2nid(params->hashFunc->algorithm) != NID_sha256) return false;
  if (OBJ_obj2nid(params->maskGenFunc->algorithm) != NID_mgf1) return false;
  const ASN1_TYPE* mgf = params->maskGenFunc->parameter;
  if (mgf == nullptr || mgf->type != V_ASN1_SEQUENCE) return false;
  std::unique_ptr<X509_ALGOR, AlgorFree> mgf_hash(
      static_cast<X509_ALGOR*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), mgf)));
  return mgf_hash && OBJ_obj2nid(mgf_hash->algorithm) == NID_sha256;
}

// dhSinglePass-stdDH-sha384kdf-scheme with id-aes256-wrap (RFC 5753 §7.1.4, §7.2).
bool is_ecdh_sha384_aes256wrap(const X509_ALGOR* alg) {
  if (alg == nullptr || OBJ_obj2nid(alg->algorithm) != NID_dhSinglePass_stdDH_sha384kdf_scheme)
    return false;
  if (alg->parameter == nullptr || alg->parameter->type != V_ASN1_SEQUENCE) return false;
  std::unique_ptr<X509_ALGOR, AlgorFree> wrap(static_cast<X509_ALGOR*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), alg->parameter)));
  return wrap && OBJ_obj2nid(wrap->algorithm) == NID_id_aes256_wrap;
}

// Finds our RecipientInfo; not_for_us when none names our certificate.
std::error_code check_recipient(CMS_ContentInfo* cms, X509* our_cert, std::string& error) {
  STACK_OF(CMS_RecipientInfo)* infos = CMS_get0_RecipientInfos(cms);
  const int count = infos == nullptr ? 0 : sk_CMS_RecipientInfo_num(infos);
  for (int i = 0; i < count; ++i) {
    CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(infos, i);
    const int type = CMS_RecipientInfo_type(ri);
    if (type == CMS_RECIPINFO_TRANS) {
      if (CMS_RecipientInfo_ktri_cert_cmp(ri, our_cert) != 0) continue;
      X509_ALGOR* alg = nullptr;
      CMS_RecipientInfo_ktri_get0_algs(ri, nullptr, nullptr, &alg);
      if (!is_oaep_sha256(alg)) {
        error = "envelope: key transport is not RSAES-OAEP with SHA-256/MGF1-SHA-256";
        return Errc::unexpected_algorithm;
      }
      return {};
    }
    if (type == CMS_RECIPINFO_AGREE) {
      STACK_OF(CMS_RecipientEncryptedKey)* reks = CMS_RecipientInfo_kari_get0_reks(ri);
      bool ours = false;
      for (int k = 0; reks != nullptr && k < sk_CMS_RecipientEncryptedKey_num(reks); ++k)
        if (CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(reks, k),
                                               our_cert) == 0)
          ours = true;
      if (!ours) continue;
      X509_ALGOR* alg = nullptr;
      ASN1_OCTET_STRING* ukm = nullptr;
      CMS_RecipientInfo_kari_get0_alg(ri, &alg, &ukm);
      if (!is_ecdh_sha384_aes256wrap(alg)) {
        error =
            "envelope: key agreement is not dhSinglePass-stdDH-sha384kdf-scheme with "
            "id-aes256-wrap";
        return Errc::unexpected_algorithm;
      }
      return {};
    }
  }
  ERR_clear_error();
  error = "envelope: no RecipientInfo for our certificate (" + std::to_string(count) +
          " recipient(s)): the batch is addressed to someone else";
  return Errc::not_for_us;
}

std::int64_t signing_time_of(CMS_SignerInfo* si) {
  const int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  if (idx < 0) return -1;
  X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
  if (value == nullptr || (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME))
    return -1;
  std::tm tm{};
  if (ASN1_TIME_to_tm(value->value.generalizedtime, &tm) != 1) return -1;
  return static_cast<std::int64_t>(timegm(&tm));
}

// Verifies the SignedData layer (RFC 5652 §5) and returns its content.
std::error_code verify_signed(std::string_view der, const BatchTrustStore& partner_ca,
                              const SignerConstraints& constraints, OpenedEnvelope& out,
                              std::string& error) {
  Cms cms = from_der(der);
  if (!cms) {
    ERR_clear_error();
    error = "signed layer: the decrypted bytes are not a CMS ContentInfo";
    return Errc::not_signed;
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    error = "signed layer: the decrypted ContentInfo is not SignedData";
    return Errc::not_signed;
  }
  if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data) {
    error = "signed layer: eContentType is not id-data";
    return Errc::unexpected_algorithm;
  }
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1) {
    error = "signed layer: exactly one SignerInfo is required";
    return Errc::not_signed;
  }
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);
  X509_ALGOR* digest = nullptr;
  X509_ALGOR* signature = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest, &signature);
  if (digest == nullptr || OBJ_obj2nid(digest->algorithm) != NID_sha384) {
    error = "signed layer: digest algorithm is not SHA-384";
    return Errc::unexpected_algorithm;
  }
  if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) < 0 ||
      CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1) < 0) {
    error = "signed layer: signed attributes content-type and message-digest are required";
    return Errc::not_signed;
  }
  out.signing_time = signing_time_of(si);
  if (out.signing_time < 0) {
    error = "signed layer: the signing-time signed attribute is missing or invalid";
    return Errc::not_signed;
  }
  // Signature and message digest first, the chain after, so that the two
  // failures get their own error (CMS_verify would report both as one).
  Bio content(BIO_new(BIO_s_mem()));
  if (!content) return Errc::crypto_failed;
  if (CMS_verify(cms.get(), nullptr, partner_ca.get(), nullptr, content.get(),
                 CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
    error = "signed layer: signature does not verify (" + openssl_reason() + ")";
    return Errc::signature_invalid;
  }
  // CMS_get0_signers: a new stack (freed here) of certificates owned by `cms`.
  STACK_OF(X509)* signer_stack = CMS_get0_signers(cms.get());
  X509* signer = signer_stack != nullptr && sk_X509_num(signer_stack) == 1
                     ? sk_X509_value(signer_stack, 0)
                     : nullptr;
  if (signer != nullptr) X509_up_ref(signer);
  sk_X509_free(signer_stack);
  if (signer == nullptr) {
    error = "signed layer: the signer certificate is not in the SignedData";
    return Errc::signature_invalid;
  }
  std::unique_ptr<X509, decltype(&X509_free)> signer_owned(signer, X509_free);

  std::unique_ptr<STACK_OF(X509), CertsFree> chain(CMS_get1_certs(cms.get()));
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), partner_ca.get(), signer, chain.get()) != 1)
    return Errc::crypto_failed;
  if (X509_verify_cert(ctx.get()) != 1) {
    const int why = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    error = std::string("signed layer: signer certificate does not chain to the partner CA (") +
            X509_verify_cert_error_string(why) + ")";
    return Errc::signer_untrusted;
  }
  // RFC 5280 §4.2.1.3: a key that signs data needs digitalSignature or nonRepudiation.
  if ((X509_get_extension_flags(signer) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(signer) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
    error = "signed layer: signer certificate key usage allows no signatures";
    return Errc::signer_untrusted;
  }
  out.signer_sha256 = cert_sha256(signer);
  out.signer_subject = subject_rfc2253(signer);
  if (!constraints.certificate_sha256.empty() &&
      std::find(constraints.certificate_sha256.begin(), constraints.certificate_sha256.end(),
                out.signer_sha256) == constraints.certificate_sha256.end()) {
    error = "signed layer: signer certificate " + out.signer_sha256 +
            " is not one of the expected signers";
    return Errc::signer_unexpected;
  }
  out.content = drain(content.get());
  return {};
}

std::error_code check_manifest_parties(const BatchManifest& m, const BatchKeyPair& us,
                                       const OpenedEnvelope& env,
                                       std::string_view expected_sender_id, std::string& error) {
  const BatchCertificate& ours = us.certificate();
  if (m.recipient_certificate_sha256 != ours.sha256() || m.recipient_subject != ours.subject()) {
    error =
        "manifest: recipient_certificate_sha256/recipient_subject name another certificate "
        "than ours (" +
        ours.sha256() + "): re-addressed batch";
    return Errc::recipient_mismatch;
  }
  if (m.sender_certificate_sha256 != env.signer_sha256) {
    error = "manifest: sender_certificate_sha256 is not the signer's certificate (" +
            env.signer_sha256 + "): re-signed batch";
    return Errc::sender_mismatch;
  }
  if (!expected_sender_id.empty() && m.sender_id != expected_sender_id) {
    error = "manifest: sender_id is not the expected sender \"" + std::string(expected_sender_id) +
            "\"";
    return Errc::sender_mismatch;
  }
  return {};
}

template <typename Batch>
std::error_code open_batch(std::string_view der, const BatchKeyPair& us,
                           const BatchTrustStore& partner_ca, const SignerConstraints& constraints,
                           std::string_view expected_sender_id, Batch& out, std::string& error,
                           std::error_code (*parse)(std::string_view, Batch&, std::string&),
                           BatchType type) {
  OpenedEnvelope env;
  const WipeOnExit wipe(env.content);
  if (auto ec = open(der, us, partner_ca, constraints, env, error)) return ec;
  BatchManifest manifest;
  if (auto ec = parse_batch_manifest(env.content, manifest, error)) return ec;
  if (manifest.type != type) {
    error = "manifest: type: a batch of type \"" + std::string(to_string(manifest.type)) +
            "\" where \"" + std::string(to_string(type)) + "\" was expected";
    return Errc::wrong_batch_type;
  }
  if (auto ec = check_manifest_parties(manifest, us, env, expected_sender_id, error)) return ec;
  return parse(env.content, out, error);
}

template <typename Batch, typename Encode>
std::error_code seal_batch(Batch& batch, const BatchKeyPair& signer,
                           const BatchCertificate& recipient, std::string& der, std::string& error,
                           Encode encode) {
  if (!signer.valid() || !recipient.valid()) {
    error = "seal: signer key or recipient certificate not loaded";
    return Errc::invalid_argument;
  }
  BatchManifest& m = batch.manifest;
  if (auto ec = new_batch_id(m.batch_id, error)) return ec;
  m.created_at_utc = static_cast<std::int64_t>(std::time(nullptr));
  m.sender_certificate_sha256 = signer.certificate().sha256();
  m.recipient_subject = recipient.subject();
  m.recipient_certificate_sha256 = recipient.sha256();
  std::string content;
  if (auto ec = encode(m, batch.records, content, error)) return ec;
  return seal(content, signer, recipient, der, error);
}

}  // namespace

std::error_code seal(std::string_view content, const BatchKeyPair& signer,
                     const BatchCertificate& recipient, std::string& der, std::string& error) {
  if (!signer.valid() || !recipient.valid()) {
    error = "seal: signer key or recipient certificate not loaded";
    return Errc::invalid_argument;
  }
  if (content.size() > max_content_bytes ||
      content.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    error = "seal: content larger than 2 GiB";
    return Errc::too_large;
  }
  // SignedData (RFC 5652 §5): SHA-384, signed attributes content-type,
  // message-digest and signing-time (OpenSSL adds them; CMS_NOSMIMECAP drops
  // the S/MIME capabilities attribute, which means nothing here). Binary
  // content: no MIME canonicalisation of line ends.
  const unsigned sign_flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  Bio in = memory_bio(content);
  Cms signed_cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, sign_flags));
  if (!in || !signed_cms ||
      CMS_add1_signer(signed_cms.get(), signer.certificate().get(), signer.key(), EVP_sha384(),
                      sign_flags) == nullptr ||
      CMS_final(signed_cms.get(), in.get(), nullptr, CMS_BINARY) != 1) {
    error = "seal: CMS signing failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  std::string signed_der;
  if (to_der(signed_cms.get(), signed_der)) {
    error = "seal: encoding SignedData failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  signed_cms.reset();
  if (signed_der.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    error = "seal: SignedData larger than 2 GiB";
    return Errc::too_large;
  }

  // AuthEnvelopedData (RFC 5083) with AES-256-GCM (RFC 5084): OpenSSL picks
  // AuthEnvelopedData for an AEAD cipher.
  const unsigned enc_flags = CMS_BINARY | CMS_PARTIAL | CMS_KEY_PARAM;
  Bio inner = memory_bio(signed_der);
  Cms env(CMS_encrypt(nullptr, nullptr, EVP_aes_256_gcm(), enc_flags));
  if (!inner || !env) {
    error = "seal: creating AuthEnvelopedData failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  CMS_RecipientInfo* ri = CMS_add1_recipient_cert(env.get(), recipient.get(), CMS_KEY_PARAM);
  EVP_PKEY_CTX* pctx = ri == nullptr ? nullptr : CMS_RecipientInfo_get0_pkey_ctx(ri);
  if (pctx == nullptr) {
    error = "seal: the recipient certificate's key cannot receive a CMS key (RSA or EC needed): " +
            openssl_reason();
    return Errc::invalid_argument;
  }
  const int key_type = EVP_PKEY_get_base_id(X509_get0_pubkey(recipient.get()));
  bool params_ok = false;
  if (key_type == EVP_PKEY_RSA) {
    // RSAES-OAEP, SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1; RFC 4055 §4.1).
    params_ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
                EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) > 0 &&
                EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
  } else if (key_type == EVP_PKEY_EC) {
    // dhSinglePass-stdDH-sha384kdf-scheme (RFC 5753 §7.1.4); OpenSSL picks
    // id-aes256-wrap for a 256-bit content key.
    params_ok = EVP_PKEY_CTX_set_ecdh_kdf_md(pctx, EVP_sha384()) > 0;
  } else {
    error = "seal: the recipient certificate's key is neither RSA nor EC";
    return Errc::invalid_argument;
  }
  if (!params_ok || CMS_final(env.get(), inner.get(), nullptr, CMS_BINARY) != 1) {
    error = "seal: CMS encryption failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  if (to_der(env.get(), der)) {
    error = "seal: encoding AuthEnvelopedData failed: " + openssl_reason();
    return Errc::crypto_failed;
  }
  return {};
}

std::error_code open(std::string_view der, const BatchKeyPair& us,
                     const BatchTrustStore& partner_ca, const SignerConstraints& constraints,
                     OpenedEnvelope& out, std::string& error) {
  out = {};
  if (!us.valid() || !partner_ca.valid()) {
    error = "open: our key or the partner CA not loaded";
    return Errc::invalid_argument;
  }
  if (der.size() > max_der_bytes) {
    error = "envelope: larger than the 2 GiB content limit";
    return Errc::too_large;
  }
  Cms cms = from_der(der);
  if (!cms) {
    ERR_clear_error();
    error = "envelope: not one complete DER/BER CMS ContentInfo (" + std::to_string(der.size()) +
            " bytes; truncated or not a batch)";
    return Errc::malformed_envelope;
  }
  const int type = OBJ_obj2nid(CMS_get0_type(cms.get()));
  if (type == NID_pkcs7_enveloped) {
    error =
        "envelope: EnvelopedData (no authentication) refused: AuthEnvelopedData with "
        "AES-256-GCM is required";
    return Errc::unexpected_algorithm;
  }
  if (type != NID_id_smime_ct_authEnvelopedData) {
    error = std::string("envelope: ContentInfo is ") + OBJ_nid2sn(type) + ", not AuthEnvelopedData";
    return Errc::not_encrypted;
  }
  const int cipher = content_encryption_nid(der, cms.get());
  if (cipher != NID_aes_256_gcm) {
    error = std::string("envelope: content encryption is ") +
            (cipher == NID_undef ? "unreadable" : OBJ_nid2sn(cipher)) + ", not AES-256-GCM";
    return Errc::unexpected_algorithm;
  }
  if (auto ec = check_recipient(cms.get(), us.certificate().get(), error)) return ec;
  Bio decrypted(BIO_new(BIO_s_mem()));
  if (!decrypted) return Errc::crypto_failed;
  if (CMS_decrypt(cms.get(), us.key(), us.certificate().get(), nullptr, decrypted.get(),
                  CMS_BINARY) != 1) {
    ERR_clear_error();  // OpenSSL's reason names internals, not the cause
    error =
        "envelope: key unwrap or AES-GCM authentication tag check failed (tampered, "
        "truncated or damaged)";
    return Errc::decrypt_failed;
  }
  cms.reset();
  std::string signed_der = drain(decrypted.get());
  const WipeOnExit wipe(signed_der);
  decrypted.reset();  // cleared on free; one copy of the plaintext less while verifying
  return verify_signed(signed_der, partner_ca, constraints, out, error);
}

std::error_code open_return_batch(std::string_view der, const BatchKeyPair& us,
                                  const BatchTrustStore& partner_ca,
                                  const SignerConstraints& constraints,
                                  std::string_view expected_sender_id, ReturnBatch& out,
                                  std::string& error) {
  return open_batch<ReturnBatch>(der, us, partner_ca, constraints, expected_sender_id, out, error,
                                 &parse_return_batch, BatchType::return_batch);
}

std::error_code open_export_batch(std::string_view der, const BatchKeyPair& us,
                                  const BatchTrustStore& partner_ca,
                                  const SignerConstraints& constraints,
                                  std::string_view expected_sender_id, ExportBatch& out,
                                  std::string& error) {
  return open_batch<ExportBatch>(der, us, partner_ca, constraints, expected_sender_id, out, error,
                                 &parse_export_batch, BatchType::export_batch);
}

std::error_code seal_export_batch(ExportBatch& batch, const BatchKeyPair& signer,
                                  const BatchCertificate& recipient, std::string& der,
                                  std::string& error) {
  batch.manifest.type = BatchType::export_batch;
  return seal_batch(batch, signer, recipient, der, error,
                    [](BatchManifest& m, const std::vector<ExportRecord>& r, std::string& o,
                       std::string& e) { return encode_export_batch(m, r, o, e); });
}

std::error_code seal_return_batch(ReturnBatch& batch, const BatchKeyPair& signer,
                                  const BatchCertificate& recipient, std::string& der,
                                  std::string& error) {
  batch.manifest.type = BatchType::return_batch;
  return seal_batch(batch, signer, recipient, der, error,
                    [](BatchManifest& m, const std::vector<ExitRecord>& r, std::string& o,
                       std::string& e) { return encode_return_batch(m, r, o, e); });
}

}  // namespace garita::batch
