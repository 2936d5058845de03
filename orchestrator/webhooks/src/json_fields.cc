#include "json_fields.h"

#include "webhooks/push_event.h"

namespace slipway::webhooks {
namespace {

using nlohmann::json;

// Refuses bodies nested deeper than kMaxJsonDepth before the recursive parser sees them.
Status CheckDepth(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return Status::InvalidArgument("body nests deeper than " + std::to_string(kMaxJsonDepth) +
                                       " levels at byte " + std::to_string(i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<json> ParseBody(std::string_view body) {
  if (body.size() > kMaxBodyBytes) {
    return Status::TooLarge("body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
  }
  if (Status s = CheckDepth(body); !s.ok()) return s;
  try {
    json root = json::parse(body.begin(), body.end());
    if (!root.is_object()) return Status::InvalidArgument("body is not a JSON object");
    return root;
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument("body is not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("body is not valid JSON: ") + e.what());
  }
}

Result<std::string> RequiredString(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument("missing field " + path);
  if (!it->is_string()) return Status::InvalidArgument("field " + path + " is not a string");
  return it->get<std::string>();
}

std::string OptionalString(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Result<const json*> RequiredObject(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument("missing field " + path);
  if (!it->is_object()) return Status::InvalidArgument("field " + path + " is not an object");
  return &*it;
}

Result<long long> RequiredPositive(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument("missing field " + path);
  if (!it->is_number_unsigned() || it->get<unsigned long long>() == 0 ||
      it->get<unsigned long long>() > (1ULL << 53)) {
    return Status::InvalidArgument("field " + path + " is not a positive integer");
  }
  return static_cast<long long>(it->get<unsigned long long>());
}

}  // namespace slipway::webhooks
