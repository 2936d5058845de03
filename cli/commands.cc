// The command table. One line per command.
#include <iostream>

#include "command.h"
#include "local_commands.h"

namespace slipway::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"lint", "check .slipway.yml and the Dockerfiles it uses", LintCommand},
      {"plan", "show the jobs a push would run", PlanCommand},
  };
  return kCommands;
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "slipway " << command << ": " << message << " (see slipway " << command << " --help)\n";
  return 2;
}

}  // namespace slipway::cli
