// Runs one `docker buildx build --progress=rawjson` (argv from build_command.h) and reports what it
// did: readable log lines and step records as they happen, then the outcome with the image digests
// from the metadata file.
//
// Cancel: when the CancelToken fires, the build's whole process group (docker and its buildx plugin)
// gets SIGTERM, then SIGKILL after a grace period; RunBuild returns only once no process of the group
// is left.
//
// Thread-safety: RunBuild blocks its caller; the hooks are called on that thread. The token may be
// canceled from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agent/cancel_token.h"
#include "agent/progress_parser.h"
#include "common/status.h"

namespace slipway::agent {

struct BuildHooks {
  std::function<void(const std::vector<std::string>& lines)> on_lines;  // new log lines
  std::function<void(const std::vector<BuildStep>& steps)> on_steps;    // the whole list, when it changed
};

struct BuildOutcome {
  int exit_code = -1;
  bool canceled = false;       // stopped through the CancelToken
  bool timed_out = false;      // stopped at RunOptions::timeout
  std::string image_digest;    // metadata "containerimage.digest" (what a pull by digest names)
  std::string config_digest;   // metadata "containerimage.config.digest"
  std::string image_name;      // metadata "image.name" (the tags, comma separated)
  std::string build_ref;       // metadata "buildx.build.ref"
  std::vector<BuildStep> steps;
  CacheCount cache;
  std::string failed_step;     // the instruction that failed, "" when none did
  std::string error;           // what went wrong, for a person; "" on success
  std::vector<std::string> log_tail;  // the last kTailLines log lines
  long long duration_ms = 0;
  pid_t process_group = -1;    // the build's process group (empty by the time RunBuild returns)
  bool ok() const { return exit_code == 0 && !canceled && !timed_out; }
};

inline constexpr size_t kTailLines = 20;

struct RunOptions {
  std::chrono::milliseconds grace{5000};  // SIGTERM -> SIGKILL
  std::chrono::seconds timeout{0};         // the build is stopped like a cancel after this; 0: never
  std::string metadata_file;              // read after a successful build
  std::vector<std::string> env;           // "NAME=value" added to the build's environment
};

// Runs argv to completion or cancel. An error Status only when the process could not be started.
Result<BuildOutcome> RunBuild(const std::vector<std::string>& argv, const RunOptions& options,
                              const BuildHooks& hooks, const CancelToken* cancel);

// Whether the engine's builder can export a registry cache (--cache-to type=registry): true for
// builders other than the `docker` driver, and for the `docker` driver on the containerd image
// store. Asks `docker buildx inspect` and `docker info` once per call.
bool DetectCacheExport(const std::string& docker = "docker");

// True when a failed build's output says the builder refused the cache export.
bool IsCacheExportRefusal(const BuildOutcome& outcome);

// Pids of the live processes whose process group is pgid (read from /proc).
std::vector<pid_t> ProcessGroupMembers(pid_t pgid);

}  // namespace slipway::agent
