// SecretStore: named secret values, per repository or server-wide, stored sealed.
//
// Values go in and come out in plain text only through this class; the table holds what
// SecretBox::Seal made, with "repo:<id>/<name>" (or "server/<name>") as context, so a value
// cannot be moved to another row. Listing returns names, scopes and dates, never values.
//
// Thread-safety: safe from any thread (each call holds the Database's connection for its length).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret_box.h"
#include "common/status.h"
#include "store/database.h"

namespace slipway::store {

// The scope of a secret: a repository's id, or nullopt for the server-wide ones.
using SecretScope = std::optional<int64_t>;

struct SecretInfo {
  std::string name;
  SecretScope repo_id;
  bool is_protected = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct RevealedSecret {
  std::string value;
  bool is_protected = false;
};

// A secret name: a letter or '_' first, then letters, digits and '_', at most 128 characters
// (what an environment variable or a buildx secret id can carry).
Status ValidateSecretName(std::string_view name);

class SecretStore {
 public:
  static constexpr size_t kMaxValueBytes = 64 * 1024;

  SecretStore(Database& db, const SecretBox& box) : db_(db), box_(box) {}

  // Creates or replaces the secret `name` in `scope`.
  Status Put(SecretScope scope, std::string_view name, std::string_view value, bool is_protected,
             int64_t now_ms);
  Result<std::vector<SecretInfo>> List(SecretScope scope);  // by name
  Status Delete(SecretScope scope, std::string_view name);  // kNotFound when absent
  // The plain value of one secret: the repository's own, else the server-wide one of that name.
  Result<std::string> Reveal(SecretScope scope, std::string_view name);
  // The same, with its protected flag; Find gives the flag and dates without opening the value.
  Result<RevealedSecret> RevealEntry(SecretScope scope, std::string_view name);
  Result<SecretInfo> Find(SecretScope scope, std::string_view name);
  // Every value stored, of every scope: what logs and errors are masked of.
  Result<std::vector<std::string>> RevealAll();

  // Counts Put and Delete calls in this process, so a cache of RevealAll knows when to read again.
  static uint64_t Generation();

 private:
  Database& db_;
  const SecretBox& box_;
};

}  // namespace slipway::store
