// A real docker-registry for tests, over TLS on a free loopback port: a test CA and server
// certificate made with openssl at run time, htpasswd (bcrypt) users, images pushed over the
// registry API. Shared by the registry client tests and the engine push test.
//
// Thread-safety: one per test; not shared.
#pragma once

#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "common/registry_client.h"
#include "common/strings.h"
#include "common/subprocess.h"
#include "support/files.h"
#include "support/test_ca.h"

namespace slipway::testing {

namespace fs = std::filesystem;


inline constexpr char kUser[] = "tester";
inline constexpr char kPassword[] = "s3cret-pass";
inline constexpr char kService[] = "slipway-test-registry";

inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

inline std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd) {
  auto out = RunProcess(argv, {.cwd = cwd});
  REQUIRE(out.ok());
  INFO(argv[0] << ": " << out->err);
  REQUIRE(out->ok());
  return out->out;
}

inline void WriteFile(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

inline std::string Sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return "sha256:" + HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

// Waits for `url` to answer; fails the test naming `what`, and with the server's log when one is given.
inline void WaitForServer(const std::string& url, const std::string& ca, const std::string& what,
                          const fs::path& log = {}) {
  for (int i = 0; i < 100; ++i) {
    auto r = HttpFetch({.url = url, .timeout = std::chrono::milliseconds(1000), .ca_file = ca});
    if (r.ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL(url << " (" << what << ") did not answer" << (log.empty() ? "" : ": " + ReadFile(log)));
}

// The test CA's files (support/test_ca.h), a token signing key and htpasswd users.
struct TestPki : TestCa {
  TestPki() {
    const std::string d = dir.string();
    MustRun({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "token.key", "-out",
             "token.crt", "-subj", "/CN=slipway fake token issuer", "-days", "1"}, d);
    WriteFile(dir / "htpasswd", MustRun({"htpasswd", "-Bbn", kUser, kPassword}, d));
  }
};

// docker-registry on a free loopback port with TLS and the given auth section.
class Registry {
 public:
  Registry(const TestPki& pki, const std::string& name, const std::string& auth_yaml) {
    port_ = FreePort();
    const fs::path config = pki.dir / (name + ".yml");
    WriteFile(config, "version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\n"
                      "storage:\n  filesystem: {rootdirectory: " + (pki.dir / "storage").string() + "}\n"
                      "http:\n  addr: " + host() + "\n  secret: test-only\n"
                      "  tls: {certificate: " + (pki.dir / "server.crt").string() + ", key: " +
                      (pki.dir / "server.key").string() + "}\n" + auth_yaml);
    auto proc = Subprocess::Start({"sh", "-c", "exec docker-registry serve \"$0\" >\"$1\" 2>&1", config.string(),
                                   (pki.dir / (name + ".log")).string()});
    REQUIRE(proc.ok());
    proc_ = std::move(*proc);
    WaitForServer("https://" + host() + "/v2/", (pki.dir / "ca.crt").string(), "docker-registry " + name,
                  pki.dir / (name + ".log"));
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

struct PushedImage {
  std::string digest;
  long long layer_size = 0;
  std::string config_digest;
};

// Uploads a blob: POST opens an upload session, PUT to its Location with the digest completes it.
inline void PutBlob(const std::string& base, const HttpRequest& auth, const std::string& blob) {
  HttpRequest open = auth;
  open.method = "POST";
  open.url = base + "/blobs/uploads/";
  auto session = HttpFetch(open);
  REQUIRE(session.ok());
  REQUIRE(session->status == 202);
  std::string location = session->Header("Location");
  if (location.rfind("https://", 0) != 0) location = base.substr(0, base.find("/v2/")) + location;
  HttpRequest put = auth;
  put.method = "PUT";
  put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + Sha256(blob);
  put.body = blob;
  put.headers.emplace_back("Content-Type", "application/octet-stream");
  auto r = HttpFetch(put);
  REQUIRE(r.ok());
  INFO(r->body);
  REQUIRE(r->status == 201);
}

// An OCI image of one layer (the layer's bytes stand for a gzip blob: the registry keeps them as
// they are) and a history with one metadata-only entry, pushed over the registry API.
inline PushedImage PushImage(const TestPki& pki, const std::string& host, const std::string& name,
                             const std::string& tag) {
  const std::string base = "https://" + host + "/v2/" + name;
  HttpRequest auth{.ca_file = (pki.dir / "ca.crt").string()};
  auth.headers.emplace_back("Authorization", "Basic dGVzdGVyOnMzY3JldC1wYXNz");  // tester:s3cret-pass
  const std::string layer(4321, 'L');
  const std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[")" +
                             Sha256(layer) + R"("]},"history":[{"created_by":"ENV A=1","empty_layer":true},)" +
                             R"({"created_by":"COPY x /x"}]})";
  PutBlob(base, auth, layer);
  PutBlob(base, auth, config);
  const std::string manifest =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + Sha256(config) +
      R"(","size":)" + std::to_string(config.size()) +
      R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + Sha256(layer) +
      R"(","size":)" + std::to_string(layer.size()) + "}]}";
  HttpRequest put = auth;
  put.method = "PUT";
  put.url = base + "/manifests/" + tag;
  put.body = manifest;
  put.headers.emplace_back("Content-Type", "application/vnd.oci.image.manifest.v1+json");
  auto r = HttpFetch(put);
  REQUIRE(r.ok());
  INFO(r->body);
  REQUIRE(r->status == 201);
  return {Sha256(manifest), static_cast<long long>(layer.size()), Sha256(config)};
}

// The engine's trust in the test CA for one registry, removed afterwards.
struct EngineTrust {
  fs::path dir;
  EngineTrust(const TestPki& pki, const std::string& host) : dir(fs::path("/etc/docker/certs.d") / host) {
    fs::create_directories(dir);
    fs::copy_file(pki.dir / "ca.crt", dir / "ca.crt", fs::copy_options::overwrite_existing);
  }
  ~EngineTrust() { fs::remove_all(dir); }
};

inline std::string HtpasswdAuth(const TestPki& pki) {
  return "auth:\n  htpasswd: {realm: slipway-test, path: " + (pki.dir / "htpasswd").string() + "}\n";
}

inline RegistryAccess AccessFor(const TestPki& pki, const std::string& host, const std::string& password) {
  RegistryAccess access;
  access.hosts[host] = {.credentials = {kUser, password}, .ca_file = (pki.dir / "ca.crt").string()};
  return access;
}

}  // namespace slipway::testing
