#include "harness.h"

#include <exception>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "common/http_client.h"

namespace slipway::e2e {
namespace fs = std::filesystem;

std::string SourceDir() { return SLIPWAY_SOURCE_DIR; }
std::string BinaryDir() { return SLIPWAY_BINARY_DIR; }

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

Process::Process(std::vector<std::string> argv, std::string name) : name_(std::move(name)) {
  auto proc = Subprocess::Start(argv);
  REQUIRE(proc.ok());
  proc_ = std::move(*proc);
  pump_ = std::thread([this] {
    auto sink = [this](std::string_view s) {
      std::lock_guard lock(mu_);
      output_.append(s);
    };
    proc_->Pump(sink, sink);
    pump_done_ = true;
  });
}

Process::~Process() {
  if (!waited_) {
    proc_->Signal(SIGTERM);
    // The pump ends when the process (and anything holding its output) is gone.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pump_done_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!pump_done_) proc_->Signal(SIGKILL);
  }
  if (pump_.joinable()) pump_.join();
  if (!waited_) proc_->Wait();
}

pid_t Process::pid() const { return proc_->pid(); }
void Process::Signal(int sig) { proc_->Signal(sig); }

int Process::Wait() {
  int code = proc_->Wait();
  waited_ = true;
  if (pump_.joinable()) pump_.join();
  return code;
}

std::string Process::Output() const {
  std::lock_guard lock(mu_);
  return output_;
}

bool Process::WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (output_.find(text) != std::string::npos) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

namespace {

HttpResult ToResult(const Result<HttpResponse>& res) {
  REQUIRE(res.ok());
  HttpResult out{res->status, res->body, nlohmann::json::parse(res->body, nullptr, false)};
  if (out.json.is_discarded()) out.json = nullptr;
  return out;
}

}  // namespace

Server::~Server() {
  if (process_->waited()) return;
  process_->Signal(SIGTERM);
  int code = process_->Wait();
  if (std::uncaught_exceptions() == 0) {  // not while a failed REQUIRE unwinds
    INFO(process_->Output());
    CHECK(code == 0);
  }
}

Server::Server(const std::string& data_dir, std::vector<std::string> extra_args, bool public_read,
               std::string ca_file)
    : ca_file_(std::move(ca_file)) {
  // No scheduled base checks: a test that re-tags a base must not get a base-update run by the clock.
  std::vector<std::string> argv = {BinaryDir() + "/orchestrator/slipwayd", "--listen", "127.0.0.1:0",
                                   "--data", data_dir, "--admin-token", kAdminToken,
                                   "--agent-token", kAgentToken, "--base-check", "off"};
  if (public_read) argv.push_back("--public-read");
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, "slipwayd");
  REQUIRE(process_->WaitForOutput("msg=listening", std::chrono::seconds(10)));
  std::smatch m;
  std::string out = process_->Output();
  REQUIRE(std::regex_search(out, m, std::regex("msg=listening host=\\S+ port=(\\d+)")));
  port_ = std::stoi(m[1]);
}

HttpResult Server::Get(const std::string& path) const {
  return ToResult(HttpFetch({.method = "GET", .url = url() + path, .body = "", .headers = {}, .ca_file = ca_file_}));
}

HttpResult Server::Call(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& token) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return ToResult(
      HttpFetch({.method = method, .url = url() + path, .body = body, .headers = headers, .ca_file = ca_file_}));
}

HttpResult Server::Post(const std::string& path, const std::string& body, const std::string& token,
                        std::vector<std::pair<std::string, std::string>> headers) const {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  headers.emplace_back("Content-Type", "application/json");
  return ToResult(
      HttpFetch({.method = "POST", .url = url() + path, .body = body, .headers = headers, .ca_file = ca_file_}));
}

void Server::AddRepo(const std::string& name, const std::string& clone_url, const std::string& secret,
                     const std::string& forge) const {
  auto r = Post("/api/v1/repos",
                nlohmann::json{{"name", name}, {"clone_url", clone_url}, {"secret", secret}, {"forge", forge}}.dump());
  INFO(r.body);
  REQUIRE(r.status == 201);
}

nlohmann::json Server::WaitForRunState(int64_t run_id, const std::function<bool(const nlohmann::json&)>& pred,
                                       std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  nlohmann::json run;
  for (;;) {
    auto r = Get("/api/v1/runs/" + std::to_string(run_id));
    REQUIRE(r.status == 200);
    run = r.json;
    if (pred(run)) return run;
    if (std::chrono::steady_clock::now() >= deadline) {
      INFO("run never reached the state: " << run.dump(2) << "\nslipwayd:\n" << process_->Output());
      FAIL("timed out waiting for run " << run_id);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

nlohmann::json Server::WaitForRun(int64_t run_id, std::chrono::seconds timeout) const {
  return WaitForRunState(
      run_id,
      [](const nlohmann::json& run) {
        std::string s = run.value("status", "");
        return s == "success" || s == "failure" || s == "canceled" || s == "error" || s == "skipped";
      },
      timeout);
}

Agent::Agent(const Server& server, const std::string& name, const std::string& workdir,
             std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {BinaryDir() + "/agents/slipway-agent", "--server", server.url(), "--name", name,
                                   "--workdir", workdir};
  // The shared agent token, unless the test gives the agent one of its own.
  if (std::find(extra_args.begin(), extra_args.end(), "--token") == extra_args.end()) {
    argv.insert(argv.end(), {"--token", Server::kAgentToken});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, "agent " + name);
}

SseStream::SseStream(const std::string& base_url, const std::string& path) {
  auto url = ParseHttpUrl(base_url + path);
  REQUIRE(url.ok());
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(url->port)));
  REQUIRE(inet_pton(AF_INET, url->host.c_str(), &addr.sin_addr) == 1);
  REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string request = "GET " + url->target + " HTTP/1.1\r\nHost: " + url->host +
                        "\r\nAccept: text/event-stream\r\n\r\n";
  REQUIRE(send(fd_, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  reader_ = std::thread([this] { ReadLoop(); });
}

SseStream::~SseStream() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  if (fd_ >= 0) close(fd_);
}

void SseStream::ReadLoop() {
  char buf[16384];
  while (!stop_) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    int ready = poll(&p, 1, 50);
    if (ready <= 0) continue;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    std::lock_guard lock(mu_);
    if (n <= 0) {
      closed_ = true;
      ParseLocked();
      return;
    }
    raw_.append(buf, static_cast<size_t>(n));
    ParseLocked();
  }
}

void SseStream::ParseLocked() {
  if (parsed_ == 0) {
    size_t end = raw_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    head_ = raw_.substr(0, end);
    if (head_.rfind("HTTP/1.1 ", 0) == 0 && head_.size() >= 12) status_ = std::atoi(head_.c_str() + 9);
    parsed_ = end + 4;
  }
  // Frames end with a blank line; "event:" and "data:" lines within; ":" lines are comments.
  for (;;) {
    size_t end = raw_.find("\n\n", parsed_);
    if (end == std::string::npos) return;
    std::string frame = raw_.substr(parsed_, end - parsed_);
    parsed_ = end + 2;
    SseEvent ev{.event = "message", .data = nullptr, .received = std::chrono::steady_clock::now()};
    bool has_data = false;
    size_t start = 0;
    while (start <= frame.size()) {
      size_t nl = frame.find('\n', start);
      if (nl == std::string::npos) nl = frame.size();
      std::string line = frame.substr(start, nl - start);
      start = nl + 1;
      if (line.rfind("event: ", 0) == 0) ev.event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) {
        has_data = true;
        ev.data = nlohmann::json::parse(line.substr(6), nullptr, false);
        if (ev.data.is_discarded()) ev.data = nullptr;
      }
    }
    if (has_data) events_.push_back(std::move(ev));
  }
}

int SseStream::Status() const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (status_ != 0 || closed_) return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string SseStream::Head() const {
  std::lock_guard lock(mu_);
  return head_;
}

std::vector<SseEvent> SseStream::Events() const {
  std::lock_guard lock(mu_);
  return events_;
}

bool SseStream::Closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

SseEvent SseStream::WaitFor(const std::function<bool(const SseEvent&)>& pred, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      for (const auto& e : events_) {
        if (pred(e)) return e;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        std::string seen;
        for (const auto& e : events_) seen += e.event + " " + e.data.dump() + "\n";
        INFO("events so far:\n" << seen);
        FAIL("no such server-sent event within the time-out");
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool SseStream::WaitClosed(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Closed()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string Run(const std::vector<std::string>& argv) {
  auto r = RunProcess(argv, {.extra_env = {"GIT_AUTHOR_NAME=Slipway Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
                                           "GIT_COMMITTER_NAME=Slipway Test",
                                           "GIT_COMMITTER_EMAIL=test@example.invalid"}});
  REQUIRE(r.ok());
  INFO("command: " << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << "\n" << r->out << r->err);
  REQUIRE(r->exit_code == 0);
  return r->out + r->err;
}

GitRepo::GitRepo(const std::string& dir, const std::string& repo_name, const Server& server,
                 const std::string& secret)
    : bare_(dir + "/repo.git"), worktree_(dir + "/work") {
  Run({"git", "init", "-q", "--bare", "-b", "main", bare_});
  fs::create_directories(bare_ + "/hooks");
  fs::copy_file(SourceDir() + "/examples/git-hooks/post-receive", bare_ + "/hooks/post-receive",
                fs::copy_options::overwrite_existing);
  Run({"git", "-C", bare_, "config", "slipway.url", server.url()});
  Run({"git", "-C", bare_, "config", "slipway.repo", repo_name});
  Run({"git", "-C", bare_, "config", "slipway.secret", secret});
  Run({"git", "init", "-q", "-b", "main", worktree_});
  Run({"git", "-C", worktree_, "remote", "add", "origin", bare_});
}

std::string GitRepo::CommitOneJob() {
  WriteFile("Dockerfile", "FROM busybox:1.36 AS only\nRUN true\n");
  WriteFile(".slipway.yml", "version: 1\nstages:\n  only: {target: only}\n");
  return Commit("one job");
}

void GitRepo::CopyFrom(const std::string& source_dir) {
  fs::copy(source_dir, worktree_, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

void GitRepo::WriteFile(const std::string& relative_path, const std::string& content) {
  fs::path p = fs::path(worktree_) / relative_path;
  fs::create_directories(p.parent_path());
  std::ofstream(p) << content;
}

std::string GitRepo::Commit(const std::string& message) {
  Run({"git", "-C", worktree_, "add", "-A"});
  Run({"git", "-C", worktree_, "commit", "-q", "--allow-empty", "-m", message});
  std::string sha = Run({"git", "-C", worktree_, "rev-parse", "HEAD"});
  return sha.substr(0, sha.find('\n'));
}

std::string GitRepo::Push(const std::string& branch) {
  return Run({"git", "-C", worktree_, "push", "-q", "origin", "HEAD:refs/heads/" + branch});
}

int64_t GitRepo::PushForRun(const std::string& branch) {
  std::string out = Push(branch);
  std::smatch m;
  INFO("push output: " << out);
  REQUIRE(std::regex_search(out, m, std::regex("\"run_id\":(\\d+)")));
  return std::stoll(m[1]);
}

}  // namespace slipway::e2e
