#include "agent/build_command.h"

#include <cctype>
#include <string_view>

namespace slipway::agent {
namespace {

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// A value that follows an option as its own argv element.
Status CheckValue(std::string_view what, std::string_view value) {
  if (value.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (value[0] == '-') return Status::InvalidArgument(std::string(what) + " must not begin with '-'");
  if (HasControl(value)) return Status::InvalidArgument(std::string(what) + " holds control characters");
  return Status::Ok();
}

bool IsBuildArgName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Ids and paths go inside one option value ("id=I,src=F"): a ',' or '=' would start another key.
Status CheckSecretPart(std::string_view what, std::string_view value) {
  if (Status s = CheckValue(what, value); !s.ok()) return s;
  if (value.find_first_of(",=\" \t") != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " must not hold ',', '=', quotes or spaces");
  }
  return Status::Ok();
}

Status AddSecretArgs(const BuildInvocation& inv, std::vector<std::string>* argv) {
  for (const auto& [id, file] : inv.secret_files) {
    if (Status s = CheckSecretPart("secret id", id); !s.ok()) return s;
    if (Status s = CheckSecretPart("secret file", file); !s.ok()) return s;
    argv->insert(argv->end(), {"--secret", "id=" + id + ",src=" + file});
  }
  for (const auto& [id, var] : inv.secret_envs) {
    if (Status s = CheckSecretPart("secret id", id); !s.ok()) return s;
    if (Status s = CheckSecretPart("secret variable", var); !s.ok()) return s;
    argv->insert(argv->end(), {"--secret", "id=" + id + ",env=" + var});
  }
  for (const auto& [id, file] : inv.ssh_files) {
    if (Status s = CheckSecretPart("ssh id", id); !s.ok()) return s;
    if (Status s = CheckSecretPart("ssh key file", file); !s.ok()) return s;
    argv->insert(argv->end(), {"--ssh", id + "=" + file});
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ResolveInside(const std::string& root, const std::string& relative) {
  if (root.empty() || root[0] != '/') return Status::InvalidArgument("checkout directory must be absolute");
  if (!relative.empty() && relative[0] == '/') {
    return Status::InvalidArgument("path must be relative to the repository: " + relative);
  }
  if (HasControl(relative)) return Status::InvalidArgument("path holds control characters");
  std::string out = root;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string::npos) slash = relative.size();
    std::string_view part(relative.data() + start, slash - start);
    if (part == "..") return Status::InvalidArgument("path leaves the repository: " + relative);
    if (!part.empty() && part != ".") {
      if (out.back() != '/') out.push_back('/');
      out.append(part);
    }
    start = slash + 1;
  }
  return out;
}

Result<std::vector<std::string>> BuildxArgv(const pipelines::JobSpec& spec, const BuildInvocation& inv) {
  auto context = ResolveInside(inv.checkout_dir, spec.context.empty() ? "." : spec.context);
  if (!context.ok()) return context.status().Annotate("context");
  auto dockerfile = ResolveInside(inv.checkout_dir, spec.dockerfile.empty() ? "Dockerfile" : spec.dockerfile);
  if (!dockerfile.ok()) return dockerfile.status().Annotate("dockerfile");
  if (inv.metadata_file.empty() || inv.metadata_file[0] != '/') {
    return Status::InvalidArgument("metadata file must be an absolute path");
  }

  std::vector<std::string> argv = {inv.docker, "buildx", "build"};
  if (!spec.target.empty()) {
    if (Status s = CheckValue("target", spec.target); !s.ok()) return s;
    argv.insert(argv.end(), {"--target", spec.target});
  }
  argv.insert(argv.end(), {"--file", *dockerfile, "--progress=rawjson", "--metadata-file", inv.metadata_file});
  for (const auto& [name, value] : spec.build_args) {
    if (!IsBuildArgName(name)) return Status::InvalidArgument("build arg name is not an identifier: " + name);
    argv.insert(argv.end(), {"--build-arg", name + "=" + value});
  }
  if (Status s = AddSecretArgs(inv, &argv); !s.ok()) return s;
  for (const auto& platform : spec.platforms) {
    if (Status s = CheckValue("platform", platform); !s.ok()) return s;
    argv.insert(argv.end(), {"--platform", platform});
  }
  for (const auto& tag : spec.tags) {
    if (Status s = CheckValue("tag", tag); !s.ok()) return s;
    if (tag.find_first_of(" \t") != std::string::npos) return Status::InvalidArgument("tag holds spaces: " + tag);
    argv.insert(argv.end(), {"--tag", tag});
  }
  if (spec.push && spec.tags.empty()) return Status::InvalidArgument("push needs at least one tag");
  argv.push_back(spec.push ? "--push" : "--load");
  // The registry's bases, not the engine's copies: how a moved base reaches the build.
  if (spec.pull) argv.push_back("--pull");
  if (!spec.cache_ref.empty()) {
    if (Status s = CheckValue("cache_ref", spec.cache_ref); !s.ok()) return s;
    if (spec.cache_ref.find_first_of(", \t") != std::string::npos) {
      return Status::InvalidArgument("cache_ref must not hold ',' or spaces: " + spec.cache_ref);
    }
    argv.insert(argv.end(), {"--cache-from", "type=registry,ref=" + spec.cache_ref});
    if (inv.cache_export) {
      argv.insert(argv.end(), {"--cache-to", "type=registry,ref=" + spec.cache_ref + ",mode=max"});
    }
  }
  argv.push_back(*context);
  return argv;
}

}  // namespace slipway::agent
