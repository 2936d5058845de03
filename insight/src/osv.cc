// OSV record matching and database reading (see osv.h).
#include "insight/osv.h"

#include <archive.h>
#include <archive_entry.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
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
  const Package* package;
  std::string name;     // as matched: source package (Debian), PEP 503 name (PyPI), name (Alpine)
  std::string version;  // as matched: source version for Debian
  VersionScheme scheme;
};

// Whether version is affected by one OSV "affected" entry; *fixed gets the next fixed version.
bool Affected(const json& affected, const Query& q, std::string* fixed) {
  auto cmp = [&](const std::string& a, const std::string& b) {
    return CompareVersions(q.scheme, a, b);
  };
  bool hit = false;
  auto versions = affected.find("versions");
  if (versions != affected.end() && versions->is_array()) {
    for (const json& v : *versions) {
      if (v.is_string() &&
          (v.get<std::string>() == q.version || cmp(v.get<std::string>(), q.version) == 0)) {
        hit = true;
      }
    }
  }
  auto ranges = affected.find("ranges");
  if (ranges == affected.end() || !ranges->is_array()) return hit;
  for (const json& range : *ranges) {
    std::string type = Text(range, "type");
    if (type != "ECOSYSTEM" && type != "SEMVER") continue;
    struct Event {
      std::string kind, version;
    };
    std::vector<Event> events;
    for (const json& e : range.value("events", json::array())) {
      for (const char* kind : {"introduced", "fixed", "last_affected", "limit"}) {
        if (e.contains(kind) && e[kind].is_string())
          events.push_back({kind, e[kind].get<std::string>()});
      }
    }
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

bool EcosystemMatches(const std::string& record_ecosystem, const std::string& ours) {
  if (record_ecosystem == ours) return true;
  size_t colon = ours.find(':');
  return colon != std::string::npos && record_ecosystem == ours.substr(0, colon);
}

std::string MajorMinor(const std::string& version) {
  size_t first = version.find('.');
  if (first == std::string::npos) return version;
  size_t second = version.find('.', first + 1);
  return version.substr(0, second);
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

class Scanner {
 public:
  explicit Scanner(const PackageInventory& inventory) : inventory_(inventory) {}

  void Add(const std::string& name, const std::string& text) {
    std::optional<json> record = ParseRecord(name, text);
    if (!record || !record->is_object()) {
      ++skipped_;
      return;
    }
    for (Finding& f : MatchOsvRecord(*record, inventory_)) findings_.push_back(std::move(f));
  }

  Status AddZip(const std::string& path) {
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
        ++skipped_;
        continue;
      }
      Add(name, text);
    }
    return Status::Ok();
  }

  std::vector<Finding> Take() {
    SortFindings(&findings_);
    return std::move(findings_);
  }
  size_t skipped() const { return skipped_; }

 private:
  const PackageInventory& inventory_;
  std::vector<Finding> findings_;
  size_t skipped_ = 0;
};

std::string ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string OsvEcosystem(const PackageInventory& inventory, PackageType type) {
  switch (type) {
    case PackageType::kPython:
      return "PyPI";
    case PackageType::kDeb:
      // Debian's VERSION_ID is the major release ("12"); OSV names the release the same way.
      return inventory.os.version_id.empty()
                 ? "Debian"
                 : "Debian:" + inventory.os.version_id.substr(0, inventory.os.version_id.find('.'));
    case PackageType::kApk:
      return inventory.os.version_id.empty() ? "Alpine"
                                             : "Alpine:v" + MajorMinor(inventory.os.version_id);
  }
  return "";
}

std::vector<Finding> MatchOsvRecord(const json& record, const PackageInventory& inventory) {
  std::vector<Finding> out;
  auto affected_list = record.find("affected");
  if (affected_list == record.end() || !affected_list->is_array()) return out;
  std::string id = Text(record, "id");
  std::vector<std::string> aliases;
  for (const json& a : record.value("aliases", json::array())) {
    if (a.is_string() && a.get<std::string>() != id) aliases.push_back(a.get<std::string>());
  }
  std::set<std::pair<std::string, std::string>> seen;  // (package, version) already reported
  for (const json& affected : *affected_list) {
    auto pkg = affected.find("package");
    if (pkg == affected.end() || !pkg->is_object()) continue;
    std::string ecosystem = Text(*pkg, "ecosystem");
    std::string name = Text(*pkg, "name");
    for (const Package& p : inventory.packages) {
      Query q{&p, "", "", VersionScheme::kDpkg};
      std::string ours = OsvEcosystem(inventory, p.type);
      if (!EcosystemMatches(ecosystem, ours)) continue;
      switch (p.type) {
        case PackageType::kDeb:
          if (p.source_name != name) continue;
          q = {&p, p.source_name, p.source_version, VersionScheme::kDpkg};
          break;
        case PackageType::kApk:
          if (p.name != name && p.source_name != name) continue;
          q = {&p, name, p.version, VersionScheme::kApk};
          break;
        case PackageType::kPython:
          if (NormalisePythonName(p.name) != NormalisePythonName(name)) continue;
          q = {&p, p.name, p.version, VersionScheme::kPep440};
          break;
      }
      std::string fixed;
      if (!Affected(affected, q, &fixed)) continue;
      if (!seen.insert({q.name, q.version}).second) continue;
      Finding f;
      f.id = id;
      f.aliases = aliases;
      f.package = q.name;
      f.installed_version = q.version;
      f.fixed_version = fixed;
      f.severity = RecordSeverity(record, affected);
      f.source = "osv";
      out.push_back(std::move(f));
    }
  }
  return out;
}

namespace {

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

}  // namespace

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
  auto files = DatabaseFiles(db_path);
  if (!files.ok()) return files.status();
  Scanner scanner(inventory);
  for (const fs::path& path : *files) {
    std::string name = path.filename().string();
    if (name.ends_with(".zip")) {
      if (Status s = scanner.AddZip(path.string()); !s.ok()) return s;
    } else {
      scanner.Add(name, ReadWhole(path));
    }
  }
  if (skipped) *skipped = scanner.skipped();
  return scanner.Take();
}

}  // namespace slipway::insight
