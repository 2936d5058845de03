// slipway-agent --server URL --token T --name N [--labels k=v,...] [--capacity N] [--workdir DIR]
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "agent/agent.h"
#include "common/log.h"

namespace {

int signal_pipe[2] = {-1, -1};

// Async-signal-safe: hands the signal number to main's read().
void OnSignal(int sig) {
  unsigned char b = static_cast<unsigned char>(sig);
  (void)!write(signal_pipe[1], &b, 1);
}

int Usage(const std::string& problem) {
  std::fprintf(stderr,
               "%s\nusage: slipway-agent --server URL --token T --name N [--labels k=v,...] [--capacity N] "
               "[--workdir DIR]\n(the token may come from SLIPWAY_AGENT_TOKEN instead)\n",
               problem.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using slipway::agent::AgentConfig;
  AgentConfig config;
  config.workdir = "slipway-agent-work";
  std::string labels;
  // The token from the environment keeps it out of the process list; --token still wins.
  if (const char* token = std::getenv("SLIPWAY_AGENT_TOKEN")) config.token = token;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg == "--help" || arg == "-h") {
      Usage("slipway-agent: the Slipway build agent");
      return 0;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Usage("missing value for " + arg);
    }
    if (arg == "--server") config.server = value;
    else if (arg == "--token") config.token = value;
    else if (arg == "--name") config.name = value;
    else if (arg == "--labels") labels = value;
    else if (arg == "--capacity") config.capacity = std::atoi(value.c_str());
    else if (arg == "--workdir") config.workdir = value;
    else return Usage("unknown flag " + arg);
  }
  if (config.server.empty() || config.token.empty() || config.name.empty()) {
    return Usage("--server, --token (or SLIPWAY_AGENT_TOKEN) and --name are required");
  }
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  if (config.capacity < 1 || config.capacity > 64) return Usage("--capacity must be 1..64");
  auto parsed = slipway::agent::ParseLabels(labels);
  if (!parsed.ok()) return Usage(parsed.status().message());
  config.labels = *parsed;
  std::error_code ec;
  std::filesystem::create_directories(config.workdir, ec);
  config.workdir = std::filesystem::absolute(config.workdir, ec).lexically_normal().string();
  while (config.workdir.size() > 1 && config.workdir.back() == '/') config.workdir.pop_back();

  // A handler and a pipe rather than a blocked mask: children (docker, git) inherit signal masks,
  // and a build must stay stoppable by SIGTERM.
  if (pipe(signal_pipe) != 0) return Usage("pipe failed");
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  slipway::agent::Agent agent(config);
  agent.Start();
  if (const char* level = std::getenv("SLIPWAY_LOG_LEVEL"); level && std::string(level) == "debug") {
    slipway::SetLogLevel(slipway::LogLevel::kDebug);
  }
  unsigned char sig = 0;
  while (read(signal_pipe[0], &sig, 1) != 1) {
  }
  slipway::LogInfo("stopping", {{"signal", std::to_string(sig)}});
  agent.Stop();
  bool idle = agent.WaitIdle(std::chrono::milliseconds(20000));
  slipway::LogInfo("stopped", {{"clean", idle ? "true" : "false"}});
  std::fflush(nullptr);
  // Workers may sit in a lease long-poll that cannot be interrupted: leave without waiting for them.
  _exit(0);
}
