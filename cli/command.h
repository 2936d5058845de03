// The `slipway` CLI's subcommands: a name, a one-line summary and the function that runs it.
//
// Adding a command is one line in Commands() (cli/commands.cc). A command gets the arguments after
// its name and returns the process exit code: 0 success, 1 the work found problems (lint errors,
// a failed run), 2 bad usage (unknown flag, missing value). Commands print usage on --help.
//
// Thread-safety: the table is built once and only read.
#pragma once

#include <string>
#include <vector>

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

}  // namespace slipway::cli
