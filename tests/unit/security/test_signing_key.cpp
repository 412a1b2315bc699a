#include <sys/stat.h>
#include <catch2/catch.hpp>

#include "SecurityTestSupport.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"
#include "garita/daemon/security/SigningKey.hpp"

using namespace garita::security;
using garita::security::test::public_key_of;
using garita::security::test::TempDir;
using garita::security::test::write_key;

TEST_CASE("A private key readable by group or other is refused", "[keys]") {
  TempDir dir;
  for (unsigned mode : {0640u, 0604u, 0644u, 0660u, 0602u}) {
    const auto key = write_key(dir, "k" + std::to_string(mode), "ec", mode);
    SigningKey k;
    std::string error;
    CHECK(SigningKey::load(key, {}, k, error) == Errc::key_unsafe_permissions);
    CHECK(error.find("chmod 600") != std::string::npos);
    CHECK_FALSE(k.valid());
  }
  for (unsigned mode : {0600u, 0400u}) {
    const auto key = write_key(dir, "ok" + std::to_string(mode), "ec", mode);
    SigningKey k;
    std::string error;
    CHECK_FALSE(SigningKey::load(key, {}, k, error));
    CHECK(k.valid());
  }
  SigningKey k;
  std::string error;
  CHECK(SigningKey::load(dir / "missing.pem", {}, k, error) == Errc::key_unreadable);
  CHECK(SigningKey::load(dir.path(), {}, k, error) == Errc::key_unsafe_permissions);
}

TEST_CASE("EC, RSA and Ed25519 keys sign; the public key verifies; others do not", "[keys]") {
  TempDir dir;
  for (const std::string type : {"ec", "rsa", "ed25519"}) {
    const auto key = write_key(dir, type + ".pem", type);
    SigningKey sk;
    std::string error;
    REQUIRE_FALSE(SigningKey::load(key, public_key_of(key), sk, error));
    VerifyKey vk;
    REQUIRE_FALSE(VerifyKey::load(public_key_of(key), vk, error));
    CHECK(vk.fingerprint() == sk.fingerprint());
    CHECK(sk.fingerprint().size() == 64);
    std::string sig;
    REQUIRE_FALSE(sk.sign("head", sig, error));
    CHECK(vk.verify("head", sig));
    CHECK_FALSE(vk.verify("head2", sig));
    std::string bad = sig;
    bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 1);
    CHECK_FALSE(vk.verify("head", bad));
    CHECK(VerifyKey::from(sk).verify("head", sig));
  }
}

TEST_CASE("A certificate of another key and weak or bad keys are refused", "[keys]") {
  TempDir dir;
  const auto a = write_key(dir, "a.pem");
  const auto b = write_key(dir, "b.pem");
  SigningKey k;
  std::string error;
  CHECK(SigningKey::load(a, public_key_of(b), k, error) == Errc::key_invalid);
  CHECK(error.find("does not belong") != std::string::npos);
  const auto weak = write_key(dir, "weak.pem", "rsa1024");
  CHECK(SigningKey::load(weak, {}, k, error) == Errc::key_invalid);
  VerifyKey v;
  CHECK(VerifyKey::load(a, v, error) == Errc::key_invalid);  // a private key is not a cert
}
