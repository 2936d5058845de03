#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

extern char** environ;

namespace slipway {
namespace {

// The environment for the child: ours, with extra "NAME=value" entries replacing same names.
std::vector<std::string> BuildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& x : extra) {
      auto eq = x.find('=');
      if (eq != std::string::npos && entry.substr(0, eq + 1) == std::string_view(x).substr(0, eq + 1)) {
        replaced = true;
        break;
      }
    }
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the child, before exec: closes every descriptor above 2 but `keep`, so a child (git, docker,
// a scanner) inherits neither client sockets nor database files from a server that opened them
// without O_CLOEXEC. Async-signal-safe.
void CloseDescriptorsAbove2(int keep) {
  bool closed = keep < 3 ? close_range(3, ~0U, 0) == 0
                         : (keep == 3 || close_range(3, keep - 1, 0) == 0) && close_range(keep + 1, ~0U, 0) == 0;
  if (closed) return;  // else an old kernel without close_range: one by one
  rlimit limit{};
  rlim_t most = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? limit.rlim_cur : 65536;
  for (rlim_t fd = 3; fd < most; ++fd) {
    if (static_cast<int>(fd) != keep) close(static_cast<int>(fd));
  }
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<std::unique_ptr<Subprocess>> Subprocess::Start(const std::vector<std::string>& argv,
                                                      const ProcessOptions& options) {
  if (argv.empty()) return Status::InvalidArgument("empty argument vector");
  int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1}, exec_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      pipe2(exec_pipe, O_CLOEXEC) != 0 ||
      (options.stdin_data && pipe2(in_pipe, O_CLOEXEC) != 0)) {
    return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  }
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<std::string> args = argv;
  std::vector<char*> c_args = CStrings(args);
  std::vector<std::string> env = BuildEnvironment(options.extra_env);
  std::vector<char*> c_env = CStrings(env);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

  pid_t pid = fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    setpgid(0, 0);
    // A parent that blocks signals (slipwayd waits for SIGTERM with sigwait) must not pass the
    // mask on: children get default dispositions and nothing blocked.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    int in_fd = options.stdin_data ? in_pipe[0] : open("/dev/null", O_RDONLY);
    dup2(in_fd, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    CloseDescriptorsAbove2(exec_pipe[1]);
    if (cwd && chdir(cwd) != 0) {
      int e = errno;
      (void)!write(exec_pipe[1], &e, sizeof e);
      _exit(127);
    }
    execvpe(c_args[0], c_args.data(), c_env.data());
    int e = errno;
    (void)!write(exec_pipe[1], &e, sizeof e);
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so Signal() works even before the child ran
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do n = read(exec_pipe[0], &child_errno, sizeof child_errno); while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);

  auto proc = std::unique_ptr<Subprocess>(new Subprocess());
  proc->pid_ = pid;
  proc->stdout_fd_ = out_pipe[0];
  proc->stderr_fd_ = err_pipe[0];
  if (n == sizeof child_errno) {
    proc->Wait();
    if (options.stdin_data) { close(in_pipe[0]); close(in_pipe[1]); }
    return Status::NotFound("cannot start " + argv[0] + ": " + std::strerror(child_errno));
  }
  if (options.stdin_data) {
    close(in_pipe[0]);
    // Fed from a thread so a child that writes a lot before reading cannot deadlock us.
    std::thread([fd = in_pipe[1], data = *options.stdin_data] {
      size_t off = 0;
      while (off < data.size()) {
        ssize_t w = write(fd, data.data() + off, data.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += static_cast<size_t>(w);
      }
      close(fd);
    }).detach();
  }
  return proc;
}

Subprocess::~Subprocess() {
  if (!exit_code_ && pid_ > 0) {
    Signal(SIGKILL);
    Wait();
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void Subprocess::Pump(const std::function<void(std::string_view)>& on_stdout,
                      const std::function<void(std::string_view)>& on_stderr) {
  char buf[65536];
  while (stdout_fd_ >= 0 || stderr_fd_ >= 0) {
    pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        close(fds[i].fd);
        (i == 0 ? stdout_fd_ : stderr_fd_) = -1;
        continue;
      }
      const auto& sink = i == 0 ? on_stdout : on_stderr;
      if (sink) sink(std::string_view(buf, static_cast<size_t>(got)));
    }
  }
}

void Subprocess::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) kill(-pid_, sig);
}

int Subprocess::Wait() {
  if (exit_code_) return *exit_code_;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      exit_code_ = -1;
      return -1;
    }
  }
  exit_code_ = DecodeWaitStatus(status);
  return *exit_code_;
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  auto proc = Subprocess::Start(argv, options);
  if (!proc.ok()) return proc.status();
  Subprocess& child = **proc;
  ProcessOutput output;
  // A watchdog kills the whole group at the deadline: its pipes close and Pump returns.
  std::mutex mu;
  std::condition_variable cv;
  bool pumped = false;
  std::thread watchdog;
  if (options.timeout.count() > 0) {
    watchdog = std::thread([&] {
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, options.timeout, [&] { return pumped; })) {
        output.timed_out = true;
        child.Signal(SIGKILL);
      }
    });
  }
  child.Pump(
      [&](std::string_view s) {
        if (output.truncated) return;
        if (options.max_stdout_bytes > 0 && output.out.size() + s.size() > options.max_stdout_bytes) {
          output.out.append(s.substr(0, options.max_stdout_bytes - output.out.size()));
          output.truncated = true;
          child.Signal(SIGKILL);
          return;
        }
        output.out.append(s);
      },
      [&](std::string_view s) { output.err.append(s); });
  {
    std::lock_guard lock(mu);
    pumped = true;
  }
  cv.notify_all();
  if (watchdog.joinable()) watchdog.join();
  output.exit_code = child.Wait();
  return output;
}

}  // namespace slipway
