#pragma once
// Private to the `garita user`/`garita audit` commands: opening the users
// database and the audit log named by garitad's config [security].
#include <memory>
#include <ostream>
#include <string>

#include "garita/common/config/SiteConfig.hpp"
#include "garita/daemon/security/AuditLog.hpp"
#include "garita/daemon/security/UserStore.hpp"

namespace garita::daemon::detail {

// Loads the config; on failure prints "garita: ..." and returns false.
bool load_security_config(const std::string& path, config::SiteConfig& site, std::ostream& err);

// Opens the audit log for appending, with the signing key when configured.
bool open_audit_for_append(const config::SiteConfig& site, security::AuditLog& log,
                           std::ostream& err);

// The audit row every local command writes.
security::AuditEvent local_event(std::string action, std::optional<security::Role> role);

}  // namespace garita::daemon::detail
