// Reads one layer tar of an image archive with libarchive (see layer_reader.h).
#include "layer_reader.h"

#include <archive_entry.h>

namespace slipway::insight {
namespace {

la_ssize_t LayerRead(archive*, void* client, const void** out) {
  auto* feed = static_cast<LayerFeed*>(client);
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

// Records a whiteout marker (".wh.NAME" deletes NAME, ".wh..wh..opq" hides its directory's lower
// contents). False when `path` is not a marker.
bool RecordWhiteout(const std::string& path, Layer* layer) {
  std::string_view base = BaseName(path);
  if (!base.starts_with(".wh.")) return false;
  if (base == ".wh..wh..opq") {
    layer->opaque_dirs.push_back(DirName(path));
  } else if (!base.starts_with(".wh..wh.")) {
    std::string dir = DirName(path);
    std::string target(base.substr(4));
    layer->whiteouts.push_back(dir.empty() ? target : dir + "/" + target);
  }
  return true;
}

EntryType TypeOf(archive_entry* entry) {
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
      return EntryType::kFile;
    case AE_IFDIR:
      return EntryType::kDirectory;
    case AE_IFLNK:
      return EntryType::kSymlink;
    default:
      return EntryType::kOther;
  }
}

FileEntry EntryOf(archive_entry* entry, std::string path) {
  FileEntry f;
  f.path = std::move(path);
  f.mode = archive_entry_perm(entry);
  if (const char* hard = archive_entry_hardlink(entry)) {
    f.type = EntryType::kHardlink;
    f.link_target = NormalisePath(hard);
    return f;
  }
  f.type = TypeOf(entry);
  if (f.type == EntryType::kSymlink) {
    if (const char* target = archive_entry_symlink(entry)) f.link_target = target;
  }
  if (f.type == EntryType::kFile) f.size = static_cast<uint64_t>(archive_entry_size(entry));
  return f;
}

// A captured file's contents (read from the tar's current entry), or where its link leads.
Captured Capture(archive* in, const FileEntry& f) {
  Captured c;
  if (f.type == EntryType::kSymlink) {
    c.is_link = true;
    c.data = f.link_target;
  } else if (f.type == EntryType::kHardlink) {
    c.is_link = true;
    c.data = "/" + f.link_target;
  } else {
    char buf[kArchiveChunk];
    la_ssize_t got;
    while ((got = archive_read_data(in, buf, sizeof buf)) > 0) c.data.append(buf, got);
  }
  return c;
}

bool IsCapturable(const FileEntry& f) {
  return (f.type == EntryType::kFile || f.type == EntryType::kSymlink ||
          f.type == EntryType::kHardlink) &&
         IsCapturedPath(f.path);
}

void AddEntry(archive* in, archive_entry* entry, ParsedBlob* blob) {
  const char* raw_name = archive_entry_pathname(entry);
  if (!raw_name) return;
  std::string path = NormalisePath(raw_name);
  if (path.empty() || RecordWhiteout(path, &blob->layer)) return;
  FileEntry f = EntryOf(entry, path);
  blob->layer.size_bytes += f.size;
  if (IsCapturable(f)) blob->captured[path] = Capture(in, f);
  blob->layer.files.push_back(std::move(f));
}

// The uncompressed tar's length, and the compressed one when a filter (gzip, zstd) was used.
void RecordStreamSizes(archive* in, Layer* layer) {
  layer->tar_bytes = static_cast<uint64_t>(archive_filter_bytes(in, 0));
  if (archive_filter_count(in) > 1 && archive_filter_code(in, 0) != ARCHIVE_FILTER_NONE) {
    layer->compressed_size_bytes = static_cast<uint64_t>(archive_filter_bytes(in, -1));
  }
}

}  // namespace

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

Result<std::optional<ParsedBlob>> ReadLayerBlob(LayerFeed* feed) {
  ArchivePtr in(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  if (archive_read_open(in.get(), feed, nullptr, LayerRead, nullptr) != ARCHIVE_OK) {
    return std::optional<ParsedBlob>();
  }
  ParsedBlob blob;
  archive_entry* entry = nullptr;
  for (bool first = true;; first = false) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_FATAL) {
      if (first) return std::optional<ParsedBlob>();  // not a tar
      const char* error = archive_error_string(in.get());
      return Status::InvalidArgument(error ? error : "bad layer tar");
    }
    AddEntry(in.get(), entry, &blob);
  }
  RecordStreamSizes(in.get(), &blob.layer);
  return std::optional<ParsedBlob>(std::move(blob));
}

}  // namespace slipway::insight
