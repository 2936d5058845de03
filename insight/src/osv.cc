// OSV record matching and database reading (see osv.h).
#include "insight/osv.h"

#include <archive.h>
#include <archive_entry.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <sstream>

#include "insight/version.h"

namespace slipway::insight {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar:
      return node.Scalar();
    default:
      return nullptr;
  }
}

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Severity RecordSeverity(const json& record, const json& affected) {
  for (const json* scope : {&affected, &record}) {
    for (const char* holder : {"ecosystem_specific", "database_specific"}) {
      auto it = scope->find(holder);
      if (it != scope->end() && it->is_object()) {
        Severity s = ParseSeverity(Text(*it, "severity"));
        if (s != Severity::kUnknown) return s;
      }
    }
  }
  double best = -1;
  for (const json* scope : {&affected, &record}) {
    auto it = scope->find("severity");
    if (it == scope->end() || !it->is_array()) continue;
    for (const json& s : *it) {
      std::string type = Text(s, "type");
      if (type == "CVSS_V3" || type == "CVSS_V31" || type == "CVSS_V30") {
        best = std::max(best, CvssV3BaseScore(Text(s, "score")));
      }
    }
  }
  return best >= 0 ? SeverityFromScore(best) : Severity::kUnknown;
}

struct Query {
  std::string name;     // as matched: source package (Debian), PEP 503 name (PyPI), name (Alpine)
  std::string version;  // as matched: source version for Debian
  VersionScheme scheme;
};

// Whether q's version is affected by one entry; *fixed gets the next fixed version.
bool Affected(const OsvAffected& affected, const Query& q, std::string* fixed) {
  auto cmp = [&](const std::string& a, const std::string& b) {
    return CompareVersions(q.scheme, a, b);
  };
  bool hit = false;
  for (const std::string& v : affected.versions) {
    if (v == q.version || cmp(v, q.version) == 0) hit = true;
  }
  for (std::vector<OsvAffected::Event> events : affected.ranges) {
    using Event = OsvAffected::Event;
    std::stable_sort(events.begin(), events.end(), [&](const Event& a, const Event& b) {
      bool a0 = a.version == "0", b0 = b.version == "0";
      if (a0 || b0) return a0 && !b0;
      return cmp(a.version, b.version) < 0;
    });
    bool vulnerable = false;
    for (const Event& e : events) {
      if (e.kind == "introduced") {
        if (e.version == "0" || cmp(q.version, e.version) >= 0) vulnerable = true;
      } else if (e.kind == "fixed") {
        if (cmp(q.version, e.version) >= 0) vulnerable = false;
      } else if (e.kind == "last_affected") {
        if (cmp(q.version, e.version) > 0) vulnerable = false;
      }
    }
    if (!vulnerable) continue;
    hit = true;
    for (const Event& e : events) {
      if (e.kind == "fixed" && cmp(e.version, q.version) > 0) {
        if (fixed->empty() || cmp(e.version, *fixed) < 0) *fixed = e.version;
        break;
      }
    }
  }
  return hit;
}

OsvAffected AffectedOf(const json& record, const json& affected, const std::string& id,
                       const std::vector<std::string>& aliases) {
  OsvAffected out;
  out.id = id;
  out.aliases = aliases;
  out.severity = RecordSeverity(record, affected);
  auto versions = affected.find("versions");
  if (versions != affected.end() && versions->is_array()) {
    for (const json& v : *versions) {
      if (v.is_string()) out.versions.push_back(v.get<std::string>());
    }
  }
  auto ranges = affected.find("ranges");
  if (ranges == affected.end() || !ranges->is_array()) return out;
  for (const json& range : *ranges) {
    std::string type = Text(range, "type");
    if (type != "ECOSYSTEM" && type != "SEMVER") continue;
    auto events = range.find("events");
    if (events == range.end() || !events->is_array()) continue;
    std::vector<OsvAffected::Event> list;
    for (const json& e : *events) {
      if (!e.is_object()) continue;
      for (const char* kind : {"introduced", "fixed", "last_affected", "limit"}) {
        auto it = e.find(kind);
        if (it != e.end() && it->is_string()) list.push_back({kind, it->get<std::string>()});
      }
    }
    out.ranges.push_back(std::move(list));
  }
  return out;
}

// "ecosystem\nname": names compared the way the ecosystem compares them.
std::string PackageKey(std::string_view ecosystem, std::string_view name) {
  std::string key(ecosystem);
  key += '\n';
  key += ecosystem == "PyPI" ? NormalisePythonName(name) : std::string(name);
  return key;
}

std::string MajorMinor(const std::string& version) {
  size_t end = 0;
  int dots = 0;
  while (end < version.size() && (std::isdigit(static_cast<unsigned char>(version[end])) ||
                                  (version[end] == '.' && ++dots < 2))) {
    ++end;
  }
  return version.substr(0, end);
}

// Parses one record's text (JSON, or YAML when the name says so). nullopt when unreadable.
std::optional<json> ParseRecord(const std::string& name, const std::string& text) {
  try {
    if (name.size() > 5 && (name.ends_with(".yaml") || name.ends_with(".yml"))) {
      return YamlToJson(YAML::Load(text));
    }
    return json::parse(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool IsRecordName(const std::string& name) {
  return name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml");
}

// Feeds every record of an osv.dev-style zip to add (name, text); *skipped counts unreadable entries.
template <typename AddFn>
Status ReadZip(const std::string& path, AddFn add, size_t* skipped) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::InvalidArgument("cannot read " + path + ": " + archive_error_string(a.get()));
  }
  archive_entry* entry = nullptr;
  std::string text;
  char buf[1 << 16];
  while (true) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return Status::InvalidArgument("reading " + path + ": " + archive_error_string(a.get()));
    }
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (archive_entry_filetype(entry) != AE_IFREG || !IsRecordName(name)) continue;
    text.clear();
    la_ssize_t got;
    while ((got = archive_read_data(a.get(), buf, sizeof buf)) > 0) text.append(buf, got);
    if (got < 0) {
      ++*skipped;
      continue;
    }
    add(name, text);
  }
  return Status::Ok();
}

std::string ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The database's files (records and zips), sorted: db_path itself when it is a file.
Result<std::vector<fs::path>> DatabaseFiles(const std::string& db_path) {
  std::error_code ec;
  if (!fs::exists(db_path, ec)) return Status::NotFound("no OSV database at " + db_path);
  if (!fs::is_directory(db_path, ec)) return std::vector<fs::path>{db_path};
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(db_path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_regular_file(ec) && (name.ends_with(".zip") || IsRecordName(name))) files.push_back(it->path());
  }
  if (ec) return Status::Unavailable("listing " + db_path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

// Debian's releases as distro-info-data (debian.csv) numbers them.
constexpr std::pair<std::string_view, std::string_view> kDebianReleases[] = {
    {"buzz", "1.1"},     {"rex", "1.2"},     {"bo", "1.3"},       {"hamm", "2.0"},
    {"slink", "2.1"},    {"potato", "2.2"},  {"woody", "3.0"},    {"sarge", "3.1"},
    {"etch", "4.0"},     {"lenny", "5.0"},   {"squeeze", "6.0"},  {"wheezy", "7"},
    {"jessie", "8"},     {"stretch", "9"},   {"buster", "10"},    {"bullseye", "11"},
    {"bookworm", "12"},  {"trixie", "13"},   {"forky", "14"},     {"duke", "15"}};

}  // namespace

std::string DebianReleaseOfCodename(std::string_view codename) {
  for (const auto& [name, release] : kDebianReleases) {
    if (name == codename) return std::string(release);
  }
  return "";
}

std::string OsvEcosystem(const PackageInventory& inventory, PackageType type) {
  const OsRelease& os = inventory.os;
  switch (type) {
    case PackageType::kPython:
      return "PyPI";
    case PackageType::kDeb: {
      // A stable release's VERSION_ID is its number ("12"; OSV names it so); testing says only
      // its codename. Releases before 7 had points ("3.1"), and so does the codename table.
      std::string release = DebianReleaseOfCodename(os.version_codename);
      if (release.empty() && !os.version_id.empty()) release = os.version_id.substr(0, os.version_id.find('.'));
      return release.empty() ? "Debian" : "Debian:" + release;
    }
    case PackageType::kApk: {
      std::string major_minor = MajorMinor(os.version_id);
      return major_minor.empty() ? "Alpine" : "Alpine:v" + major_minor;
    }
  }
  return "";
}

bool OsvIndex::Add(const json& record) {
  if (!record.is_object()) return false;
  auto affected_list = record.find("affected");
  if (affected_list == record.end() || !affected_list->is_array()) return true;
  std::string id = Text(record, "id");
  std::vector<std::string> aliases;
  auto alias_list = record.find("aliases");
  if (alias_list != record.end() && alias_list->is_array()) {
    for (const json& a : *alias_list) {
      if (a.is_string() && a.get<std::string>() != id) aliases.push_back(a.get<std::string>());
    }
  }
  for (const json& affected : *affected_list) {
    if (!affected.is_object()) continue;
    auto pkg = affected.find("package");
    if (pkg == affected.end() || !pkg->is_object()) continue;
    std::string ecosystem = Text(*pkg, "ecosystem"), name = Text(*pkg, "name");
    if (ecosystem.empty() || name.empty()) continue;
    by_package_[PackageKey(ecosystem, name)].push_back(static_cast<uint32_t>(entries_.size()));
    entries_.push_back(AffectedOf(record, affected, id, aliases));
  }
  return true;
}

std::vector<Finding> OsvIndex::Scan(const PackageInventory& inventory) const {
  std::vector<Finding> out;
  std::set<std::tuple<std::string, std::string, std::string>> seen;  // (id, package, version)
  for (const Package& p : inventory.packages) {
    Query q;
    std::vector<std::string> names;
    switch (p.type) {
      case PackageType::kDeb:
        q = {p.source_name, p.source_version, VersionScheme::kDpkg};
        names = {p.source_name};
        break;
      case PackageType::kApk:
        q = {p.name, p.version, VersionScheme::kApk};
        names = {p.name};
        if (p.source_name != p.name && !p.source_name.empty()) names.push_back(p.source_name);
        break;
      case PackageType::kPython:
        q = {p.name, p.version, VersionScheme::kPep440};
        names = {p.name};
        break;
    }
    // The image's release, and records that name the ecosystem without one.
    std::string ecosystem = OsvEcosystem(inventory, p.type);
    std::vector<std::string> ecosystems = {ecosystem};
    if (size_t colon = ecosystem.find(':'); colon != std::string::npos) ecosystems.push_back(ecosystem.substr(0, colon));
    for (const std::string& e : ecosystems) {
      for (const std::string& name : names) {
        auto bucket = by_package_.find(PackageKey(e, name));
        if (bucket == by_package_.end()) continue;
        for (uint32_t i : bucket->second) {
          const OsvAffected& a = entries_[i];
          Query matched = q;
          if (p.type == PackageType::kApk) matched.name = name;
          std::string fixed;
          if (!Affected(a, matched, &fixed)) continue;
          if (!seen.insert({a.id, matched.name, matched.version}).second) continue;
          out.push_back({a.id, a.aliases, matched.name, matched.version, fixed, a.severity, "osv"});
        }
      }
    }
  }
  SortFindings(&out);
  return out;
}

Result<std::shared_ptr<const OsvIndex>> OsvIndex::Load(const std::string& db_path) {
  auto version = OsvDatabaseVersion(db_path);
  if (!version.ok()) return version.status();
  auto files = DatabaseFiles(db_path);
  if (!files.ok()) return files.status();
  auto index = std::make_shared<OsvIndex>();
  index->version_ = *version;
  auto add = [&](const std::string& name, const std::string& text) {
    std::optional<json> record = ParseRecord(name, text);
    if (!record || !index->Add(*record)) ++index->skipped_;
  };
  for (const fs::path& path : *files) {
    std::string name = path.filename().string();
    if (name.ends_with(".zip")) {
      if (Status s = ReadZip(path.string(), add, &index->skipped_); !s.ok()) return s;
    } else {
      add(name, ReadWhole(path));
    }
  }
  return std::shared_ptr<const OsvIndex>(std::move(index));
}

Result<std::shared_ptr<const OsvIndex>> OsvIndexCache::Current() {
  // Checked on every call: listing the files is cheap beside reading them.
  auto version = OsvDatabaseVersion(db_path_);
  if (!version.ok()) return version.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (index_ && index_->version() == *version) return index_;
  auto loaded = OsvIndex::Load(db_path_);
  if (!loaded.ok()) return loaded.status();
  index_ = *loaded;
  return index_;
}

Result<std::string> OsvDatabaseVersion(const std::string& db_path) {
  auto files = DatabaseFiles(db_path);
  if (!files.ok()) return files.status();
  uintmax_t bytes = 0;
  int64_t latest = 0;
  for (const fs::path& p : *files) {
    std::error_code ec;
    bytes += fs::file_size(p, ec);
    auto t = fs::last_write_time(p, ec).time_since_epoch();
    latest = std::max<int64_t>(latest, std::chrono::duration_cast<std::chrono::nanoseconds>(t).count());
  }
  return "files=" + std::to_string(files->size()) + ";bytes=" + std::to_string(bytes) +
         ";mtime=" + std::to_string(latest);
}

Result<std::vector<Finding>> ScanWithOsv(const std::string& db_path,
                                         const PackageInventory& inventory, size_t* skipped) {
  auto index = OsvIndex::Load(db_path);
  if (!index.ok()) return index.status();
  if (skipped) *skipped = (*index)->skipped();
  return (*index)->Scan(inventory);
}

}  // namespace slipway::insight
