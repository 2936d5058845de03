// FieldReader: reads the fields of one JSON object into a struct, checking each field's type and
// bound, and keeps the first failure with the field's path ("image.layers[2].digest").
//
//   FieldReader r(j, "log batch", "");
//   r.Int("seq", &out.seq, 0, kMaxSeq, kRequired);
//   r.String("data", &out.data, kMaxLogBatchBytes, kRequired);
//   if (!r.ok()) return r.status();
//
// An absent field (or null, for optional ones) leaves the output as it was. After a failure every
// later call does nothing.
//
// Thread-safety: one reader per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace slipway::protocol {

enum Presence { kOptional, kRequired };

class FieldReader {
 public:
  // `message` names the message in errors ("finish report"); `path` is this object's place in it
  // ("" for the message itself, "image", "steps[3]").
  FieldReader(const nlohmann::json& j, std::string message, std::string path);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  void String(const char* key, std::string* out, size_t max_bytes, Presence presence = kOptional);
  // "sha256:" and 64 hex digits; "" is accepted (as absent) unless required.
  void Digest(const char* key, std::string* out, Presence presence = kOptional);
  void Int(const char* key, int64_t* out, int64_t min, int64_t max, Presence presence = kOptional);
  void Int(const char* key, int* out, int min, int max, Presence presence = kOptional);
  void OptionalInt(const char* key, std::optional<int64_t>* out, int64_t min, int64_t max);
  void Bool(const char* key, bool* out);
  void Strings(const char* key, std::vector<std::string>* out, size_t max_items, size_t max_bytes);
  void StringMap(const char* key, std::map<std::string, std::string>* out, size_t max_items, size_t max_bytes);
  // A JSON object or array kept as it is (checked by whoever uses it).
  void Object(const char* key, std::optional<nlohmann::json>* out);
  void Array(const char* key, std::optional<nlohmann::json>* out);
  // A nested object, read by `read` with a reader for it.
  void Nested(const char* key, const std::function<void(FieldReader&)>& read, Presence presence = kOptional);
  // An array of objects, at most max_items, each read by `read(reader, index)`.
  void Each(const char* key, size_t max_items, const std::function<void(FieldReader&, size_t)>& read,
            Presence presence = kOptional);
  // Records a failure of the field `key` (checks that span fields).
  void Fail(const std::string& key, const std::string& what);

 private:
  // The field, or nullptr when absent (a failure when required).
  const nlohmann::json* Find(const char* key, Presence presence, bool null_is_absent = false);
  std::string Where(const std::string& key) const;

  const nlohmann::json& j_;
  std::string message_;
  std::string path_;
  Status status_;
};

}  // namespace slipway::protocol
