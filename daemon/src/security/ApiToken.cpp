#include "garita/daemon/security/ApiToken.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "garita/daemon/security/SecurityErrc.hpp"

namespace garita::security {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64url_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                   (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                   std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const auto v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const auto v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                   (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::error_code generate_token(std::string& token_text) {
  std::array<unsigned char, kTokenRandomBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return Errc::crypto_failed;
  }
  token_text.assign(kTokenPrefix);
  token_text += base64url_encode(
      std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
  OPENSSL_cleanse(random.data(), random.size());
  return {};
}

bool is_well_formed_token(std::string_view token_text) noexcept {
  if (token_text.size() != kTokenTextLength) return false;
  if (token_text.substr(0, kTokenPrefix.size()) != kTokenPrefix) return false;
  const std::string_view body = token_text.substr(kTokenPrefix.size());
  for (char c : body) {
    if (base64url_value(c) < 0) return false;
  }
  // 32 bytes = 256 bits in 43 characters (258 bits): the last character
  // carries 2 padding bits that must be zero (RFC 4648 §3.5, canonical).
  return (base64url_value(body.back()) & 0x3) == 0;
}

std::string token_hash_hex(std::string_view token_text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token_text.data(), token_text.size(), digest, &length, EVP_sha256(), nullptr) !=
      1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{length} * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string_view bearer_token(std::string_view header) noexcept {
  // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme name is
  // case-insensitive (RFC 9110 §11.1).
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return {};
  }
  std::string_view rest = header.substr(kScheme.size());
  if (rest.front() != ' ') return {};
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  if (rest.find(' ') != std::string_view::npos) return {};
  return rest;
}

}  // namespace garita::security
