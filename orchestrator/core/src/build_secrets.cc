#include "core/build_secrets.h"

#include <set>

#include "common/image_ref.h"
#include "core/publish_policy.h"
#include "core/registry_access.h"

namespace slipway::core {
namespace {

using pipelines::Position;

// Where a job's `from: NAME` is written in the pipeline file; {1, 1} when unknown.
Position FromPosition(const pipelines::Pipeline* pipeline, const std::string& stage,
                      const std::string& id, bool ssh) {
  if (pipeline == nullptr) return {1, 1};
  for (const auto& s : pipeline->stages) {
    if (s.key != stage) continue;
    if (ssh) {
      for (const auto& ref : s.ssh) {
        if (ref.value.id == id) return ref.pos;
      }
    } else {
      for (const auto& ref : s.secrets) {
        if (ref.value.id == id) return ref.pos;
      }
    }
  }
  return {1, 1};
}

// Registry credentials (core/registry_access.h) reach buildx's own login, never a build step.
bool IsRegistrySecret(const std::string& name) { return name.starts_with("REGISTRY_"); }

}  // namespace

std::vector<pipelines::Diagnostic> CheckBuildSecrets(const store::Repo& repo,
                                                     const std::string& branch,
                                                     const std::vector<pipelines::JobSpec>& jobs,
                                                     const pipelines::Pipeline* pipeline,
                                                     store::SecretStore& secrets,
                                                     const std::string& pipeline_file) {
  std::vector<pipelines::Diagnostic> out;
  std::set<std::string> seen;  // matrix jobs repeat their stage's secrets: one diagnostic each
  const bool protected_branch = IsProtectedBranch(repo, branch);
  auto check = [&](const pipelines::JobSpec& job, const std::string& id, const std::string& from,
                   bool ssh) {
    if (!seen.insert(job.stage + "/" + (ssh ? "ssh/" : "") + id).second) return;
    const Position pos = FromPosition(pipeline, job.stage, id, ssh);
    const std::string what = std::string(ssh ? "ssh key " : "secret ") + id;
    auto info = secrets.Find(repo.id, from);
    if (IsRegistrySecret(from)) {
      out.push_back(pipelines::MakeError(pipeline_file, pos, "registry-secret",
                                         "stage \"" + job.stage + "\": " + what + " comes from " +
                                             from +
                                             ", a registry credential: those go to the build's "
                                             "DOCKER_CONFIG, never to a RUN step"));
    } else if (!info.ok()) {
      out.push_back(pipelines::MakeError(pipeline_file, pos, "unknown-secret",
                                         "stage \"" + job.stage + "\": " + what + " comes from " +
                                             from + ", which is set neither for " + repo.name +
                                             " nor server-wide; set it with `slipway secret set " +
                                             repo.name + " " + from + "`"));
    } else if (info->is_protected && !protected_branch) {
      out.push_back(pipelines::MakeError(
          pipeline_file, pos, "protected-secret",
          "stage \"" + job.stage + "\": " + what + " comes from " + from +
              ", which is protected: only runs of " + repo.default_branch +
              " and the protected branches get it, and this run is of " + branch));
    }
  };
  for (const auto& job : jobs) {
    for (const auto& s : job.secrets) check(job, s.id, s.from, false);
    for (const auto& k : job.ssh) check(job, k.id, k.from, true);
  }
  return out;
}

std::vector<std::string> RegistryHostsOf(const pipelines::JobSpec& spec) {
  std::set<std::string> hosts;
  std::vector<std::string> refs = spec.tags;
  refs.insert(refs.end(), spec.bases.begin(), spec.bases.end());
  for (const std::string& r : {spec.image, spec.cache_ref}) {
    if (!r.empty()) refs.push_back(r);
  }
  for (const auto& ref : refs) {
    auto parsed = ParseImageRef(ref);  // no upstream: references that name their host only
    if (parsed.ok() && !parsed->host.empty()) hosts.insert(parsed->host);
  }
  return {hosts.begin(), hosts.end()};
}

void AddBuildSecrets(const store::Repo& repo, const std::string& branch,
                     store::SecretStore& secrets, protocol::LeaseOffer* offer) {
  const bool protected_branch = IsProtectedBranch(repo, branch);
  auto reveal = [&](const std::string& name) -> std::optional<std::string> {
    auto found = secrets.RevealEntry(repo.id, name);
    if (!found.ok() || (found->is_protected && !protected_branch)) return std::nullopt;
    return std::move(found->value);
  };
  for (const auto& s : offer->spec.secrets) {
    if (IsRegistrySecret(s.from)) continue;
    if (auto value = reveal(s.from)) offer->secrets.push_back({s.id, std::move(*value), s.env});
  }
  for (const auto& k : offer->spec.ssh) {
    if (IsRegistrySecret(k.from)) continue;
    if (auto value = reveal(k.from)) offer->ssh_keys.push_back({k.id, std::move(*value), false});
  }
  for (const auto& host : RegistryHostsOf(offer->spec)) {
    const std::string prefix = RegistrySecretPrefix(host);
    auto username = reveal(prefix + "_USERNAME");
    if (!username) continue;
    offer->registries.push_back(
        {host, std::move(*username), reveal(prefix + "_PASSWORD").value_or("")});
  }
}

}  // namespace slipway::core
