// Reads a `docker save` archive in one streaming pass with libarchive (see image.h).
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "insight/image.h"
#include "layer_reader.h"

namespace slipway::insight {
namespace {

constexpr size_t kMaxJsonBlob = 64u << 20;

struct SourceFeed {
  const ByteSource* source;
  char buf[kArchiveChunk];
};

la_ssize_t OuterRead(archive* a, void* client, const void** out) {
  auto* feed = static_cast<SourceFeed*>(client);
  long got = (*feed->source)(feed->buf, sizeof feed->buf);
  if (got < 0) {
    archive_set_error(a, EIO, "reading the image archive failed");
    return -1;
  }
  *out = feed->buf;
  return got;
}

std::string DigestToBlob(const std::string& digest) {
  size_t colon = digest.find(':');
  if (colon == std::string::npos) return digest;
  return "blobs/" + digest.substr(0, colon) + "/" + digest.substr(colon + 1);
}

// Resolves a path through symlinks recorded in the final captured map.
std::string ResolveLink(const std::string& link_path, const std::string& target) {
  std::string joined =
      !target.empty() && target[0] == '/' ? target : DirName(link_path) + "/" + target;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string part = joined.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

void ErasePrefix(std::map<std::string, Captured>* m, const std::string& dir) {
  if (dir.empty()) {
    m->clear();
    return;
  }
  m->erase(dir);
  std::string prefix = dir + "/";
  for (auto it = m->lower_bound(prefix); it != m->end() && it->first.starts_with(prefix);) {
    it = m->erase(it);
  }
}

std::string ArchiveError(archive* a) {
  const char* error = archive_error_string(a);
  return error ? error : "?";
}

// What one pass over the archive keeps: JSON documents whole, layer blobs as metadata, and the
// names that link to other blobs.
struct ArchiveBlobs {
  std::map<std::string, std::string> json;
  std::map<std::string, ParsedBlob> layers;
  std::map<std::string, std::string> aliases;  // symlinked blobs (older docker save)

  // The blob a name stands for, through at most 8 aliases.
  std::string Resolve(std::string name) const {
    for (int i = 0; i < 8; ++i) {
      auto it = aliases.find(name);
      if (it == aliases.end()) break;
      name = it->second;
    }
    return name;
  }
};

// The image's parts as its manifest names them (blob names, before aliases are resolved).
struct ManifestRefs {
  std::string config;
  std::vector<std::string> layers;  // bottom first
  std::vector<std::string> repo_tags;
};

bool LooksLikeJson(const std::string& head) {
  size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (head[first] == '{' || head[first] == '[');
}

// The rest of a JSON blob whose first bytes are `text`, within kMaxJsonBlob.
Result<std::string> ReadJsonBlob(archive* outer, std::string text, const std::string& name) {
  char buf[kArchiveChunk];
  la_ssize_t got;
  while ((got = archive_read_data(outer, buf, sizeof buf)) > 0) {
    text.append(buf, got);
    if (text.size() > kMaxJsonBlob) return Status::TooLarge(name + " is too large for a JSON blob");
  }
  return text;
}

// A regular file of the archive: kept as a JSON document or a layer, or skipped.
Status ReadRegularBlob(archive* outer, archive_entry* entry, const std::string& name,
                       ArchiveBlobs* blobs) {
  LayerFeed feed;
  feed.outer = outer;
  feed.head.resize(kArchiveChunk);
  la_ssize_t got = archive_read_data(outer, feed.head.data(), kArchiveChunk);
  if (got < 0) return Status::InvalidArgument("reading " + name + " in the image archive failed");
  feed.head.resize(static_cast<size_t>(got));
  if (LooksLikeJson(feed.head)) {
    auto text = ReadJsonBlob(outer, std::move(feed.head), name);
    if (!text.ok()) return text.status();
    blobs->json[name] = std::move(*text);
    return Status::Ok();
  }
  if (name == "oci-layout" || name == "VERSION" || name == "repositories") return Status::Ok();
  auto parsed = ReadLayerBlob(&feed);
  if (!parsed.ok()) return parsed.status().Annotate("layer " + name);
  if (!*parsed) return Status::Ok();  // not a tar
  ParsedBlob& blob = **parsed;
  blob.layer.blob = name;
  if (blob.layer.compressed_size_bytes) {
    blob.layer.compressed_size_bytes = static_cast<uint64_t>(archive_entry_size(entry));
  }
  blobs->layers[name] = std::move(blob);
  return Status::Ok();
}

Result<ArchiveBlobs> ReadBlobs(archive* outer) {
  ArchiveBlobs blobs;
  archive_entry* entry = nullptr;
  while (true) {
    int r = archive_read_next_header(outer, &entry);
    if (r == ARCHIVE_EOF) return blobs;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return Status::InvalidArgument("reading the image archive: " + ArchiveError(outer));
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = NormalisePath(raw_name ? raw_name : "");
    if (archive_entry_filetype(entry) == AE_IFLNK && archive_entry_symlink(entry)) {
      blobs.aliases[name] = ResolveLink(name, archive_entry_symlink(entry));
    } else if (const char* hard = archive_entry_hardlink(entry)) {
      blobs.aliases[name] = NormalisePath(hard);
    } else if (archive_entry_filetype(entry) == AE_IFREG) {
      if (Status s = ReadRegularBlob(outer, entry, name, &blobs); !s.ok()) return s;
    }
  }
}

// The classic manifest.json: the first image it lists.
Result<ManifestRefs> ReadDockerManifest(const std::string& text) {
  nlohmann::json m = nlohmann::json::parse(text);
  if (!m.is_array() || m.empty()) return Status::InvalidArgument("manifest.json names no image");
  const nlohmann::json& first = m[0];
  ManifestRefs refs;
  refs.config = NormalisePath(first.value("Config", ""));
  for (const auto& l : first.value("Layers", nlohmann::json::array())) {
    refs.layers.push_back(NormalisePath(l.get<std::string>()));
  }
  for (const auto& t : first.value("RepoTags", nlohmann::json::array())) {
    if (t.is_string()) refs.repo_tags.push_back(t.get<std::string>());
  }
  return refs;
}

// An index's entry for linux/amd64, else its first entry; null when it lists none.
const nlohmann::json* PickManifest(const nlohmann::json& manifests) {
  const nlohmann::json* pick = nullptr;
  for (const auto& d : manifests) {
    if (!pick) pick = &d;
    if (d.contains("platform") && d["platform"].value("architecture", "") == "amd64") return &d;
  }
  return pick;
}

// The OCI layout's index.json, followed through nested indexes to an image manifest.
Result<ManifestRefs> ReadOciIndex(const ArchiveBlobs& blobs) {
  nlohmann::json index = nlohmann::json::parse(blobs.json.at("index.json"));
  for (int depth = 0; depth < 4 && index.contains("manifests"); ++depth) {
    const nlohmann::json* pick = PickManifest(index["manifests"]);
    if (!pick) return Status::InvalidArgument("index.json names no manifest");
    std::string blob = DigestToBlob(pick->value("digest", ""));
    auto it = blobs.json.find(blob);
    if (it == blobs.json.end()) return Status::InvalidArgument("manifest blob " + blob + " missing");
    index = nlohmann::json::parse(it->second);
  }
  ManifestRefs refs;
  refs.config = DigestToBlob(index["config"].value("digest", ""));
  for (const auto& l : index.value("layers", nlohmann::json::array())) {
    refs.layers.push_back(DigestToBlob(l.value("digest", "")));
  }
  return refs;
}

Result<ManifestRefs> ReadManifest(const ArchiveBlobs& blobs) {
  if (blobs.json.count("manifest.json")) return ReadDockerManifest(blobs.json.at("manifest.json"));
  if (blobs.json.count("index.json")) return ReadOciIndex(blobs);
  return Status::InvalidArgument("the archive has neither manifest.json nor index.json");
}

std::vector<std::string> DiffIds(const nlohmann::json& config) {
  std::vector<std::string> diff_ids;
  if (!config.contains("rootfs")) return diff_ids;
  for (const auto& d : config["rootfs"].value("diff_ids", nlohmann::json::array())) {
    diff_ids.push_back(d.get<std::string>());
  }
  return diff_ids;
}

// The instruction of each layer, from the config's history (entries that made no layer left out).
std::vector<std::string> LayerInstructions(const nlohmann::json& config) {
  std::vector<std::string> instructions;
  for (const auto& h : config.value("history", nlohmann::json::array())) {
    if (h.value("empty_layer", false)) continue;
    // Imported layers have no instruction; their comment ("Imported from -") says what made them.
    std::string by = h.value("created_by", "");
    instructions.push_back(by.empty() ? h.value("comment", "") : by);
  }
  return instructions;
}

// The image's id and platform from its config, and its layers with their diff ids and instructions.
Status ReadConfig(const ArchiveBlobs& blobs, const ManifestRefs& refs, Image* image) {
  std::string config_name = blobs.Resolve(refs.config);
  auto found = blobs.json.find(config_name);
  if (found == blobs.json.end()) return Status::InvalidArgument("config " + config_name + " missing");
  nlohmann::json config = nlohmann::json::parse(found->second);
  std::string_view base = BaseName(config_name);
  image->id = "sha256:" + std::string(base.ends_with(".json") ? base.substr(0, base.size() - 5) : base);
  image->os = config.value("os", "");
  image->architecture = config.value("architecture", "");
  std::vector<std::string> diff_ids = DiffIds(config);
  std::vector<std::string> instructions = LayerInstructions(config);
  for (size_t i = 0; i < refs.layers.size(); ++i) {
    std::string name = blobs.Resolve(refs.layers[i]);
    auto blob = blobs.layers.find(name);
    if (blob == blobs.layers.end()) return Status::InvalidArgument("layer blob " + name + " missing");
    Layer layer = blob->second.layer;
    if (i < diff_ids.size()) layer.diff_id = diff_ids[i];
    if (i < instructions.size()) layer.created_by = instructions[i];
    image->layers.push_back(std::move(layer));
  }
  return Status::Ok();
}

// Manifest and config; nlohmann's exceptions become InvalidArgument.
Status ReadMetadata(const ArchiveBlobs& blobs, ManifestRefs* refs, Image* image) {
  try {
    auto manifest = ReadManifest(blobs);
    if (!manifest.ok()) return manifest.status();
    *refs = std::move(*manifest);
    image->repo_tags = refs->repo_tags;
    return ReadConfig(blobs, *refs, image);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("image metadata: ") + e.what());
  }
}

// The final state of the captured files: layers stacked bottom up, whiteouts applied.
std::map<std::string, Captured> StackCaptured(const ArchiveBlobs& blobs,
                                              const std::vector<std::string>& layer_names) {
  std::map<std::string, Captured> stacked;
  for (const std::string& raw : layer_names) {
    const ParsedBlob& blob = blobs.layers.at(blobs.Resolve(raw));
    for (const std::string& dir : blob.layer.opaque_dirs) ErasePrefix(&stacked, dir);
    for (const std::string& path : blob.layer.whiteouts) ErasePrefix(&stacked, path);
    for (const auto& [path, c] : blob.captured) stacked[path] = c;
  }
  return stacked;
}

// The contents of the stacked files, links followed (at most 8 hops); dangling links left out.
std::map<std::string, std::string> ResolveCaptured(const std::map<std::string, Captured>& stacked) {
  std::map<std::string, std::string> files;
  for (const auto& [path, c] : stacked) {
    const Captured* cur = &c;
    std::string at = path;
    for (int hops = 0; cur && cur->is_link && hops < 8; ++hops) {
      at = ResolveLink(at, cur->data);
      auto it = stacked.find(at);
      cur = it == stacked.end() ? nullptr : &it->second;
    }
    if (cur && !cur->is_link) files[path] = cur->data;
  }
  return files;
}

}  // namespace

std::string NormalisePath(std::string_view path) {
  while (true) {
    if (path.starts_with("./")) {
      path.remove_prefix(2);
    } else if (!path.empty() && path[0] == '/') {
      path.remove_prefix(1);
    } else {
      break;
    }
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path == ".") return "";
  return std::string(path);
}

bool IsCapturedPath(std::string_view path) {
  if (path == "etc/os-release" || path == "usr/lib/os-release" || path == "var/lib/dpkg/status" ||
      path == "lib/apk/db/installed") {
    return true;
  }
  if (path.starts_with("var/lib/dpkg/status.d/")) {
    // Distroless images keep one status file per package; skip their .md5sums companions.
    return path.find('/', 22) == std::string_view::npos && !path.ends_with(".md5sums");
  }
  if (path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO")) return true;
  return path.ends_with(".egg-info");
}

Result<Image> ReadImageArchive(const ByteSource& source) {
  ArchivePtr outer(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(outer.get());
  archive_read_support_format_gnutar(outer.get());
  archive_read_support_filter_all(outer.get());
  SourceFeed feed{&source, {}};
  if (archive_read_open(outer.get(), &feed, nullptr, OuterRead, nullptr) != ARCHIVE_OK) {
    return Status::InvalidArgument("not an image archive: " + ArchiveError(outer.get()));
  }
  auto blobs = ReadBlobs(outer.get());
  if (!blobs.ok()) return blobs.status();
  Image image;
  ManifestRefs refs;
  if (Status s = ReadMetadata(*blobs, &refs, &image); !s.ok()) return s;
  image.files = ResolveCaptured(StackCaptured(*blobs, refs.layers));
  return image;
}

Result<Image> ReadImageArchiveFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot open " + path + ": " + std::strerror(errno));
  ByteSource source = [fd](char* buf, size_t len) -> long {
    return static_cast<long>(read(fd, buf, len));
  };
  Result<Image> image = ReadImageArchive(source);
  close(fd);
  return image;
}

}  // namespace slipway::insight
