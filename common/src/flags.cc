#include "common/flags.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>

#include "common/strings.h"

namespace slipway {
namespace {

// A token is a line of text; anything much longer is not one.
constexpr std::streamsize kMaxSecretBytes = 64 * 1024;

// "from 2 to 3600", or "of at least 1" when there is no upper bound but the type's.
std::string RangeText(NumberRange range) {
  if (range.max == std::numeric_limits<long long>::max()) return "of at least " + std::to_string(range.min);
  return "from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

}  // namespace

std::string CheckNumber(std::string_view text, NumberRange range) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < range.min ||
      value > range.max) {
    return "must be a whole number " + RangeText(range) + ", not \"" + std::string(text) + "\"";
  }
  return "";
}

CLI::Validator InRange(NumberRange range) {
  return CLI::Validator([range](std::string& text) { return CheckNumber(text, range); }, RangeText(range));
}

Result<FlagsParsed> ParseFlags(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return FlagsParsed::kHelp;
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument(e.what());
  }
  return FlagsParsed::kOk;
}

CLI::Option* AddSecretFileFlag(CLI::App& app, const std::string& file_flag, std::string* secret,
                               const std::string& description) {
  auto read = [file_flag, secret](const std::string& path) {
    Result<std::string> text = ReadSecretFile(path);
    if (!text.ok()) throw CLI::ValidationError(file_flag, text.status().message());
    *secret = *text;
  };
  // Callbacks run in declaration order, after the environment is read: this one, declared after
  // the secret's own flag, has the last word.
  return app.add_option_function<std::string>(file_flag, read, description)->type_name("FILE");
}

Result<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path + ": " + std::strerror(errno));
  std::string text(kMaxSecretBytes + 1, '\0');
  in.read(text.data(), kMaxSecretBytes + 1);
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::InvalidArgument("cannot read " + path);
  if (text.size() > kMaxSecretBytes) return Status::InvalidArgument(path + " is too large to hold a token");
  text = std::string(TrimAsciiSpace(text));
  if (text.empty()) return Status::InvalidArgument(path + " is empty");
  return text;
}

}  // namespace slipway
