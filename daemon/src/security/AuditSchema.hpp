#pragma once
// The audit log's SQLite schema (private to AuditLog.cpp/AuditVerifier.cpp).
// docs/security.md describes each column.
#include <cstdint>
#include <string_view>

#include "SqliteFile.hpp"

namespace garita::security::detail {

// PRAGMA application_id 'GARA'.
inline constexpr std::int32_t kAuditApplicationId = 0x47415241;
inline constexpr int kAuditSchemaVersion = 1;
inline constexpr std::string_view kAuditSchema = R"sql(
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY,  -- 1, 2, 3, ... assigned as last id + 1, never reused
  utc_us    INTEGER NOT NULL,
  user      TEXT    NOT NULL,
  role      TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  terms     TEXT    NOT NULL,     -- canonical JSON, exactly the bytes hashed
  records   INTEGER NOT NULL,
  outcome   TEXT    NOT NULL,
  peer      TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  row_hash  TEXT    NOT NULL
);
CREATE INDEX audit_by_time ON audit(utc_us);
CREATE INDEX audit_by_user ON audit(user, utc_us);
CREATE TABLE signatures (
  id              INTEGER PRIMARY KEY,  -- 1, 2, 3, ... without gaps
  row_id          INTEGER NOT NULL,     -- the head row signed
  row_utc_us      INTEGER NOT NULL,     -- its time (signed too)
  head_hash       TEXT    NOT NULL,     -- its row_hash (signed)
  signed_utc_us   INTEGER NOT NULL,     -- when (informational, not signed)
  key_fingerprint TEXT    NOT NULL,     -- SHA-256 of the signer's SubjectPublicKeyInfo
  signature       BLOB    NOT NULL
);
CREATE TABLE anchor (                   -- where the chain resumes after a purge
  one           INTEGER PRIMARY KEY CHECK (one = 1),
  row_id        INTEGER NOT NULL,       -- rows up to here were purged
  row_utc_us    INTEGER NOT NULL,
  row_hash      TEXT    NOT NULL,       -- the purged head's hash (signed by signature at row_id)
  purged_utc_us INTEGER NOT NULL
);
)sql";

inline constexpr SqliteFileSpec kAuditSpec{"audit log", kAuditApplicationId, kAuditSchemaVersion,
                                           kAuditSchema};

}  // namespace garita::security::detail
