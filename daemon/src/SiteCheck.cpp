#include "garita/daemon/SiteCheck.hpp"

#include <unistd.h>

#include "garita/common/Errc.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace garita::daemon {

std::error_code load_and_check_site(const std::filesystem::path& path, config::SiteConfig& out,
                                    std::string& error) {
  config::SiteConfig site;
  if (auto ec = config::load_site_config(path, site, error)) return ec;
  for (std::size_t i = 0; i < site.readers.size(); ++i) {
    const config::ReaderSettings& reader = site.readers[i];
    hal::ReaderUri uri;
    std::string why;
    if (auto ec = hal::parse_reader_uri(reader.uri, uri, why)) {
      error = path.string() + ":" + std::to_string(reader.uri_line) + ": reader[" +
              std::to_string(i + 1) + "].uri: " + why;
      return ec;
    }
  }
  // The database folder must exist and be writable: SQLite also creates the
  // -wal and -shm files beside the database.
  const std::filesystem::path folder = site.store.path.parent_path();
  std::error_code fs_error;
  if (!std::filesystem::is_directory(folder, fs_error)) {
    error = path.string() + ": database.path: folder " + folder.string() +
            " does not exist (create it, owned by the garita user)";
    return Errc::config_bad_value;
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    error = path.string() + ": database.path: folder " + folder.string() +
            " is not writable by this user";
    return Errc::config_bad_value;
  }
  out = std::move(site);
  return {};
}

}  // namespace garita::daemon
