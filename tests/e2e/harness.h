// End-to-end harness: real slipwayd and slipway-agent processes on loopback, real bare git
// repositories with the post-receive hook, the real Docker engine and the registry on
// 127.0.0.1:5000. Each test gets its own data directory, port and repo names.
//
// Processes are stopped by their own pid (never by name) when their handle goes away.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/subprocess.h"
#include "support/files.h"

namespace slipway::e2e {

using TempDir = ::slipway::testing::TempDir;

// A child process whose stderr is collected on a thread (for logs and start-up lines).
class Process {
 public:
  Process(std::vector<std::string> argv, std::string name);
  ~Process();
  pid_t pid() const;
  void Signal(int sig);
  int Wait();
  bool waited() const { return waited_; }
  std::string Output() const;
  // Waits until the output contains `text`; false after timeout.
  bool WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) const;

 private:
  std::string name_;
  std::unique_ptr<Subprocess> proc_;
  std::thread pump_;
  mutable std::mutex mu_;
  std::string output_;
  bool waited_ = false;
  std::atomic<bool> pump_done_{false};
};

struct HttpResult {
  int status = 0;
  std::string body;
  nlohmann::json json;  // null when the body is not JSON
};

// slipwayd on a free loopback port with its own data directory, server-wide base checks off, and
// reads open to all (--public-read) unless public_read is false; then reads need a token.
// extra_args with --tls-cert and --tls-key (and ca_file, the CA that signed the certificate)
// serve HTTPS: url() says https:// and the calls below trust ca_file.
class Server {
 public:
  static constexpr const char* kAdminToken = "e2e-admin-token";
  static constexpr const char* kAgentToken = "e2e-agent-token";

  explicit Server(const std::string& data_dir, std::vector<std::string> extra_args = {}, bool public_read = true,
                  std::string ca_file = "");
  // Stops slipwayd with SIGTERM and checks that it exits cleanly (code 0), unless the test stopped it.
  ~Server();
  std::string url() const {
    return std::string(ca_file_.empty() ? "http" : "https") + "://127.0.0.1:" + std::to_string(port_);
  }
  Process& process() { return *process_; }

  HttpResult Get(const std::string& path) const;
  // Any method; a Bearer token when `token` is given, a JSON content type when there is a body.
  HttpResult Call(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& token = "") const;
  HttpResult Post(const std::string& path, const std::string& body, const std::string& token = kAdminToken,
                  std::vector<std::pair<std::string, std::string>> headers = {}) const;

  // Registers a repository for webhooks.
  void AddRepo(const std::string& name, const std::string& clone_url, const std::string& secret,
               const std::string& forge = "github") const;
  // Polls GET /api/v1/runs/{id} until the run's status is final; returns the run (with jobs).
  nlohmann::json WaitForRun(int64_t run_id, std::chrono::seconds timeout = std::chrono::seconds(300)) const;
  // Polls until pred(run) holds.
  nlohmann::json WaitForRunState(int64_t run_id, const std::function<bool(const nlohmann::json&)>& pred,
                                 std::chrono::seconds timeout = std::chrono::seconds(120)) const;

 private:
  std::unique_ptr<Process> process_;
  int port_ = 0;
  std::string ca_file_;
};

// slipway-agent connected to a Server, with the shared agent token unless extra_args has --token.
class Agent {
 public:
  Agent(const Server& server, const std::string& name, const std::string& workdir,
        std::vector<std::string> extra_args = {});
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
};

// A bare repository served from the file system, with examples/git-hooks/post-receive installed,
// and a work tree to commit and push from.
class GitRepo {
 public:
  GitRepo(const std::string& dir, const std::string& repo_name, const Server& server, const std::string& secret);
  const std::string& bare() const { return bare_; }
  const std::string& worktree() const { return worktree_; }

  // Copies a directory's files into the work tree (over what is there).
  void CopyFrom(const std::string& source_dir);
  void WriteFile(const std::string& relative_path, const std::string& content);
  // Commits everything; returns the new commit's sha.
  std::string Commit(const std::string& message);
  // Writes and commits a pipeline of one stage, "only", building busybox with one RUN.
  std::string CommitOneJob();
  // Pushes HEAD to the branch; returns the push's output (the hook's lines included).
  std::string Push(const std::string& branch = "main");
  // Pushes and returns the run id the hook's webhook answered with (0 when none).
  int64_t PushForRun(const std::string& branch = "main");

 private:
  std::string bare_;
  std::string worktree_;
};

// One event of a server-sent event stream, with the time it arrived.
struct SseEvent {
  std::string event;    // "message" when the frame names none
  nlohmann::json data;  // the data line parsed as JSON (null when it is not JSON)
  std::chrono::steady_clock::time_point received;
};

// Reads a server-sent event stream (GET base_url + path) on a thread of its own, from the moment
// it is constructed until it is destroyed or the server closes the stream.
class SseStream {
 public:
  SseStream(const std::string& base_url, const std::string& path);
  ~SseStream();
  SseStream(const SseStream&) = delete;
  SseStream& operator=(const SseStream&) = delete;

  // The response's status and head (waits for it, up to 10 s).
  int Status() const;
  std::string Head() const;
  std::vector<SseEvent> Events() const;
  // True once the server has closed the stream.
  bool Closed() const;
  // Waits until an event satisfies pred and returns it; fails the test after timeout.
  SseEvent WaitFor(const std::function<bool(const SseEvent&)>& pred, std::chrono::milliseconds timeout) const;
  // Waits until the server closes the stream; false after timeout.
  bool WaitClosed(std::chrono::milliseconds timeout) const;

 private:
  void ReadLoop();
  void ParseLocked();

  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  mutable std::mutex mu_;
  std::string raw_;          // everything received
  size_t parsed_ = 0;        // offset in raw_ of the first unparsed body byte (0: head not complete)
  int status_ = 0;
  std::string head_;
  std::vector<SseEvent> events_;
  bool closed_ = false;
};

using testing::FilesHolding;  // support/files.h
// Runs a command (argv) and returns its stdout; fails the test on a non-zero exit.
std::string Run(const std::vector<std::string>& argv);
// A name unique to this test process, for repos, images and tags.
std::string UniqueName(const std::string& prefix);
std::string SourceDir();
std::string BinaryDir();

}  // namespace slipway::e2e
