#pragma once
// One garita configuration file as a whole (garitad.toml, garita-lane.toml):
// read with a size cap, parsed as TOML with a syntax error reported as one
// line "FILE:LINE: not valid TOML: ...", and the private-key files it names
// refused when group or others may read them (house rule: keys come from
// files with restrictive permissions). The tables inside are read with
// TomlTableReader.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/common/config/TomlTableReader.hpp"

namespace garita::config {

// A garita config is a few kilobytes; one pointed at a log or /dev/zero must
// fail fast.
inline constexpr std::size_t kMaxConfigFileBytes = 1u << 20;

// Reads `path` whole (at most kMaxConfigFileBytes). On failure returns
// Errc::io_error and sets `error` to "PATH: cannot open the configuration
// file: reason" (read_text_file's messages).
std::error_code read_config_file(const std::filesystem::path& path, std::string& text,
                                 std::string& error);

// Parses `text` as TOML and hands the root table to `parse_root`, whose
// ErrorSink names `source`. Clears `error` first; nothing throws out.
using TomlRootParser = std::function<std::error_code(const toml::table& root, ErrorSink& errors)>;
std::error_code parse_toml_config(std::string_view text, const std::filesystem::path& source,
                                  std::string& error, const TomlRootParser& parse_root);

// Refuses a private key file that group or others may read (or that is not a
// regular file). Sets `why` to a one-line reason naming the file and its mode.
bool private_key_file_ok(const std::filesystem::path& file, std::string& why);

}  // namespace garita::config
