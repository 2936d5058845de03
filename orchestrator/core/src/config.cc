#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "common/cron.h"
#include "common/duration.h"
#include "common/flags.h"
#include "common/http_client.h"
#include "common/git_auth.h"
#include "common/strings.h"
#include "core/publish_policy.h"
#include "common/image_ref.h"

namespace slipway::core {

Status ParseListenAddress(const std::string& text, std::string* host, unsigned short* port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return Status::InvalidArgument("listen address must be HOST:PORT, got '" + text + "'");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  char* end = nullptr;
  long p = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535) return Status::InvalidArgument("bad port in '" + text + "'");
  *host = h.empty() ? "0.0.0.0" : h;
  *port = static_cast<unsigned short>(p);
  return Status::Ok();
}

bool ScanConfig::Uses(const std::string& scanner) const {
  for (const auto& s : scanners) {
    if (s == scanner) return true;
  }
  return false;
}

namespace {

// The numbers a setting takes, from a flag or the file alike.
constexpr NumberRange kLeaseSeconds{2, 3600};
constexpr NumberRange kMaxAttempts{1, 100};
constexpr NumberRange kRecheckSeconds{1, 7 * 24 * 3600};

Status CheckScanConfig(ScanConfig* scan) {
  if (scan->scanners.empty() && !scan->osv_database.empty()) scan->scanners = {"osv"};
  for (const auto& s : scan->scanners) {
    if (s != "osv" && s != "trivy" && s != "grype") {
      return Status::InvalidArgument("unknown scanner '" + s + "' (osv, trivy or grype)");
    }
  }
  if (scan->Uses("osv") && scan->osv_database.empty()) {
    return Status::InvalidArgument("the osv scanner needs an OSV database (scan.osv_database or --osv-database)");
  }
  return Status::Ok();
}

// "FILE:LINE:COL" of a node, for errors in the configuration file.
std::string Where(const std::string& path, const YAML::Mark& mark) {
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Status ReadNumber(const std::string& path, const std::string& key, const YAML::Node& value, NumberRange range,
                  int* out) {
  std::string why = CheckNumber(value.IsScalar() ? value.Scalar() : "", range);
  if (!why.empty()) return Status::InvalidArgument(Where(path, value.Mark()) + ": " + key + " " + why);
  *out = std::stoi(value.Scalar());
  return Status::Ok();
}

// A repository's publish policy keys; none given: the stored policy stays as it is.
Status ReadPolicy(const YAML::Node& node, RepoConfig* repo) {
  store::PublishPolicy policy;
  bool any = false;
  for (auto [key, field] : {std::pair{"image_prefixes", &store::PublishPolicy::image_prefixes},
                            std::pair{"protected_tags", &store::PublishPolicy::protected_tags},
                            std::pair{"protected_branches", &store::PublishPolicy::protected_branches},
                            std::pair{"agent_labels", &store::PublishPolicy::agent_labels}}) {
    if (!node[key]) continue;
    policy.*field = node[key].as<std::vector<std::string>>();
    any = true;
  }
  if (!any) return Status::Ok();
  if (Status s = ValidatePublishPolicy(policy); !s.ok()) return s;
  repo->policy = policy;
  return Status::Ok();
}

// The http: section: what one client may hold. Every value is at least 1.
Status ReadHttpSection(const std::string& path, const YAML::Node& section, ServerConfig* config) {
  constexpr NumberRange kLimit{1, 1000000};
  auto& http = config->http;
  for (const auto& item : section) {
    const std::string field = item.first.as<std::string>();
    int value = 0;
    if (Status s = ReadNumber(path, "http." + field, item.second, kLimit, &value); !s.ok()) return s;
    if (field == "max_connections") {
      http.max_connections = value;
    } else if (field == "max_connections_per_address") {
      http.max_connections_per_address = value;
    } else if (field == "head_timeout_seconds") {
      http.head_timeout_ms = value * 1000;
    } else if (field == "body_timeout_seconds") {
      http.body_timeout_ms = value * 1000;
    } else if (field == "write_timeout_seconds") {
      http.write_timeout_ms = value * 1000;
    } else if (field == "max_streams") {
      http.max_streams = value;
    } else if (field == "workers") {
      config->http_workers = value;
    } else {
      return Status::InvalidArgument(Where(path, item.first.Mark()) + ": unknown key 'http." + field + "'");
    }
  }
  return Status::Ok();
}

Status ReadScanSection(const std::string& path, const YAML::Node& scan, ScanConfig* config) {
  for (const auto& s : scan) {
    const std::string field = s.first.as<std::string>();
    if (field == "scanners") {
      config->scanners = s.second.as<std::vector<std::string>>();
    } else if (field == "osv_database") {
      config->osv_database = s.second.as<std::string>();
    } else if (field == "recheck_seconds") {
      if (Status st = ReadNumber(path, "scan.recheck_seconds", s.second, kRecheckSeconds, &config->recheck_seconds);
          !st.ok()) {
        return st;
      }
    } else {
      return Status::InvalidArgument(Where(path, s.first.Mark()) + ": unknown key 'scan." + field + "'");
    }
  }
  return Status::Ok();
}

Status ReadKey(const std::string& path, const std::string& key, const YAML::Node& v, ServerConfig* config) {
  if (key == "listen") {
    if (Status s = ParseListenAddress(v.as<std::string>(), &config->host, &config->port); !s.ok()) {
      return s.Annotate(path);
    }
  } else if (key == "data") {
    config->data_dir = v.as<std::string>();
  } else if (key == "admin_token") {
    config->admin_token = v.as<std::string>();
  } else if (key == "agent_token") {
    config->agent_token = v.as<std::string>();
  } else if (key == "tls_cert") {
    config->tls_cert_file = v.as<std::string>();
  } else if (key == "tls_key") {
    config->tls_key_file = v.as<std::string>();
  } else if (key == "public_read") {
    config->public_read = v.as<bool>();
  } else if (key == "lease_seconds") {
    return ReadNumber(path, key, v, kLeaseSeconds, &config->lease_seconds);
  } else if (key == "max_attempts") {
    return ReadNumber(path, key, v, kMaxAttempts, &config->max_attempts);
  } else if (key == "supersede") {
    config->supersede = v.as<bool>();
  } else if (key == "stage_timeout" || key == "max_stage_timeout") {
    auto seconds = ParseDurationSeconds(v.IsScalar() ? v.Scalar() : "");
    if (!seconds) {
      return Status::InvalidArgument(Where(path, v.Mark()) + ": " + key + " is not a duration (90s, 10m, 1h)");
    }
    (key == "stage_timeout" ? config->stage_timeout_seconds : config->max_stage_timeout_seconds) = *seconds;
  } else if (key == "scan") {
    return ReadScanSection(path, v, &config->scan);
  } else if (key == "base_check") {
    config->base_check = v.as<std::string>();
  } else if (key == "secrets_key_file") {
    config->secrets_key_file = v.as<std::string>();
  } else if (key == "allowed_registries") {
    config->allowed_registries = v.as<std::vector<std::string>>();
  } else if (key == "public_url") {
    config->public_url = v.as<std::string>();
  } else if (key == "upstream_registry") {
    config->upstream_registry = v.as<std::string>();
  } else if (key == "registries") {
    for (const auto& r : v) {
      RegistryConfig registry{.host = r["host"].as<std::string>(), .ca_file = ""};
      if (r["ca_file"]) registry.ca_file = r["ca_file"].as<std::string>();
      config->registries.push_back(registry);
    }
  } else if (key == "http") {
    return ReadHttpSection(path, v, config);
  } else if (key == "repos") {
    for (const auto& r : v) {
      RepoConfig repo;
      repo.name = r["name"].as<std::string>();
      repo.clone_url = r["clone_url"].as<std::string>();
      if (Status s = CheckCloneUrl(repo.clone_url); !s.ok()) return s.Annotate(path + ": repo " + repo.name);
      if (r["forge"]) repo.forge = r["forge"].as<std::string>();
      if (r["secret"]) repo.secret = r["secret"].as<std::string>();
      if (Status s = ReadPolicy(r, &repo); !s.ok()) return s.Annotate(path + ": repo " + repo.name);
      if (r["fork_pull_requests"]) {
        repo.fork_pull_requests = r["fork_pull_requests"].as<std::string>();
        if (*repo.fork_pull_requests != "run" && *repo.fork_pull_requests != "approve" &&
            *repo.fork_pull_requests != "ignore") {
          return Status::InvalidArgument(Where(path, r["fork_pull_requests"].Mark()) + ": repo " + repo.name +
                                         ": fork_pull_requests must be run, approve or ignore");
        }
      }
      config->repos.push_back(repo);
    }
  }
  return Status::Ok();
}

Status LoadFile(const std::string& path, ServerConfig* config) {
  static const std::vector<std::string> kKeys = {
      "listen", "data",       "admin_token",      "agent_token", "lease_seconds", "max_attempts", "supersede",
      "scan",   "base_check", "secrets_key_file", "registries",  "http",          "repos",
      "allowed_registries", "upstream_registry", "stage_timeout", "max_stage_timeout", "tls_cert", "tls_key",
      "public_read", "public_url"};
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) return Status::InvalidArgument(path + ": the configuration must be a mapping");
    for (const auto& item : root) {
      const std::string key = item.first.as<std::string>();
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        return Status::InvalidArgument(Where(path, item.first.Mark()) + ": unknown key '" + key + "'");
      }
      if (Status s = ReadKey(path, key, item.second, config); !s.ok()) return s;
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Where(path, e.mark) + ": " + e.msg);
  }
  return Status::Ok();
}

// A duration flag ("90s", "10m", "1h") stored in seconds.
void AddDurationFlag(CLI::App& app, const std::string& name, long long* seconds, const std::string& help) {
  app.add_option_function<std::string>(
         name,
         [name, seconds](const std::string& text) {
           auto parsed = ParseDurationSeconds(text);
           if (!parsed) throw CLI::ValidationError(name, "\"" + text + "\" is not a duration (90s, 10m, 1h)");
           *seconds = *parsed;
         },
         help + " (default " + FormatDuration(*seconds) + ")")
      ->type_name("DURATION");
}

// slipwayd's flags, bound to *config: a flag given replaces what the file (read before) set. A
// token's environment variable is its fallback when neither a flag nor the file gives it.
void DeclareFlags(CLI::App& app, ServerConfig* config) {
  app.description("slipwayd: the Slipway orchestrator (REST API, webhooks, agent protocol, dashboard)");
  app.add_option("--config", "a YAML file of settings (see docs); flags win over it")->type_name("FILE");
  app.add_option_function<std::string>(
         "--listen",
         [config](const std::string& text) {
           if (Status s = ParseListenAddress(text, &config->host, &config->port); !s.ok()) {
             throw CLI::ValidationError("--listen", s.message());
           }
         },
         "the address to serve on (default 127.0.0.1:8080)")
      ->type_name("HOST:PORT");
  app.add_option("--data", config->data_dir, "the data folder (SQLite database, mirrors)")
      ->type_name("DIR")
      ->capture_default_str();
  CLI::Option* admin = app.add_option("--admin-token", config->admin_token, "the token of the REST API's writes");
  if (config->admin_token.empty()) admin->envname("SLIPWAY_ADMIN_TOKEN");
  AddSecretFileFlag(app, "--admin-token-file", &config->admin_token, "a file holding the admin token");
  CLI::Option* agent = app.add_option("--agent-token", config->agent_token, "the token agents present");
  if (config->agent_token.empty()) agent->envname("SLIPWAY_AGENT_TOKEN");
  AddSecretFileFlag(app, "--agent-token-file", &config->agent_token, "a file holding the agent token");
  app.add_option("--tls-cert", config->tls_cert_file, "serve HTTPS with this PEM certificate chain")
      ->type_name("FILE");
  app.add_option("--tls-key", config->tls_key_file, "the PEM private key of --tls-cert")->type_name("FILE");
  app.add_flag("--public-read", config->public_read, "reads (GETs, SSE, the dashboard's data) need no token");
  app.add_option("--lease-seconds", config->lease_seconds, "an agent silent this long loses its job")
      ->check(InRange(kLeaseSeconds))
      ->type_name("N")
      ->capture_default_str();
  AddDurationFlag(app, "--stage-timeout", &config->stage_timeout_seconds,
                  "a build running longer ends timed out, unless its stage says `timeout:`");
  AddDurationFlag(app, "--max-stage-timeout", &config->max_stage_timeout_seconds,
                  "the longest `timeout:` a stage may ask for");
  app.add_flag_callback("--no-supersede", [config] { config->supersede = false; },
                        "a newer push does not cancel the older run's unstarted work");
  app.add_option_function<std::string>(
         "--scanners", [config](const std::string& list) { config->scan.scanners = SplitNonEmpty(list, ','); },
         "vulnerability scanners: osv (on the server), trivy, grype (on the agent)")
      ->type_name("osv,trivy,grype");
  app.add_option("--osv-database", config->scan.osv_database, "a folder of OSV records or osv.dev's zips")
      ->type_name("PATH");
  app.add_option("--scan-recheck-seconds", config->scan.recheck_seconds,
                 "how often the OSV database is checked for changes (rescans)")
      ->check(InRange(kRecheckSeconds))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--public-url", config->public_url, "how people reach this server (links sent to forges)")
      ->type_name("URL");
  app.add_option("--base-check", config->base_check, "cron (UTC) of base image checks, or off")
      ->type_name("CRON|off")
      ->capture_default_str();
}

// The --config argument, if any, read before the other flags so that they can override it.
Result<std::string> ConfigPath(const std::vector<std::string>& args) {
  CLI::App app;
  app.allow_extras();
  app.set_help_flag();
  std::string path;
  app.add_option("--config", path);
  Result<FlagsParsed> parsed = ParseFlags(app, args);
  if (!parsed.ok()) return parsed.status();
  return path;
}

}  // namespace

std::string ServerUsage() {
  ServerConfig defaults;
  CLI::App app("", "slipwayd");
  DeclareFlags(app, &defaults);
  return app.help();
}

Result<ServerConfig> LoadServerConfig(const std::vector<std::string>& args) {
  ServerConfig config;
  Result<std::string> path = ConfigPath(args);
  if (!path.ok()) return path.status();
  if (!path->empty()) {
    if (Status s = LoadFile(*path, &config); !s.ok()) return s;
  }
  CLI::App app("", "slipwayd");
  DeclareFlags(app, &config);
  Result<FlagsParsed> parsed = ParseFlags(app, args);
  if (!parsed.ok()) return parsed.status();
  if (Status s = CheckScanConfig(&config.scan); !s.ok()) return s;
  if (config.base_check != "off") {
    if (auto cron = CronSchedule::Parse(config.base_check); !cron.ok()) {
      return cron.status().Annotate("base_check \"" + config.base_check + "\"");
    }
  }
  if (!ParseImageRef("x", config.upstream_registry).ok()) {
    return Status::InvalidArgument("upstream_registry \"" + config.upstream_registry + "\" is not a registry host");
  }
  while (config.public_url.ends_with('/')) config.public_url.pop_back();
  if (!config.public_url.empty() && !ParseHttpUrl(config.public_url).ok()) {
    return Status::InvalidArgument("public_url \"" + config.public_url + "\" must be an http:// or https:// URL");
  }
  if (config.admin_token.empty()) {
    return Status::InvalidArgument("an admin token is required (--admin-token, --admin-token-file or SLIPWAY_ADMIN_TOKEN)");
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  return config;
}

}  // namespace slipway::core
