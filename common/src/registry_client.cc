#include "common/registry_client.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace slipway {
namespace {

// "localhost", 127.0.0.0/8 or ::1, with or without a port ("[::1]:5000", "127.0.0.1:5000", "::1").
bool IsLoopback(const std::string& host_port) {
  if (host_port == "::1") return true;
  if (host_port.empty()) return false;
  std::string host = host_port.substr(0, host_port.front() == '[' ? host_port.find(']') + 1 : host_port.rfind(':'));
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

// The configuration for a host, or an empty one.
RegistryHostConfig HostConfig(const RegistryAccess& access, const std::string& host) {
  auto it = access.hosts.find(host);
  return it == access.hosts.end() ? RegistryHostConfig{} : it->second;
}

// Who was refused, for an error: the username, never the password.
std::string Who(const RegistryCredentials& c) {
  return c.username.empty() ? "anonymous access" : "the credentials of " + c.username;
}

std::string BasicAuth(const RegistryCredentials& c) { return "Basic " + Base64Encode(c.username + ":" + c.password); }

// Sends one request to the registry over https, or http for a loopback host without TLS.
Result<HttpResponse> Send(const RegistryAccess& access, const std::string& host, const std::string& method,
                          const std::string& target, const std::string& accept, const std::string& authorization) {
  HttpRequest req;
  req.method = method;
  req.timeout = access.timeout;
  req.ca_file = HostConfig(access, host).ca_file;
  if (!accept.empty()) req.headers.emplace_back("Accept", accept);
  if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
  req.url = "https://" + host + target;
  auto resp = HttpFetch(req);
  if (resp.ok() || resp.status().code() == ErrorCode::kPermissionDenied || !IsLoopback(host)) return resp;
  req.url = "http://" + host + target;
  auto plain = HttpFetch(req);
  // Only a registry's answer counts (a TLS server answers plain HTTP with a bare 400).
  return plain.ok() && !plain->Header("Docker-Distribution-API-Version").empty() ? plain : resp;
}

// The token flow: asks the realm for a token with pull access to `repository`.
Result<std::string> FetchToken(const RegistryAccess& access, const std::string& host,
                               const std::map<std::string, std::string>& challenge, const std::string& repository) {
  auto realm = challenge.find("realm");
  if (realm == challenge.end() || realm->second.empty()) {
    return Status::Unavailable("registry " + host + " asked for a token but named no realm");
  }
  auto scope = challenge.find("scope");
  std::string url = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
  if (auto service = challenge.find("service"); service != challenge.end()) {
    url += "service=" + PercentEncode(service->second) + "&";
  }
  url += "scope=" + PercentEncode(scope != challenge.end() ? scope->second : "repository:" + repository + ":pull");
  const RegistryHostConfig config = HostConfig(access, host);
  auto realm_url = ParseHttpUrl(realm->second);
  if (!realm_url.ok()) return Status::Unavailable("registry " + host + " named a bad token realm");
  if (!realm_url->tls && !config.credentials.username.empty() && !IsLoopback(realm_url->host)) {
    return Status::Unavailable("registry " + host + " asks for credentials at a plain-HTTP token realm (" +
                               realm_url->host + "); they are sent only over HTTPS or to loopback");
  }
  HttpRequest req;
  req.url = url;
  req.timeout = access.timeout;
  req.ca_file = config.ca_file;
  if (!config.credentials.username.empty()) req.headers.emplace_back("Authorization", BasicAuth(config.credentials));
  auto resp = HttpFetch(req);
  if (!resp.ok()) return resp.status().Annotate("token service of registry " + host);
  if (resp->status == 401 || resp->status == 403) {
    return Status::Unauthenticated("the token service of registry " + host + " refused " + Who(config.credentials));
  }
  if (resp->status != 200) {
    return Status::Unavailable("the token service of registry " + host + " answered " + std::to_string(resp->status));
  }
  nlohmann::json body = nlohmann::json::parse(resp->body, nullptr, false);
  for (const char* key : {"token", "access_token"}) {
    if (body.is_object() && body.contains(key) && body[key].is_string() && !body[key].get<std::string>().empty()) {
      return body[key].get<std::string>();
    }
  }
  return Status::Unavailable("the token service of registry " + host + " sent no token");
}

}  // namespace

std::map<std::string, std::string> ParseAuthChallenge(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < header.size() && header[i] == ' ') ++i;
  size_t scheme_end = header.find(' ', i);
  std::string scheme = header.substr(i, scheme_end - i);
  out[""] = AsciiLower(scheme);
  if (scheme_end == std::string::npos) return out;
  i = scheme_end;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    size_t eq = header.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = AsciiLower(header.substr(i, eq - i));
    std::string value;
    i = eq + 1;
    if (i < header.size() && header[i] == '"') {  // quoted: commas inside belong to the value
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      ++i;
    } else {
      size_t end = header.find(',', i);
      value = header.substr(i, end - i);
      i = end == std::string::npos ? header.size() : end;
    }
    out[key] = value;
  }
  return out;
}

Result<HttpResponse> RegistryFetch(const RegistryAccess& access, const std::string& host,
                                   const std::string& repository, const std::string& method,
                                   const std::string& path, const std::string& accept) {
  const std::string target = "/v2/" + repository + "/" + path;
  auto first = Send(access, host, method, target, accept, "");
  if (!first.ok()) return first.status().Annotate("registry " + host);
  if (first->status != 401) return first;

  auto challenge = ParseAuthChallenge(first->Header("WWW-Authenticate"));
  const RegistryCredentials credentials = HostConfig(access, host).credentials;
  std::string authorization;
  if (challenge[""] == "bearer") {
    auto token = FetchToken(access, host, challenge, repository);
    if (!token.ok()) return token.status();
    authorization = "Bearer " + *token;
  } else if (challenge[""] == "basic") {
    if (credentials.username.empty()) return Status::Unauthenticated("registry " + host + " needs credentials");
    authorization = BasicAuth(credentials);
  } else {
    return Status::Unauthenticated("registry " + host + " asks for an unsupported authentication: " + challenge[""]);
  }
  auto second = Send(access, host, method, target, accept, authorization);
  if (!second.ok()) return second.status().Annotate("registry " + host);
  if (second->status == 401) return Status::Unauthenticated("registry " + host + " refused " + Who(credentials));
  return second;
}

}  // namespace slipway
