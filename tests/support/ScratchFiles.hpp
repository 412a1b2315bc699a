#pragma once
// Scratch files for unit tests: a path in the temp folder, unique to this
// process (CTest runs every test case as its own process), removed at scope
// exit; and a whole-file reader for checking what a writer produced.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace garita::test {

// "<tmp>/garita-test-<name>-<pid>"; `name` says which test made it.
inline std::filesystem::path scratch_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("garita-test-" + name + "-" + std::to_string(::getpid()));
}

// A file path, removed (if it was made) at scope exit.
struct ScratchFile {
  std::filesystem::path path;
  explicit ScratchFile(const std::string& name) : path(scratch_path(name)) {}
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
};

// A folder, made now and removed with its contents at scope exit.
struct ScratchFolder {
  std::filesystem::path path;
  explicit ScratchFolder(const std::string& name) : path(scratch_path(name)) {
    std::filesystem::create_directories(path);
  }
  ~ScratchFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
};

// The file's bytes; empty when it cannot be read.
inline std::string read_whole_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace garita::test
