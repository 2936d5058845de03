// Fuzzes slipwayd's request path without a socket: the bytes are read by Beast's HTTP/1.1 request
// parser with the server's limits, turned into an http::Request as the server's session does, and
// dispatched through every route, served by a real Coordinator over a scratch SQLite database.
//
// The fuzzer holds the agent token and a GitLab webhook token (both in the seeds) but not the admin
// token, so it reaches the agent protocol and webhook intake but cannot register a repository or
// ask for a base check: nothing it sends can make slipwayd reach beyond this machine. The one
// repository's clone URL is a missing local path and git may use no other protocol, so a push that
// gets through ends in a failed fetch. The clock moves 10 minutes per input so long-polls end.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/access.h"
#include "api/router.h"
#include "api/routes.h"
#include "common/log.h"
#include "core/config.h"
#include "core/coordinator.h"
#include "http/server.h"
#include "http/url.h"
#include "store/database.h"
#include "store/repo_store.h"
#include "webhooks/signature.h"

using namespace slipway;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;

namespace {

// Answers are kept and dropped; the peer "goes away" once the input is done, as a client does.
class FuzzWriter : public http::ResponseWriter {
 public:
  void Send(http::Response) override { closed_ = true; }
  void BeginStream(int, std::string) override {}
  void Write(std::string) override {}
  void Close() override { closed_ = true; }
  bool Closed() const override { return closed_; }
  void OnClose(std::function<void()> callback) override { on_close_.push_back(std::move(callback)); }
  void PeerGone() {
    closed_ = true;
    for (auto& cb : on_close_) cb();
    on_close_.clear();
  }

 private:
  bool closed_ = false;
  std::vector<std::function<void()>> on_close_;
};

int64_t now_ms = 1'800'000'000'000;

struct Slipwayd {
  fs::path dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<core::Coordinator> coordinator;
  api::Router router;
  std::unique_ptr<api::Access> access;  // the guard slipwayd installs
};

Slipwayd& Server() {
  static Slipwayd* s = [] {
    SetLogLevel(LogLevel::kError);
    setenv("GIT_ALLOW_PROTOCOL", "file", 1);
    auto* s = new Slipwayd;
    std::string tmpl = (fs::temp_directory_path() / "slipway-http-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    s->dir = tmpl;
    std::atexit([] { fs::remove_all(Server().dir); });
    core::ServerConfig config;
    config.data_dir = s->dir.string();
    config.admin_token = webhooks::Sha256Hex(tmpl + std::to_string(now_ms));  // never in an input
    config.agent_token = "fuzz-agent-token";
    config.public_read = true;  // every read route is reached; the guard still stands before writes
    config.base_check = "off";
    auto db = store::Database::Open((s->dir / "slipway.db").string());
    if (!db.ok()) std::abort();
    s->db = std::move(*db);
    store::RepoStore repos(*s->db);
    if (!repos.Upsert({.name = "acme/app", .forge = "gitlab", .clone_url = (s->dir / "missing.git").string(),
                       .secret = "fuzz-gitlab-token"}, now_ms).ok()) {
      std::abort();
    }
    s->coordinator = std::make_unique<core::Coordinator>(config, *s->db, [] { return now_ms; });
    if (!s->coordinator->Start().ok()) std::abort();
    api::RegisterWebhookRoutes(s->router, *s->coordinator);
    api::RegisterRunRoutes(s->router, *s->coordinator);
    api::RegisterAgentRoutes(s->router, *s->coordinator);
    api::RegisterResourceRoutes(s->router, *s->coordinator);
    api::RegisterBaseRoutes(s->router, *s->coordinator);
    api::RegisterWebRoutes(s->router);
    api::RegisterTokenRoutes(s->router, *s->coordinator);
    s->access = std::make_unique<api::Access>(s->coordinator->config(), *s->db);
    s->router.SetGuard(s->access->Guard());
    return s;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Slipwayd& server = Server();
  // The parser as the server's session sets it up (orchestrator/http/src/server.cc).
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(http::ServerOptions{}.max_body_bytes);
  parser.header_limit(64 * 1024);
  boost::beast::error_code ec;
  size_t used = 0;
  while (used < size && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) ec = {};
    if (ec || n == 0) break;
  }
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;  // the server answers 400, 413 or 431 and closes

  auto& msg = parser.get();
  http::Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  http::SplitTarget(req.target, &req.path, &req.query);
  for (const auto& field : msg) req.headers.emplace_back(field.name_string(), field.value());
  req.body = std::move(msg.body());
  req.remote = "127.0.0.1";

  auto writer = std::make_shared<FuzzWriter>();
  server.router.Dispatch(req, writer);
  writer->PeerGone();
  now_ms += 10 * 60 * 1000;
  server.coordinator->Tick();
  return 0;
}
