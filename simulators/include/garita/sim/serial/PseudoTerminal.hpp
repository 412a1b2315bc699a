#pragma once
// The simulated module's end of a serial line: a Linux pseudo-terminal. The
// host (garita's Mercury driver, or anything else) opens the slave device
// (/dev/pts/N) as it would /dev/ttyUSB0; the simulator reads and writes the
// master side.
//
// Two things make a pty behave like a USB-serial reader here:
// - The slave is put in raw mode (cfmakeraw, 115200 8N1) so the line
//   discipline neither echoes nor edits the binary Mercury frames before the
//   host has set its own termios.
// - The simulator keeps the slave open itself. Then the master never reads
//   EIO while the host has the device closed (between a driver's reconnects),
//   and FIONREAD on that slave says how many bytes the host has not read yet:
//   on an unplug those bytes are lost, and the sent log says so.
//
// An unplug (the hangup fault) closes both ends: the host's next read gets
// EIO / hang-up, exactly as when a USB reader is pulled out. A replug opens a
// NEW pty (a different /dev/pts/N), so a stable --link path (a symlink, like
// udev's /dev/serial/by-id/...) is what a lane's configuration names; it is
// removed on unplug and re-pointed atomically (symlink to PATH.tmp, rename)
// on replug.
#include <filesystem>
#include <string>
#include <system_error>

namespace garita::sim::serial {

class PseudoTerminal {
 public:
  PseudoTerminal() = default;
  ~PseudoTerminal();
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  // Opens a new pty (raw slave, non-blocking close-on-exec master) and, if
  // `link` is not empty, points `link` at its slave. On failure nothing is
  // left open and `error` says what failed.
  std::error_code open(const std::filesystem::path& link, std::string& error);

  // The master descriptor, handed to Asio; the PseudoTerminal no longer owns
  // it (-1 if not open or already released).
  int release_master() noexcept;

  // Bytes written to the master that the host has not read from the slave
  // (0 when not open).
  std::size_t unread_by_host() const noexcept;

  // Closes the slave (and the master if still owned) and removes the link if
  // it still points at this pty.
  void close() noexcept;

  bool is_open() const noexcept { return slave_fd_ >= 0; }
  const std::string& slave_path() const noexcept { return slave_path_; }
  const std::filesystem::path& link() const noexcept { return link_; }

 private:
  int master_fd_ = -1;
  int slave_fd_ = -1;
  std::string slave_path_;
  std::filesystem::path link_;
};

}  // namespace garita::sim::serial
