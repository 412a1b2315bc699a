#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "garita/daemon/security/AuditRecord.hpp"

using namespace garita::security;

namespace {
std::string canon(std::string_view json) {
  std::string out, why;
  REQUIRE(canonical_json(boost::json::parse(json), out, why));
  return out;
}

AuditRecord sample() {
  AuditRecord r;
  r.id = 1;
  r.utc_us = 1'795'000'000'000'000;
  r.user = "ofc.lopez";
  r.role = "officer";
  r.action = "crossings.search";
  r.terms = R"({"epc":"3074","lane":"P01"})";
  r.records = 3;
  r.outcome = "ok";
  r.peer = "203.0.113.7:51514";
  return r;
}
}  // namespace

TEST_CASE("Canonical JSON sorts keys, drops whitespace, keeps arrays in order", "[audit]") {
  CHECK(canon(R"( { "lane" : "P01", "epc": "3074", "n": [3, 1, {"b":1,"a":2}] } )") ==
        R"({"epc":"3074","lane":"P01","n":[3,1,{"a":2,"b":1}]})");
  CHECK(canon("{}") == "{}");
  CHECK(canon(R"({"q":"a\"b\\c\n"})") == R"({"q":"a\"b\\c\n"})");
  CHECK(canon(R"({"x":-5,"y":true,"z":null})") == R"({"x":-5,"y":true,"z":null})");
  // Key order is by bytes: upper case before lower case.
  CHECK(canon(R"({"b":1,"B":2,"a":3})") == R"({"B":2,"a":3,"b":1})");
}

TEST_CASE("Canonical content and row hash match an independent computation", "[audit]") {
  const AuditRecord r = sample();
  CHECK(canonical_content(r) ==
        "garita-audit-v1\n1:1\n16:1795000000000000\n9:ofc.lopez\n7:officer\n"
        "16:crossings.search\n27:{\"epc\":\"3074\",\"lane\":\"P01\"}\n1:3\n2:ok\n"
        "17:203.0.113.7:51514\n");
  // python3: hashlib.sha256(bytes(32) + content).hexdigest()
  CHECK(compute_row_hash(kGenesisHash, r) ==
        "edcf7b535dbe96b02657832683267ea3d3a274895923efb7ee7e2067794f580c");
}

TEST_CASE("Every field and the previous hash change the row hash", "[audit]") {
  const AuditRecord base = sample();
  const std::string h = compute_row_hash(kGenesisHash, base);
  auto differs = [&](auto edit) {
    AuditRecord r = base;
    edit(r);
    return compute_row_hash(kGenesisHash, r) != h;
  };
  CHECK(differs([](AuditRecord& r) { r.id = 2; }));
  CHECK(differs([](AuditRecord& r) { r.utc_us += 1; }));
  CHECK(differs([](AuditRecord& r) { r.user = "ofc.lopeZ"; }));
  CHECK(differs([](AuditRecord& r) { r.role = "auditor"; }));
  CHECK(differs([](AuditRecord& r) { r.action = "crossings.live"; }));
  CHECK(differs([](AuditRecord& r) { r.terms = R"({"epc":"3075","lane":"P01"})"; }));
  CHECK(differs([](AuditRecord& r) { r.records = 4; }));
  CHECK(differs([](AuditRecord& r) { r.outcome = "denied"; }));
  CHECK(differs([](AuditRecord& r) { r.peer = "203.0.113.8:51514"; }));
  // Moving bytes between fields is not a collision (length prefixes).
  CHECK(differs([](AuditRecord& r) {
    r.user = "ofc.lopezofficer";
    r.role = "";
  }));
  CHECK(compute_row_hash(std::string(63, '0') + "1", base) != h);
}

TEST_CASE("Head signing message is exactly specified", "[audit]") {
  CHECK(head_signing_message(42, 7, "ab") == "garita-audit-head-v1\n42\n7\nab\n");
}

TEST_CASE("Audit actions are plain", "[audit]") {
  CHECK(is_valid_audit_action("crossings.search"));
  CHECK(is_valid_audit_action("login.failed"));
  CHECK_FALSE(is_valid_audit_action(""));
  CHECK_FALSE(is_valid_audit_action("Crossings"));
  CHECK_FALSE(is_valid_audit_action("a b"));
  CHECK_FALSE(is_valid_audit_action(std::string(65, 'a')));
}
