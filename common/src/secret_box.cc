#include "common/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "common/strings.h"

namespace slipway {

bool IsSecretName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr std::string_view kVersion = "v1:";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Result<std::string> Unbase64(std::string_view text) {
  if (text.size() % 4 != 0) return Status::InvalidArgument("sealed secret is not base64");
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return Status::InvalidArgument("sealed secret is not base64");
  size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

Status ReadKey(int fd, const std::string& path, SecretBox::Key* key) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return Status::Internal("cannot stat secrets key " + path);
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("secrets key " + path + " must be readable by its owner only (chmod 600)");
  }
  if (st.st_size != static_cast<off_t>(SecretBox::kKeyBytes)) {
    return Status::InvalidArgument("secrets key " + path + " must hold exactly 32 bytes");
  }
  if (read(fd, key->data(), key->size()) != static_cast<ssize_t>(key->size())) {
    return Status::Internal("cannot read secrets key " + path);
  }
  return Status::Ok();
}

}  // namespace

Result<SecretBox> SecretBox::LoadOrCreateKeyFile(const std::string& path) {
  Key key{};
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    Status s = ReadKey(fd, path, &key);
    close(fd);
    if (!s.ok()) return s;
    return SecretBox(key);
  }
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Status::Internal("no random bytes for a secrets key");
  }
  // O_EXCL: two servers starting at once never overwrite each other's key.
  fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot create secrets key " + path);
  bool written = write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) return Status::Internal("cannot write secrets key " + path);
  return SecretBox(key);
}

Result<std::string> SecretBox::Seal(std::string_view plaintext, std::string_view context) const {
  unsigned char nonce[kNonceBytes];
  if (RAND_bytes(nonce, sizeof nonce) != 1) return Status::Internal("no random bytes for a nonce");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(reinterpret_cast<const char*>(nonce), kNonceBytes);
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  int len = 0;
  int total = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                              static_cast<int>(context.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), cipher, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                              static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), cipher + total, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size()) == 1;
  if (!ok) return Status::Internal("encrypting a secret failed");
  return std::string(kVersion) + Base64Encode(out);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view context) const {
  if (!sealed.starts_with(kVersion)) return Status::InvalidArgument("sealed secret has an unknown format");
  Result<std::string> raw = Unbase64(sealed.substr(kVersion.size()));
  if (!raw.ok()) return raw.status();
  if (raw->size() < kNonceBytes + kTagBytes) return Status::InvalidArgument("sealed secret is too short");
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  const size_t cipher_len = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(cipher_len, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  unsigned char tag[kTagBytes];
  std::copy(bytes + kNonceBytes + cipher_len, bytes + raw->size(), tag);
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), bytes) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                              static_cast<int>(context.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                              bytes + kNonceBytes, static_cast<int>(cipher_len)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) == 1;
  if (!ok) return Status::InvalidArgument("sealed secret does not open with this key (wrong key or moved value)");
  return plain;
}

}  // namespace slipway
