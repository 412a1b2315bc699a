// Batch files against the stock `openssl cms` command (docs/batch-format.md
// §2): what garita seals, openssl opens to the exact content; what a partner
// makes with `openssl cms -sign | openssl cms -encrypt`, garita opens; and
// every kind of bad file is refused with its own error. The PKI comes from
// scripts/test-pki.sh (EC P-256) plus RSA certificates made here.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "BatchTestPki.hpp"
#include "ProcessRunner.hpp"
#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchFile.hpp"

using namespace garita::batch;
namespace fs = std::filesystem;

namespace {

using garita::test::shell_quote;

garita::test::ProcessResult sh(const std::string& command) {
  return garita::test::run_process({"/bin/sh", "-c", command}, std::chrono::seconds(60));
}

std::string read_all(const fs::path& p) {
  std::string bytes, error;
  REQUIRE_FALSE(read_batch_file(p, bytes, error));
  return bytes;
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
  REQUIRE(f.good());
}

// One PKI per test run: the workstation (ca/signing), the partner
// (partner-ca/partner), a rogue signer (wrong-ca/wrong-L1), RSA certificates.
// The shared test PKI plus RSA 2048 certificates (fast to make): the
// partner's (under partner-ca) and ours (under ca).
class Pki : public garita::test::BatchTestPki {
 public:
  Pki() {
    const std::string d = shell_quote((*this / "").string());
    const auto rsa = sh("cd " + d + " && umask 077 && " + rsa_cert("partner-rsa", "partner-ca") +
                        " && " + rsa_cert("signing-rsa", "ca") + " && chmod 644 *.pem");
    INFO(rsa.err);
    REQUIRE(rsa.exit_code == 0);
  }
  std::string q(const std::string& name) const { return shell_quote((*this / name).string()); }

 private:
  static std::string rsa_cert(const std::string& name, const std::string& ca) {
    return "openssl req -new -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
           ".csr -subj /CN=" + name + " 2>/dev/null && printf '" +
           "basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature," +
           "keyEncipherment\\n' > " + name + ".ext && openssl x509 -req -in " + name + ".csr -CA " +
           ca + ".pem -CAkey " + ca + ".key -CAcreateserial -days 30 -extfile " + name +
           ".ext -out " + name + ".pem 2>/dev/null && rm -f " + name + ".csr " + name + ".ext " +
           ca + ".srl";
  }
};

const Pki& pki() {
  static const Pki instance;
  return instance;
}

BatchManifest manifest_for(BatchType type, const BatchCertificate& sender,
                           const BatchCertificate& recipient, const char* sender_id) {
  BatchManifest m;
  m.type = type;
  std::string error;
  REQUIRE_FALSE(new_batch_id(m.batch_id, error));
  m.period = "2026-W47";
  m.created_at_utc = 1795410000;
  m.sender_id = sender_id;
  m.sender_port = type == BatchType::export_batch ? "TIJ" : "2504";
  m.sender_certificate_sha256 = sender.sha256();
  m.recipient_subject = recipient.subject();
  m.recipient_certificate_sha256 = recipient.sha256();
  return m;
}

std::vector<ExportRecord> crossings(int n) {
  std::vector<ExportRecord> out;
  for (int i = 0; i < n; ++i) {
    RfidEntryRecord r;
    char epc[32];
    std::snprintf(epc, sizeof epc, "E28011606000020840%06X", i);
    r.epc_hex = epc;
    r.tid_hex = "E2801160200074CF085909AD";
    r.entry = {1795154400 + i * 7, -480};
    r.port = "TIJ";
    r.lane = "P0" + std::to_string(1 + i % 4);
    out.emplace_back(std::move(r));
  }
  OfficerEntryRecord o;
  o.last_name = "Núñez";
  o.first_name = "María";
  o.birth_date = "1984-02-29";
  o.nationality = "MEX";
  o.gender = "F";
  o.document_type = "P";
  o.document_number = "G12345678";
  o.document_country = "MEX";
  o.entry = {1795161600, -480};
  o.port = "TIJ";
  out.emplace_back(std::move(o));
  return out;
}

std::string export_content(const BatchCertificate& recipient, int n = 3) {
  BatchManifest m =
      manifest_for(BatchType::export_batch, pki().cert("signing"), recipient, "TIJ-WS1");
  std::string content, error;
  REQUIRE_FALSE(encode_export_batch(m, crossings(n), content, error));
  return content;
}

std::string return_content(const BatchCertificate& signer, const BatchCertificate& recipient) {
  BatchManifest m = manifest_for(BatchType::return_batch, signer, recipient, "CBP");
  std::vector<ExitRecord> exits(2);
  for (auto& e : exits) {
    e.first_name = "John";
    e.last_name = "Smith";
    e.birth_date = "1970-12-31";
    e.nationality = "USA";
    e.gender = "M";
    e.document_type = "C";
    e.document_number = "C03005988";
    e.document_country = "USA";
    e.exit_port = "2504";
    e.entry_date = "2026-11-19";
    e.entry_time = "22:00:00";
    e.epc_hex = "E2801160600002084F3E1A2B";
  }
  std::string content, error;
  REQUIRE_FALSE(encode_return_batch(m, exits, content, error));
  return content;
}

// What the partner runs: sign with `signer` (-md `md`), then encrypt to
// `recipient` with `cipher` and key options `keyopts`. Returns the DER file bytes.
std::string partner_seal(const std::string& content, const std::string& signer,
                         const std::string& recipient, const std::string& md = "sha384",
                         const std::string& cipher = "-aes-256-gcm",
                         const std::string& keyopts = "-keyopt ecdh_kdf_md:sha384",
                         bool sign = true) {
  const Pki& p = pki();
  const fs::path work = p / ("partner-" + std::to_string(std::random_device{}()));
  fs::create_directories(work);
  write_all(work / "content", content);
  const std::string w = shell_quote(work.string());
  std::string cmd = "cd " + w + " && ";
  if (sign) {
    cmd += "openssl cms -sign -binary -nodetach -md " + md + " -signer " + p.q(signer + ".pem") +
           " -inkey " + p.q(signer + ".key") + " -in content -outform DER -out signed.der && ";
  } else {
    cmd += "cp content signed.der && ";
  }
  cmd += "openssl cms -encrypt -binary " + cipher + " -in signed.der -outform DER -out batch.cms " +
         "-recip " + p.q(recipient + ".pem") + " " + keyopts;
  const auto r = sh(cmd);
  INFO(cmd << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  std::string der = read_all(work / "batch.cms");
  fs::remove_all(work);
  return der;
}

// Opens as the workstation: our signing pair decrypts, the partner CA vouches.
std::error_code open_as_workstation(const std::string& der, ReturnBatch& out, std::string& error,
                                    const std::string& us = "signing",
                                    SignerConstraints constraints = {}) {
  return open_return_batch(der, pki().pair(us), pki().store("partner-ca"), constraints, "CBP", out,
                           error);
}

// garita seals `content` from signing to `partner`; openssl decrypts and
// verifies; returns what `openssl cms -verify` printed.
std::string openssl_open(const std::string& der, const std::string& partner) {
  const Pki& p = pki();
  const fs::path work = p / ("open-" + std::to_string(std::random_device{}()));
  fs::create_directories(work);
  std::string error;
  REQUIRE_FALSE(write_batch_file(work, "batch.cms", der, error));
  const std::string w = shell_quote(work.string());
  const std::string cmd =
      "cd " + w + " && openssl cms -decrypt -inform DER -in batch.cms -binary -recip " +
      p.q(partner + ".pem") + " -inkey " + p.q(partner + ".key") +
      " -out signed.der && openssl cms -verify -inform DER -in signed.der -binary -CAfile " +
      p.q("ca.pem") + " -purpose any -out content";
  const auto r = sh(cmd);
  INFO(cmd << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  std::string content = read_all(work / "content");
  fs::remove_all(work);
  return content;
}

std::string cms_print(const std::string& der) {
  const fs::path f = pki() / ("print-" + std::to_string(std::random_device{}()) + ".der");
  write_all(f, der);
  const auto r = sh("openssl cms -cmsout -print -inform DER -in " + shell_quote(f.string()));
  fs::remove(f);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("a garita export batch opens with openssl cms (EC partner: ECDH SHA-384 KDF)") {
  const Pki& p = pki();
  const std::string content = export_content(p.cert("partner"));
  std::string der, error;
  REQUIRE_FALSE(seal(content, p.pair("signing"), p.cert("partner"), der, error));
  CHECK(openssl_open(der, "partner") == content);

  const std::string printed = cms_print(der);
  CHECK(printed.find("id-smime-ct-authEnvelopedData") != std::string::npos);
  CHECK(printed.find("aes-256-gcm") != std::string::npos);
  CHECK(printed.find("dhSinglePass-stdDH-sha384kdf-scheme") != std::string::npos);
  CHECK(printed.find("id-aes256-wrap") != std::string::npos);
}

TEST_CASE("the signed layer is SHA-384 with content-type and signing-time attributes") {
  const Pki& p = pki();
  const std::string content = export_content(p.cert("partner"));
  std::string der, error;
  REQUIRE_FALSE(seal(content, p.pair("signing"), p.cert("partner"), der, error));
  const fs::path work = p / "signed-layer";
  fs::create_directories(work);
  REQUIRE_FALSE(write_batch_file(work, "batch.cms", der, error));
  const auto r = sh("cd " + shell_quote(work.string()) +
                    " && openssl cms -decrypt -inform DER -in batch.cms -binary -recip " +
                    p.q("partner.pem") + " -inkey " + p.q("partner.key") +
                    " -out signed.der && openssl cms -cmsout -print -inform DER -in signed.der");
  fs::remove_all(work);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("sha384") != std::string::npos);
  CHECK(r.out.find("contentType") != std::string::npos);
  CHECK(r.out.find("signingTime") != std::string::npos);
  CHECK(r.out.find("messageDigest") != std::string::npos);
}

TEST_CASE("a garita export batch opens with openssl cms (RSA partner: RSA-OAEP SHA-256)") {
  const Pki& p = pki();
  const std::string content = export_content(p.cert("partner-rsa"));
  std::string der, error;
  REQUIRE_FALSE(seal(content, p.pair("signing"), p.cert("partner-rsa"), der, error));
  CHECK(openssl_open(der, "partner-rsa") == content);
  const std::string printed = cms_print(der);
  CHECK(printed.find("rsaesOaep") != std::string::npos);
  CHECK(printed.find("sha256") != std::string::npos);
}

TEST_CASE("seal_export_batch fills the manifest and the partner's view opens it") {
  const Pki& p = pki();
  ExportBatch batch;
  batch.manifest =
      manifest_for(BatchType::export_batch, p.cert("signing"), p.cert("partner"), "TIJ-WS1");
  batch.records = crossings(5);
  std::string der, error;
  REQUIRE_FALSE(seal_export_batch(batch, p.pair("signing"), p.cert("partner"), der, error));
  ExportBatch opened;
  INFO(error);
  REQUIRE_FALSE(
      open_export_batch(der, p.pair("partner"), p.store("ca"), {}, "TIJ-WS1", opened, error));
  CHECK(opened.manifest.batch_id == batch.manifest.batch_id);
  CHECK(opened.records.size() == 6);
}

TEST_CASE("a partner batch made with openssl cms -sign | -encrypt opens with garita") {
  const Pki& p = pki();
  const std::string content = return_content(p.cert("partner"), p.cert("signing"));
  ReturnBatch out;
  std::string error;
  SECTION("EC recipient, ECDH with the SHA-384 KDF") {
    const std::string der = partner_seal(content, "partner", "signing");
    INFO(error);
    SignerConstraints expected{{p.cert("partner").sha256()}};
    REQUIRE_FALSE(open_as_workstation(der, out, error, "signing", expected));
  }
  SECTION("RSA recipient, RSA-OAEP with SHA-256") {
    const std::string rsa_content = return_content(p.cert("partner"), p.cert("signing-rsa"));
    const std::string der =
        partner_seal(rsa_content, "partner", "signing-rsa", "sha384", "-aes-256-gcm",
                     "-keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 "
                     "-keyopt rsa_mgf1_md:sha256");
    INFO(error);
    REQUIRE_FALSE(open_as_workstation(der, out, error, "signing-rsa"));
  }
  CHECK(out.manifest.sender_id == "CBP");
  CHECK(out.manifest.period == "2026-W47");
  CHECK(out.manifest.batch_id.size() == 36);  // for the caller's replay check
  REQUIRE(out.records.size() == 2);
  CHECK(out.records[0].document_number == "C03005988");
}

TEST_CASE("bad batch files are refused with their own error") {
  const Pki& p = pki();
  ReturnBatch out;
  std::string error;
  const std::string content = return_content(p.cert("partner"), p.cert("signing"));

  SECTION("tampered byte in the ciphertext: GCM authentication fails") {
    std::string der;
    // A big export batch sealed by garita, opened by the partner.
    REQUIRE_FALSE(seal(export_content(p.cert("partner"), 2000), p.pair("signing"),
                       p.cert("partner"), der, error));
    OpenedEnvelope env;
    std::string flipped = der;
    flipped[der.size() / 2] = static_cast<char>(der[der.size() / 2] ^ 0x01);
    CHECK(open(flipped, p.pair("partner"), p.store("ca"), {}, env, error) == Errc::decrypt_failed);
    CHECK(env.content.empty());
    // The last byte is in the GCM tag (the mac OCTET STRING ends the structure).
    flipped = der;
    flipped.back() = static_cast<char>(flipped.back() ^ 0x80);
    CHECK(open(flipped, p.pair("partner"), p.store("ca"), {}, env, error) == Errc::decrypt_failed);
    // Untouched, it opens: the failures above are the flipped bits.
    CHECK_FALSE(open(der, p.pair("partner"), p.store("ca"), {}, env, error));
    env = {};
  }
  SECTION("truncated file") {
    const std::string der = partner_seal(content, "partner", "signing");
    CHECK(open_as_workstation(der.substr(0, der.size() - 1), out, error) ==
          Errc::malformed_envelope);
    CHECK(open_as_workstation(der.substr(0, der.size() / 2), out, error) ==
          Errc::malformed_envelope);
    CHECK(open_as_workstation(der + "x", out, error) == Errc::malformed_envelope);
  }
  SECTION("addressed to someone else") {
    const std::string der = partner_seal(content, "partner", "L1");
    CHECK(open_as_workstation(der, out, error) == Errc::not_for_us);
    CHECK(error.find("addressed to someone else") != std::string::npos);
  }
  SECTION("signed by a key not under the partner CA") {
    const std::string der = partner_seal(content, "wrong-L1", "signing");
    CHECK(open_as_workstation(der, out, error) == Errc::signer_untrusted);
  }
  SECTION("signed by our own CA's signer, not the partner's") {
    const std::string der = partner_seal(content, "L2", "signing");
    CHECK(open_as_workstation(der, out, error) == Errc::signer_untrusted);
  }
  SECTION("AES-128-CBC EnvelopedData") {
    const std::string der = partner_seal(content, "partner", "signing", "sha384", "-aes-128-cbc");
    CHECK(open_as_workstation(der, out, error) == Errc::unexpected_algorithm);
    CHECK(error.find("EnvelopedData") != std::string::npos);
  }
  SECTION("AES-128-GCM AuthEnvelopedData") {
    const std::string der = partner_seal(content, "partner", "signing", "sha384", "-aes-128-gcm");
    CHECK(open_as_workstation(der, out, error) == Errc::unexpected_algorithm);
    CHECK(error.find("not AES-256-GCM") != std::string::npos);
  }
  SECTION("ECDH with OpenSSL's default SHA-1 KDF") {
    const std::string der =
        partner_seal(content, "partner", "signing", "sha384", "-aes-256-gcm", "");
    CHECK(open_as_workstation(der, out, error) == Errc::unexpected_algorithm);
  }
  SECTION("RSA PKCS#1 v1.5 key transport") {
    const std::string rsa_content = return_content(p.cert("partner"), p.cert("signing-rsa"));
    const std::string der =
        partner_seal(rsa_content, "partner", "signing-rsa", "sha384", "-aes-256-gcm", "");
    CHECK(open_as_workstation(der, out, error, "signing-rsa") == Errc::unexpected_algorithm);
  }
  SECTION("signed with SHA-256") {
    const std::string der = partner_seal(content, "partner", "signing", "sha256");
    CHECK(open_as_workstation(der, out, error) == Errc::unexpected_algorithm);
    CHECK(error.find("SHA-384") != std::string::npos);
  }
  SECTION("encrypted but not signed") {
    const std::string der = partner_seal(content, "partner", "signing", "sha384", "-aes-256-gcm",
                                         "-keyopt ecdh_kdf_md:sha384", false);
    CHECK(open_as_workstation(der, out, error) == Errc::not_signed);
  }
  SECTION("manifest addressed to another recipient (re-addressed)") {
    const std::string other = return_content(p.cert("partner"), p.cert("L1"));
    const std::string der = partner_seal(other, "partner", "signing");
    CHECK(open_as_workstation(der, out, error) == Errc::recipient_mismatch);
  }
  SECTION("manifest sender certificate is not the signer (re-signed)") {
    const std::string other = return_content(p.cert("partner-rsa"), p.cert("signing"));
    const std::string der = partner_seal(other, "partner", "signing");
    CHECK(open_as_workstation(der, out, error) == Errc::sender_mismatch);
  }
  SECTION("signer chains but is not the expected certificate") {
    const std::string der = partner_seal(content, "partner", "signing");
    SignerConstraints only{{p.cert("partner-rsa").sha256()}};
    CHECK(open_as_workstation(der, out, error, "signing", only) == Errc::signer_unexpected);
  }
  SECTION("records changed after the manifest was made") {
    std::string edited = content;
    edited.replace(edited.rfind("Smith"), 5, "Smyth");
    const std::string der = partner_seal(edited, "partner", "signing");
    CHECK(open_as_workstation(der, out, error) == Errc::record_hash_mismatch);
  }
  SECTION("an export batch where a return batch is expected") {
    const std::string der = partner_seal(export_content(p.cert("signing")), "partner", "signing");
    CHECK(open_as_workstation(der, out, error) == Errc::wrong_batch_type);
  }
  SECTION("not CMS at all") {
    CHECK(open_as_workstation("garbage", out, error) == Errc::malformed_envelope);
  }
  CHECK_FALSE(error.empty());
  CHECK(out.records.empty());
  std::printf("rejected: %s\n", error.c_str());
}

TEST_CASE("a private key readable by group is refused") {
  const Pki& p = pki();
  const fs::path loose = p / "loose.key";
  fs::copy_file(p / "partner.key", loose, fs::copy_options::overwrite_existing);
  fs::permissions(loose, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  BatchKeyPair pair;
  std::string error;
  CHECK(BatchKeyPair::load(loose, p / "partner.pem", pair, error));
  CHECK(error.find("chmod 600") != std::string::npos);
  CHECK(BatchKeyPair::load(p / "partner.key", p / "signing.pem", pair, error));
  CHECK(error.find("does not match") != std::string::npos);
}
