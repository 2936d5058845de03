// SecretBox: authenticated encryption of small secrets at rest (AES-256-GCM through OpenSSL).
//
// A sealed value is "v1:" followed by base64 of nonce (12 bytes), ciphertext and tag (16 bytes).
// `context` is bound as additional data, so a sealed value copied to another row (another
// repository or secret name) no longer opens. The key is 32 random bytes kept in a file that only
// its owner can read; LoadOrCreateKeyFile makes it on first use.
//
// Thread-safety: a SecretBox is immutable after construction and safe to share.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slipway {

// A secret's name: a letter or '_' first, then letters, digits and '_', at most 128 characters
// (what an environment variable can carry). The store and the pipeline file use this one rule.
bool IsSecretName(std::string_view name);

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  explicit SecretBox(const Key& key) : key_(key) {}

  // Reads the key from `path`, or creates it (mode 0600, fresh random bytes) when absent.
  // A key file readable by others, or of the wrong size, is an error naming the file.
  static Result<SecretBox> LoadOrCreateKeyFile(const std::string& path);

  Result<std::string> Seal(std::string_view plaintext, std::string_view context) const;
  // kInvalidArgument when the value was not sealed by this key with this context.
  Result<std::string> Open(std::string_view sealed, std::string_view context) const;

 private:
  Key key_;
};

}  // namespace slipway
