#include <catch2/catch.hpp>

#include <set>

#include "garita/daemon/security/ApiToken.hpp"

using namespace garita::security;

TEST_CASE("base64url matches RFC 4648 §10 vectors (URL alphabet, no padding)", "[token]") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  CHECK(base64url_encode(std::string("\xfb\xff\xbf", 3)) == "-_-_");
}

TEST_CASE("Tokens are gar_ + 43 base64url characters, random and well formed", "[token]") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string t;
    REQUIRE_FALSE(generate_token(t));
    REQUIRE(t.size() == kTokenTextLength);
    REQUIRE(t.rfind("gar_", 0) == 0);
    REQUIRE(is_well_formed_token(t));
    REQUIRE(seen.insert(t).second);
  }
}

TEST_CASE("Malformed tokens are recognised", "[token]") {
  std::string t;
  REQUIRE_FALSE(generate_token(t));
  CHECK_FALSE(is_well_formed_token(t.substr(0, t.size() - 1)));
  CHECK_FALSE(is_well_formed_token(t + "A"));
  CHECK_FALSE(is_well_formed_token("xar_" + t.substr(4)));
  std::string bad = t;
  bad[10] = '+';
  CHECK_FALSE(is_well_formed_token(bad));
  // Non-canonical last character (padding bits set).
  std::string noncanon = t;
  noncanon.back() = 'B';
  CHECK_FALSE(is_well_formed_token(noncanon));
  CHECK_FALSE(is_well_formed_token(""));
}

TEST_CASE("Token hash is SHA-256 hex of the token text", "[token]") {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  CHECK(token_hash_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Bearer credentials are taken from an Authorization header", "[token]") {
  CHECK(bearer_token("Bearer gar_abc") == "gar_abc");
  CHECK(bearer_token("bearer   gar_abc  ") == "gar_abc");
  CHECK(bearer_token("Basic dXNlcjpwYXNz").empty());
  CHECK(bearer_token("Bearer").empty());
  CHECK(bearer_token("Bearer a b").empty());
  CHECK(bearer_token("Bearergar_abc").empty());
}
