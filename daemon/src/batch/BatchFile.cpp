#include "garita/daemon/batch/BatchFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "garita/daemon/batch/BatchErrc.hpp"

namespace garita::batch {
namespace {

std::string errno_text() { return std::strerror(errno); }

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

std::error_code write_batch_file(const std::filesystem::path& dir, std::string_view name,
                                 std::string_view bytes, std::string& error) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.front() == '.') {
    error = "batch file name must be a plain name not starting with '.'";
    return Errc::invalid_argument;
  }
  const std::filesystem::path target = dir / std::string(name);
  // The temp name starts with '.' so a reader listing batches skips it.
  std::string tmp_name = "." + std::string(name) + ".tmp-XXXXXX";
  std::string tmp = (dir / tmp_name).string();
  // Batches hold personal data: owner-only (mkstemp creates 0600).
  Fd fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) {
    error = dir.string() + ": cannot create a temporary file: " + errno_text();
    return Errc::io_failed;
  }
  auto fail = [&](const std::string& what) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    error = what + ": " + why;
    return Errc::io_failed;
  };
  if (!write_all(fd.get(), bytes)) return fail(tmp + ": write failed");
  if (::fsync(fd.get()) != 0) return fail(tmp + ": fsync failed");
  if (::close(fd.release()) != 0) return fail(tmp + ": close failed");
  // rename(2) with RENAME_NOREPLACE: atomic, and it fails with EEXIST rather
  // than replacing a batch already on the device. Filesystems without the
  // flag (EINVAL) get an existence check and a plain rename.
  int r = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
  if (r != 0 && errno == EINVAL) {
    struct stat existing {};
    if (::lstat(target.c_str(), &existing) == 0)
      errno = EEXIST;
    else
      r = ::rename(tmp.c_str(), target.c_str());
  }
  if (r != 0) {
    if (errno == EEXIST) {
      ::unlink(tmp.c_str());
      error = target.string() + ": a batch file of that name already exists; not replaced";
      return Errc::io_failed;
    }
    return fail(target.string() + ": cannot rename the batch file into place");
  }
  // The new directory entry is durable only once the directory is synced.
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0 || ::fsync(dfd.get()) != 0) {
    error = dir.string() + ": fsync of the directory failed: " + errno_text();
    return Errc::io_failed;
  }
  return {};
}

std::error_code read_batch_file(const std::filesystem::path& path, std::string& bytes,
                                std::string& error, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    error = path.string() + ": cannot open: " + errno_text();
    return Errc::io_failed;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path.string() + ": not a regular file";
    return Errc::io_failed;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    error = path.string() + ": larger than " + std::to_string(max_bytes) + " bytes";
    return Errc::too_large;
  }
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = path.string() + ": read failed or file shrank";
      bytes.clear();
      return Errc::io_failed;
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace garita::batch
