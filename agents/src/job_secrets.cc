#include "agent/job_secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "common/redact.h"
#include "common/strings.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

// Writes `content` to a new file readable by its owner only (created 0600, never widened).
Status WritePrivateFile(const std::string& path, std::string_view content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::Internal("cannot create " + path);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      close(fd);
      return Status::Internal("cannot write " + path);
    }
    done += static_cast<size_t>(n);
  }
  return close(fd) == 0 ? Status::Ok() : Status::Internal("cannot write " + path);
}

// An id as part of a file name: the pipeline's linter allows letters, digits, '_', '.', '-'; the
// lease is checked again here, as the agent trusts no file name it did not make.
bool SafeId(const std::string& id) {
  if (id.empty() || id.size() > 64 || id[0] == '.' || id[0] == '-') return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return false;
  }
  return true;
}

std::string AgentDockerConfigDir() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir != '\0') return dir;
  const char* home = std::getenv("HOME");
  return std::string(home == nullptr ? "" : home) + "/.docker";
}

}  // namespace

std::string SecretsRoot(const std::string& workdir) { return workdir + "/secrets"; }

void RemoveLeftoverSecrets(const std::string& workdir) {
  std::error_code ec;
  fs::remove_all(SecretsRoot(workdir), ec);
}

Result<std::unique_ptr<JobSecrets>> JobSecrets::Write(const std::string& dir,
                                                      const protocol::LeaseOffer& lease,
                                                      const std::string& docker_config_dir) {
  std::unique_ptr<JobSecrets> out(new JobSecrets());
  out->dir_ = dir;
  std::vector<std::string> values;
  for (const auto& s : lease.secrets) values.push_back(s.value);
  for (const auto& k : lease.ssh_keys) values.push_back(k.value);
  for (const auto& r : lease.registries) {
    values.push_back(r.password);
    values.push_back(r.username + ":" + r.password);  // as config.json's "auth" holds it, base64
  }
  out->forms_ = EncodedForms(values);
  if (Status s = out->WriteAll(lease, docker_config_dir); !s.ok())
    return s;  // the destructor removes dir
  return out;
}

Status JobSecrets::WriteAll(const protocol::LeaseOffer& lease,
                            const std::string& docker_config_dir) {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(fs::path(dir_).parent_path(), ec);
  if (mkdir(dir_.c_str(), 0700) != 0)
    return Status::Internal("cannot create the job's secrets folder " + dir_);
  for (const auto& ref : lease.spec.secrets) {
    auto given = std::find_if(lease.secrets.begin(), lease.secrets.end(),
                              [&](const auto& s) { return s.id == ref.id; });
    if (given == lease.secrets.end()) {
      return Status::NotFound("the server gave no value for secret " + ref.id + " (from " +
                              ref.from +
                              "): it was deleted after the run was planned, or is protected");
    }
  }
  for (const auto& ref : lease.spec.ssh) {
    auto given = std::find_if(lease.ssh_keys.begin(), lease.ssh_keys.end(),
                              [&](const auto& k) { return k.id == ref.id; });
    if (given == lease.ssh_keys.end()) {
      return Status::NotFound("the server gave no key for ssh " + ref.id + " (from " + ref.from +
                              "): it was deleted after the run was planned, or is protected");
    }
  }
  int env_count = 0;
  for (const auto& s : lease.secrets) {
    if (!SafeId(s.id))
      return Status::InvalidArgument("secret id \"" + s.id + "\" is not a plain name");
    if (s.env) {
      std::string var = "SLIPWAY_SECRET_" + std::to_string(env_count++);
      secret_envs_[s.id] = var;
      environment_.push_back(var + "=" + s.value);
      continue;
    }
    const std::string path = dir_ + "/secret-" + s.id;
    if (Status st = WritePrivateFile(path, s.value); !st.ok()) return st;
    secret_files_[s.id] = path;
  }
  for (const auto& k : lease.ssh_keys) {
    if (!SafeId(k.id))
      return Status::InvalidArgument("ssh id \"" + k.id + "\" is not a plain name");
    const std::string path = dir_ + "/ssh-" + k.id;
    // ssh reads a key only when it ends with a newline; a value pasted without one still works.
    std::string key = k.value.ends_with('\n') ? k.value : k.value + "\n";
    if (Status st = WritePrivateFile(path, key); !st.ok()) return st;
    ssh_files_[k.id] = path;
  }
  if (!lease.registries.empty()) {
    const std::string base = docker_config_dir.empty() ? AgentDockerConfigDir() : docker_config_dir;
    if (Status st = WriteDockerConfig(lease.registries, base); !st.ok()) return st;
  }
  return Status::Ok();
}

// The agent's own config.json (its context, plugins and builders kept, through links), with the
// lease's logins in `auths`. Credential helpers are dropped for those hosts, and a credsStore
// altogether, since docker asks them before `auths`.
Status JobSecrets::WriteDockerConfig(const std::vector<protocol::RegistryLogin>& logins,
                                     const std::string& base_dir) {
  const std::string config_dir = dir_ + "/docker";
  if (mkdir(config_dir.c_str(), 0700) != 0) return Status::Internal("cannot create " + config_dir);
  nlohmann::json config = nlohmann::json::object();
  if (std::ifstream in(base_dir + "/config.json"); in) {
    config = nlohmann::json::parse(std::istreambuf_iterator<char>(in), {}, nullptr, false);
    if (!config.is_object()) config = nlohmann::json::object();
  }
  config.erase("credsStore");
  if (!config["auths"].is_object()) config["auths"] = nlohmann::json::object();
  for (const auto& login : logins) {
    config["auths"][login.host] = {{"auth", Base64Encode(login.username + ":" + login.password)}};
    if (config.contains("credHelpers") && config["credHelpers"].is_object())
      config["credHelpers"].erase(login.host);
  }
  if (Status st = WritePrivateFile(config_dir + "/config.json", JsonText(config)); !st.ok())
    return st;
  for (const char* shared : {"buildx", "contexts", "cli-plugins"}) {
    std::error_code ec;
    if (fs::is_directory(fs::path(base_dir) / shared, ec)) {
      fs::create_directory_symlink(fs::absolute(fs::path(base_dir) / shared, ec),
                                   fs::path(config_dir) / shared, ec);
    }
  }
  docker_config_dir_ = config_dir;
  environment_.push_back("DOCKER_CONFIG=" + config_dir);
  return Status::Ok();
}

JobSecrets::~JobSecrets() { Remove(); }

void JobSecrets::Remove() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);  // links are removed, never followed
}

std::string JobSecrets::Mask(std::string_view text) const { return Redact(text, forms_); }

}  // namespace slipway::agent
