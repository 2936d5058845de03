// ImageStore: the images jobs built, with their sizes and layers, for size history per stage and
// diffs against the previous build. A digest's layers are stored once (the digest names the
// content); each build that produced the digest has its own image row.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

struct Layer {
  int index = 0;
  std::string digest;
  int64_t size_bytes = 0;
  std::optional<int64_t> compressed_size_bytes;  // nullopt: the image was not pushed
  std::string instruction;
};

struct ImageRecord {
  int64_t id = 0;  // set by the store
  std::string digest;
  int64_t repo_id = 0;
  std::optional<int64_t> job_id;
  std::string stage;
  std::string branch;
  std::string sha;
  std::string ref;  // "127.0.0.1:5000/app:main", or "" when not pushed
  int64_t size_bytes = 0;
  std::optional<int64_t> compressed_size_bytes;
  int64_t created_at = 0;
  std::vector<Layer> layers;
};

class ImageStore {
 public:
  static constexpr int kMaxHistoryLimit = 500;

  explicit ImageStore(Database& db) : db_(db) {}

  // Stores the build's image and, if the digest is new, its layers, in one transaction; returns the
  // image row id. The same (digest, job) twice is kAlreadyExists.
  Result<int64_t> Record(const ImageRecord& image);
  // The latest build of `digest`, with its layers.
  Result<ImageRecord> Get(std::string_view digest);
  // The latest build of the stage on the branch whose job succeeded.
  Result<ImageRecord> LastGood(int64_t repo_id, std::string_view stage, std::string_view branch);
  // The stage's builds in a repository, newest first, without layers; `branch` nullopt: all.
  Result<std::vector<ImageRecord>> History(int64_t repo_id, std::string_view stage,
                                           const std::optional<std::string>& branch, int limit);

  // The insight report of a digest (JSON text). Saving a digest's report again keeps the first.
  Status SaveReport(std::string_view digest, std::string_view report_json, int64_t now);
  Result<std::string> Report(std::string_view digest);
  // Digests of pushed images (a ref recorded) that have a report, most recently built first.
  Result<std::vector<std::string>> PushedDigestsWithReport(int limit);

 private:
  Database& db_;
};

}  // namespace slipway::store
