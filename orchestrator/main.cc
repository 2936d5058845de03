// slipwayd: the orchestrator. Wires the store, the coordinator and the HTTP server, then waits
// for SIGTERM or SIGINT and shuts down cleanly.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/access.h"
#include "api/router.h"
#include "api/routes.h"
#include "api/server_options.h"
#include "common/log.h"
#include "common/secret_box.h"
#include "core/config.h"
#include "core/coordinator.h"
#include "http/server.h"
#include "store/database.h"
#include "store/repo_store.h"

namespace {

// True for addresses only this machine reaches (127.0.0.0/8, ::1).
bool IsLoopback(const std::string& host) { return host.starts_with("127.") || host == "::1" || host == "localhost"; }

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace slipway;
  // Signals are taken by sigwait below, on this thread only: blocked before any thread starts (the
  // database's checkpointer is the first), since threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << core::ServerUsage();
      return 0;
    }
  }
  auto config = core::LoadServerConfig(args);
  if (!config.ok()) {
    std::cerr << "slipwayd: " << config.status().message() << "\n" << core::ServerUsage();
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(config->data_dir, ec);
  if (ec) {
    std::cerr << "slipwayd: cannot create " << config->data_dir << ": " << ec.message() << "\n";
    return 1;
  }
  auto db = store::Database::Open(config->data_dir + "/slipway.db");
  if (!db.ok()) {
    std::cerr << "slipwayd: " << db.status().ToString() << "\n";
    return 1;
  }
  const std::string key_file =
      config->secrets_key_file.empty() ? config->data_dir + "/secrets.key" : config->secrets_key_file;
  auto secret_box = SecretBox::LoadOrCreateKeyFile(key_file);
  if (!secret_box.ok()) {
    std::cerr << "slipwayd: " << secret_box.status().ToString() << "\n";
    return 1;
  }
  store::RepoStore repos(**db);
  for (const auto& r : config->repos) {
    auto stored = repos.Upsert({.name = r.name, .forge = r.forge, .clone_url = r.clone_url, .secret = r.secret,
                                .default_branch = std::nullopt, .policy = r.policy,
                                .fork_pull_requests = r.fork_pull_requests},
                               WallClockMs());
    if (!stored.ok()) {
      std::cerr << "slipwayd: repo " << r.name << ": " << stored.status().ToString() << "\n";
      return 1;
    }
  }

  core::Coordinator coordinator(*config, **db, WallClockMs);
  coordinator.UseSecrets(&*secret_box);
  if (Status s = coordinator.Start(); !s.ok()) {
    std::cerr << "slipwayd: " << s.ToString() << "\n";
    return 1;
  }
  api::Router router(config->http_workers);
  api::RegisterWebhookRoutes(router, coordinator);
  api::RegisterRunRoutes(router, coordinator);
  api::RegisterAgentRoutes(router, coordinator);
  api::RegisterResourceRoutes(router, coordinator);
  api::RegisterBaseRoutes(router, coordinator);
  api::RegisterSecretRoutes(router, coordinator, *secret_box);
  api::RegisterWebRoutes(router);
  api::RegisterTokenRoutes(router, coordinator);
  api::Access access(coordinator.config(), **db);
  router.SetGuard(access.Guard());

  http::Server server(api::ServerOptionsFor(*config), [&router](http::Request req, auto writer) {
    router.Dispatch(std::move(req), std::move(writer));
  });
  if (Status s = server.Start(); !s.ok()) {
    std::cerr << "slipwayd: " << s.message() << "\n";
    return 1;
  }
  const bool tls = !config->tls_cert_file.empty();
  LogInfo("listening", {{"host", config->host}, {"port", std::to_string(server.port())}, {"data", config->data_dir},
                        {"tls", tls ? "true" : "false"}, {"public_read", config->public_read ? "true" : "false"}});
  if (!tls && !IsLoopback(config->host)) {
    LogWarn("serving plain HTTP beyond loopback: tokens and logs cross the network unencrypted; "
            "use --tls-cert and --tls-key",
            {{"host", config->host}});
  }

  std::atomic<bool> stopping{false};
  std::thread ticker([&] {
    while (!stopping) {
      coordinator.Tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  int sig = 0;
  sigwait(&signals, &sig);
  LogInfo("shutting down", {{"signal", std::to_string(sig)}});
  stopping = true;
  ticker.join();
  coordinator.Stop();
  router.Stop();
  server.Stop();
  LogInfo("stopped");
  return 0;
}
