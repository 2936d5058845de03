#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "common/strings.h"
#include "common/cron.h"
#include "common/image_ref.h"

namespace slipway::core {

std::string ServerUsage() {
  return "usage: slipwayd [--config FILE] [--listen HOST:PORT] [--data DIR] [--admin-token T]\n"
         "                [--agent-token T] [--lease-seconds N] [--no-supersede]\n"
         "                [--scanners osv,trivy,grype] [--osv-database PATH]\n"
         "                [--scan-recheck-seconds N]\n"
         "                [--base-check CRON|off]\n"
         "Tokens may also come from SLIPWAY_ADMIN_TOKEN and SLIPWAY_AGENT_TOKEN.\n";
}

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

Status CheckScanConfig(ScanConfig* scan) {
  if (scan->scanners.empty() && !scan->osv_database.empty()) scan->scanners = {"osv"};
  for (const auto& s : scan->scanners) {
    if (s != "osv" && s != "trivy" && s != "grype") {
      return Status::InvalidArgument("unknown scanner '" + s + "' (osv, trivy or grype)");
    }
  }
  if (scan->recheck_seconds < 1) return Status::InvalidArgument("scan.recheck_seconds must be at least 1");
  if (scan->Uses("osv") && scan->osv_database.empty()) {
    return Status::InvalidArgument("the osv scanner needs an OSV database (scan.osv_database or --osv-database)");
  }
  return Status::Ok();
}

Status LoadFile(const std::string& path, ServerConfig* config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  try {
    if (!root.IsMap()) return Status::InvalidArgument(path + ": the configuration must be a mapping");
    for (const auto& item : root) {
      const std::string key = item.first.as<std::string>();
      const YAML::Node& v = item.second;
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
      } else if (key == "lease_seconds") {
        config->lease_seconds = v.as<int>();
      } else if (key == "max_attempts") {
        config->max_attempts = v.as<int>();
      } else if (key == "supersede") {
        config->supersede = v.as<bool>();
      } else if (key == "scan") {
        for (const auto& s : v) {
          const std::string field = s.first.as<std::string>();
          if (field == "scanners") {
            config->scan.scanners = s.second.as<std::vector<std::string>>();
          } else if (field == "osv_database") {
            config->scan.osv_database = s.second.as<std::string>();
          } else if (field == "recheck_seconds") {
            config->scan.recheck_seconds = s.second.as<int>();
          } else {
            return Status::InvalidArgument(path + ":" + std::to_string(s.first.Mark().line + 1) + ":" +
                                           std::to_string(s.first.Mark().column + 1) + ": unknown key 'scan." + field + "'");
          }
        }
      } else if (key == "secrets_key_file") {
        config->secrets_key_file = v.as<std::string>();
      } else if (key == "base_check") {
        config->base_check = v.as<std::string>();
      } else if (key == "upstream_registry") {
        config->upstream_registry = v.as<std::string>();
      } else if (key == "registries") {
        for (const auto& r : v) {
          RegistryConfig registry{.host = r["host"].as<std::string>(), .ca_file = ""};
          if (r["ca_file"]) registry.ca_file = r["ca_file"].as<std::string>();
          config->registries.push_back(registry);
        }
      } else if (key == "repos") {
        for (const auto& r : v) {
          RepoConfig repo;
          repo.name = r["name"].as<std::string>();
          repo.clone_url = r["clone_url"].as<std::string>();
          if (r["forge"]) repo.forge = r["forge"].as<std::string>();
          if (r["secret"]) repo.secret = r["secret"].as<std::string>();
          config->repos.push_back(repo);
        }
      } else {
        return Status::InvalidArgument(path + ":" + std::to_string(item.first.Mark().line + 1) + ":" +
                                       std::to_string(item.first.Mark().column + 1) + ": unknown key '" + key + "'");
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return Status::Ok();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const std::vector<std::string>& args) {
  ServerConfig config;
  if (const char* t = std::getenv("SLIPWAY_ADMIN_TOKEN")) config.admin_token = t;
  if (const char* t = std::getenv("SLIPWAY_AGENT_TOKEN")) config.agent_token = t;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") {
      if (Status s = LoadFile(args[i + 1], &config); !s.ok()) return s;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&](std::string* out) -> Status {
      if (i + 1 >= args.size()) return Status::InvalidArgument(flag + " needs a value");
      *out = args[++i];
      return Status::Ok();
    };
    std::string v;
    Status s;
    if (flag == "--config") {
      s = value(&v);
    } else if (flag == "--listen") {
      s = value(&v);
      if (s.ok()) s = ParseListenAddress(v, &config.host, &config.port);
    } else if (flag == "--data") {
      s = value(&config.data_dir);
    } else if (flag == "--admin-token") {
      s = value(&config.admin_token);
    } else if (flag == "--agent-token") {
      s = value(&config.agent_token);
    } else if (flag == "--lease-seconds") {
      s = value(&v);
      if (s.ok()) config.lease_seconds = std::atoi(v.c_str());
      if (s.ok() && (config.lease_seconds < 2 || config.lease_seconds > 3600)) {
        s = Status::InvalidArgument("--lease-seconds must be between 2 and 3600");
      }
    } else if (flag == "--no-supersede") {
      config.supersede = false;
    } else if (flag == "--scanners") {
      s = value(&v);
      if (s.ok()) config.scan.scanners = SplitNonEmpty(v, ',');
    } else if (flag == "--osv-database") {
      s = value(&config.scan.osv_database);
    } else if (flag == "--scan-recheck-seconds") {
      s = value(&v);
      if (s.ok()) config.scan.recheck_seconds = std::atoi(v.c_str());
    } else if (flag == "--base-check") {
      s = value(&config.base_check);
    } else {
      s = Status::InvalidArgument("unknown flag " + flag);
    }
    if (!s.ok()) return s;
  }
  if (Status s = CheckScanConfig(&config.scan); !s.ok()) return s;
  if (config.base_check != "off") {
    if (auto cron = CronSchedule::Parse(config.base_check); !cron.ok()) {
      return cron.status().Annotate("base_check \"" + config.base_check + "\"");
    }
  }
  if (!ParseImageRef("x", config.upstream_registry).ok()) {
    return Status::InvalidArgument("upstream_registry \"" + config.upstream_registry + "\" is not a registry host");
  }
  if (config.admin_token.empty()) return Status::InvalidArgument("an admin token is required (--admin-token)");
  if (config.agent_token.empty()) return Status::InvalidArgument("an agent token is required (--agent-token)");
  return config;
}

}  // namespace slipway::core
