#include "field_reader.h"

#include <algorithm>
#include <utility>

#include "common/image_ref.h"

namespace slipway::protocol {

FieldReader::FieldReader(const nlohmann::json& j, std::string message, std::string path)
    : j_(j), message_(std::move(message)), path_(std::move(path)) {
  if (!j_.is_object()) {
    status_ = Status::InvalidArgument(message_ + ": " + (path_.empty() ? "the body" : path_) +
                                      " must be a JSON object");
  }
}

std::string FieldReader::Where(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void FieldReader::Fail(const std::string& key, const std::string& what) {
  if (ok()) status_ = Status::InvalidArgument(message_ + ": " + Where(key) + " " + what);
}

const nlohmann::json* FieldReader::Find(const char* key, Presence presence, bool null_is_absent) {
  if (!ok()) return nullptr;
  auto it = j_.find(key);
  if (it == j_.end() || (null_is_absent && it->is_null())) {
    if (presence == kRequired) Fail(key, "is required");
    return nullptr;
  }
  return &*it;
}

void FieldReader::String(const char* key, std::string* out, size_t max_bytes, Presence presence) {
  const nlohmann::json* v = Find(key, presence);
  if (!v) return;
  if (!v->is_string()) return Fail(key, "must be a string");
  const auto& text = v->get_ref<const std::string&>();
  if (text.size() > max_bytes) return Fail(key, "is longer than " + std::to_string(max_bytes) + " bytes");
  if (presence == kRequired && text.empty()) return Fail(key, "must not be empty");
  *out = text;
}

void FieldReader::Digest(const char* key, std::string* out, Presence presence) {
  std::string digest;
  String(key, &digest, 7 + 64, presence);
  if (!ok() || (digest.empty() && presence == kOptional)) return;
  if (!IsImageDigest(digest)) return Fail(key, "must be \"sha256:\" and 64 lower-case hex digits");
  *out = std::move(digest);
}

void FieldReader::Int(const char* key, int64_t* out, int64_t min, int64_t max, Presence presence) {
  const nlohmann::json* v = Find(key, presence);
  if (!v) return;
  if (!v->is_number_integer()) return Fail(key, "must be an integer");
  std::string range = "must be between " + std::to_string(min) + " and " + std::to_string(max);
  // Integers past int64's range are unsigned in nlohmann.
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(std::max<int64_t>(max, 0))) {
    return Fail(key, range);
  }
  int64_t n = v->get<int64_t>();
  if (n < min || n > max) return Fail(key, range);
  *out = n;
}

void FieldReader::Int(const char* key, int* out, int min, int max, Presence presence) {
  int64_t n = *out;
  Int(key, &n, min, max, presence);
  if (ok()) *out = static_cast<int>(n);
}

void FieldReader::OptionalInt(const char* key, std::optional<int64_t>* out, int64_t min, int64_t max) {
  if (!Find(key, kOptional, /*null_is_absent=*/true)) return;
  int64_t n = 0;
  Int(key, &n, min, max);
  if (ok()) *out = n;
}

void FieldReader::Bool(const char* key, bool* out) {
  const nlohmann::json* v = Find(key, kOptional);
  if (!v) return;
  if (!v->is_boolean()) return Fail(key, "must be true or false");
  *out = v->get<bool>();
}

void FieldReader::Strings(const char* key, std::vector<std::string>* out, size_t max_items, size_t max_bytes) {
  const nlohmann::json* v = Find(key, kOptional);
  if (!v) return;
  if (!v->is_array()) return Fail(key, "must be an array of strings");
  if (v->size() > max_items) return Fail(key, "has more than " + std::to_string(max_items) + " entries");
  std::vector<std::string> items;
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    if (!item.is_string()) return Fail(at, "must be a string");
    if (item.get_ref<const std::string&>().size() > max_bytes) {
      return Fail(at, "is longer than " + std::to_string(max_bytes) + " bytes");
    }
    items.push_back(item.get<std::string>());
  }
  *out = std::move(items);
}

void FieldReader::StringMap(const char* key, std::map<std::string, std::string>* out, size_t max_items,
                            size_t max_bytes) {
  const nlohmann::json* v = Find(key, kOptional);
  if (!v) return;
  if (!v->is_object()) return Fail(key, "must be an object of strings");
  if (v->size() > max_items) return Fail(key, "has more than " + std::to_string(max_items) + " entries");
  std::map<std::string, std::string> items;
  for (const auto& [k, item] : v->items()) {
    std::string at = std::string(key) + "." + k;
    if (k.empty() || k.size() > max_bytes) return Fail(key, "has a key of 0 or more than " + std::to_string(max_bytes) + " bytes");
    if (!item.is_string()) return Fail(at, "must be a string");
    if (item.get_ref<const std::string&>().size() > max_bytes) {
      return Fail(at, "is longer than " + std::to_string(max_bytes) + " bytes");
    }
    items[k] = item.get<std::string>();
  }
  *out = std::move(items);
}

void FieldReader::Object(const char* key, std::optional<nlohmann::json>* out) {
  const nlohmann::json* v = Find(key, kOptional, /*null_is_absent=*/true);
  if (!v) return;
  if (!v->is_object()) return Fail(key, "must be an object");
  *out = *v;
}

void FieldReader::Array(const char* key, std::optional<nlohmann::json>* out) {
  const nlohmann::json* v = Find(key, kOptional, /*null_is_absent=*/true);
  if (!v) return;
  if (!v->is_array()) return Fail(key, "must be an array");
  *out = *v;
}

void FieldReader::Nested(const char* key, const std::function<void(FieldReader&)>& read, Presence presence) {
  const nlohmann::json* v = Find(key, presence, /*null_is_absent=*/true);
  if (!v) return;
  FieldReader child(*v, message_, Where(key));
  if (child.ok()) read(child);
  if (!child.ok()) status_ = child.status();
}

void FieldReader::Each(const char* key, size_t max_items, const std::function<void(FieldReader&, size_t)>& read,
                       Presence presence) {
  const nlohmann::json* v = Find(key, presence);
  if (!v) return;
  if (!v->is_array()) return Fail(key, "must be an array");
  if (v->size() > max_items) return Fail(key, "has more than " + std::to_string(max_items) + " entries");
  for (size_t i = 0; i < v->size() && ok(); ++i) {
    FieldReader child((*v)[i], message_, Where(key) + "[" + std::to_string(i) + "]");
    if (child.ok()) read(child, i);
    if (!child.ok()) status_ = child.status();
  }
}

}  // namespace slipway::protocol
