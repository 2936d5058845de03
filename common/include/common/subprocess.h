// Child processes started from an argument vector, never through a shell.
//
// Everything Slipway runs (git, docker buildx, scanners) goes through here, so that nothing from a
// push (branch names, paths, commit messages) is ever parsed by a shell. Each child gets its own
// process group, so Signal() reaches the grandchildren too (docker -> buildx plugin).
//
// Thread-safety: a Subprocess is used by one thread at a time; Signal() may be called from another
// thread while Pump() runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slipway {

struct ProcessOptions {
  std::string cwd;                        // empty: inherit
  std::vector<std::string> extra_env;     // "NAME=value", added to (or replacing in) the environment
  std::optional<std::string> stdin_data;  // written to the child's stdin, then closed; none: /dev/null
  // RunProcess only: the child's process group is killed when it runs longer (zero: no limit), or
  // once its stdout holds more than max_stdout_bytes (zero: no limit; what came is kept, cut there).
  std::chrono::milliseconds timeout{0};
  size_t max_stdout_bytes = 0;
};

struct ProcessOutput {
  int exit_code = -1;   // the exit status, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
  bool timed_out = false;  // killed for running past options.timeout
  bool truncated = false;  // killed for writing past options.max_stdout_bytes
  bool ok() const { return exit_code == 0 && !timed_out && !truncated; }
};

// Runs argv to completion and captures its output. An error Status only when the program could not
// be started at all; a non-zero exit is reported in exit_code.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

class Subprocess {
 public:
  // Starts argv with stdout and stderr as pipes to be read by Pump().
  static Result<std::unique_ptr<Subprocess>> Start(const std::vector<std::string>& argv,
                                                   const ProcessOptions& options = {});
  ~Subprocess();  // kills and reaps a child still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }

  // Reads stdout and stderr until both close, handing each chunk to its callback as it arrives.
  void Pump(const std::function<void(std::string_view)>& on_stdout,
            const std::function<void(std::string_view)>& on_stderr);

  // Sends sig to the child's whole process group.
  void Signal(int sig);

  // Waits for the child; returns its exit code (128 + signal when killed).
  int Wait();

 private:
  Subprocess() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace slipway
