#include "garita/common/config/ConfigFile.hpp"

#include <sys/stat.h>

#include <toml++/toml.h>

#include "garita/common/TextFile.hpp"

namespace garita::config {

std::error_code read_config_file(const std::filesystem::path& path, std::string& text,
                                 std::string& error) {
  return read_text_file(path, "the configuration file", kMaxConfigFileBytes, text, error);
}

std::error_code parse_toml_config(std::string_view text, const std::filesystem::path& source,
                                  std::string& error, const TomlRootParser& parse_root) {
  error.clear();
  ErrorSink errors(source.string(), error);
  try {
    const toml::table root = toml::parse(text, source.string());
    return parse_root(root, errors);
  } catch (const toml::parse_error& e) {
    return errors.fail(Errc::config_syntax, e.source().begin.line, "",
                       "not valid TOML: " + std::string(e.description()));
  } catch (const std::exception& e) {
    // toml++ reports syntax through parse_error; anything else is memory.
    return errors.fail(Errc::config_syntax, 0, "", std::string("could not be read: ") + e.what());
  }
}

bool private_key_file_ok(const std::filesystem::path& file, std::string& why) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    why = "private key " + in_quotes(file.string()) + " cannot be read (missing, or no permission)";
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    why = "private key " + in_quotes(file.string()) + " is not a regular file";
    return false;
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    const auto bits = static_cast<unsigned>(st.st_mode & 07777);
    std::string mode = "0";
    for (int shift = 6; shift >= 0; shift -= 3) {
      mode += static_cast<char>('0' + ((bits >> static_cast<unsigned>(shift)) & 7u));
    }
    why = "private key " + in_quotes(file.string()) + " has mode " + mode +
          ": group and others must have no access (chmod 600)";
    return false;
  }
  return true;
}

}  // namespace garita::config
