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

namespace slipway::insight {
namespace {

constexpr size_t kChunk = 1 << 16;
constexpr size_t kMaxJsonBlob = 64u << 20;

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

// A captured path's state in one layer: its contents, or where it links to.
struct Captured {
  bool is_link = false;
  std::string data;
};

struct ParsedBlob {
  Layer layer;
  std::map<std::string, Captured> captured;
};

// Feeds the inner (layer) archive: first the bytes already peeked, then the rest of the entry.
struct InnerFeed {
  archive* outer = nullptr;
  std::string head;
  bool head_given = false;
  char buf[kChunk];
};

la_ssize_t InnerRead(archive*, void* client, const void** out) {
  auto* feed = static_cast<InnerFeed*>(client);
  if (!feed->head_given) {
    feed->head_given = true;
    if (!feed->head.empty()) {
      *out = feed->head.data();
      return static_cast<la_ssize_t>(feed->head.size());
    }
  }
  la_ssize_t got = archive_read_data(feed->outer, feed->buf, sizeof feed->buf);
  *out = feed->buf;
  return got;
}

// Reads one layer tar (possibly compressed). Returns false when the blob is not a tar at all.
bool ReadLayerBlob(InnerFeed* feed, ParsedBlob* blob, std::string* error) {
  std::unique_ptr<archive, decltype(&archive_read_free)> in(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  if (archive_read_open(in.get(), feed, nullptr, InnerRead, nullptr) != ARCHIVE_OK) return false;
  Layer& layer = blob->layer;
  archive_entry* entry = nullptr;
  bool first = true;
  while (true) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_FATAL) {
      if (first) return false;
      *error = archive_error_string(in.get()) ? archive_error_string(in.get()) : "bad layer tar";
      return true;
    }
    first = false;
    const char* raw_name = archive_entry_pathname(entry);
    if (!raw_name) continue;
    std::string path = NormalisePath(raw_name);
    if (path.empty()) continue;
    std::string_view base = BaseName(path);
    if (base.rfind(".wh.", 0) == 0) {
      if (base == ".wh..wh..opq") {
        layer.opaque_dirs.push_back(DirName(path));
      } else if (base.rfind(".wh..wh.", 0) != 0) {
        std::string dir = DirName(path);
        std::string target(base.substr(4));
        layer.whiteouts.push_back(dir.empty() ? target : dir + "/" + target);
      }
      continue;
    }
    FileEntry f;
    f.path = path;
    f.mode = archive_entry_perm(entry);
    if (const char* hard = archive_entry_hardlink(entry)) {
      f.type = EntryType::kHardlink;
      f.link_target = NormalisePath(hard);
    } else {
      switch (archive_entry_filetype(entry)) {
        case AE_IFREG:
          f.type = EntryType::kFile;
          break;
        case AE_IFDIR:
          f.type = EntryType::kDirectory;
          break;
        case AE_IFLNK:
          f.type = EntryType::kSymlink;
          if (const char* t = archive_entry_symlink(entry)) f.link_target = t;
          break;
        default:
          f.type = EntryType::kOther;
          break;
      }
    }
    if (f.type == EntryType::kFile) {
      f.size = static_cast<uint64_t>(archive_entry_size(entry));
      layer.size_bytes += f.size;
    }
    if ((f.type == EntryType::kFile || f.type == EntryType::kSymlink ||
         f.type == EntryType::kHardlink) &&
        IsCapturedPath(path)) {
      Captured c;
      if (f.type == EntryType::kSymlink) {
        c.is_link = true;
        c.data = f.link_target;
      } else if (f.type == EntryType::kHardlink) {
        c.is_link = true;
        c.data = "/" + f.link_target;
      } else {
        char buf[kChunk];
        la_ssize_t got;
        while ((got = archive_read_data(in.get(), buf, sizeof buf)) > 0) c.data.append(buf, got);
      }
      blob->captured[path] = std::move(c);
    }
    layer.files.push_back(std::move(f));
  }
  layer.tar_bytes = static_cast<uint64_t>(archive_filter_bytes(in.get(), 0));
  if (archive_filter_count(in.get()) > 1 &&
      archive_filter_code(in.get(), 0) != ARCHIVE_FILTER_NONE) {
    layer.compressed_size_bytes = static_cast<uint64_t>(archive_filter_bytes(in.get(), -1));
  }
  return true;
}

struct SourceFeed {
  const ByteSource* source;
  char buf[kChunk];
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
  for (auto it = m->lower_bound(prefix); it != m->end() && it->first.rfind(prefix, 0) == 0;) {
    it = m->erase(it);
  }
}

}  // namespace

std::string NormalisePath(std::string_view path) {
  while (true) {
    if (path.rfind("./", 0) == 0) {
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
  if (path.rfind("var/lib/dpkg/status.d/", 0) == 0) {
    // Distroless images keep one status file per package; skip their .md5sums companions.
    return path.find('/', 22) == std::string_view::npos && !path.ends_with(".md5sums");
  }
  if (path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO")) return true;
  return path.ends_with(".egg-info");
}

Result<Image> ReadImageArchive(const ByteSource& source) {
  std::unique_ptr<archive, decltype(&archive_read_free)> outer(archive_read_new(),
                                                               archive_read_free);
  archive_read_support_format_tar(outer.get());
  archive_read_support_format_gnutar(outer.get());
  archive_read_support_filter_all(outer.get());
  SourceFeed feed{&source, {}};
  if (archive_read_open(outer.get(), &feed, nullptr, OuterRead, nullptr) != ARCHIVE_OK) {
    return Status::InvalidArgument(
        std::string("not an image archive: ") +
        (archive_error_string(outer.get()) ? archive_error_string(outer.get()) : "?"));
  }
  std::map<std::string, std::string> json_blobs;
  std::map<std::string, ParsedBlob> layer_blobs;
  std::map<std::string, std::string> aliases;  // symlinked blobs (older docker save)
  archive_entry* entry = nullptr;
  while (true) {
    int r = archive_read_next_header(outer.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return Status::InvalidArgument(
          std::string("reading the image archive: ") +
          (archive_error_string(outer.get()) ? archive_error_string(outer.get()) : "?"));
    }
    std::string name =
        NormalisePath(archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "");
    if (archive_entry_filetype(entry) == AE_IFLNK && archive_entry_symlink(entry)) {
      aliases[name] = ResolveLink(name, archive_entry_symlink(entry));
      continue;
    }
    if (const char* hard = archive_entry_hardlink(entry)) {
      aliases[name] = NormalisePath(hard);
      continue;
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    InnerFeed inner;
    inner.outer = outer.get();
    inner.head.resize(kChunk);
    la_ssize_t got = archive_read_data(outer.get(), inner.head.data(), kChunk);
    if (got < 0) return Status::InvalidArgument("reading " + name + " in the image archive failed");
    inner.head.resize(static_cast<size_t>(got));
    size_t first = inner.head.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (inner.head[first] == '{' || inner.head[first] == '[')) {
      std::string text = std::move(inner.head);
      char buf[kChunk];
      while ((got = archive_read_data(outer.get(), buf, sizeof buf)) > 0) {
        text.append(buf, got);
        if (text.size() > kMaxJsonBlob)
          return Status::TooLarge(name + " is too large for a JSON blob");
      }
      json_blobs[name] = std::move(text);
      continue;
    }
    if (name == "oci-layout" || name == "VERSION" || name == "repositories") continue;
    ParsedBlob parsed;
    parsed.layer.blob = name;
    std::string error;
    if (!ReadLayerBlob(&inner, &parsed, &error)) continue;
    if (!error.empty()) return Status::InvalidArgument("layer " + name + ": " + error);
    if (parsed.layer.compressed_size_bytes) {
      parsed.layer.compressed_size_bytes = static_cast<uint64_t>(archive_entry_size(entry));
    }
    layer_blobs[name] = std::move(parsed);
  }

  auto resolve_blob = [&](std::string name) {
    for (int i = 0; i < 8 && aliases.count(name); ++i) name = aliases[name];
    return name;
  };
  Image image;
  std::string config_name;
  std::vector<std::string> layer_names;
  try {
    if (json_blobs.count("manifest.json")) {
      nlohmann::json m = nlohmann::json::parse(json_blobs["manifest.json"]);
      if (!m.is_array() || m.empty())
        return Status::InvalidArgument("manifest.json names no image");
      const nlohmann::json& first = m[0];
      config_name = NormalisePath(first.value("Config", ""));
      for (const auto& l : first.value("Layers", nlohmann::json::array())) {
        layer_names.push_back(NormalisePath(l.get<std::string>()));
      }
      for (const auto& t : first.value("RepoTags", nlohmann::json::array())) {
        if (t.is_string()) image.repo_tags.push_back(t.get<std::string>());
      }
    } else if (json_blobs.count("index.json")) {
      nlohmann::json index = nlohmann::json::parse(json_blobs["index.json"]);
      // Follow nested indexes to the first image manifest (linux/amd64 preferred).
      for (int depth = 0; depth < 4 && index.contains("manifests"); ++depth) {
        const nlohmann::json* pick = nullptr;
        for (const auto& d : index["manifests"]) {
          if (!pick) pick = &d;
          if (d.contains("platform") && d["platform"].value("architecture", "") == "amd64") {
            pick = &d;
            break;
          }
        }
        if (!pick) return Status::InvalidArgument("index.json names no manifest");
        std::string blob = DigestToBlob(pick->value("digest", ""));
        if (!json_blobs.count(blob))
          return Status::InvalidArgument("manifest blob " + blob + " missing");
        index = nlohmann::json::parse(json_blobs[blob]);
      }
      config_name = DigestToBlob(index["config"].value("digest", ""));
      for (const auto& l : index.value("layers", nlohmann::json::array())) {
        layer_names.push_back(DigestToBlob(l.value("digest", "")));
      }
    } else {
      return Status::InvalidArgument("the archive has neither manifest.json nor index.json");
    }
    config_name = resolve_blob(config_name);
    if (!json_blobs.count(config_name))
      return Status::InvalidArgument("config " + config_name + " missing");
    nlohmann::json config = nlohmann::json::parse(json_blobs[config_name]);
    std::string_view base = BaseName(config_name);
    image.id = std::string("sha256:") +
               std::string(base.ends_with(".json") ? base.substr(0, base.size() - 5) : base);
    image.os = config.value("os", "");
    image.architecture = config.value("architecture", "");
    std::vector<std::string> diff_ids;
    if (config.contains("rootfs")) {
      for (const auto& d : config["rootfs"].value("diff_ids", nlohmann::json::array()))
        diff_ids.push_back(d);
    }
    std::vector<std::string> instructions;
    for (const auto& h : config.value("history", nlohmann::json::array())) {
      if (h.value("empty_layer", false)) continue;
      // Imported layers have no instruction; their comment ("Imported from -") says what made them.
      std::string by = h.value("created_by", "");
      instructions.push_back(by.empty() ? h.value("comment", "") : by);
    }
    for (size_t i = 0; i < layer_names.size(); ++i) {
      std::string name = resolve_blob(layer_names[i]);
      auto it = layer_blobs.find(name);
      if (it == layer_blobs.end())
        return Status::InvalidArgument("layer blob " + name + " missing");
      Layer layer = it->second.layer;
      if (i < diff_ids.size()) layer.diff_id = diff_ids[i];
      if (i < instructions.size()) layer.created_by = instructions[i];
      image.layers.push_back(std::move(layer));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("image metadata: ") + e.what());
  }

  // The final state of the captured files: layers stacked bottom up, whiteouts applied.
  std::map<std::string, Captured> stacked;
  for (const std::string& raw : layer_names) {
    const ParsedBlob& blob = layer_blobs[resolve_blob(raw)];
    for (const std::string& dir : blob.layer.opaque_dirs) ErasePrefix(&stacked, dir);
    for (const std::string& path : blob.layer.whiteouts) ErasePrefix(&stacked, path);
    for (const auto& [path, c] : blob.captured) stacked[path] = c;
  }
  for (const auto& [path, c] : stacked) {
    const Captured* cur = &c;
    std::string at = path;
    for (int hops = 0; cur && cur->is_link && hops < 8; ++hops) {
      at = ResolveLink(at, cur->data);
      auto it = stacked.find(at);
      cur = it == stacked.end() ? nullptr : &it->second;
    }
    if (cur && !cur->is_link) image.files[path] = cur->data;
  }
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
