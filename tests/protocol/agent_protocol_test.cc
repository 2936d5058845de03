#include "protocol/agent_protocol.h"

#include <catch2/catch.hpp>

namespace slipway::protocol {
namespace {

using nlohmann::json;

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

FinishReport FullReport() {
  FinishReport r;
  r.status = JobStatus::kSuccess;
  r.duration_ms = 8123;
  r.log_tail = {"#9 done"};
  r.cache = {9, 7};
  r.image = ImageFacts{.ref = "127.0.0.1:5000/app:main",
                       .digest = kDigestA,
                       .config_digest = kDigestB,
                       .size_bytes = 300,
                       .compressed_size_bytes = 120,
                       .layers = {{kDigestB, 300, 120, "COPY . /app # buildkit"}, {"", 0, std::nullopt, "ENV A=b"}}};
  r.insight = json{{"id", kDigestA}, {"packages", json::array()}};
  r.scans = json::array({{{"scanner", "grype"}, {"error", "grype is not installed"}}});
  r.bases = {{"busybox:1.36", kDigestB, "engine"}};
  return r;
}

// The message an invalid report is refused with.
std::string Refusal(const json& j) {
  auto read = ReadFinishReport(j);
  REQUIRE_FALSE(read.ok());
  CHECK(read.status().code() == ErrorCode::kInvalidArgument);
  return read.status().message();
}

TEST_CASE("a finish report round-trips through its writer and its validating reader") {
  FinishReport written = FullReport();
  json j = written;
  CHECK(j["status"] == "success");
  CHECK(j["image"]["layers"][0]["compressed_size_bytes"] == 120);
  CHECK_FALSE(j["image"]["layers"][1].contains("compressed_size_bytes"));  // absent, not null, when not pushed
  auto read = ReadFinishReport(json::parse(ToBody(j)));
  REQUIRE(read.ok());
  CHECK(*read == written);

  FinishReport failed;
  failed.status = JobStatus::kFailure;
  failed.failed_step = "[test 3/3] RUN exit 3";
  json f = failed;
  CHECK_FALSE(f.contains("image"));
  CHECK_FALSE(f.contains("insight"));
  auto back = ReadFinishReport(f);
  REQUIRE(back.ok());
  CHECK(*back == failed);
}

TEST_CASE("the flat messages round-trip") {
  LeaseRequest request{"builder-1", {{"arch", "amd64"}}, 2, "0.1.0"};
  auto r = ReadLeaseRequest(json(request));
  REQUIRE(r.ok());
  CHECK(*r == request);

  LogBatch batch{12, "#5 RUN make\n"};
  auto b = ReadLogBatch(json(batch));
  REQUIRE(b.ok());
  CHECK(*b == batch);

  StepsReport steps{{{0, "sha256:d", "[runtime 1/1] COPY . /", true, 10, 15, 5, ""}}};
  auto s = ReadStepsReport(json(steps));
  REQUIRE(s.ok());
  CHECK(*s == steps);
  CHECK(json(steps) == json::parse(R"({"steps":[{"index":0,"digest":"sha256:d","name":"[runtime 1/1] COPY . /",
      "cached":true,"started_ms":10,"completed_ms":15,"duration_ms":5,"error":""}]})"));

  auto cancel = ReadRenewAnswer(json(RenewAnswer{true}));
  REQUIRE(cancel.ok());
  CHECK(cancel->cancel);
}

TEST_CASE("a lease offer round-trips with its job spec, an id unfit for a URL path is refused") {
  LeaseOffer offer;
  offer.id = "9f2c01";
  offer.job_id = 7;
  offer.run_id = 3;
  offer.attempt = 1;
  offer.repo = "owner/app";
  offer.clone_url = "http://127.0.0.1/app.git";
  offer.sha = std::string(40, 'c');
  offer.branch = "main";
  offer.scanners = {"trivy"};
  offer.upstream_registry = "127.0.0.1:5000";
  offer.spec.name = "runtime";
  offer.spec.labels = {{"arch", "amd64"}};
  json j = offer;
  auto read = ReadLeaseOffer(j);
  REQUIRE(read.ok());
  CHECK(read->id == offer.id);
  CHECK(read->sha == offer.sha);
  CHECK(read->scanners == offer.scanners);
  CHECK(read->upstream_registry == offer.upstream_registry);
  CHECK(read->spec.name == "runtime");
  CHECK(read->spec.labels == offer.spec.labels);

  j["id"] = "../../admin";
  auto bad = ReadLeaseOffer(j);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "lease: id may hold only letters, digits, '-', '_' and '.'");
}

TEST_CASE("a lease offer carries the job's secrets, SSH keys and registry logins, bounded") {
  LeaseOffer offer;
  offer.id = "l1";
  offer.clone_url = "http://127.0.0.1/app.git";
  offer.sha = std::string(40, 'c');
  offer.spec.name = "build";
  offer.secrets = {{"pip_token", "s3cret-value", false}, {"npm", "npm-value", true}};
  offer.ssh_keys = {{"default", "-----BEGIN OPENSSH PRIVATE KEY-----\n...", false}};
  offer.registries = {{"127.0.0.1:5001", "ci", "pw"}};
  json j = offer;
  auto read = ReadLeaseOffer(j);
  REQUIRE(read.ok());
  CHECK(read->secrets == offer.secrets);
  CHECK(read->ssh_keys == offer.ssh_keys);
  CHECK(read->registries == offer.registries);
  // A lease without any: the fields are left out.
  LeaseOffer plain = offer;
  plain.secrets.clear();
  plain.ssh_keys.clear();
  plain.registries.clear();
  CHECK_FALSE(json(plain).contains("secrets"));

  j["secrets"][0]["value"] = std::string(kMaxSecretValueBytes + 1, 'v');
  auto big = ReadLeaseOffer(j);
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message().find("secrets[0].value") != std::string::npos);
  CHECK(big.status().message().find("vvvv") == std::string::npos);
  j = offer;
  j["registries"][0].erase("host");
  CHECK_FALSE(ReadLeaseOffer(j).ok());
}

TEST_CASE("a lease offer carries the clone credential only when the repository has one") {
  LeaseOffer offer;
  offer.id = "l1";
  offer.clone_url = "https://git.example.com/app.git";
  offer.sha = std::string(40, 'c');
  offer.spec.name = "runtime";
  json plain = offer;
  CHECK_FALSE(plain.contains("git_credential"));
  auto read = ReadLeaseOffer(plain);
  REQUIRE(read.ok());
  CHECK(read->git_credential.empty());

  offer.git_credential = {.username = "ci", .token = "tok-123456"};
  json with_token = offer;
  CHECK(with_token["git_credential"] == json{{"username", "ci"}, {"token", "tok-123456"}});
  read = ReadLeaseOffer(with_token);
  REQUIRE(read.ok());
  CHECK(read->git_credential == offer.git_credential);

  offer.git_credential = {.ssh_key = "-----BEGIN OPENSSH PRIVATE KEY-----\n...", .known_hosts = "h ssh-ed25519 AAAA"};
  json with_key = offer;
  CHECK_FALSE(with_key["git_credential"].contains("token"));
  read = ReadLeaseOffer(with_key);
  REQUIRE(read.ok());
  CHECK(read->git_credential == offer.git_credential);

  with_key["git_credential"]["token"] = 7;
  auto bad = ReadLeaseOffer(with_key);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "lease: git_credential.token must be a string");
  with_key["git_credential"]["token"] = std::string(kMaxCredentialBytes + 1, 'x');
  CHECK_FALSE(ReadLeaseOffer(with_key).ok());
}

TEST_CASE("a finish report is refused whole, naming the first bad field") {
  json good = FullReport();

  json j = good;
  j["status"] = "great";
  CHECK(Refusal(j) == "finish report: status must be success, failure, canceled or error, not 'great'");
  j = good;
  j["status"] = "skipped";  // a vocabulary word, but not an agent's to report
  CHECK(Refusal(j).find("status must be success") != std::string::npos);
  j = good;
  j.erase("status");
  CHECK(Refusal(j) == "finish report: status is required");
  j = good;
  j["duration_ms"] = "8123";
  CHECK(Refusal(j) == "finish report: duration_ms must be an integer");
  j = good;
  j["duration_ms"] = -1;
  CHECK(Refusal(j).find("finish report: duration_ms must be between 0 and") == 0);
  j = good;
  j["image"]["digest"] = "sha256:abc";
  CHECK(Refusal(j) == "finish report: image.digest must be \"sha256:\" and 64 lower-case hex digits");
  j = good;
  j["image"]["layers"][1]["digest"] = "md5:" + std::string(32, '0');
  CHECK(Refusal(j).find("finish report: image.layers[1].digest must be \"sha256:\"") == 0);
  j = good;
  j["image"]["layers"][0]["size_bytes"] = 1.5;
  CHECK(Refusal(j) == "finish report: image.layers[0].size_bytes must be an integer");
  j = good;
  j["image"]["layers"] = json::array();
  for (size_t i = 0; i <= kMaxLayers; ++i) j["image"]["layers"].push_back(json::object());
  CHECK(Refusal(j) == "finish report: image.layers has more than 4096 entries");
  j = good;
  j["log_tail"] = json::array({"ok", 3});
  CHECK(Refusal(j) == "finish report: log_tail[1] must be a string");
  j = good;
  j["error"] = std::string(kMaxErrorBytes + 1, 'e');
  CHECK(Refusal(j) == "finish report: error is longer than 65536 bytes");
  j = good;
  j["cache"] = {{"steps", 2}, {"cached", 3}};
  CHECK(Refusal(j) == "finish report: cache.cached must be between 0 and 2");
  j = good;
  j["insight"] = "a report";
  CHECK(Refusal(j) == "finish report: insight must be an object");
  j = good;
  j["scans"] = json::array({"trivy"});
  CHECK(Refusal(j) == "finish report: scans[0] must be an object");
  j = good;
  j["bases"][0]["source"] = "cloud";
  CHECK(Refusal(j) == "finish report: bases[0].source must be engine or registry");
  j = good;
  j["bases"][0]["ref"] = "busybox:1.36\nFROM evil";
  CHECK(Refusal(j) == "finish report: bases[0].ref must not hold spaces or control characters");
  j = good;
  j["bases"].push_back(j["bases"][0]);
  CHECK(Refusal(j) == "finish report: bases[1].ref repeats bases[0]");
  CHECK(Refusal(json::array()) == "finish report: the body must be a JSON object");
}

TEST_CASE("agent requests with bad fields are refused with the field's name") {
  auto no_name = ReadLeaseRequest(json{{"capacity", 1}});
  REQUIRE_FALSE(no_name.ok());
  CHECK(no_name.status().message() == "lease request: agent is required");
  auto big = ReadLeaseRequest(json{{"agent", "a"}, {"capacity", 1000}});
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message() == "lease request: capacity must be between 1 and 256");
  auto label = ReadLeaseRequest(json{{"agent", "a"}, {"labels", {{"arch", 64}}}});
  REQUIRE_FALSE(label.ok());
  CHECK(label.status().message() == "lease request: labels.arch must be a string");

  auto seq = ReadLogBatch(json{{"seq", -1}, {"data", "x"}});
  REQUIRE_FALSE(seq.ok());
  CHECK(seq.status().message().find("log batch: seq must be between 0 and") == 0);
  auto data = ReadLogBatch(json{{"seq", 0}});
  REQUIRE_FALSE(data.ok());
  CHECK(data.status().message() == "log batch: data is required");
  auto huge = ReadLogBatch(json{{"seq", 18446744073709551615ull}, {"data", ""}});
  REQUIRE_FALSE(huge.ok());

  auto steps = ReadStepsReport(json{{"steps", json::array({{{"index", 0}, {"cached", "yes"}}})}});
  REQUIRE_FALSE(steps.ok());
  CHECK(steps.status().message() == "steps: steps[0].cached must be true or false");
}

}  // namespace
}  // namespace slipway::protocol
