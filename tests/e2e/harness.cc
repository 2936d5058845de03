#include "harness.h"

#include <signal.h>
#include <stdlib.h>
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

TempDir::TempDir() {
  char tmpl[] = "/tmp/slipway-e2e.XXXXXX";
  char* dir = mkdtemp(tmpl);
  REQUIRE(dir != nullptr);
  path_ = dir;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
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

Server::Server(const std::string& data_dir, std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {BinaryDir() + "/orchestrator/slipwayd", "--listen", "127.0.0.1:0",
                                   "--data", data_dir, "--admin-token", kAdminToken,
                                   "--agent-token", kAgentToken};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, "slipwayd");
  REQUIRE(process_->WaitForOutput("msg=listening", std::chrono::seconds(10)));
  std::smatch m;
  std::string out = process_->Output();
  REQUIRE(std::regex_search(out, m, std::regex("msg=listening host=\\S+ port=(\\d+)")));
  port_ = std::stoi(m[1]);
}

HttpResult Server::Get(const std::string& path) const {
  return ToResult(HttpFetch({.method = "GET", .url = url() + path, .body = "", .headers = {}}));
}

HttpResult Server::Post(const std::string& path, const std::string& body, const std::string& token,
                        std::vector<std::pair<std::string, std::string>> headers) const {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  headers.emplace_back("Content-Type", "application/json");
  return ToResult(HttpFetch({.method = "POST", .url = url() + path, .body = body, .headers = headers}));
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
  std::vector<std::string> argv = {BinaryDir() + "/agents/slipway-agent", "--server", server.url(), "--token",
                                   Server::kAgentToken, "--name", name, "--workdir", workdir};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, "agent " + name);
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
