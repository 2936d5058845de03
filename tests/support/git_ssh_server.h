// A private git server for tests: OpenSSH's sshd on a loopback port, with a host key of its own and
// one authorized deploy key, every command forced through git-shell (so only git-upload-pack and
// git-receive-pack run). Keys, configuration and log live in the directory it is given.
//
// sshd must be started by its absolute path; as root it also needs its privilege separation
// directory, made here when missing. Stopped by its own pid when the object goes away.
//
// Thread-safety: construct and destroy on one thread; the accessors may be read from any.
#pragma once

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/strings.h"
#include "common/subprocess.h"
#include "support/files.h"
#include "support/loopback.h"

namespace slipway::testing {

// An ed25519 key pair made by ssh-keygen at `path` (private) and `path`.pub.
inline void MakeSshKey(const std::string& path) {
  auto made =
      RunProcess({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "slipway-test", "-f", path});
  REQUIRE(made.ok());
  INFO(made->err);
  REQUIRE(made->ok());
}

class GitSshServer {
 public:
  explicit GitSshServer(std::string dir) : dir_(std::move(dir)) {
    MakeSshKey(dir_ + "/host_key");
    MakeSshKey(dir_ + "/deploy_key");
    std::ofstream(dir_ + "/authorized_keys") << "restrict " << ReadFile(dir_ + "/deploy_key.pub");
    int probe = ListenOnLoopback(&port_);  // a free port, handed to sshd
    close(probe);
    std::ofstream(dir_ + "/sshd_config")
        << "ListenAddress 127.0.0.1:" << port_ << "\n"
        << "HostKey " << dir_ << "/host_key\n"
        << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
        << "PidFile none\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n"
        << "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin "
           "prohibit-password\n"
        << "ForceCommand git-shell -c \"$SSH_ORIGINAL_COMMAND\"\n";
    if (geteuid() == 0) mkdir("/run/sshd", 0755);
    auto proc = Subprocess::Start({"/usr/sbin/sshd", "-D", "-e", "-f", dir_ + "/sshd_config"});
    REQUIRE(proc.ok());
    proc_ = std::move(*proc);
    pump_ = std::thread([this] {
      auto sink = [this](std::string_view s) {
        std::lock_guard lock(mu_);
        log_.append(s);
      };
      proc_->Pump(sink, sink);
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Log().find("Server listening") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    INFO(Log());
    REQUIRE(Log().find("Server listening") != std::string::npos);
  }
  ~GitSshServer() {
    proc_->Signal(SIGTERM);
    if (pump_.joinable()) pump_.join();
    proc_->Wait();
  }
  GitSshServer(const GitSshServer&) = delete;
  GitSshServer& operator=(const GitSshServer&) = delete;

  int port() const { return port_; }
  // ssh://<this user>@127.0.0.1:PORT<absolute path of a bare repository>
  std::string Url(const std::string& repo_path) const {
    return "ssh://" + std::string(getpwuid(geteuid())->pw_name) +
           "@127.0.0.1:" + std::to_string(port_) + repo_path;
  }
  // The known_hosts line that pins this server's host key.
  std::string KnownHosts() const {
    std::vector<std::string> fields = SplitNonEmpty(ReadFile(dir_ + "/host_key.pub"), ' ');
    return "[127.0.0.1]:" + std::to_string(port_) + " " + fields[0] + " " + fields[1] + "\n";
  }
  std::string DeployKey() const { return ReadFile(dir_ + "/deploy_key"); }
  std::string Log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Subprocess> proc_;
  std::thread pump_;
  mutable std::mutex mu_;
  std::string log_;
};

}  // namespace slipway::testing
