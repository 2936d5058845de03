// The CLI's commands that talk to a running slipwayd over its REST API: runs, show, logs, wait,
// trigger, rerun, cancel, approve, base-check, secret, agent-token, token. The server comes from --server or
// SLIPWAY_SERVER (default http://127.0.0.1:8080; https:// verified against --ca-file or
// SLIPWAY_CA_FILE, else the system's CAs), the token from --token, --token-file or SLIPWAY_TOKEN.
// Every value put in a URL (run and job ids, query values such as a branch) is percent-encoded.
//
// Each returns the process exit code: 0 done, 1 the server said no (or the run failed, for wait),
// 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace slipway::cli {

int RunsCommand(const std::vector<std::string>& args);
int ShowCommand(const std::vector<std::string>& args);
int LogsCommand(const std::vector<std::string>& args);
int WaitCommand(const std::vector<std::string>& args);
int TriggerCommand(const std::vector<std::string>& args);
int RerunCommand(const std::vector<std::string>& args);
int CancelCommand(const std::vector<std::string>& args);
int ApproveCommand(const std::vector<std::string>& args);
int BaseCheckCommand(const std::vector<std::string>& args);
// slipway secret set|list|rm REPO [NAME]: a value is read from standard input, never from argv.
int SecretCommand(const std::vector<std::string>& args);
// slipway agent-token create NAME [--labels k=v,...] | list | revoke NAME (per-agent tokens), and
// slipway token create NAME [--role viewer|admin] | list | revoke NAME. A new token is printed once.
int AgentTokenCommand(const std::vector<std::string>& args);
int TokenCommand(const std::vector<std::string>& args);

}  // namespace slipway::cli
