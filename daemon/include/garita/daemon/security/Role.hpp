#pragma once
// Who may do what through garitad's API (need-to-know, docs/security.md).
// The table is deliberately small and closed: every API handler asks
// allows(role, permission) before doing anything, and asks sees_full_epc(role)
// before putting a card number in a response. The privacy assessment behind
// this (DHS/CBP/PIA-050, "Access controls"/"need to know") asks that only
// people whose job needs crossing records can search them, and that every
// search is audited.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace garita::security {

enum class Role : std::uint8_t {
  technician,  // keeps lanes running: status, health, metrics; EPCs masked
  officer,     // searches crossings and watches the live feed, unmasked
  supervisor,  // runs the weekly batches (export, import, purge) and sees status
  auditor,     // reads the audit log (and status), nothing else
  admin,       // manages users and tokens, nothing else
};
inline constexpr std::size_t kRoleCount = 5;

enum class Permission : std::uint8_t {
  view_status,       // GET status page / health
  view_metrics,      // GET metrics
  search_crossings,  // search stored crossings
  live_feed,         // the live crossings WebSocket
  manage_batches,    // batch export / import / purge (issue 7)
  read_audit,        // read the audit log
  manage_users,      // add/disable users, issue/revoke tokens
};
inline constexpr std::size_t kPermissionCount = 7;

// The whole permission table. Pure, total, constexpr-friendly.
bool allows(Role role, Permission permission) noexcept;

// Whether this role may see whole EPCs/TIDs. Roles that cannot search
// crossings or watch the live feed never see them whole.
bool sees_full_epc(Role role) noexcept;

// An EPC/TID hex string as a role without sees_full_epc() sees it: the first
// 4 hex digits (the header/filter/partition, enough to tell the scheme apart
// when diagnosing a lane) then '*' for every other digit, so the length stays
// visible. "3074257BF7194E4000001A85" -> "3074********************".
std::string mask_epc_hex(std::string_view hex);

std::string_view to_string(Role role) noexcept;
std::string_view to_string(Permission permission) noexcept;
// Exact lower-case names as to_string gives them; nullopt otherwise.
std::optional<Role> parse_role(std::string_view text) noexcept;

}  // namespace garita::security
