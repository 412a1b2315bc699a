#pragma once
// API bearer tokens: 32 bytes from the OpenSSL CSPRNG (RAND_bytes), shown to
// the person once as "gar_" + base64url without padding (RFC 4648 §5), 47
// characters in all. Only SHA-256 of the whole token text is ever stored, as
// lower-case hex; a stolen users database therefore gives no usable token.
#include <string>
#include <string_view>
#include <system_error>

namespace garita::security {

inline constexpr std::string_view kTokenPrefix = "gar_";
inline constexpr std::size_t kTokenRandomBytes = 32;
inline constexpr std::size_t kTokenTextLength = 4 + 43;  // prefix + base64url(32 bytes)

// A fresh token text. Fails only when the CSPRNG does (Errc::crypto_failed).
std::error_code generate_token(std::string& token_text);

// True for "gar_" followed by exactly 43 base64url characters whose last
// one encodes only the 32nd byte's final bits (canonical encoding).
bool is_well_formed_token(std::string_view token_text) noexcept;

// Lower-case hex SHA-256 of the token text (64 characters).
std::string token_hash_hex(std::string_view token_text);

// RFC 4648 §5 base64url without padding (exposed for tests).
std::string base64url_encode(std::string_view bytes);

// Bearer token from an Authorization header value ("Bearer gar_..."); empty
// when the header is not a Bearer credential (RFC 6750 §2.1).
std::string_view bearer_token(std::string_view authorization_header) noexcept;

}  // namespace garita::security
