// Atomic batch files: complete or absent, owner-only, never overwritten.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchFile.hpp"

using namespace garita::batch;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("garita-batch-test-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

}  // namespace

TEST_CASE("write_batch_file writes the bytes atomically with mode 0600") {
  TempDir dir;
  const std::string bytes("\x30\x80\x00binary\n", 10);
  std::string error;
  REQUIRE_FALSE(write_batch_file(dir.path, "export-2026-W47.cms", bytes, error));
  std::string back;
  REQUIRE_FALSE(read_batch_file(dir.path / "export-2026-W47.cms", back, error));
  CHECK(back == bytes);
  struct stat st {};
  REQUIRE(::stat((dir.path / "export-2026-W47.cms").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Nothing else left behind (no temp file).
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);
}

TEST_CASE("write_batch_file never replaces an existing batch") {
  TempDir dir;
  std::string error;
  REQUIRE_FALSE(write_batch_file(dir.path, "b.cms", "first", error));
  CHECK(write_batch_file(dir.path, "b.cms", "second", error) == Errc::io_failed);
  CHECK(error.find("already exists") != std::string::npos);
  std::string back;
  REQUIRE_FALSE(read_batch_file(dir.path / "b.cms", back, error));
  CHECK(back == "first");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);
}

TEST_CASE("write_batch_file refuses path-like names and missing directories") {
  TempDir dir;
  std::string error;
  CHECK(write_batch_file(dir.path, "../x.cms", "x", error) == Errc::invalid_argument);
  CHECK(write_batch_file(dir.path, "", "x", error) == Errc::invalid_argument);
  CHECK(write_batch_file(dir.path, ".hidden", "x", error) == Errc::invalid_argument);
  CHECK(write_batch_file(dir.path / "missing", "x.cms", "x", error) == Errc::io_failed);
}

TEST_CASE("read_batch_file bounds the size") {
  TempDir dir;
  std::string error, back;
  REQUIRE_FALSE(write_batch_file(dir.path, "big.cms", std::string(100, 'x'), error));
  CHECK(read_batch_file(dir.path / "big.cms", back, error, 99) == Errc::too_large);
  CHECK(read_batch_file(dir.path / "none.cms", back, error) == Errc::io_failed);
}
