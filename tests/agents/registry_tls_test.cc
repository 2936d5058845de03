// The registry client against a real docker-registry over TLS (tls_registry.h): basic auth, an
// untrusted CA, the token flow with a fake token service (tests/data/registry/fake_token_issuer.py)
// on a second registry over the same storage, the upstream for names without a host, a proxy.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "agent/image_inspector.h"
#include "common/image_ref.h"
#include "tls_registry.h"

using namespace slipway;
using namespace slipway::testing;
namespace fs = std::filesystem;

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

  // Streams verify the same way.
  int status = 0;
  std::string streamed;
  auto on_chunk = [&streamed](std::string_view chunk) {
    streamed += chunk;
    return true;
  };
  const std::string v2 = "https://" + registry.host() + "/v2/";
  CHECK(HttpStream({.url = v2}, &status, on_chunk).code() == ErrorCode::kPermissionDenied);
  REQUIRE(HttpStream({.url = v2, .ca_file = (pki.dir / "ca.crt").string()}, &status, on_chunk).ok());
  CHECK(status == 401);
  CHECK_THAT(streamed, Catch::Contains("UNAUTHORIZED"));

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
  // A realm elsewhere over plain HTTP never receives the credentials.
  Registry far(pki, "far-realm",
               "auth:\n  token: {realm: \"http://token.example.invalid/token\", service: " + std::string(kService) +
                   ", issuer: slipway-fake-issuer, rootcertbundle: " + (pki.dir / "token.crt").string() + "}\n");
  auto far_ref = ParseImageRef(far.host() + "/team/app:2.0");
  REQUIRE(far_ref.ok());
  auto kept = RegistryImageDigest(*far_ref, AccessFor(pki, far.host(), kPassword));
  REQUIRE_FALSE(kept.ok());
  CHECK_THAT(kept.status().message(), Catch::Contains("plain-HTTP token realm (token.example.invalid)"));
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
