// Reading the insight report back from its JSON form (report.h): the server stores what agents
// send and compares, gates and exports it later.
#include <string>

#include "insight/report.h"

namespace slipway::insight {
namespace {

using nlohmann::json;

// Field readers that name the path of the first field that is wrong, e.g. "layers[2].size_bytes".
class FieldReader {
 public:
  FieldReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  Status String(const char* key, std::string* out, bool required = true) const {
    auto it = j_.find(key);
    if (it == j_.end()) return required ? Missing(key) : Status::Ok();
    if (!it->is_string()) return Wrong(key, "a string");
    *out = it->get<std::string>();
    return Status::Ok();
  }
  Status Count(const char* key, uint64_t* out, bool required = true) const {
    auto it = j_.find(key);
    if (it == j_.end()) return required ? Missing(key) : Status::Ok();
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
      return Wrong(key, "a count");
    }
    *out = it->get<uint64_t>();
    return Status::Ok();
  }
  Status OptionalCount(const char* key, std::optional<uint64_t>* out) const {
    if (!j_.contains(key)) return Status::Ok();
    uint64_t v = 0;
    if (Status s = Count(key, &v); !s.ok()) return s;
    *out = v;
    return Status::Ok();
  }
  Status Number(const char* key, double* out) const {
    auto it = j_.find(key);
    if (it == j_.end()) return Missing(key);
    if (!it->is_number()) return Wrong(key, "a number");
    *out = it->get<double>();
    return Status::Ok();
  }
  // The array at key (an empty one when absent), or an error when it is not an array.
  Result<const json*> Array(const char* key) const {
    static const json kEmpty = json::array();
    auto it = j_.find(key);
    if (it == j_.end()) return &kEmpty;
    if (!it->is_array()) return Wrong(key, "an array");
    return &*it;
  }
  std::string Path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  Status Missing(const char* key) const { return Status::InvalidArgument(Path(key) + " is missing"); }
  Status Wrong(const char* key, const char* what) const {
    return Status::InvalidArgument(Path(key) + " must be " + what);
  }
  const json& j_;
  std::string path_;
};

// Calls read(element, path) for each element of the array at key, which must hold objects.
template <typename F>
Status ForEachObject(const FieldReader& r, const char* key, F read) {
  auto array = r.Array(key);
  if (!array.ok()) return array.status();
  size_t i = 0;
  for (const json& e : **array) {
    std::string path = r.Path(key) + "[" + std::to_string(i++) + "]";
    if (!e.is_object()) return Status::InvalidArgument(path + " must be an object");
    if (Status s = read(e, path); !s.ok()) return s;
  }
  return Status::Ok();
}

// ToJson writes paths with a leading "/"; the model keeps them without.
std::string ModelPath(std::string path) { return path.starts_with('/') ? path.substr(1) : path; }

Status ReadSizedList(const FieldReader& r, const char* key, std::vector<SizedPath>* out) {
  return ForEachObject(r, key, [&](const json& e, const std::string& path) {
    FieldReader f(e, path);
    SizedPath p;
    if (Status s = f.String("path", &p.path); !s.ok()) return s;
    if (Status s = f.Count("size_bytes", &p.size_bytes); !s.ok()) return s;
    p.path = ModelPath(p.path);
    out->push_back(std::move(p));
    return Status::Ok();
  });
}

Status ReadAnalysis(const FieldReader& r, Analysis* a) {
  if (Status s = r.String("id", &a->image_id); !s.ok()) return s;
  if (Status s = r.Count("size_bytes", &a->size_bytes); !s.ok()) return s;
  if (Status s = r.OptionalCount("compressed_size_bytes", &a->compressed_size_bytes); !s.ok()) return s;
  if (Status s = r.Number("efficiency", &a->efficiency); !s.ok()) return s;
  if (Status s = r.Count("wasted_bytes", &a->wasted_bytes); !s.ok()) return s;
  Status s = ForEachObject(r, "layers", [&](const json& e, const std::string& path) {
    FieldReader f(e, path);
    LayerSummary l;
    for (Status t : {f.String("diff_id", &l.diff_id), f.String("created_by", &l.created_by),
                     f.Count("size_bytes", &l.size_bytes), f.OptionalCount("compressed_size_bytes", &l.compressed_size_bytes),
                     f.Count("files", &l.files, false), f.Count("whiteouts", &l.whiteouts, false)}) {
      if (!t.ok()) return t;
    }
    a->layers.push_back(std::move(l));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  s = ForEachObject(r, "wasted", [&](const json& e, const std::string& path) {
    FieldReader f(e, path);
    WastedPath w;
    for (Status t : {f.String("path", &w.path), f.Count("occurrences", &w.occurrences),
                     f.Count("wasted_bytes", &w.wasted_bytes)}) {
      if (!t.ok()) return t;
    }
    w.path = ModelPath(w.path);
    a->wasted.push_back(std::move(w));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (Status t = ReadSizedList(r, "largest_files", &a->largest_files); !t.ok()) return t;
  return ReadSizedList(r, "largest_dirs", &a->largest_dirs);
}

Result<PackageType> PackageTypeFromName(const std::string& name, const std::string& path) {
  for (PackageType t : {PackageType::kDeb, PackageType::kApk, PackageType::kPython}) {
    if (PackageTypeName(t) == name) return t;
  }
  return Status::InvalidArgument(path + ".type must be deb, apk or python, not '" + name + "'");
}

Status ReadPackages(const FieldReader& r, PackageInventory* inventory) {
  return ForEachObject(r, "packages", [&](const json& e, const std::string& path) {
    FieldReader f(e, path);
    Package p;
    std::string type;
    for (Status t : {f.String("type", &type), f.String("name", &p.name), f.String("version", &p.version),
                     f.String("source_name", &p.source_name, false),
                     f.String("source_version", &p.source_version, false),
                     f.String("architecture", &p.architecture, false), f.String("location", &p.location, false)}) {
      if (!t.ok()) return t;
    }
    auto parsed = PackageTypeFromName(type, path);
    if (!parsed.ok()) return parsed.status();
    p.type = *parsed;
    if (p.source_name.empty()) p.source_name = p.name;
    if (p.source_version.empty()) p.source_version = p.version;
    inventory->packages.push_back(std::move(p));
    return Status::Ok();
  });
}

}  // namespace

Result<Finding> FindingFromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a finding must be an object");
  FieldReader f(j, "");
  Finding out;
  std::string severity;
  for (Status t : {f.String("id", &out.id), f.String("package", &out.package),
                   f.String("installed_version", &out.installed_version),
                   f.String("fixed_version", &out.fixed_version, false), f.String("severity", &severity, false),
                   f.String("source", &out.source, false)}) {
    if (!t.ok()) return t;
  }
  auto aliases = f.Array("aliases");
  if (!aliases.ok()) return aliases.status();
  for (const json& a : **aliases) {
    if (!a.is_string()) return Status::InvalidArgument("aliases must hold strings");
    out.aliases.push_back(a.get<std::string>());
  }
  out.severity = ParseSeverity(severity);
  return out;
}

Result<ImageReport> ReportFromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("an image report must be an object");
  FieldReader r(j, "");
  ImageReport report;
  if (Status s = r.String("image", &report.image_ref, false); !s.ok()) return s;
  if (Status s = ReadAnalysis(r, &report.analysis); !s.ok()) return s;
  if (auto os = j.find("os"); os != j.end()) {
    if (!os->is_object()) return Status::InvalidArgument("os must be an object");
    FieldReader o(*os, "os");
    for (Status t : {o.String("id", &report.inventory.os.id, false),
                     o.String("version_id", &report.inventory.os.version_id, false),
                     o.String("pretty_name", &report.inventory.os.pretty_name, false)}) {
      if (!t.ok()) return t;
    }
  }
  if (Status s = ReadPackages(r, &report.inventory); !s.ok()) return s;
  Status s = ForEachObject(r, "vulnerabilities", [&](const json& e, const std::string& path) {
    auto finding = FindingFromJson(e);
    if (!finding.ok()) return finding.status().Annotate(path);
    report.vulnerabilities.push_back(std::move(*finding));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return report;
}

}  // namespace slipway::insight
