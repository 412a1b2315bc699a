#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "SecurityTestSupport.hpp"
#include "garita/daemon/security/AuditLog.hpp"
#include "garita/daemon/security/SecurityErrc.hpp"

using namespace garita::security;
using garita::security::test::public_key_of;
using garita::security::test::raw_int;
using garita::security::test::raw_sql;
using garita::security::test::TempDir;
using garita::security::test::write_key;

namespace {

constexpr std::int64_t kT0 = 1'795'000'000'000'000;
constexpr std::int64_t kDayUs = 86'400'000'000;

AuditEvent search(int i) {
  AuditEvent e;
  e.user = "ofc.lopez";
  e.role = Role::officer;
  e.action = "crossings.search";
  e.terms = boost::json::object{{"lane", "P01"}, {"epc_prefix", "3074"}, {"page", i}};
  e.records = i;
  e.peer = "203.0.113.7:51514";
  return e;
}

struct Fixture {
  TempDir dir;
  std::filesystem::path db = dir / "audit.db";
  std::filesystem::path key_path = write_key(dir, "audit.key");
  std::shared_ptr<SigningKey> key = std::make_shared<SigningKey>();
  std::vector<VerifyKey> keys;

  Fixture() {
    std::string error;
    REQUIRE_FALSE(SigningKey::load(key_path, public_key_of(key_path), *key, error));
    VerifyKey v;
    REQUIRE_FALSE(VerifyKey::load(public_key_of(key_path), v, error));
    keys.push_back(v);
  }

  AuditLogOptions options(std::size_t every = 5) const {
    AuditLogOptions o;
    o.key = key;
    o.sign_every_rows = every;
    o.sign_every = std::chrono::hours(24 * 365);  // row-count signing only
    return o;
  }

  // Rows 1..n one minute apart (or `step` apart); signatures every 5 rows
  // and at close.
  void write(int n, std::int64_t step = 60'000'000, std::int64_t start = kT0) {
    AuditLog log;
    REQUIRE_FALSE(log.open(db, options()));
    for (int i = 1; i <= n; ++i) {
      std::int64_t id = 0;
      REQUIRE_FALSE(log.append(search(i), start + i * step, &id));
    }
    REQUIRE_FALSE(log.close(start + (n + 1) * step));
  }

  AuditVerifyReport verify() const {
    AuditLog log;
    AuditLogOptions o;
    o.read_only = true;
    REQUIRE_FALSE(log.open(db, o));
    AuditVerifyReport r;
    REQUIRE_FALSE(log.verify(keys, r));
    return r;
  }
};

}  // namespace

TEST_CASE("An untouched log verifies, signed every N rows and at close", "[audit]") {
  Fixture f;
  f.write(12);
  CHECK(raw_int(f.db, "SELECT count(*) FROM signatures") == 3);  // rows 5, 10, 12
  CHECK(raw_int(f.db, "SELECT max(row_id) FROM signatures") == 12);
  const auto r = f.verify();
  CHECK(r.ok);
  CHECK(r.problem.empty());
  CHECK(r.rows_checked == 12);
  CHECK(r.signatures_checked == 3);
  CHECK(r.last_row == 12);
  CHECK(r.last_signed_row == 12);
  CHECK(r.warnings.empty());
}

TEST_CASE("Rows not yet signed are a warning, not an error", "[audit]") {
  Fixture f;
  {
    AuditLog log;
    REQUIRE_FALSE(log.open(f.db, f.options()));
    for (int i = 1; i <= 7; ++i) REQUIRE_FALSE(log.append(search(i), kT0 + i));
    // As after a crash: rows 6-7 were appended but no signature followed.
    AuditVerifyReport r;
    REQUIRE_FALSE(log.verify(f.keys, r));
    CHECK(r.ok);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0] == "rows 6-7 are not signed yet (signed at the next head signature)");
    CHECK(r.last_signed_row == 5);
  }
}

TEST_CASE("sign_if_due signs after the configured time", "[audit]") {
  Fixture f;
  AuditLog log;
  auto o = f.options(100);
  o.sign_every = std::chrono::seconds(60);
  REQUIRE_FALSE(log.open(f.db, o));
  REQUIRE_FALSE(log.append(search(1), kT0));
  REQUIRE_FALSE(log.sign_if_due(kT0 + 59'000'000));
  CHECK(raw_int(f.db, "SELECT count(*) FROM signatures") == 0);
  REQUIRE_FALSE(log.sign_if_due(kT0 + 60'000'000));
  CHECK(raw_int(f.db, "SELECT count(*) FROM signatures") == 1);
  REQUIRE_FALSE(log.sign_if_due(kT0 + 120'000'000));  // nothing new: no second signature
  CHECK(raw_int(f.db, "SELECT count(*) FROM signatures") == 1);
}

TEST_CASE("Tampering is caught and the first bad row is named", "[audit]") {
  Fixture f;
  f.write(12);

  SECTION("a row's search terms edited") {
    raw_sql(
        f.db,
        R"(UPDATE audit SET terms = '{"epc_prefix":"3074","lane":"P02","page":7}' WHERE id = 7)");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 7);
    CHECK(r.problem.rfind("row 7: content edited", 0) == 0);
  }
  SECTION("a row's content edited and its hash recomputed is caught at the link") {
    // The attacker rewrites row 3 with a consistent hash; row 4 still links
    // to the original.
    AuditRecord r3;
    {
      AuditLog log;
      AuditLogOptions o;
      o.read_only = true;
      REQUIRE_FALSE(log.open(f.db, o));
      std::vector<AuditRecord> rows;
      AuditQuery q;
      q.after_id = 2;
      q.limit = 1;
      REQUIRE_FALSE(log.query(Role::auditor, q, rows));
      r3 = rows.at(0);
    }
    r3.records = 0;
    const std::string forged = compute_row_hash(r3.prev_hash, r3);
    raw_sql(f.db, "UPDATE audit SET records = 0, row_hash = '" + forged + "' WHERE id = 3");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 3);
    CHECK(r.problem.rfind("row 3: rewritten", 0) == 0);
  }
  SECTION("a row deleted") {
    raw_sql(f.db, "DELETE FROM audit WHERE id = 4");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 4);
    CHECK(r.problem.rfind("row 4: missing", 0) == 0);
  }
  SECTION("two rows swapped") {
    raw_sql(f.db,
            "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (8, 9);"
            "UPDATE audit SET (utc_us, user, role, action, terms, records, outcome, peer, "
            "prev_hash, row_hash) = (SELECT utc_us, user, role, action, terms, records, outcome, "
            "peer, prev_hash, row_hash FROM t WHERE t.id = 17 - audit.id) WHERE id IN (8, 9);");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 8);
    CHECK(r.problem.rfind("row 8: out of order", 0) == 0);
  }
  SECTION("a signature edited") {
    raw_sql(f.db,
            "UPDATE signatures SET signature = randomblob(length(signature)) WHERE row_id = 10");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 10);
    CHECK(r.problem.find("signature 2 (row 10): bad signature") == 0);
  }
  SECTION("the tail truncated") {
    raw_sql(f.db, "DELETE FROM audit WHERE id >= 11");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 11);
    CHECK(r.problem.rfind("row 11: missing (rows 11-12 deleted from the tail", 0) == 0);
  }
  SECTION("the tail truncated with its signature") {
    raw_sql(f.db, "DELETE FROM audit WHERE id >= 11; DELETE FROM signatures WHERE row_id = 12;");
    // Undetectable from the file alone back to the last surviving signature:
    // this is the documented limit; verify still proves rows 1-10.
    const auto r = f.verify();
    CHECK(r.ok);
    CHECK(r.last_row == 10);
    CHECK(r.last_signed_row == 10);
  }
  SECTION("a middle signature deleted") {
    raw_sql(f.db, "DELETE FROM signatures WHERE row_id = 5");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.problem.rfind("signatures 1..1 are missing", 0) == 0);
  }
  SECTION("the first rows deleted without a signed anchor") {
    raw_sql(f.db, "DELETE FROM audit WHERE id <= 5");
    const auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 1);
  }
  SECTION("a signature from an unknown key") {
    Fixture other;
    const auto r = [&] {
      AuditLog log;
      AuditLogOptions o;
      o.read_only = true;
      REQUIRE_FALSE(log.open(f.db, o));
      AuditVerifyReport rep;
      REQUIRE_FALSE(log.verify(other.keys, rep));
      return rep;
    }();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 5);
    CHECK(r.problem.find("not among the given certificates") != std::string::npos);
  }
}

TEST_CASE("Retention purges whole signed segments and verify still passes", "[audit]") {
  Fixture f;
  // 12 rows one day apart: days 1..12; signatures at rows 5, 10, 12.
  f.write(12, kDayUs);
  AuditLog log;
  REQUIRE_FALSE(log.open(f.db, f.options()));
  AuditEvent actor;
  actor.user = "root";
  actor.role = Role::admin;
  actor.action = "audit.purge";
  actor.peer = "local:root";
  AuditPurgeResult result;

  // Cutoff at day 8: rows 1-7 are old, but only the segment up to row 5 is
  // whole and signed.
  REQUIRE_FALSE(log.purge_older_than(kT0 + 8 * kDayUs, kT0 + 20 * kDayUs, actor, result));
  CHECK(result.through_row == 5);
  CHECK(result.rows_deleted == 5);
  CHECK(raw_int(f.db, "SELECT min(id) FROM audit") == 6);
  CHECK(raw_int(f.db, "SELECT row_id FROM anchor") == 5);
  // The purge itself is row 13, by the actor.
  std::vector<AuditRecord> rows;
  AuditQuery q;
  q.action = "audit.purge";
  REQUIRE_FALSE(log.query(Role::auditor, q, rows));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == 13);
  CHECK(rows[0].terms ==
        R"({"cutoff_utc_us":)" + std::to_string(kT0 + 8 * kDayUs) + R"(,"through_row":5})");
  CHECK(rows[0].records == 5);
  REQUIRE_FALSE(log.close(kT0 + 20 * kDayUs));

  auto r = f.verify();
  CHECK(r.ok);
  CHECK(r.problem.empty());
  CHECK(r.anchor_row == 5);
  CHECK(r.rows_checked == 8);  // 6..13

  SECTION("an edited anchor is caught") {
    raw_sql(f.db, "UPDATE anchor SET row_hash = '" + std::string(64, 'a') + "'");
    r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.problem.find("anchor") != std::string::npos);
  }
  SECTION("rows deleted after the anchor are caught") {
    raw_sql(f.db, "DELETE FROM audit WHERE id = 6");
    r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.bad_row == 6);
  }
  SECTION("a second purge moves the anchor on and still verifies") {
    AuditLog again;
    REQUIRE_FALSE(again.open(f.db, f.options()));
    REQUIRE_FALSE(again.purge_older_than(kT0 + 13 * kDayUs, kT0 + 21 * kDayUs, actor, result));
    CHECK(result.through_row == 12);
    REQUIRE_FALSE(again.close(kT0 + 21 * kDayUs));
    r = f.verify();
    CHECK(r.ok);
    CHECK(r.anchor_row == 12);
  }
}

TEST_CASE("A tampered log is not purged", "[audit]") {
  Fixture f;
  f.write(12, kDayUs);
  raw_sql(f.db, "UPDATE audit SET user = 'someone' WHERE id = 2");
  AuditLog log;
  REQUIRE_FALSE(log.open(f.db, f.options()));
  AuditPurgeResult result;
  AuditEvent actor;
  actor.action = "audit.purge";
  CHECK(log.purge_older_than(kT0 + 30 * kDayUs, kT0 + 30 * kDayUs, actor, result) ==
        Errc::audit_tampered);
  CHECK(raw_int(f.db, "SELECT count(*) FROM audit") == 12);
}

TEST_CASE("Only the auditor role may read the audit log", "[audit]") {
  Fixture f;
  f.write(3);
  AuditLog log;
  REQUIRE_FALSE(log.open(f.db, f.options()));
  std::vector<AuditRecord> rows;
  for (Role role : {Role::technician, Role::officer, Role::supervisor, Role::admin}) {
    CHECK(log.query(role, {}, rows) == Errc::not_permitted);
    CHECK(rows.empty());
  }
  REQUIRE_FALSE(log.query(Role::auditor, {}, rows));
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].terms == R"({"epc_prefix":"3074","lane":"P01","page":1})");
  CHECK(rows[0].role == "officer");
  AuditQuery q;
  q.since_utc_us = kT0 + 2 * 60'000'000;
  REQUIRE_FALSE(log.query(Role::auditor, q, rows));
  CHECK(rows.size() == 2);
}

TEST_CASE("Bad audit events are refused, not stored", "[audit]") {
  Fixture f;
  AuditLog log;
  REQUIRE_FALSE(log.open(f.db, f.options()));
  AuditEvent e = search(1);
  e.action = "Bad Action";
  CHECK(log.append(e, kT0) == Errc::invalid_argument);
  e = search(1);
  e.peer = "a\nb";
  CHECK(log.append(e, kT0) == Errc::invalid_argument);
  e = search(1);
  e.terms = boost::json::object{{"q", std::string(kMaxAuditTermsBytes, 'x')}};
  CHECK(log.append(e, kT0) == Errc::invalid_argument);
  CHECK(raw_int(f.db, "SELECT count(*) FROM audit") == 0);
  // Unauthenticated attempts have no user and no role.
  e = search(1);
  e.user.clear();
  e.role.reset();
  e.action = "login.failed";
  e.outcome = AuditOutcome::denied;
  REQUIRE_FALSE(log.append(e, kT0));
  AuditVerifyReport r;
  REQUIRE_FALSE(log.verify(f.keys, r));
  CHECK(r.ok);
}

TEST_CASE("Two writers on one file keep one chain", "[audit]") {
  Fixture f;
  AuditLog a, b;
  REQUIRE_FALSE(a.open(f.db, f.options()));
  REQUIRE_FALSE(b.open(f.db, f.options()));
  for (int i = 0; i < 20; ++i) {
    REQUIRE_FALSE((i % 2 == 0 ? a : b).append(search(i), kT0 + i));
  }
  REQUIRE_FALSE(a.close(kT0 + 100));
  REQUIRE_FALSE(b.close(kT0 + 100));
  const auto r = f.verify();
  CHECK(r.ok);
  CHECK(r.rows_checked == 20);
}
