// Secrets in build arguments and the image environment: secret-in-arg, secret-in-env (errors).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "dockerfile_rules_context.h"

namespace slipway::pipelines::rules {
namespace {

// *TOKEN*, *SECRET*, *PASSWORD*, *PASSWD*, *CREDENTIAL*, *API_KEY*, *ACCESS_KEY*, *_KEY, KEY;
// not names of files or paths holding one, nor public keys.
bool SecretName(const std::string& name) {
  std::string n = AsciiUpper(name);
  for (const char* harmless : {"_FILE", "_PATH", "_DIR", "_NAME"}) {
    if (n.ends_with(harmless)) return false;
  }
  if (n.find("PUBLIC") != std::string::npos || n == "GPG_KEY") return false;
  for (const char* marker :
       {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "APIKEY", "API_KEY", "ACCESS_KEY"}) {
    if (n.find(marker) != std::string::npos) return true;
  }
  return n == "KEY" || n.ends_with("_KEY");
}

// A value shaped like a well-known credential, or a URL with a password in it; "" when not.
std::string SecretValueKind(const std::string& v) {
  static const char* const kPrefixes[] = {"ghp_",  "gho_",        "ghu_",     "ghs_",
                                          "ghr_",  "github_pat_", "glpat-",   "xoxb-",
                                          "xoxp-", "xoxa-",       "sk_live_", "npm_"};
  for (const char* p : kPrefixes) {
    if (v.starts_with(p) && v.size() > std::string(p).size() + 8)
      return std::string("a token (") + p + "...)";
  }
  if (v.size() == 20 && v.starts_with("AKIA") && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c));
      })) {
    return "an AWS access key id";
  }
  if (v.find("-----BEGIN") != std::string::npos) return "a private key";
  size_t scheme = v.find("://");
  if (scheme != std::string::npos) {
    size_t at = v.find('@', scheme);
    size_t colon = v.find(':', scheme + 3);
    size_t slash = v.find('/', scheme + 3);
    if (at != std::string::npos && colon < at && (slash == std::string::npos || at < slash)) {
      return "a URL with a password";
    }
  }
  return "";
}

void CheckInstruction(RuleContext& ctx, const Instruction& ins) {
  bool arg = ins.keyword == "ARG";
  if (!arg && ins.keyword != "ENV") return;
  std::string code = arg ? "secret-in-arg" : "secret-in-env";
  std::string where = arg ? "a build argument, which the image history and provenance keep"
                          : "the image config, which anyone who pulls the image can read";
  for (const KeyValue& kv : KeyValues(ins)) {
    std::string id = AsciiLower(kv.key);
    std::string fix =
        "; fix: drop it, give the stage `secrets: [{id: " + id + ", from: " + AsciiUpper(kv.key) +
        "}]` in .slipway.yml and read it only where needed with RUN --mount=type=secret,id=" + id +
        " (builds get secrets with --secret, never --build-arg)";
    if (SecretName(kv.key)) {
      ctx.Report(ins, ctx.Locate(ins, kv.key), code,
                 ins.keyword + " " + kv.key + " puts a secret in " + where + fix);
      continue;
    }
    std::string kind = kv.has_value ? SecretValueKind(kv.value) : "";
    if (!kind.empty()) {
      ctx.Report(ins, ctx.Locate(ins, kv.value), code,
                 "the value of " + ins.keyword + " " + kv.key + " looks like " + kind +
                     ", and lands in " + where + fix);
    }
  }
}

}  // namespace

void CheckSecrets(RuleContext& ctx) {
  const Dockerfile& df = ctx.dockerfile();
  for (const Instruction& ins : df.global_instructions) CheckInstruction(ctx, ins);
  for (const DockerStage& s : df.stages) {
    for (const Instruction& ins : s.instructions) CheckInstruction(ctx, ins);
  }
}

}  // namespace slipway::pipelines::rules
