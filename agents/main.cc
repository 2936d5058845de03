// slipway-agent --server URL --token T --name N [--labels k=v,...] [--capacity N] [--workdir DIR]
//   [--ca-file PEM]
// (the token may come from --token-file or SLIPWAY_AGENT_TOKEN instead)
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "agent/agent.h"
#include "common/flags.h"
#include "common/log.h"

namespace {

int signal_pipe[2] = {-1, -1};

// Async-signal-safe: hands the signal number to main's read().
void OnSignal(int sig) {
  unsigned char b = static_cast<unsigned char>(sig);
  (void)!write(signal_pipe[1], &b, 1);
}

int Usage(const std::string& problem) {
  std::fprintf(stderr, "slipway-agent: %s (see slipway-agent --help)\n", problem.c_str());
  return 2;
}

// The agent's flags, bound to *config; the labels stay text until parsed.
void DeclareFlags(CLI::App& app, slipway::agent::AgentConfig* config, std::string* labels) {
  app.description("slipway-agent: the Slipway build agent; leases jobs from slipwayd and builds them");
  app.add_option("--server", config->server, "slipwayd's URL, http[s]://HOST:PORT")->required();
  app.add_option("--ca-file", config->ca_file, "the CA certificates (PEM) to trust for an https:// server")
      ->envname("SLIPWAY_CA_FILE")
      ->type_name("FILE");
  app.add_option("--token", config->token, "the shared agent token, or this agent's own")
      ->envname("SLIPWAY_AGENT_TOKEN");
  slipway::AddSecretFileFlag(app, "--token-file", &config->token, "a file holding the agent token");
  app.add_option("--name", config->name, "this agent's name, unique among agents")->required();
  app.add_option("--labels", *labels, "labels jobs may ask for")->type_name("k=v,...");
  app.add_option("--capacity", config->capacity, "jobs run at once")
      ->check(slipway::InRange({1, 64}))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--workdir", config->workdir, "where checkouts and build files go")
      ->type_name("DIR")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  using slipway::agent::AgentConfig;
  AgentConfig config;
  config.workdir = "slipway-agent-work";
  std::string labels;
  CLI::App app("", "slipway-agent");
  DeclareFlags(app, &config, &labels);
  auto parsed = slipway::ParseFlags(app, std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok()) return Usage(parsed.status().message());
  if (*parsed == slipway::FlagsParsed::kHelp) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  if (config.token.empty()) return Usage("an agent token is required (--token, --token-file or SLIPWAY_AGENT_TOKEN)");
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  auto label_map = slipway::agent::ParseLabels(labels);
  if (!label_map.ok()) return Usage(label_map.status().message());
  config.labels = *label_map;
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
