// JobSpec <-> JSON. Field names on the wire match the struct's; absent optional fields take the
// struct's defaults so older agents and newer orchestrators stay compatible.
#include "pipelines/job_spec.h"

#include <nlohmann/json.hpp>

namespace slipway::pipelines {
namespace {

nlohmann::json BudgetToJson(const Budget& b) {
  nlohmann::json j = nlohmann::json::object();
  if (b.max_size_bytes) j["max_size_bytes"] = *b.max_size_bytes;
  if (b.max_growth_percent) j["max_growth_percent"] = *b.max_growth_percent;
  if (b.min_efficiency) j["min_efficiency"] = *b.min_efficiency;
  if (b.max_ratio_percent) j["max_ratio_of"] = {{"stage", b.ratio_of_stage}, {"percent", *b.max_ratio_percent}};
  return j;
}

nlohmann::json ScanToJson(const ScanPolicy& s) {
  nlohmann::json ignore = nlohmann::json::array();
  for (const ScanIgnore& i : s.ignore) {
    ignore.push_back({{"id", i.id}, {"until", i.until}, {"reason", i.reason}});
  }
  return {{"fail_on", s.fail_on}, {"ignore", ignore}};
}

nlohmann::json SecretsToJson(const std::vector<BuildSecretRef>& secrets) {
  nlohmann::json out = nlohmann::json::array();
  for (const BuildSecretRef& s : secrets)
    out.push_back({{"id", s.id}, {"from", s.from}, {"env", s.env}});
  return out;
}

nlohmann::json SshToJson(const std::vector<SshKeyRef>& keys) {
  nlohmann::json out = nlohmann::json::array();
  for (const SshKeyRef& k : keys) out.push_back({{"id", k.id}, {"from", k.from}});
  return out;
}

// Reads j[key] into out when present; throws nlohmann's type_error when the type is wrong.
template <typename T>
void ReadIf(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) out = it->get<T>();
}

}  // namespace

nlohmann::json ToJson(const JobSpec& spec) {
  nlohmann::json args = nlohmann::json::array();
  for (const auto& [name, value] : spec.build_args) args.push_back({name, value});
  return {
      {"name", spec.name},
      {"stage", spec.stage},
      {"context", spec.context},
      {"dockerfile", spec.dockerfile},
      {"target", spec.target},
      {"build_args", args},
      {"matrix", spec.matrix},
      {"platforms", spec.platforms},
      {"tags", spec.tags},
      {"push", spec.push},
      {"pull", spec.pull},
      {"image", spec.image},
      {"cache_ref", spec.cache_ref},
      {"needs", spec.needs},
      {"labels", spec.labels},
      {"bases", spec.bases},
      {"timeout_seconds", spec.timeout_seconds},
      {"budget", BudgetToJson(spec.budget)},
      {"scan", ScanToJson(spec.scan)},
      {"secrets", SecretsToJson(spec.secrets)},
      {"ssh", SshToJson(spec.ssh)},
  };
}

Result<JobSpec> JobSpecFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("job spec: expected a JSON object");
  JobSpec spec;
  try {
    auto name = j.find("name");
    if (name == j.end() || !name->is_string() || name->get<std::string>().empty()) {
      return Status::InvalidArgument("job spec: missing \"name\"");
    }
    spec.name = name->get<std::string>();
    ReadIf(j, "stage", spec.stage);
    ReadIf(j, "context", spec.context);
    ReadIf(j, "dockerfile", spec.dockerfile);
    ReadIf(j, "target", spec.target);
    if (auto it = j.find("build_args"); it != j.end() && !it->is_null()) {
      if (it->is_object()) {  // also accept {"NAME": "value"}, order by name
        for (const auto& [k, v] : it->items()) spec.build_args.emplace_back(k, v.get<std::string>());
      } else {
        for (const auto& pair : *it) {
          if (!pair.is_array() || pair.size() != 2) {
            return Status::InvalidArgument("job spec: build_args entries must be [name, value]");
          }
          spec.build_args.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
      }
    }
    ReadIf(j, "matrix", spec.matrix);
    ReadIf(j, "platforms", spec.platforms);
    ReadIf(j, "tags", spec.tags);
    ReadIf(j, "push", spec.push);
    ReadIf(j, "pull", spec.pull);
    ReadIf(j, "image", spec.image);
    ReadIf(j, "cache_ref", spec.cache_ref);
    ReadIf(j, "needs", spec.needs);
    ReadIf(j, "labels", spec.labels);
    ReadIf(j, "bases", spec.bases);
    ReadIf(j, "timeout_seconds", spec.timeout_seconds);
    if (spec.timeout_seconds < 0) return Status::InvalidArgument("job spec: timeout_seconds is negative");
    if (auto it = j.find("budget"); it != j.end() && it->is_object()) {
      if (auto v = it->find("max_size_bytes"); v != it->end() && !v->is_null()) {
        spec.budget.max_size_bytes = v->get<long long>();
      }
      if (auto v = it->find("max_growth_percent"); v != it->end() && !v->is_null()) {
        spec.budget.max_growth_percent = v->get<double>();
      }
      if (auto v = it->find("min_efficiency"); v != it->end() && !v->is_null()) {
        spec.budget.min_efficiency = v->get<double>();
      }
      if (auto v = it->find("max_ratio_of"); v != it->end() && v->is_object()) {
        ReadIf(*v, "stage", spec.budget.ratio_of_stage);
        if (auto pct = v->find("percent"); pct != v->end() && pct->is_number()) {
          spec.budget.max_ratio_percent = pct->get<double>();
        }
      }
    }
    if (auto it = j.find("scan"); it != j.end() && it->is_object()) {
      ReadIf(*it, "fail_on", spec.scan.fail_on);
      if (auto ig = it->find("ignore"); ig != it->end() && ig->is_array()) {
        for (const auto& e : *ig) {
          ScanIgnore si;
          ReadIf(e, "id", si.id);
          ReadIf(e, "until", si.until);
          ReadIf(e, "reason", si.reason);
          spec.scan.ignore.push_back(std::move(si));
        }
      }
    }
    if (auto it = j.find("secrets"); it != j.end() && it->is_array()) {
      for (const auto& e : *it) {
        BuildSecretRef ref;
        ReadIf(e, "id", ref.id);
        ReadIf(e, "from", ref.from);
        ReadIf(e, "env", ref.env);
        spec.secrets.push_back(std::move(ref));
      }
    }
    if (auto it = j.find("ssh"); it != j.end() && it->is_array()) {
      for (const auto& e : *it) {
        SshKeyRef ref;
        ReadIf(e, "id", ref.id);
        ReadIf(e, "from", ref.from);
        spec.ssh.push_back(std::move(ref));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("job spec: ") + e.what());
  }
  return spec;
}

}  // namespace slipway::pipelines
