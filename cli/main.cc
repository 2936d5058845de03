// slipway: the command-line client. Dispatches to the command table in commands.cc.
#include <iostream>
#include <string>
#include <vector>

#include "command.h"

namespace {

void PrintUsage(std::ostream& out) {
  out << "usage: slipway COMMAND [ARGS...]\n\ncommands:\n";
  for (const slipway::cli::Command& c : slipway::cli::Commands()) {
    std::string name = c.name;
    out << "  " << name << std::string(name.size() < 12 ? 12 - name.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\nslipway COMMAND --help shows a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintUsage(std::cerr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(std::cout);
    return 0;
  }
  for (const slipway::cli::Command& c : slipway::cli::Commands()) {
    if (args[0] == c.name) return c.run(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::cerr << "slipway: unknown command \"" << args[0] << "\"\n";
  PrintUsage(std::cerr);
  return 2;
}
