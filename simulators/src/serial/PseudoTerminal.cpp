#include "garita/sim/serial/PseudoTerminal.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace garita::sim::serial {
namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

}  // namespace

PseudoTerminal::~PseudoTerminal() { close(); }

std::error_code PseudoTerminal::open(const std::filesystem::path& link, std::string& error) {
  close();
  int master = -1;
  int slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    const auto ec = last_error();
    error = "openpty failed: " + ec.message();
    return ec;
  }
  // The slave path before anything else can fail, for the messages.
  char name[128] = {};
  if (::ptsname_r(master, name, sizeof name) != 0) {
    const auto ec = last_error();
    ::close(master);
    ::close(slave);
    error = "ptsname failed: " + ec.message();
    return ec;
  }
  // Raw 8N1 at 115200, the Mercury modules' default rate (the rate itself
  // means nothing on a pty, but a host that reads it back sees a real one).
  termios tio{};
  if (::tcgetattr(slave, &tio) == 0) {
    ::cfmakeraw(&tio);
    ::cfsetispeed(&tio, B115200);
    ::cfsetospeed(&tio, B115200);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
  }
  if (::tcsetattr(slave, TCSANOW, &tio) != 0) {
    const auto ec = last_error();
    ::close(master);
    ::close(slave);
    error = std::string("cannot put ") + name + " in raw mode: " + ec.message();
    return ec;
  }
  // The master is driven by Asio (non-blocking); neither end leaks into
  // child processes.
  const int flags = ::fcntl(master, F_GETFL);
  if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0 ||
      ::fcntl(master, F_SETFD, FD_CLOEXEC) != 0 || ::fcntl(slave, F_SETFD, FD_CLOEXEC) != 0) {
    const auto ec = last_error();
    ::close(master);
    ::close(slave);
    error = "cannot set up the pty descriptors: " + ec.message();
    return ec;
  }
  master_fd_ = master;
  slave_fd_ = slave;
  slave_path_ = name;
  if (!link.empty()) {
    // Only ever replace a symlink: a typo must not turn a real file into one.
    std::error_code st_ec;
    const auto st = std::filesystem::symlink_status(link, st_ec);
    if (!st_ec && std::filesystem::exists(st) && !std::filesystem::is_symlink(st)) {
      error = link.string() + " exists and is not a symlink; refusing to replace it";
      close();
      return std::make_error_code(std::errc::file_exists);
    }
    // Atomic re-pointing: a host polling the link never finds it half made.
    std::filesystem::path tmp = link;
    tmp += ".tmp";
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    std::filesystem::create_symlink(slave_path_, tmp, ec);
    if (!ec) std::filesystem::rename(tmp, link, ec);
    if (ec) {
      error = "cannot point " + link.string() + " at " + slave_path_ + ": " + ec.message();
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      close();
      return ec;
    }
    link_ = link;
  }
  return {};
}

int PseudoTerminal::release_master() noexcept {
  const int fd = master_fd_;
  master_fd_ = -1;
  return fd;
}

std::size_t PseudoTerminal::unread_by_host() const noexcept {
  if (slave_fd_ < 0) return 0;
  int n = 0;
  if (::ioctl(slave_fd_, FIONREAD, &n) != 0 || n < 0) return 0;
  return static_cast<std::size_t>(n);
}

void PseudoTerminal::close() noexcept {
  if (!link_.empty()) {
    // Like udev removing /dev/serial/by-id/... on unplug; only our own link.
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(link_, ec);
    if (!ec && target == slave_path_) std::filesystem::remove(link_, ec);
    link_.clear();
  }
  if (master_fd_ >= 0) ::close(master_fd_);
  if (slave_fd_ >= 0) ::close(slave_fd_);
  master_fd_ = -1;
  slave_fd_ = -1;
  slave_path_.clear();
}

}  // namespace garita::sim::serial
