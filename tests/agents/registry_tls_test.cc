// The registry client against a real docker-registry over TLS: a test CA and server certificate
// made with openssl, htpasswd (bcrypt) users, and a second registry on the same storage that uses
// the token flow with a fake token service (tests/data/registry/fake_token_issuer.py).
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/image_inspector.h"
#include "common/http_client.h"
#include "common/image_ref.h"
#include "common/registry_client.h"
#include "common/subprocess.h"

namespace fs = std::filesystem;
using namespace slipway;

namespace {

constexpr char kUser[] = "tester";
constexpr char kPassword[] = "s3cret-pass";
constexpr char kService[] = "slipway-test-registry";

int FreePort() {
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

std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd) {
  auto out = RunProcess(argv, {.cwd = cwd});
  REQUIRE(out.ok());
  INFO(argv[0] << ": " << out->err);
  REQUIRE(out->ok());
  return out->out;
}

void WriteFile(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string Sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) out += {kHex[md[i] >> 4], kHex[md[i] & 15]};
  return out;
}

void WaitForServer(const std::string& url, const std::string& ca, const std::string& log) {
  for (int i = 0; i < 100; ++i) {
    auto r = HttpFetch({.url = url, .timeout = std::chrono::milliseconds(1000), .ca_file = ca});
    if (r.ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL(url << " did not answer: " << log);
}

// A CA, a server certificate for 127.0.0.1 signed by it, a token signing key, htpasswd users.
struct TestPki {
  fs::path dir;
  TestPki() {
    char tmpl[] = "/tmp/slipway-registry-XXXXXX";
    dir = mkdtemp(tmpl);
    const std::string d = dir.string();
    MustRun({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=slipway test CA", "-days", "1"}, d);
    MustRun({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"}, d);
    WriteFile(dir / "san.cnf", "subjectAltName=IP:127.0.0.1\n");
    MustRun({"openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "1", "-extfile", "san.cnf"}, d);
    MustRun({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "token.key", "-out",
             "token.crt", "-subj", "/CN=slipway fake token issuer", "-days", "1"}, d);
    WriteFile(dir / "htpasswd", MustRun({"htpasswd", "-Bbn", kUser, kPassword}, d));
  }
  ~TestPki() { fs::remove_all(dir); }
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
    WaitForServer("https://" + host() + "/v2/", (pki.dir / "ca.crt").string(), ReadFile(pki.dir / (name + ".log")));
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
void PutBlob(const std::string& base, const HttpRequest& auth, const std::string& blob) {
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
PushedImage PushImage(const TestPki& pki, const std::string& host, const std::string& name, const std::string& tag) {
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

std::string HtpasswdAuth(const TestPki& pki) {
  return "auth:\n  htpasswd: {realm: slipway-test, path: " + (pki.dir / "htpasswd").string() + "}\n";
}

RegistryAccess AccessFor(const TestPki& pki, const std::string& host, const std::string& password) {
  RegistryAccess access;
  access.hosts[host] = {.credentials = {kUser, password}, .ca_file = (pki.dir / "ca.crt").string()};
  return access;
}

}  // namespace

TEST_CASE("a TLS registry with basic auth gives digest and compressed sizes to the right password") {
  TestPki pki;
  Registry registry(pki, "basic", HtpasswdAuth(pki));
  PushedImage pushed = PushImage(pki, registry.host(), "team/app", "1.0");
  const RegistryAccess access = AccessFor(pki, registry.host(), kPassword);
  auto ref = ParseImageRef(registry.host() + "/team/app:1.0");
  REQUIRE(ref.ok());

  auto digest = RegistryImageDigest(*ref, access);
  INFO(digest.status().ToString());
  REQUIRE(digest.ok());
  CHECK(*digest == pushed.digest);

  auto manifest = agent::FetchRegistryManifest(*ref, access);
  INFO(manifest.status().ToString());
  REQUIRE(manifest.ok());
  CHECK(manifest->config_digest == pushed.config_digest);
  REQUIRE(manifest->layers.size() == 1);
  CHECK(manifest->layers[0].size == pushed.layer_size);
  CHECK(manifest->CompressedSize() == pushed.layer_size);
  CHECK(manifest->history_empty == std::vector<bool>{true, false});
}

TEST_CASE("a wrong or missing password is refused, naming the registry and never the password") {
  TestPki pki;
  Registry registry(pki, "basic", HtpasswdAuth(pki));
  auto ref = ParseImageRef(registry.host() + "/team/app:1.0");
  REQUIRE(ref.ok());
  const std::string wrong = "wrong-pass-71";
  auto refused = RegistryImageDigest(*ref, AccessFor(pki, registry.host(), wrong));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == ErrorCode::kUnauthenticated);
  CHECK(refused.status().message() == "registry " + registry.host() + " refused the credentials of tester");
  CHECK(refused.status().message().find(wrong) == std::string::npos);

  RegistryAccess anonymous = AccessFor(pki, registry.host(), "");
  anonymous.hosts[registry.host()].credentials = {};
  auto none = RegistryImageDigest(*ref, anonymous);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message() == "registry " + registry.host() + " needs credentials");
}

TEST_CASE("a registry whose certificate is not signed by a trusted CA is refused") {
  TestPki pki;
  Registry registry(pki, "basic", HtpasswdAuth(pki));
  auto ref = ParseImageRef(registry.host() + "/team/app:1.0");
  REQUIRE(ref.ok());
  RegistryAccess system_store = AccessFor(pki, registry.host(), kPassword);
  system_store.hosts[registry.host()].ca_file = "";  // the system's CAs do not know the test CA
  auto refused = RegistryImageDigest(*ref, system_store);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == ErrorCode::kPermissionDenied);
  CHECK_THAT(refused.status().message(), Catch::Contains(registry.host()) && Catch::Contains("not trusted"));
  CHECK(refused.status().message().find(kPassword) == std::string::npos);

  // The token key's self-signed certificate is a CA file too, just not the one that signed the server.
  RegistryAccess other_ca = AccessFor(pki, registry.host(), kPassword);
  other_ca.hosts[registry.host()].ca_file = (pki.dir / "token.crt").string();
  CHECK(RegistryImageDigest(*ref, other_ca).status().code() == ErrorCode::kPermissionDenied);
}

TEST_CASE("the token flow asks the realm for pull scope with the credentials, then uses the token") {
  TestPki pki;
  Registry basic(pki, "basic", HtpasswdAuth(pki));
  PushedImage pushed = PushImage(pki, basic.host(), "team/app", "2.0");

  const int token_port = FreePort();
  const fs::path record = pki.dir / "token-requests.jsonl";
  auto issuer = Subprocess::Start({"python3", std::string(SLIPWAY_TEST_DATA_DIR) + "/registry/fake_token_issuer.py",
                                   std::to_string(token_port), (pki.dir / "token.key").string(),
                                   (pki.dir / "token.crt").string(), "slipway-fake-issuer", kUser, kPassword,
                                   record.string()});
  REQUIRE(issuer.ok());
  WaitForServer("http://127.0.0.1:" + std::to_string(token_port) + "/", "", "fake token service");
  Registry token(pki, "token",
                 "auth:\n  token: {realm: \"http://127.0.0.1:" + std::to_string(token_port) + "/token\", service: " +
                     kService + ", issuer: slipway-fake-issuer, rootcertbundle: " + (pki.dir / "token.crt").string() +
                     "}\n");
  auto ref = ParseImageRef(token.host() + "/team/app:2.0");
  REQUIRE(ref.ok());

  auto digest = RegistryImageDigest(*ref, AccessFor(pki, token.host(), kPassword));
  INFO(digest.status().ToString() << "\n" << ReadFile(pki.dir / "token.log"));
  REQUIRE(digest.ok());
  CHECK(*digest == pushed.digest);
  const std::string asked = ReadFile(record);
  CHECK_THAT(asked, Catch::Contains(R"("scope": ["repository:team/app:pull"])"));
  CHECK_THAT(asked, Catch::Contains(std::string(R"("service": [")") + kService + "\"]"));
  CHECK_THAT(asked, Catch::Contains(R"("user": "tester")"));

  auto refused = RegistryImageDigest(*ref, AccessFor(pki, token.host(), "not-it-42"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == ErrorCode::kUnauthenticated);
  CHECK(refused.status().message() ==
        "the token service of registry " + token.host() + " refused the credentials of tester");
}

TEST_CASE("a reference without a registry host resolves on the configured upstream, or says why not") {
  TestPki pki;
  Registry registry(pki, "basic", HtpasswdAuth(pki));
  PushedImage pushed = PushImage(pki, registry.host(), "library/tool", "3.1");
  RegistryAccess access = AccessFor(pki, registry.host(), kPassword);
  access.upstream = registry.host();
  // No engine to ask ("docker" that cannot start): the upstream answers.
  const std::string no_engine = (pki.dir / "no-docker").string();
  auto resolved = ResolveImageDigest("tool:3.1", no_engine, access);
  INFO(resolved.status().ToString());
  REQUIRE(resolved.ok());
  CHECK(resolved->digest == pushed.digest);
  CHECK(resolved->source == "registry");

  access.upstream = "127.0.0.1:" + std::to_string(FreePort());  // nothing listens there
  auto unreachable = ResolveImageDigest("python:3.11-slim", no_engine, access);
  REQUIRE_FALSE(unreachable.ok());
  CHECK(unreachable.status().code() == ErrorCode::kUnavailable);
  CHECK_THAT(unreachable.status().message(), Catch::Contains("upstream " + access.upstream + " unreachable: "));
}

TEST_CASE("https requests go through the HTTPS_PROXY tunnel, and a dead proxy is named") {
  TestPki pki;
  Registry registry(pki, "basic", HtpasswdAuth(pki));
  PushedImage pushed = PushImage(pki, registry.host(), "team/app", "4.0");
  const int proxy_port = FreePort();
  WriteFile(pki.dir / "tinyproxy.conf", "Port " + std::to_string(proxy_port) + "\nListen 127.0.0.1\nTimeout 30\n" +
                                            "MaxClients 8\nAllow 127.0.0.1\nLogLevel Connect\nLogFile \"" +
                                            (pki.dir / "tinyproxy.log").string() + "\"\n");
  auto proxy = Subprocess::Start({"tinyproxy", "-d", "-c", (pki.dir / "tinyproxy.conf").string()});
  REQUIRE(proxy.ok());
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy_port);
  for (int i = 0; i < 100 && !HttpFetch({.url = proxy_url + "/", .timeout = std::chrono::milliseconds(500)}).ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto ref = ParseImageRef(registry.host() + "/team/app:4.0");
  REQUIRE(ref.ok());
  const RegistryAccess access = AccessFor(pki, registry.host(), kPassword);

  setenv("HTTPS_PROXY", proxy_url.c_str(), 1);
  auto through = RegistryImageDigest(*ref, access);
  INFO(through.status().ToString());
  REQUIRE(through.ok());
  CHECK(*through == pushed.digest);
  CHECK_THAT(ReadFile(pki.dir / "tinyproxy.log"), Catch::Contains("CONNECT") && Catch::Contains(registry.host()));

  const std::string dead = "127.0.0.1:" + std::to_string(FreePort());
  setenv("HTTPS_PROXY", ("http://" + dead).c_str(), 1);
  auto refused = RegistryImageDigest(*ref, access);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("connect " + dead));

  setenv("NO_PROXY", "example.org, 127.0.0.1", 1);  // listed: direct again
  CHECK(RegistryImageDigest(*ref, access).ok());
  unsetenv("HTTPS_PROXY");
  unsetenv("NO_PROXY");
}
