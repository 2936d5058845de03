// The `slipway` CLI's subcommands: a name, a one-line summary and the function that runs it.
//
// Adding a command is one line in Commands() (cli/commands.cc). A command gets the arguments after
// its name and returns the process exit code: 0 success, 1 the work found problems (lint errors,
// a failed run), 2 bad usage (unknown flag, missing value). Each command declares its flags with
// CLI11 and reads them with ParseCommandFlags, so --help prints its options and exits 0.
//
// Thread-safety: the table is built once and only read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/flags.h"

namespace slipway::cli {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& Commands();

// For commands' own flag errors: prints "slipway NAME: MESSAGE (see slipway NAME --help)" to
// stderr and returns 2.
int UsageError(const std::string& command, const std::string& message);

// Reads `args` into `app` (named "slipway COMMAND"). An exit code when the command is done: 0 after
// printing --help, 2 after a usage error; nullopt to go on.
std::optional<int> ParseCommandFlags(CLI::App& app, const std::string& command, const std::vector<std::string>& args);

}  // namespace slipway::cli
