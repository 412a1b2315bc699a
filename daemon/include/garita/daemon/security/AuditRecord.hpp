#pragma once
// One row of the audit log and its canonical form, which is what the hash
// chain covers (docs/security.md, "Audit row format"). Pure: no I/O.
//
// canonical_content(row) is the byte string
//
//   "garita-audit-v1\n"
//   then, for each field in this order: id, utc_us, user, role, action,
//   terms, records, outcome, peer
//   the field as  DECIMAL_BYTE_LENGTH ":" BYTES "\n"
//
// where id, utc_us and records are written in decimal ASCII (a '-' sign
// only for negative values, no leading zeros), the text fields as their
// UTF-8 bytes, and terms as its canonical JSON (canonical_json below). The
// length prefixes make the encoding injective: no two different rows give
// the same bytes, whatever characters the fields hold.
//
//   row_hash = lower-hex( SHA-256( raw32(prev_hash) || canonical_content(row) ) )
//
// prev_hash of the first row ever written is 64 '0' (kGenesisHash); after a
// retention purge the first remaining row's prev_hash is the anchor's hash.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "garita/daemon/security/Role.hpp"

namespace garita::security {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::size_t kMaxAuditTermsBytes = std::size_t{16} * 1024;

enum class AuditOutcome : std::uint8_t {
  ok,       // done; `records` says how many records it returned or changed
  denied,   // refused: no/invalid token or the role may not do it
  invalid,  // refused: the request itself was malformed
  failed,   // accepted but failed (database error, ...)
};
std::string_view to_string(AuditOutcome outcome) noexcept;
std::optional<AuditOutcome> parse_audit_outcome(std::string_view text) noexcept;

// What a caller logs (AuditLog::append fills in id, time and hashes).
struct AuditEvent {
  std::string user;          // user name; "" when nobody authenticated (login.failed)
  std::optional<Role> role;  // nullopt when nobody authenticated
  std::string action;        // 1..64 of [a-z0-9._-]: "crossings.search", "crossings.live",
                             // "user.add", "user.revoke", "token.issue", "login.failed",
                             // "batch.export", "audit.read", "audit.purge", ...
  boost::json::value terms = boost::json::object();  // the exact search terms / arguments;
                                                     // never a token
  std::int64_t records = 0;  // records returned (search) or affected (purge, revoke)
  AuditOutcome outcome = AuditOutcome::ok;
  std::string peer;  // "203.0.113.7:51514" for the API, "local:USER" for the CLI
};

// A stored row, as read back.
struct AuditRecord {
  std::int64_t id = 0;  // 1, 2, 3, ... without gaps
  std::int64_t utc_us = 0;
  std::string user;
  std::string role;  // to_string(Role) or "" when none
  std::string action;
  std::string terms;  // canonical JSON text, exactly as hashed
  std::int64_t records = 0;
  std::string outcome;  // to_string(AuditOutcome)
  std::string peer;
  std::string prev_hash;  // 64 lower-case hex
  std::string row_hash;   // 64 lower-case hex
};

// Canonical JSON: objects with members sorted by key (byte order) and
// duplicate keys refused, no whitespace, strings escaped as Boost.JSON
// serialises them (RFC 8259 §7: '"' '\\' and control characters escaped,
// everything else as UTF-8), integers in decimal, doubles as Boost.JSON
// prints them. Returns false (with `why`) for non-finite doubles.
bool canonical_json(const boost::json::value& value, std::string& out, std::string& why);

std::string canonical_content(const AuditRecord& row);
std::string compute_row_hash(std::string_view prev_hash_hex, const AuditRecord& row);

// The bytes a head signature covers (docs/security.md, "Signatures"):
//   "garita-audit-head-v1\n" ROW_ID "\n" ROW_UTC_US "\n" ROW_HASH_HEX "\n"
std::string head_signing_message(std::int64_t row_id, std::int64_t row_utc_us,
                                 std::string_view row_hash_hex);

// Field checks shared by append() and the verifier.
bool is_valid_audit_action(std::string_view action) noexcept;

}  // namespace garita::security
