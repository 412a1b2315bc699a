#include "BackgroundProcess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace garita::test {
namespace {

constexpr std::chrono::milliseconds kPollInterval{10};

std::string read_text(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::filesystem::path& output_dir,
                                     const std::string& name)
    : out_path_(output_dir / (name + ".out")), err_path_(output_dir / (name + ".err")) {
  if (argv.empty()) throw std::invalid_argument("BackgroundProcess: empty argv");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv[0]);
}

BackgroundProcess::~BackgroundProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
}

bool BackgroundProcess::reap(bool block) {
  if (exited_) return true;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status_, block ? 0 : WNOHANG);
    if (r == pid_) {
      exited_ = true;
      return true;
    }
    if (r < 0 && errno == EINTR) continue;
    return false;
  }
}

bool BackgroundProcess::running() { return !reap(false); }

bool BackgroundProcess::wait_for_file(const std::filesystem::path& path,
                                      std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0 && !ec)
      return true;
    if (!running() || std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

void BackgroundProcess::send_signal(int signal) {
  if (!exited_) ::kill(pid_, signal);
}

ProcessResult BackgroundProcess::wait(std::chrono::milliseconds limit) {
  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(pid_, SIGKILL);
      reap(true);
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  if (WIFEXITED(status_)) {
    result.exit_code = WEXITSTATUS(status_);
  } else if (WIFSIGNALED(status_)) {
    result.signal = WTERMSIG(status_);
  }
  result.out = stdout_text();
  result.err = stderr_text();
  return result;
}

ProcessResult BackgroundProcess::stop(std::chrono::milliseconds limit) {
  send_signal(SIGTERM);
  return wait(limit);
}

std::string BackgroundProcess::stdout_text() const { return read_text(out_path_); }

std::string BackgroundProcess::stderr_text() const { return read_text(err_path_); }

}  // namespace garita::test
