#pragma once
// `garita config check FILE`: validates a garitad configuration exactly as
// garitad does at start, and prints what it understood (port, readers, lanes
// and their antennas, debounce settings, database, issuer rules).
#include <iosfwd>
#include <string>

namespace garita::daemon {

int run_config_check(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace garita::daemon
