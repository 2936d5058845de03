// The command table. One line per command.
#include <iostream>

#include "analyze_command.h"
#include "command.h"
#include "local_commands.h"
#include "remote_commands.h"

namespace slipway::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"lint", "check .slipway.yml and the Dockerfiles it uses", LintCommand},
      {"plan", "show the jobs a push would run", PlanCommand},
      {"runs", "list runs (--repo, --branch, --status, --limit, --before)", RunsCommand},
      {"show", "show a run and its jobs, with sizes and cache hits", ShowCommand},
      {"logs", "print a job's log; -f follows it live", LogsCommand},
      {"wait", "wait for a run to finish; exit 0 when it succeeded", WaitCommand},
      {"trigger", "start a run of a repo's branch (or commit)", TriggerCommand},
      {"rerun", "rerun a run: all jobs, --failed, or --stage S", RerunCommand},
      {"cancel", "cancel a run's pending and running jobs", CancelCommand},
      {"approve", "approve a run held for approval (a pull request from a fork)", ApproveCommand},
      {"base-check", "check a repo's base images now; moved ones start base-update runs", BaseCheckCommand},
      {"secret", "set (value from stdin), list or rm a repository's secrets", SecretCommand},
      {"agent-token", "create (printed once), list or revoke per-agent tokens", AgentTokenCommand},
      {"token", "create (printed once), list or revoke viewer and admin tokens", TokenCommand},
      {"analyze", "size, layers, waste, packages and vulnerabilities of a local image", AnalyzeCommand},
  };
  return kCommands;
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "slipway " << command << ": " << message << " (see slipway " << command << " --help)\n";
  return 2;
}

std::optional<int> ParseCommandFlags(CLI::App& app, const std::string& command, const std::vector<std::string>& args) {
  Result<FlagsParsed> parsed = ParseFlags(app, args);
  if (!parsed.ok()) return UsageError(command, parsed.status().message());
  if (*parsed == FlagsParsed::kHelp) {
    std::cout << app.help();
    return 0;
  }
  return std::nullopt;
}

}  // namespace slipway::cli
