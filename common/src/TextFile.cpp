#include "garita/common/TextFile.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>

#include "garita/common/Errc.hpp"

namespace garita {

std::error_code read_text_file(const std::filesystem::path& path, std::string_view what,
                               std::size_t max_bytes, std::string& text, std::string& error) {
  text.clear();
  const std::string name = path.string();
  errno = 0;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(name.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) {
    const int err = errno;
    error = name + ": cannot open " + std::string(what) + ": " +
            (err != 0 ? std::generic_category().message(err) : std::string("unknown error"));
    return Errc::io_error;
  }
  std::array<char, 8192> buffer{};
  for (;;) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    text.append(buffer.data(), n);
    if (text.size() > max_bytes) {
      error = name + ": is larger than " + std::to_string(max_bytes >> 10) + " KiB; that is not " +
              std::string(what);
      text.clear();
      return Errc::io_error;
    }
    if (n < buffer.size()) break;
  }
  if (std::ferror(file.get()) != 0) {
    const int err = errno;
    error = name + ": cannot read " + std::string(what) + ": " +
            (err != 0 ? std::generic_category().message(err) : std::string("read error"));
    text.clear();
    return Errc::io_error;
  }
  return {};
}

}  // namespace garita
