#include <catch2/catch.hpp>

#include "garita/daemon/security/Role.hpp"

using namespace garita::security;

TEST_CASE("The permission table gives each role exactly its job", "[roles]") {
  using P = Permission;
  struct Row {
    Role role;
    std::vector<P> allowed;
  };
  // The table of docs/security.md, written out independently of Role.cpp.
  const std::vector<Row> expected{
      {Role::technician, {P::view_status, P::view_metrics}},
      {Role::officer, {P::search_crossings, P::live_feed}},
      {Role::supervisor, {P::view_status, P::manage_batches}},
      {Role::auditor, {P::view_status, P::read_audit}},
      {Role::admin, {P::manage_users}},
  };
  for (const Row& row : expected) {
    for (std::size_t p = 0; p < kPermissionCount; ++p) {
      const auto perm = static_cast<P>(p);
      const bool want =
          std::find(row.allowed.begin(), row.allowed.end(), perm) != row.allowed.end();
      INFO(to_string(row.role) << " / " << to_string(perm));
      CHECK(allows(row.role, perm) == want);
    }
  }
}

TEST_CASE("Only officers see whole EPCs; others see them masked", "[roles]") {
  CHECK(sees_full_epc(Role::officer));
  for (Role r : {Role::technician, Role::supervisor, Role::auditor, Role::admin}) {
    CHECK_FALSE(sees_full_epc(r));
  }
  CHECK(mask_epc_hex("3074257BF7194E4000001A85") == "3074********************");
  CHECK(mask_epc_hex("30") == "30");
  CHECK(mask_epc_hex("") == "");
}

TEST_CASE("Roles parse from their exact names only; unknown values fail closed", "[roles]") {
  for (std::size_t i = 0; i < kRoleCount; ++i) {
    const auto r = static_cast<Role>(i);
    REQUIRE(parse_role(to_string(r)) == r);
  }
  CHECK_FALSE(parse_role("Officer"));
  CHECK_FALSE(parse_role("root"));
  CHECK_FALSE(parse_role(""));
  CHECK_FALSE(allows(static_cast<Role>(99), Permission::view_status));
  CHECK_FALSE(allows(Role::admin, static_cast<Permission>(99)));
}
