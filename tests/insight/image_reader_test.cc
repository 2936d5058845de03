// Image archives of known content, built here with libarchive in both layouts `docker save` writes
// (manifest.json, and an OCI index.json only), with plain, gzip and zstd layers: layers in order,
// instructions from the history, whiteouts and opaque directories applied, dive's efficiency.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "archive_writer.h"
#include "insight/analysis.h"
#include "insight/image.h"

namespace slipway::insight {
namespace {

using testing::Filter;
using testing::MakeArchive;
using testing::Sha256Hex;
using testing::TarItem;

struct Built {
  std::string archive;
  std::vector<std::string> diff_ids;
};

// Three layers: a base, a rewrite plus a whiteout, an opaque directory.
std::vector<std::vector<TarItem>> Layers() {
  return {
      {{"a.txt", std::string(100, 'a')},
       {"d/", "", 'd'},
       {"d/x", std::string(50, 'x')},
       {"d/y", std::string(30, 'y')},
       {"etc/", "", 'd'},
       {"etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"},
       {"var/lib/dpkg/status", "Package: old\nStatus: install ok installed\nVersion: 1.0\n"}},
      {{"a.txt", std::string(120, 'b')},
       {"d/.wh.y", ""},
       {"e", std::string(10, 'e')},
       {"var/lib/dpkg/.wh.status", ""}},
      {{"d/", "", 'd'}, {"d/.wh..wh..opq", ""}, {"d/z", std::string(5, 'z')}},
  };
}

Built BuildArchive(Filter filter, bool manifest_json, bool index_json) {
  Built b;
  std::vector<TarItem> outer;
  nlohmann::json oci_layers = nlohmann::json::array();
  std::vector<std::string> layer_paths;
  for (const auto& items : Layers()) {
    std::string plain = MakeArchive(items);
    std::string blob = MakeArchive(items, filter);
    b.diff_ids.push_back("sha256:" + Sha256Hex(plain));
    std::string path = "blobs/sha256/" + Sha256Hex(blob);
    outer.push_back({path, blob});
    layer_paths.push_back(path);
    oci_layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                          {"digest", "sha256:" + Sha256Hex(blob)},
                          {"size", blob.size()}});
  }
  nlohmann::json config = {{"architecture", "amd64"},
                           {"os", "linux"},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", b.diff_ids}}},
                           {"history",
                            {{{"created_by", "ADD base.tar /"}},
                             {{"created_by", "ENV X=1"}, {"empty_layer", true}},
                             {{"created_by", "RUN rewrite"}},
                             {{"created_by", "RUN opaque"}}}}};
  std::string config_text = config.dump();
  std::string config_path = "blobs/sha256/" + Sha256Hex(config_text);
  outer.push_back({config_path, config_text});
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"config", {{"digest", "sha256:" + Sha256Hex(config_text)}, {"size", config_text.size()}}},
      {"layers", oci_layers}};
  std::string manifest_text = manifest.dump();
  outer.push_back({"blobs/sha256/" + Sha256Hex(manifest_text), manifest_text});
  if (index_json) {
    nlohmann::json index = {{"schemaVersion", 2},
                            {"manifests", {{{"digest", "sha256:" + Sha256Hex(manifest_text)}}}}};
    outer.push_back({"index.json", index.dump()});
  }
  if (manifest_json) {
    nlohmann::json m = nlohmann::json::array(
        {{{"Config", config_path}, {"RepoTags", {"test:1"}}, {"Layers", layer_paths}}});
    outer.push_back({"manifest.json", m.dump()});
  }
  outer.push_back({"oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"});
  b.archive = MakeArchive(outer);
  return b;
}

Result<Image> ReadFromMemory(const std::string& data, size_t chunk) {
  size_t offset = 0;
  return ReadImageArchive([&](char* buf, size_t len) -> long {
    size_t n = std::min({len, chunk, data.size() - offset});
    std::memcpy(buf, data.data() + offset, n);
    offset += n;
    return static_cast<long>(n);
  });
}

void CheckImage(const Image& image, const Built& built, bool compressed) {
  REQUIRE(image.layers.size() == 3);
  CHECK(image.os == "linux");
  CHECK(image.layers[0].created_by == "ADD base.tar /");
  CHECK(image.layers[1].created_by == "RUN rewrite");
  CHECK(image.layers[2].created_by == "RUN opaque");
  for (size_t i = 0; i < 3; ++i) CHECK(image.layers[i].diff_id == built.diff_ids[i]);
  CHECK(image.layers[0].size_bytes == 100 + 50 + 30 + 26 + 55);
  CHECK(image.layers[1].size_bytes == 130);
  CHECK(image.layers[1].whiteouts == std::vector<std::string>{"d/y", "var/lib/dpkg/status"});
  CHECK(image.layers[2].opaque_dirs == std::vector<std::string>{"d"});
  CHECK(image.layers[0].compressed_size_bytes.has_value() == compressed);
  CHECK(image.layers[0].tar_bytes > image.layers[0].size_bytes);
  // Whiteout markers are not files of the layer.
  for (const FileEntry& f : image.layers[1].files) CHECK(f.path.find(".wh.") == std::string::npos);
  // Captured files after whiteouts: os-release stays, the deleted dpkg status is gone.
  CHECK(image.files.count("etc/os-release") == 1);
  CHECK(image.files.count("var/lib/dpkg/status") == 0);

  Analysis a = Analyze(image);
  CHECK(a.size_bytes == image.layers[0].size_bytes + 130 + 5);
  // Paths seen: a.txt 100+120, d/x 50 then hidden by the opaque dir (50), d/y 30 then deleted (30),
  // e 10, d/z 5, etc/os-release 26, dpkg status 55 then deleted (55).
  CHECK(a.wasted_bytes == 220 + 100 + 60 + 110);
  CHECK(a.efficiency ==
        Approx((100.0 + 50 + 30 + 10 + 5 + 26 + 55) / (220.0 + 100 + 60 + 10 + 5 + 26 + 110)));
  REQUIRE(a.wasted.size() == 4);
  CHECK(a.wasted[0].path == "a.txt");
  CHECK(a.wasted[0].occurrences == 2);
  CHECK(a.wasted[0].wasted_bytes == 220);
  REQUIRE(a.largest_files.size() == 4);
  CHECK(a.largest_files[0].path == "a.txt");
  CHECK(a.largest_files[0].size_bytes == 120);
  for (const SizedPath& f : a.largest_files) CHECK((f.path != "d/x" && f.path != "d/y"));
  bool found_d = false;
  for (const SizedPath& d : a.largest_dirs) {
    if (d.path == "d") {
      found_d = true;
      CHECK(d.size_bytes == 5);
    }
  }
  CHECK(found_d);
  CHECK(a.compressed_size_bytes.has_value() == compressed);
}

}  // namespace

TEST_CASE("docker-save layout with plain layers, read in small chunks") {
  Built built = BuildArchive(Filter::kNone, true, true);
  auto image = ReadFromMemory(built.archive, 777);
  REQUIRE(image.ok());
  CHECK(image->repo_tags == std::vector<std::string>{"test:1"});
  CheckImage(*image, built, false);
}

TEST_CASE("gzip layers: compressed sizes are the blob sizes") {
  Built built = BuildArchive(Filter::kGzip, true, false);
  auto image = ReadFromMemory(built.archive, 1 << 16);
  REQUIRE(image.ok());
  CheckImage(*image, built, true);
  Analysis a = Analyze(*image);
  CHECK(*a.compressed_size_bytes < a.size_bytes + 3 * 10240);
}

TEST_CASE("OCI layout without manifest.json, zstd layers") {
  Built built = BuildArchive(Filter::kZstd, false, true);
  auto image = ReadFromMemory(built.archive, 4096);
  REQUIRE(image.ok());
  CHECK(image->repo_tags.empty());
  CheckImage(*image, built, true);
}

TEST_CASE("an image with no repeated path has efficiency 1 and no waste") {
  std::string layer = MakeArchive({{"bin/", "", 'd'}, {"bin/sh", std::string(1000, 's')}});
  std::string config = nlohmann::json{{"rootfs", {{"diff_ids", {"sha256:x"}}}},
                                      {"history", {{{"created_by", "ADD x /"}}}}}
                           .dump();
  std::string archive = MakeArchive(
      {{"layer.tar", layer},
       {"c.json", config},
       {"manifest.json",
        nlohmann::json::array({{{"Config", "c.json"}, {"Layers", {"layer.tar"}}}}).dump()}});
  auto image = ReadFromMemory(archive, 1 << 16);
  REQUIRE(image.ok());
  Analysis a = Analyze(*image);
  CHECK(a.efficiency == 1.0);
  CHECK(a.wasted_bytes == 0);
  CHECK(a.size_bytes == 1000);
  CHECK(image->id == "sha256:c");
}

TEST_CASE("symlinked os-release resolves to its target, and broken archives are errors") {
  std::string layer = MakeArchive(
      {{"usr/lib/os-release", "ID=alpine\n"}, {"etc/os-release", "../usr/lib/os-release", 'l'}});
  std::string config = nlohmann::json{{"rootfs", {{"diff_ids", {"sha256:x"}}}}}.dump();
  std::string archive = MakeArchive(
      {{"l/layer.tar", layer},
       {"c.json", config},
       {"manifest.json",
        nlohmann::json::array({{{"Config", "c.json"}, {"Layers", {"l/layer.tar"}}}}).dump()}});
  auto image = ReadFromMemory(archive, 1 << 16);
  REQUIRE(image.ok());
  CHECK(image->files.at("etc/os-release") == "ID=alpine\n");

  auto missing_layer = ReadFromMemory(
      MakeArchive({{"c.json", config},
                   {"manifest.json",
                    nlohmann::json::array({{{"Config", "c.json"}, {"Layers", {"nope"}}}}).dump()}}),
      1 << 16);
  CHECK_FALSE(missing_layer.ok());
  auto no_manifest = ReadFromMemory(MakeArchive({{"c.json", config}}), 1 << 16);
  CHECK_FALSE(no_manifest.ok());
  auto garbage = ReadFromMemory(std::string(5000, 'q'), 1 << 16);
  CHECK_FALSE(garbage.ok());
  auto missing_file = ReadImageArchiveFile("/nonexistent/image.tar");
  REQUIRE_FALSE(missing_file.ok());
  CHECK(missing_file.status().code() == ErrorCode::kNotFound);
}

TEST_CASE("captured paths and path normalisation") {
  CHECK(NormalisePath("./usr/lib/") == "usr/lib");
  CHECK(NormalisePath("/etc/os-release") == "etc/os-release");
  CHECK(NormalisePath("./") == "");
  CHECK(IsCapturedPath("var/lib/dpkg/status"));
  CHECK(IsCapturedPath("var/lib/dpkg/status.d/libc6"));
  CHECK_FALSE(IsCapturedPath("var/lib/dpkg/status.d/libc6.md5sums"));
  CHECK(IsCapturedPath("usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA"));
  CHECK(IsCapturedPath("usr/lib/python3/dist-packages/six-1.16.0.egg-info"));
  CHECK(IsCapturedPath("usr/lib/python3/dist-packages/foo.egg-info/PKG-INFO"));
  CHECK_FALSE(IsCapturedPath("usr/lib/python3/dist-packages/foo.dist-info/RECORD"));
  CHECK(IsCapturedPath("lib/apk/db/installed"));
}

}  // namespace slipway::insight
