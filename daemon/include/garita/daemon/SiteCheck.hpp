#pragma once
// Everything garitad checks about its configuration before starting, shared
// with `garita config check` so a technician sees exactly what the daemon
// would refuse: the file itself (common's parser), every reader URI (hal's
// parser, with the config line), and that the database folder is usable.
#include <filesystem>
#include <string>
#include <system_error>

#include "garita/common/config/SiteConfig.hpp"

namespace garita::daemon {

std::error_code load_and_check_site(const std::filesystem::path& path, config::SiteConfig& out,
                                    std::string& error);

}  // namespace garita::daemon
