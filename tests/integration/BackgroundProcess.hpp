#pragma once
// Runs a real binary in the background for an integration test: start it,
// wait for a file it writes when ready (no sleeping on guesses), talk to it,
// then stop it with a signal and collect its exit status and output. Its
// stdout and stderr go to files, so a chatty child never blocks on a full
// pipe and the test can read them at any time.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

#include "ProcessRunner.hpp"

namespace garita::test {

class BackgroundProcess {
 public:
  // Starts `argv` (argv[0] is a path) with stdin from /dev/null and output
  // to OUTPUT_DIR/NAME.out and NAME.err. Throws std::system_error if it
  // cannot be started.
  BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& output_dir,
                    const std::string& name = "process");
  // Kills the process (SIGKILL) if it is still running.
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }

  // Waits until `path` exists and is not empty; false if the process exits
  // first or `limit` passes.
  bool wait_for_file(const std::filesystem::path& path, std::chrono::milliseconds limit);

  // Whether the process has not exited yet.
  bool running();

  // Sends `signal` (e.g. SIGTERM).
  void send_signal(int signal);

  // Waits for the process to exit by itself, at most `limit` (then kills it
  // with SIGKILL and sets timed_out).
  ProcessResult wait(std::chrono::milliseconds limit);

  // SIGTERM, then wait(limit).
  ProcessResult stop(std::chrono::milliseconds limit = std::chrono::seconds(10));

  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  bool reap(bool block);

  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

}  // namespace garita::test
