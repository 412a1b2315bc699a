#pragma once
// The audit rows of one action, read as an auditor would: the audit log
// opened read-only (never created), so a test sees what the program under
// test wrote and changes nothing. Header-only; needs Catch2 and
// garita::daemon.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "garita/daemon/security/AuditLog.hpp"

namespace garita::test {

inline std::vector<security::AuditRecord> audit_rows(const std::filesystem::path& audit_db,
                                                     const std::string& action) {
  security::AuditLog log;
  security::AuditLogOptions o;
  o.read_only = true;
  o.create = false;
  REQUIRE_FALSE(log.open(audit_db, o));
  security::AuditQuery q;
  q.action = action;
  std::vector<security::AuditRecord> rows;
  REQUIRE_FALSE(log.query(security::Role::auditor, q, rows));
  return rows;
}

}  // namespace garita::test
