#include "agent/buildx_runner.h"

#include <dirent.h>
#include <signal.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/duration.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/subprocess.h"

namespace slipway::agent {
namespace {

long long NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Fills the digests from buildx's --metadata-file; missing or unreadable: left empty.
void ReadMetadata(const std::string& path, BuildOutcome* out) {
  if (path.empty()) return;
  std::ifstream in(path);
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return;
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out->image_digest = str("containerimage.digest");
  out->config_digest = str("containerimage.config.digest");
  out->image_name = str("image.name");
  out->build_ref = str("buildx.build.ref");
}

// Sends SIGTERM when the token fires or the timeout (0: none) passes, and SIGKILL after the grace
// period, until Stop().
class CancelWatcher {
 public:
  CancelWatcher(Subprocess* proc, const CancelToken* token, std::chrono::milliseconds grace,
                std::chrono::seconds timeout)
      : proc_(proc), token_(token), grace_(grace), timeout_(timeout) {
    if (token_ || timeout_.count() > 0) thread_ = std::thread([this] { Run(); });
  }
  ~CancelWatcher() { Stop(); }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool fired() const { return fired_; }
  bool timed_out() const { return timed_out_; }

 private:
  bool StoppedWithin(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, d, [this] { return stopped_; });
  }
  void Run() {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    const std::chrono::milliseconds tick(50);
    for (;;) {
      if (token_ ? token_->WaitFor(tick) : StoppedWithin(tick)) break;
      if (StoppedWithin(std::chrono::milliseconds(0))) return;
      if (timeout_.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
        timed_out_ = true;
        break;
      }
    }
    if (StoppedWithin(std::chrono::milliseconds(0))) return;
    if (!timed_out_) fired_ = true;
    proc_->Signal(SIGTERM);
    if (StoppedWithin(grace_)) return;
    proc_->Signal(SIGKILL);
  }

  Subprocess* proc_;
  const CancelToken* token_;
  std::chrono::milliseconds grace_;
  std::chrono::seconds timeout_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::atomic<bool> fired_{false};
  std::atomic<bool> timed_out_{false};
};

}  // namespace

std::vector<pid_t> ProcessGroupMembers(pid_t pgid) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    long ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != "Z") out.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return out;
}

Result<BuildOutcome> RunBuild(const std::vector<std::string>& argv, const RunOptions& options,
                              const BuildHooks& hooks, const CancelToken* cancel) {
  long long start = NowMs();
  BuildOutcome out;
  if (cancel && cancel->canceled()) {
    out.canceled = true;
    out.error = "canceled before the build started";
    return out;
  }
  auto started = Subprocess::Start(argv, {.extra_env = options.env});
  if (!started.ok()) return started.status().Annotate("starting docker buildx");
  Subprocess& proc = **started;
  const pid_t pgid = proc.pid();
  out.process_group = pgid;

  ProgressParser parser;
  std::deque<std::string> tail;
  std::uint64_t reported_version = 0;
  std::vector<std::string> lines;
  std::string stdout_partial;
  auto deliver = [&] {
    if (!lines.empty()) {
      for (const auto& l : lines) {
        tail.push_back(l);
        if (tail.size() > kTailLines) tail.pop_front();
      }
      if (hooks.on_lines) hooks.on_lines(lines);
      lines.clear();
    }
    if (parser.steps_version() != reported_version) {
      reported_version = parser.steps_version();
      if (hooks.on_steps) hooks.on_steps(parser.steps());
    }
  };

  CancelWatcher watcher(&proc, cancel, options.grace, options.timeout);
  proc.Pump(
      [&](std::string_view chunk) {
        stdout_partial.append(chunk);
        size_t nl;
        while ((nl = stdout_partial.find('\n')) != std::string::npos) {
          lines.push_back(stdout_partial.substr(0, nl));
          stdout_partial.erase(0, nl + 1);
        }
        deliver();
      },
      [&](std::string_view chunk) {
        parser.Feed(chunk, &lines);
        deliver();
      });
  watcher.Stop();
  out.exit_code = proc.Wait();
  // docker may exit while a plugin it started lingers in the group: leave nothing behind.
  if (!ProcessGroupMembers(pgid).empty()) kill(-pgid, SIGKILL);
  if (!stdout_partial.empty()) lines.push_back(stdout_partial);
  parser.Finish(&lines);
  deliver();

  out.canceled = watcher.fired();
  out.timed_out = watcher.timed_out();
  out.steps = parser.steps();
  out.cache = parser.Cache();
  out.log_tail.assign(tail.begin(), tail.end());
  out.duration_ms = NowMs() - start;
  if (out.canceled) {
    out.error = "canceled";
  } else if (out.timed_out) {
    out.failed_step = parser.FailedName();
    out.error = "timed out after " + FormatDuration(options.timeout.count());
  } else if (out.exit_code == 0) {
    ReadMetadata(options.metadata_file, &out);
  } else {
    out.failed_step = parser.FailedName();
    if (!parser.error_lines().empty()) {
      out.error = parser.error_lines().front();
    } else if (const BuildStep* s = parser.FailedStep()) {
      out.error = s->error;
    } else {
      out.error = "docker buildx build exited with code " + std::to_string(out.exit_code);
    }
  }
  return out;
}

bool DetectCacheExport(const std::string& docker) {
  auto inspect = RunProcess({docker, "buildx", "inspect"});
  if (inspect.ok() && inspect->ok()) {
    std::istringstream in(inspect->out);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.starts_with("Driver:")) continue;
      if (TrimAsciiSpace(std::string_view(line).substr(7)) != "docker") return true;
      break;
    }
  }
  auto info = RunProcess({docker, "info", "--format", "{{json .DriverStatus}}"});
  bool containerd_store = info.ok() && info->ok() && info->out.find("io.containerd.snapshotter") != std::string::npos;
  LogInfo("builder cache export", {{"supported", containerd_store ? "true" : "false"}});
  return containerd_store;
}

bool IsCacheExportRefusal(const BuildOutcome& outcome) {
  return outcome.error.find("ache export is not supported") != std::string::npos ||
         outcome.error.find("cache export feature is currently not supported") != std::string::npos;
}

}  // namespace slipway::agent
