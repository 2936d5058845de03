#include "protocol/agent_protocol.h"

#include <algorithm>
#include <cctype>

#include "common/json_text.h"
#include "field_reader.h"

namespace slipway::protocol {
namespace {

constexpr int64_t kMaxBytes = int64_t{1} << 50;  // a size in bytes: a petabyte is plenty
constexpr int64_t kMaxMs = int64_t{1} << 50;     // a time or duration in milliseconds
constexpr int64_t kMaxSeq = int64_t{1} << 31;
constexpr int64_t kMaxId = INT64_MAX;

// Lease ids travel in URL paths: only these characters are accepted.
bool IsSafeId(const std::string& id) {
  return !id.empty() && id.size() <= kMaxNameBytes && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

template <typename T>
Result<T> Done(const FieldReader& r, T value) {
  if (!r.ok()) return r.status();
  return value;
}

void ReadLayer(FieldReader& r, LayerFacts& l) {
  r.Digest("digest", &l.digest);
  r.Int("size_bytes", &l.size_bytes, 0, kMaxBytes);
  r.OptionalInt("compressed_size_bytes", &l.compressed_size_bytes, 0, kMaxBytes);
  r.String("instruction", &l.instruction, kMaxLineBytes);
}

void ReadImage(FieldReader& r, ImageFacts& im) {
  r.String("ref", &im.ref, kMaxRefBytes);
  r.Digest("digest", &im.digest, kRequired);
  r.Digest("config_digest", &im.config_digest);
  r.Int("size_bytes", &im.size_bytes, 0, kMaxBytes);
  r.OptionalInt("compressed_size_bytes", &im.compressed_size_bytes, 0, kMaxBytes);
  r.Each("layers", kMaxLayers, [&](FieldReader& lr, size_t) { ReadLayer(lr, im.layers.emplace_back()); });
}

void ReadBase(FieldReader& r, std::vector<BaseImage>& bases, size_t index) {
  BaseImage b;
  r.String("ref", &b.ref, kMaxRefBytes, kRequired);
  r.Digest("digest", &b.digest, kRequired);
  r.String("source", &b.source, kMaxNameBytes, kRequired);
  if (!r.ok()) return;
  if (std::any_of(b.ref.begin(), b.ref.end(), [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) || c == ' '; })) {
    return r.Fail("ref", "must not hold spaces or control characters");
  }
  if (b.source != "engine" && b.source != "registry") return r.Fail("source", "must be engine or registry");
  for (size_t i = 0; i < index; ++i) {
    if (bases[i].ref == b.ref && bases[i].digest == b.digest) return r.Fail("ref", "repeats bases[" + std::to_string(i) + "]");
  }
  bases.push_back(std::move(b));
}

}  // namespace

void to_json(nlohmann::json& j, const LeaseOffer& v) {
  j = {{"id", v.id},
       {"job_id", v.job_id},
       {"run_id", v.run_id},
       {"attempt", v.attempt},
       {"repo", v.repo},
       {"clone_url", v.clone_url},
       {"sha", v.sha},
       {"branch", v.branch},
       {"renew_every_ms", v.renew_every_ms},
       {"scanners", v.scanners},
       {"upstream_registry", v.upstream_registry},
       {"spec", pipelines::ToJson(v.spec)}};
  if (!v.secrets.empty()) j["secrets"] = v.secrets;
  if (!v.ssh_keys.empty()) j["ssh_keys"] = v.ssh_keys;
  if (!v.registries.empty()) j["registries"] = v.registries;
  if (v.git_credential.empty()) return;
  nlohmann::json& c = j["git_credential"] = nlohmann::json::object();
  for (const auto& [key, value] : {std::pair{"username", &v.git_credential.username}, {"token", &v.git_credential.token},
                                   {"ssh_key", &v.git_credential.ssh_key},
                                   {"known_hosts", &v.git_credential.known_hosts}}) {
    if (!value->empty()) c[key] = *value;
  }
}

void to_json(nlohmann::json& j, const LayerFacts& v) {
  j = {{"digest", v.digest}, {"size_bytes", v.size_bytes}, {"instruction", v.instruction}};
  if (v.compressed_size_bytes) j["compressed_size_bytes"] = *v.compressed_size_bytes;
}

void to_json(nlohmann::json& j, const ImageFacts& v) {
  j = {{"ref", v.ref},
       {"digest", v.digest},
       {"config_digest", v.config_digest},
       {"size_bytes", v.size_bytes},
       {"layers", v.layers}};
  if (v.compressed_size_bytes) j["compressed_size_bytes"] = *v.compressed_size_bytes;
}

void to_json(nlohmann::json& j, const FinishReport& v) {
  j = {{"status", JobStatusName(v.status)},
       {"duration_ms", v.duration_ms},
       {"error", v.error},
       {"failed_step", v.failed_step},
       {"log_tail", v.log_tail},
       {"cache", v.cache},
       {"bases", v.bases}};
  if (v.image) j["image"] = *v.image;
  if (v.insight) j["insight"] = *v.insight;
  if (v.scans) j["scans"] = *v.scans;
}

Result<LeaseRequest> ReadLeaseRequest(const nlohmann::json& j) {
  LeaseRequest v;
  FieldReader r(j, "lease request", "");
  r.String("agent", &v.agent, kMaxNameBytes, kRequired);
  r.StringMap("labels", &v.labels, kMaxLabels, kMaxNameBytes);
  r.Int("capacity", &v.capacity, 1, 256);
  r.String("version", &v.version, kMaxNameBytes);
  return Done(r, std::move(v));
}

Result<LeaseOffer> ReadLeaseOffer(const nlohmann::json& j) {
  LeaseOffer v;
  FieldReader r(j, "lease", "");
  r.String("id", &v.id, kMaxNameBytes, kRequired);
  if (r.ok() && !IsSafeId(v.id)) r.Fail("id", "may hold only letters, digits, '-', '_' and '.'");
  r.Int("job_id", &v.job_id, 0, kMaxId);
  r.Int("run_id", &v.run_id, 0, kMaxId);
  r.Int("attempt", &v.attempt, 0, 1'000'000);
  r.String("repo", &v.repo, kMaxRefBytes);
  r.String("clone_url", &v.clone_url, 4096, kRequired);
  r.String("sha", &v.sha, 64, kRequired);
  r.String("branch", &v.branch, kMaxRefBytes);
  r.Int("renew_every_ms", &v.renew_every_ms, 100, kMaxMs);
  r.Strings("scanners", &v.scanners, kMaxScans, kMaxNameBytes);
  r.String("upstream_registry", &v.upstream_registry, kMaxNameBytes);
  for (const char* key : {"secrets", "ssh_keys"}) {
    auto* out = std::string_view(key) == "secrets" ? &v.secrets : &v.ssh_keys;
    r.Each(key, kMaxJobSecrets, [&](FieldReader& e, size_t) {
      JobSecret& secret = out->emplace_back();
      e.String("id", &secret.id, kMaxNameBytes, kRequired);
      e.String("value", &secret.value, kMaxSecretValueBytes, kRequired);
      e.Bool("env", &secret.env);
    });
  }
  r.Each("registries", kMaxJobSecrets, [&](FieldReader& e, size_t) {
    RegistryLogin& login = v.registries.emplace_back();
    e.String("host", &login.host, kMaxRefBytes, kRequired);
    e.String("username", &login.username, kMaxSecretValueBytes, kRequired);
    e.String("password", &login.password, kMaxSecretValueBytes);
  });
  r.Nested("git_credential", [&v](FieldReader& c) {
    c.String("username", &v.git_credential.username, kMaxNameBytes);
    c.String("token", &v.git_credential.token, kMaxCredentialBytes);
    c.String("ssh_key", &v.git_credential.ssh_key, kMaxCredentialBytes);
    c.String("known_hosts", &v.git_credential.known_hosts, kMaxCredentialBytes);
  });
  if (r.ok() && !j.contains("spec")) r.Fail("spec", "is required");
  if (!r.ok()) return r.status();
  auto spec = pipelines::JobSpecFromJson(j.at("spec"));
  if (!spec.ok()) return spec.status().Annotate("lease spec");
  v.spec = std::move(*spec);
  return v;
}

Result<RenewAnswer> ReadRenewAnswer(const nlohmann::json& j) {
  RenewAnswer v;
  FieldReader r(j, "renew answer", "");
  r.Bool("cancel", &v.cancel);
  return Done(r, v);
}

Result<LogBatch> ReadLogBatch(const nlohmann::json& j) {
  LogBatch v;
  FieldReader r(j, "log batch", "");
  r.Int("seq", &v.seq, 0, kMaxSeq, kRequired);
  r.String("data", &v.data, kMaxLogBatchBytes);
  if (r.ok() && !j.contains("data")) r.Fail("data", "is required");
  return Done(r, std::move(v));
}

Result<StepsReport> ReadStepsReport(const nlohmann::json& j) {
  StepsReport v;
  FieldReader r(j, "steps", "");
  r.Each("steps", kMaxSteps, [&](FieldReader& s, size_t) {
    StepReport& step = v.steps.emplace_back();
    s.Int("index", &step.index, 0, static_cast<int>(kMaxSteps), kRequired);
    s.String("digest", &step.digest, kMaxRefBytes);
    s.String("name", &step.name, kMaxLineBytes);
    s.Bool("cached", &step.cached);
    s.Int("started_ms", &step.started_ms, 0, kMaxMs);
    s.Int("completed_ms", &step.completed_ms, 0, kMaxMs);
    s.Int("duration_ms", &step.duration_ms, 0, kMaxMs);
    s.String("error", &step.error, kMaxErrorBytes);
  }, kRequired);
  return Done(r, std::move(v));
}

Result<FinishReport> ReadFinishReport(const nlohmann::json& j) {
  FinishReport v;
  FieldReader r(j, "finish report", "");
  std::string status;
  r.String("status", &status, kMaxNameBytes, kRequired);
  if (r.ok()) {
    auto parsed = JobStatusFromName(status);
    if (!parsed || (*parsed != JobStatus::kSuccess && *parsed != JobStatus::kFailure &&
                    *parsed != JobStatus::kCanceled && *parsed != JobStatus::kError)) {
      r.Fail("status", "must be success, failure, canceled or error, not '" + status + "'");
    } else {
      v.status = *parsed;
    }
  }
  r.Int("duration_ms", &v.duration_ms, 0, kMaxMs);
  r.String("error", &v.error, kMaxErrorBytes);
  r.String("failed_step", &v.failed_step, kMaxLineBytes);
  r.Strings("log_tail", &v.log_tail, kMaxLogTail, kMaxLineBytes);
  r.Nested("image", [&](FieldReader& ir) { ReadImage(ir, v.image.emplace()); });
  r.Nested("cache", [&](FieldReader& cr) {
    cr.Int("steps", &v.cache.steps, 0, static_cast<int>(kMaxSteps));
    cr.Int("cached", &v.cache.cached, 0, v.cache.steps);
  });
  r.Object("insight", &v.insight);
  r.Array("scans", &v.scans);
  if (r.ok() && v.scans) {
    if (v.scans->size() > kMaxScans) r.Fail("scans", "has more than " + std::to_string(kMaxScans) + " entries");
    for (size_t i = 0; r.ok() && i < v.scans->size(); ++i) {
      if (!(*v.scans)[i].is_object()) r.Fail("scans[" + std::to_string(i) + "]", "must be an object");
    }
  }
  r.Each("bases", kMaxBases, [&](FieldReader& br, size_t i) { ReadBase(br, v.bases, i); });
  return Done(r, std::move(v));
}

std::string ToBody(const nlohmann::json& j) {
  return JsonText(j);
}

}  // namespace slipway::protocol
