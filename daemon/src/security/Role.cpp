#include "garita/daemon/security/Role.hpp"

#include <array>

namespace garita::security {
namespace {

// The permission table (docs/security.md, "Roles"). Rows: roles in enum
// order; columns: permissions in enum order. Each role gets only what its
// job needs (need-to-know): a technician keeps lanes running without seeing
// who crossed; an auditor reads who searched what without seeing crossings;
// an admin manages accounts without seeing either.
using Row = std::array<bool, kPermissionCount>;
//                                 status metrics search live  batches audit  users
constexpr Row kTechnician{/*    */ true, true, false, false, false, false, false};
constexpr Row kOfficer{/*       */ false, false, true, true, false, false, false};
constexpr Row kSupervisor{/*    */ true, false, false, false, true, false, false};
constexpr Row kAuditor{/*       */ true, false, false, false, false, true, false};
constexpr Row kAdmin{/*         */ false, false, false, false, false, false, true};
constexpr std::array<Row, kRoleCount> kTable{kTechnician, kOfficer, kSupervisor, kAuditor, kAdmin};

constexpr std::array<std::string_view, kRoleCount> kRoleNames{"technician", "officer", "supervisor",
                                                              "auditor", "admin"};

}  // namespace

bool allows(Role role, Permission permission) noexcept {
  const auto r = static_cast<std::size_t>(role);
  const auto p = static_cast<std::size_t>(permission);
  if (r >= kRoleCount || p >= kPermissionCount) return false;  // fail closed
  return kTable[r][p];
}

bool sees_full_epc(Role role) noexcept {
  // Only the roles whose job is looking at crossings see card numbers whole.
  return role == Role::officer;
}

std::string mask_epc_hex(std::string_view hex) {
  constexpr std::size_t kVisible = 4;
  std::string out(hex.substr(0, std::min(hex.size(), kVisible)));
  if (hex.size() > kVisible) out.append(hex.size() - kVisible, '*');
  return out;
}

std::string_view to_string(Role role) noexcept {
  const auto r = static_cast<std::size_t>(role);
  return r < kRoleCount ? kRoleNames[r] : std::string_view("unknown");
}

std::string_view to_string(Permission permission) noexcept {
  switch (permission) {
    case Permission::view_status: return "view_status";
    case Permission::view_metrics: return "view_metrics";
    case Permission::search_crossings: return "search_crossings";
    case Permission::live_feed: return "live_feed";
    case Permission::manage_batches: return "manage_batches";
    case Permission::read_audit: return "read_audit";
    case Permission::manage_users: return "manage_users";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kRoleCount; ++i) {
    if (kRoleNames[i] == text) return static_cast<Role>(i);
  }
  return std::nullopt;
}

}  // namespace garita::security
