#pragma once
// Reads a whole configuration-sized text file, refusing anything larger than
// `max_bytes` (a config pointed at /dev/zero or a log must fail fast, not eat
// memory). On failure returns Errc::io_error and sets `error` to
// "PATH: cannot open WHAT: reason" (or "cannot read", "is larger than").
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace garita {

std::error_code read_text_file(const std::filesystem::path& path, std::string_view what,
                               std::size_t max_bytes, std::string& text, std::string& error);

}  // namespace garita
