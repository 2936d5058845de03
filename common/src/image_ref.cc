#include "common/image_ref.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"
#include "common/registry_client.h"
#include "common/subprocess.h"

namespace slipway {
namespace {

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
}

}  // namespace

const char kManifestAccept[] =
    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

Result<ImageRef> ParseImageRef(const std::string& ref, const std::string& upstream) {
  auto slash = ref.find('/');
  ImageRef out;
  std::string rest;
  // As Docker reads it: the first part is a host when it has a dot or a port, or is localhost.
  std::string first = slash == std::string::npos ? "" : ref.substr(0, slash);
  if (first.find_first_of(".:") != std::string::npos || first == "localhost") {
    out.host = first == "docker.io" || first == "index.docker.io" ? "registry-1.docker.io" : first;
    rest = ref.substr(slash + 1);
    if (out.host == "registry-1.docker.io" && rest.find('/') == std::string::npos) rest = "library/" + rest;
  } else if (upstream.empty()) {
    return Status::InvalidArgument("image reference names no registry host: " + ref);
  } else {
    out.host = upstream;
    out.on_upstream = true;
    rest = slash == std::string::npos ? "library/" + ref : ref;
  }
  if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), IsHostChar)) {
    return Status::InvalidArgument("bad registry host in image reference: " + ref);
  }
  if (auto at = rest.find('@'); at != std::string::npos) {
    out.name = rest.substr(0, at);
    out.reference = rest.substr(at + 1);
  } else {
    auto colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
      out.name = rest.substr(0, colon);
      out.reference = rest.substr(colon + 1);
    } else {
      out.name = rest;
      out.reference = "latest";
    }
  }
  if (out.name.empty() || out.reference.empty()) return Status::InvalidArgument("bad image reference: " + ref);
  for (char c : out.name + out.reference) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' || c == '-' || c == ':')) {
      return Status::InvalidArgument("bad character in image reference: " + ref);
    }
  }
  return out;
}

bool IsImageDigest(const std::string& digest) {
  constexpr std::string_view kPrefix = "sha256:";
  return digest.size() == kPrefix.size() + 64 && digest.compare(0, kPrefix.size(), kPrefix) == 0 &&
         std::all_of(digest.begin() + kPrefix.size(), digest.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}

Result<std::string> EngineImageDigest(const std::string& ref, const std::string& docker) {
  bool plain = !ref.empty() && ref.size() <= 512 && ref[0] != '-' &&
               std::none_of(ref.begin(), ref.end(), [](char c) {
                 return std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c));
               });
  if (!plain) return Status::InvalidArgument("bad image reference: " + ref);
  auto inspect = RunProcess({docker, "image", "inspect", "--format", "{{.Id}}", "--", ref});
  if (!inspect.ok()) return Status::Unavailable(inspect.status().message());
  if (!inspect->ok()) {
    std::string err = std::string(TrimAsciiSpace(inspect->err));
    if (err.find("No such image") != std::string::npos) return Status::NotFound("the engine has no image " + ref);
    return Status::Unavailable("docker image inspect " + ref + ": " + err);
  }
  std::string id = std::string(TrimAsciiSpace(inspect->out));
  if (!IsImageDigest(id)) return Status::Internal("docker image inspect " + ref + " gave no digest: " + id);
  return id;
}

Result<std::string> RegistryImageDigest(const ImageRef& ref, const RegistryAccess& access) {
  const std::string what = ref.name + ":" + ref.reference;
  // HEAD first (it does not count as a pull); a registry that sends no digest there gets a GET.
  for (const char* method : {"HEAD", "GET"}) {
    auto resp = RegistryFetch(access, ref.host, ref.name, method, "manifests/" + ref.reference, kManifestAccept);
    if (!resp.ok()) return resp.status();
    if (resp->status == 404) return Status::NotFound("registry " + ref.host + " has no " + what);
    if (resp->status != 200) {
      return Status::Unavailable("registry " + ref.host + " answered " + std::to_string(resp->status) + " for " + what);
    }
    std::string digest = std::string(TrimAsciiSpace(resp->Header("Docker-Content-Digest")));
    if (IsImageDigest(digest)) return digest;
  }
  return Status::Unavailable("registry " + ref.host + " sent no Docker-Content-Digest for " + what);
}

bool RegistryAllowlist::Allows(const std::string& host) const {
  const size_t colon = host.rfind(':');
  const std::string bare = colon == std::string::npos || host.find(']', colon) != std::string::npos
                               ? host
                               : host.substr(0, colon);
  return std::any_of(hosts.begin(), hosts.end(), [&](const std::string& h) { return h == host || h == bare; });
}

Result<ResolvedDigest> ResolveImageDigest(const std::string& ref, const std::string& docker,
                                          const RegistryAccess& access, const RegistryAllowlist* allowed) {
  auto local = EngineImageDigest(ref, docker);
  if (local.ok()) return ResolvedDigest{*local, "engine"};
  if (local.status().code() == ErrorCode::kInvalidArgument) return local.status();
  auto parsed = ParseImageRef(ref, access.upstream);
  if (!parsed.ok()) return Status(parsed.status().code(), local.status().message() + "; " + parsed.status().message());
  if (allowed && !allowed->Allows(parsed->host)) {
    return Status::PermissionDenied(local.status().message() + "; registry " + parsed->host +
                                    " is not in the allowlist of registries to contact");
  }
  auto remote = RegistryImageDigest(*parsed, access);
  if (remote.ok()) return ResolvedDigest{*remote, "registry"};
  std::string why = remote.status().message();
  if (parsed->on_upstream) {
    const bool unreachable = remote.status().code() == ErrorCode::kUnavailable;
    why = "upstream " + parsed->host + (unreachable ? " unreachable: " : ": ") + why;
  }
  return Status(remote.status().code(), local.status().message() + "; " + why);
}

}  // namespace slipway
