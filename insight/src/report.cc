// JSON forms of the insight report and the CycloneDX SBOM (see report.h).
#include "insight/report.h"

#include <cstdio>
#include <map>

#include "common/strings.h"

namespace slipway::insight {
namespace {

using nlohmann::json;

json SizedList(const std::vector<SizedPath>& paths) {
  json out = json::array();
  for (const SizedPath& p : paths)
    out.push_back({{"path", "/" + p.path}, {"size_bytes", p.size_bytes}});
  return out;
}

}  // namespace

std::string PackageUrl(const Package& p, const OsRelease& os) {
  switch (p.type) {
    case PackageType::kDeb: {
      std::string vendor = os.id.empty() ? "debian" : os.id;
      std::string url =
          "pkg:deb/" + vendor + "/" + PercentEncode(p.name) + "@" + PercentEncode(p.version);
      std::string q;
      if (!p.architecture.empty()) q += "arch=" + PercentEncode(p.architecture);
      if (!os.version_id.empty())
        q += std::string(q.empty() ? "" : "&") + "distro=" + vendor + "-" + os.version_id;
      return q.empty() ? url : url + "?" + q;
    }
    case PackageType::kApk: {
      std::string vendor = os.id.empty() ? "alpine" : os.id;
      std::string url =
          "pkg:apk/" + vendor + "/" + PercentEncode(p.name) + "@" + PercentEncode(p.version);
      std::string q;
      if (!p.architecture.empty()) q += "arch=" + PercentEncode(p.architecture);
      if (!os.version_id.empty())
        q += std::string(q.empty() ? "" : "&") + "distro=" + vendor + "-" + os.version_id;
      return q.empty() ? url : url + "?" + q;
    }
    case PackageType::kPython:
      return "pkg:pypi/" + PercentEncode(NormalisePythonName(p.name)) + "@" + PercentEncode(p.version);
  }
  return "";
}

json ToJson(const Analysis& a) {
  json j;
  j["id"] = a.image_id;
  j["size_bytes"] = a.size_bytes;
  if (a.compressed_size_bytes) j["compressed_size_bytes"] = *a.compressed_size_bytes;
  j["efficiency"] = a.efficiency;
  j["wasted_bytes"] = a.wasted_bytes;
  j["layers"] = json::array();
  for (const LayerSummary& l : a.layers) {
    json lj = {{"diff_id", l.diff_id},
               {"created_by", l.created_by},
               {"size_bytes", l.size_bytes},
               {"files", l.files},
               {"whiteouts", l.whiteouts}};
    if (l.compressed_size_bytes) lj["compressed_size_bytes"] = *l.compressed_size_bytes;
    j["layers"].push_back(std::move(lj));
  }
  j["wasted"] = json::array();
  for (const WastedPath& w : a.wasted) {
    j["wasted"].push_back(
        {{"path", "/" + w.path}, {"occurrences", w.occurrences}, {"wasted_bytes", w.wasted_bytes}});
  }
  j["largest_files"] = SizedList(a.largest_files);
  j["largest_dirs"] = SizedList(a.largest_dirs);
  return j;
}

json ToJson(const Package& p, const OsRelease& os) {
  json j = {{"type", PackageTypeName(p.type)},
            {"name", p.name},
            {"version", p.version},
            {"purl", PackageUrl(p, os)},
            {"location", p.location}};
  if (p.source_name != p.name || p.source_version != p.version) {  // deb source, apk origin
    j["source_name"] = p.source_name;
    j["source_version"] = p.source_version;
  }
  if (!p.architecture.empty()) j["architecture"] = p.architecture;
  return j;
}

json ToJson(const Finding& f) {
  return {{"id", f.id},
          {"aliases", f.aliases},
          {"package", f.package},
          {"installed_version", f.installed_version},
          {"fixed_version", f.fixed_version},
          {"severity", SeverityName(f.severity)},
          {"source", f.source}};
}

json ToJson(const std::vector<Finding>& findings) {
  json out = json::array();
  for (const Finding& f : findings) out.push_back(ToJson(f));
  return out;
}

json SeverityCounts(const std::vector<Finding>& findings) {
  json counts = {{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"unknown", 0}};
  for (const Finding& f : findings) {
    json& n = counts[std::string(SeverityName(f.severity))];
    n = n.get<int>() + 1;
  }
  return counts;
}

json ToJson(const Comparison& c) {
  json j = {{"size_delta_bytes", c.size_delta_bytes}, {"size_delta_percent", c.size_delta_percent}};
  j["layers"] = json::array();
  for (const LayerChange& l : c.layers) {
    j["layers"].push_back({{"change", LayerChangeName(l.kind)},
                           {"created_by", l.created_by},
                           {"before_bytes", l.before_bytes},
                           {"after_bytes", l.after_bytes}});
  }
  return j;
}

json ToJson(const ImageReport& r) {
  json j = ToJson(r.analysis);
  j["image"] = r.image_ref;
  j["os"] = {{"id", r.inventory.os.id},
             {"version_id", r.inventory.os.version_id},
             {"pretty_name", r.inventory.os.pretty_name}};
  j["packages"] = json::array();
  for (const Package& p : r.inventory.packages) j["packages"].push_back(ToJson(p, r.inventory.os));
  j["vulnerabilities"] = ToJson(r.vulnerabilities);
  j["severity_counts"] = SeverityCounts(r.vulnerabilities);
  return j;
}

json CycloneDxSbom(const ImageReport& r) {
  json bom;
  bom["bomFormat"] = "CycloneDX";
  bom["specVersion"] = "1.5";
  bom["version"] = 1;
  std::string id = r.analysis.image_id;
  if (id.starts_with("sha256:") && id.size() == 71) {
    // A stable serial number per image: a UUID-shaped slice of its digest.
    std::string h = id.substr(7);
    bom["serialNumber"] = "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" +
                          h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
  }
  json image = {{"type", "container"},
                {"bom-ref", id.empty() ? "image" : id},
                {"name", r.image_ref.empty() ? id : r.image_ref}};
  if (!id.empty()) image["version"] = id;
  bom["metadata"] = {
      {"component", image},
      {"tools", {{"components", json::array({{{"type", "application"}, {"name", "slipway"}}})}}}};
  json components = json::array();
  if (r.inventory.os.known()) {
    components.push_back({{"type", "operating-system"},
                          {"bom-ref", "os:" + r.inventory.os.id + "@" + r.inventory.os.version_id},
                          {"name", r.inventory.os.id},
                          {"version", r.inventory.os.version_id},
                          {"description", r.inventory.os.pretty_name}});
  }
  std::map<std::string, int> refs;
  for (const Package& p : r.inventory.packages) {
    std::string purl = PackageUrl(p, r.inventory.os);
    std::string ref = purl;
    if (refs[purl]++) ref += "#" + std::to_string(refs[purl]);  // bom-refs must be unique
    json c = {{"type", p.type == PackageType::kPython ? "library" : "application"},
              {"bom-ref", ref},
              {"name", p.name},
              {"version", p.version},
              {"purl", purl}};
    json props = json::array();
    props.push_back({{"name", "slipway:package:type"}, {"value", PackageTypeName(p.type)}});
    props.push_back({{"name", "slipway:package:location"}, {"value", p.location}});
    if (p.type == PackageType::kDeb && p.source_name != p.name) {
      props.push_back({{"name", "slipway:package:source_name"}, {"value", p.source_name}});
    }
    c["properties"] = props;
    components.push_back(std::move(c));
  }
  bom["components"] = components;
  return bom;
}

}  // namespace slipway::insight
