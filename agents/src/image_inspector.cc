#include "agent/image_inspector.h"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/registry_client.h"
#include "common/subprocess.h"

namespace slipway::agent {
namespace {

// GET /v2/<name>/<path> of the reference's registry as JSON.
Result<nlohmann::json> GetJson(const RegistryAccess& access, const ImageRef& ref, const std::string& path,
                               const char* accept) {
  const std::string what = ref.host + "/" + ref.name + " " + path;
  auto resp = RegistryFetch(access, ref.host, ref.name, "GET", path, accept ? accept : "");
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return Status::NotFound("registry has no " + what);
  if (resp->status != 200) {
    return Status::Unavailable("registry answered " + std::to_string(resp->status) + " for " + what);
  }
  nlohmann::json j = nlohmann::json::parse(resp->body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Internal("registry sent invalid JSON for " + what);
  return j;
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

long long ToLong(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

long long RegistryManifest::CompressedSize() const {
  long long total = 0;
  for (const auto& b : layers) total += b.size;
  return total;
}

Result<ImageInfo> InspectLocalImage(const std::string& ref, const std::string& docker) {
  if (ref.empty() || ref[0] == '-') return Status::InvalidArgument("bad image reference: " + ref);
  auto inspect = RunProcess({docker, "image", "inspect", "--format", "{{json .}}", "--", ref});
  if (!inspect.ok()) return inspect.status();
  if (!inspect->ok()) return Status::NotFound("docker image inspect " + ref + ": " + inspect->err);
  nlohmann::json meta = nlohmann::json::parse(inspect->out, nullptr, false);
  if (!meta.is_object()) return Status::Internal("docker image inspect gave no JSON object");

  auto history = RunProcess({docker, "history", "--no-trunc", "--human=false", "--format", "{{json .}}", "--", ref});
  if (!history.ok()) return history.status();
  if (!history->ok()) return Status::Internal("docker history " + ref + ": " + history->err);

  ImageInfo image;
  image.ref = ref;
  image.digest = Str(meta, "Id");
  std::istringstream lines(history->out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    nlohmann::json h = nlohmann::json::parse(line, nullptr, false);
    if (!h.is_object()) continue;
    LayerInfo layer;
    layer.instruction = Str(h, "CreatedBy");
    layer.size_bytes = ToLong(Str(h, "Size"));
    image.layers.push_back(std::move(layer));
  }
  std::reverse(image.layers.begin(), image.layers.end());  // docker lists the newest first
  for (const auto& l : image.layers) image.size_bytes += l.size_bytes;

  // Match the diff ids to history entries that have content, when the counts agree.
  std::vector<std::string> diff_ids;
  if (auto rootfs = meta.find("RootFS"); rootfs != meta.end() && rootfs->is_object()) {
    if (auto ids = rootfs->find("Layers"); ids != rootfs->end() && ids->is_array()) {
      for (const auto& id : *ids) {
        if (id.is_string()) diff_ids.push_back(id.get<std::string>());
      }
    }
  }
  size_t with_content = std::count_if(image.layers.begin(), image.layers.end(),
                                      [](const LayerInfo& l) { return l.size_bytes > 0; });
  if (with_content == diff_ids.size()) {
    size_t k = 0;
    for (auto& l : image.layers) {
      if (l.size_bytes > 0) l.digest = diff_ids[k++];
      else l.empty_layer = true;
    }
  }
  return image;
}

Result<RegistryManifest> FetchRegistryManifest(const ImageRef& ref, const RegistryAccess& access,
                                               const std::string& platform) {
  auto top = GetJson(access, ref, "manifests/" + ref.reference, kManifestAccept);
  if (!top.ok()) return top.status();
  nlohmann::json manifest = *top;
  std::string digest;
  if (auto list = manifest.find("manifests"); list != manifest.end() && list->is_array()) {
    auto slash = platform.find('/');
    std::string os = platform.substr(0, slash);
    std::string arch = slash == std::string::npos ? "" : platform.substr(slash + 1);
    for (const auto& m : *list) {
      auto p = m.find("platform");
      if (p == m.end() || !p->is_object()) continue;
      if (Str(*p, "os") == os && Str(*p, "architecture") == arch) {
        digest = Str(m, "digest");
        break;
      }
    }
    if (digest.empty()) return Status::NotFound("image index has no " + platform + " manifest");
    auto one = GetJson(access, ref, "manifests/" + digest, kManifestAccept);
    if (!one.ok()) return one.status();
    manifest = *one;
  }
  RegistryManifest out;
  out.digest = digest;
  if (auto config = manifest.find("config"); config != manifest.end() && config->is_object()) {
    out.config_digest = Str(*config, "digest");
  }
  if (auto layers = manifest.find("layers"); layers != manifest.end() && layers->is_array()) {
    for (const auto& l : *layers) {
      RegistryManifest::Blob b;
      b.digest = Str(l, "digest");
      b.size = l.value("size", 0LL);
      out.layers.push_back(std::move(b));
    }
  } else {
    return Status::Internal("registry manifest lists no layers");
  }
  if (!out.config_digest.empty()) {
    auto config = GetJson(access, ref, "blobs/" + out.config_digest, nullptr);
    if (config.ok()) {
      if (auto h = config->find("history"); h != config->end() && h->is_array()) {
        for (const auto& e : *h) out.history_empty.push_back(e.is_object() && e.value("empty_layer", false));
      }
    }
  }
  return out;
}

void MergeRegistrySizes(const RegistryManifest& manifest, ImageInfo* image) {
  image->config_digest = manifest.config_digest;
  image->compressed_size_bytes = manifest.CompressedSize();
  // The config history lists every history entry, base first, as `docker history` does.
  if (manifest.history_empty.size() == image->layers.size()) {
    size_t k = 0;
    for (size_t i = 0; i < image->layers.size() && k < manifest.layers.size(); ++i) {
      LayerInfo& l = image->layers[i];
      l.empty_layer = manifest.history_empty[i];
      if (l.empty_layer) continue;
      l.digest = manifest.layers[k].digest;
      l.compressed_size_bytes = manifest.layers[k].size;
      ++k;
    }
  }
}

}  // namespace slipway::agent
