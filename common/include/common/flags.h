// Command-line flags, read the same way by slipway, slipwayd and slipway-agent: CLI11 declares
// them (with --x=y and --x y forms, an environment fallback beside the flag where there is one),
// and these helpers give the three programs the same help, errors, number ranges and secret files.
//
// Thread-safety: call from main only.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slipway {

// The whole numbers a setting accepts, from a flag or a configuration file alike; a max of
// std::numeric_limits<long long>::max() means no upper bound.
struct NumberRange {
  long long min;
  long long max;
};

// "" when `text` is a whole number within `range`, else the reason, as "must be a whole number
// from 2 to 3600, not \"x\"" (the caller puts the setting's name before it).
std::string CheckNumber(std::string_view text, NumberRange range);

// CheckNumber as a CLI11 check: `app.add_option("--n", n)->check(InRange({1, 64}))`.
CLI::Validator InRange(NumberRange range);

enum class FlagsParsed { kOk, kHelp };

// Parses `args` (without the program name) into `app`'s options. kHelp when --help or -h was given
// (the caller prints app.help() and exits 0); InvalidArgument naming the flag for anything wrong.
Result<FlagsParsed> ParseFlags(CLI::App& app, const std::vector<std::string>& args);

// Declares `file_flag`, a file holding a secret (a token), read into *secret after parsing. A file
// named on the command line wins over the secret's own flag and its environment variable, so a
// service can keep tokens out of its argv and environment alike. The file's content is never shown
// in an error.
CLI::Option* AddSecretFileFlag(CLI::App& app, const std::string& file_flag, std::string* secret,
                               const std::string& description);

// The secret in `path`: its content without surrounding whitespace (a file written by `echo` ends
// in a newline). InvalidArgument when it cannot be read or is empty.
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace slipway
