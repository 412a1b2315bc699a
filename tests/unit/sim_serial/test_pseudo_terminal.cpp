// The pty itself: raw slave, the link re-pointed on every open and removed
// on close, and FIONREAD telling what the host has not read.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "garita/sim/serial/PseudoTerminal.hpp"

using garita::sim::serial::PseudoTerminal;
namespace fs = std::filesystem;

namespace {

fs::path scratch_dir() {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("garita-pty-" + std::to_string(rd()));
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("pseudo terminal: raw slave behind a stable link, unread bytes counted") {
  const fs::path dir = scratch_dir();
  const fs::path link = dir / "mercury";
  PseudoTerminal pty;
  std::string error;
  REQUIRE_FALSE(pty.open(link, error));
  REQUIRE(fs::is_symlink(link));
  CHECK(fs::read_symlink(link) == pty.slave_path());
  const int master = pty.release_master();
  REQUIRE(master >= 0);

  // The host opens the link as it would /dev/serial/by-id/...
  const int host = ::open(link.c_str(), O_RDWR | O_NOCTTY);
  REQUIRE(host >= 0);
  termios tio{};
  REQUIRE(::tcgetattr(host, &tio) == 0);
  CHECK((tio.c_lflag & (ICANON | ECHO)) == 0);  // raw: no echo, no line editing

  // Binary bytes pass unchanged both ways; unread bytes are visible.
  const std::uint8_t frame[] = {0xFF, 0x00, 0x03, 0x1D, 0x0C, 0x0A, 0x0D, 0x00};
  REQUIRE(::write(master, frame, sizeof frame) == static_cast<ssize_t>(sizeof frame));
  for (int i = 0; i < 100 && pty.unread_by_host() < sizeof frame; ++i) ::usleep(1000);
  CHECK(pty.unread_by_host() == sizeof frame);
  std::uint8_t got[16] = {};
  REQUIRE(::read(host, got, sizeof got) == static_cast<ssize_t>(sizeof frame));
  CHECK(std::equal(std::begin(frame), std::end(frame), got));
  CHECK(pty.unread_by_host() == 0);
  REQUIRE(::write(host, frame, sizeof frame) == static_cast<ssize_t>(sizeof frame));
  std::uint8_t echo[16] = {};
  ssize_t n = -1;
  for (int i = 0; i < 100 && n < 0; ++i) {
    n = ::read(master, echo, sizeof echo);
    if (n < 0) ::usleep(1000);
  }
  CHECK(n == static_cast<ssize_t>(sizeof frame));

  // Unplug: the link goes, the host's read sees the hang-up.
  const std::string first = pty.slave_path();
  ::close(master);
  pty.close();
  CHECK_FALSE(fs::exists(fs::symlink_status(link)));
  CHECK(::read(host, got, sizeof got) <= 0);
  ::close(host);

  // Replug: a new pty under the same link.
  REQUIRE_FALSE(pty.open(link, error));
  CHECK(fs::read_symlink(link) == pty.slave_path());
  ::close(pty.release_master());
  pty.close();
  fs::remove_all(dir);
  (void)first;
}

TEST_CASE("pseudo terminal: a link in a missing directory fails with a clear message") {
  PseudoTerminal pty;
  std::string error;
  CHECK(pty.open("/nonexistent-garita-dir/mercury", error));
  CHECK_THAT(error, Catch::Contains("/nonexistent-garita-dir/mercury"));
  CHECK_FALSE(pty.is_open());
}

TEST_CASE("pseudo terminal: never replaces a file that is not a symlink") {
  const fs::path dir = scratch_dir();
  const fs::path file = dir / "precious";
  { std::ofstream(file) << "keep me"; }
  PseudoTerminal pty;
  std::string error;
  CHECK(pty.open(file, error));
  CHECK_THAT(error, Catch::Contains("is not a symlink"));
  CHECK(fs::is_regular_file(fs::symlink_status(file)));
  CHECK_FALSE(pty.is_open());
  fs::remove_all(dir);
}
