#pragma once
// Runs a real garita binary as a child process with a time limit and
// captures its exit status, stdout and stderr. Integration tests use it so
// they exercise exactly what a technician runs.
#include <chrono>
#include <string>
#include <vector>

namespace garita::test {

struct ProcessResult {
  int exit_code = -1;      // exit status, or -1 when killed by a signal
  int signal = 0;          // the signal that ended it, 0 when it exited
  bool timed_out = false;  // killed by us after the time limit
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is a path) with no stdin. Kills it with SIGKILL after
// `limit`.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds limit = std::chrono::seconds(30));

}  // namespace garita::test
