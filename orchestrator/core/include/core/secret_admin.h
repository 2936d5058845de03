// SecretAdmin: secrets as the API manages them, named by repository ("" for the server-wide
// ones): set, list (names and dates) and delete. Values go into the sealed store and never come
// back out through here.
//
// Thread-safety: safe from any thread, like store::SecretStore.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/secret_box.h"
#include "common/status.h"
#include "store/database.h"
#include "store/secret_store.h"

namespace slipway::core {

class SecretAdmin {
 public:
  SecretAdmin(store::Database& db, const SecretBox& box) : db_(db), box_(box) {}

  // Creates or replaces the secret; what a listing shows of it afterwards.
  Result<store::SecretInfo> Put(const std::string& repo, const std::string& name,
                                const std::string& value, bool is_protected, int64_t now_ms);
  Result<std::vector<store::SecretInfo>> List(const std::string& repo);
  Status Delete(const std::string& repo, const std::string& name);  // kNotFound when absent

 private:
  // The repository's id, or the server's scope for ""; kNotFound for an unknown repository.
  Result<store::SecretScope> ScopeOf(const std::string& repo);

  store::Database& db_;
  const SecretBox& box_;
};

}  // namespace slipway::core
