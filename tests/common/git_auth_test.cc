#include "common/git_auth.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "common/strings.h"
#include "common/subprocess.h"
#include "support/files.h"
#include "support/git_http_server.h"
#include "support/git_ssh_server.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;
using ::slipway::testing::FilesHolding;
using ::slipway::testing::ReadFile;
using ::slipway::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// A bare repository at `bare` holding one commit; returns its sha.
std::string MakeRepo(const std::string& bare, const std::string& work) {
  auto run = [](std::vector<std::string> argv) {
    auto r =
        RunProcess(argv, {.extra_env = {"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
                                        "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
                                        "GIT_CONFIG_GLOBAL=/dev/null"}});
    REQUIRE(r.ok());
    INFO(r->err);
    REQUIRE(r->ok());
    return std::string(TrimAsciiSpace(r->out));
  };
  run({"git", "init", "-q", "--bare", "-b", "main", bare});
  run({"git", "init", "-q", "-b", "main", work});
  std::ofstream(work + "/file.txt") << "private\n";
  run({"git", "-C", work, "add", "file.txt"});
  run({"git", "-C", work, "commit", "-q", "-m", "one"});
  run({"git", "-C", work, "push", "-q", bare, "HEAD:main"});
  return run({"git", "-C", work, "rev-parse", "HEAD"});
}

// git clone of url into dest with the credential's files and environment, as the server and
// agents run it (no user or system configuration).
Result<ProcessOutput> CloneWith(const std::string& url, const std::string& dest,
                                const GitCredential& credential, const std::string& auth_dir) {
  auto files = GitAuthFiles::Create(auth_dir, credential);
  if (!files.ok()) return files.status();
  std::vector<std::string> env =
      MergeEnv({"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
                "GIT_ASKPASS=true", "LC_ALL=C"},
               (*files)->env());
  return RunProcess({"git", "clone", "--mirror", "--quiet", "--", url, dest},
                    {.extra_env = env, .timeout = std::chrono::seconds(60)});
}

TEST_CASE("clone URLs: which carry a credential, which speak ssh or HTTP") {
  for (const char* ok :
       {"https://git.example.com/acme/shop.git", "ssh://git@git.example.com/acme/shop.git",
        "git@github.com:acme/shop.git", "/srv/git/shop.git", "git://127.0.0.1/shop.git",
        "http://127.0.0.1:8080/shop.git?x=a@b"}) {
    INFO(ok);
    CHECK(CheckCloneUrl(ok).ok());
  }
  for (const char* bad :
       {"https://deploy:s3cret@git.example.com/a.git", "https://ghp_token@github.com/a/b.git",
        "HTTP://u:p@h/r.git", "ssh://git:pw@host/r.git", "ftp://u@h/r.git"}) {
    INFO(bad);
    Status s = CheckCloneUrl(bad);
    CHECK(s.code() == ErrorCode::kInvalidArgument);
    CHECK(s.message().find("set the repository's secret GIT_TOKEN") != std::string::npos);
    CHECK(s.message().find("s3cret") == std::string::npos);
  }
  CHECK(IsSshUrl("ssh://git@h/r.git"));
  CHECK(IsSshUrl("git+ssh://h/r.git"));
  CHECK(IsSshUrl("git@github.com:acme/shop.git"));
  CHECK_FALSE(IsSshUrl("/srv/a:b/shop.git"));
  CHECK_FALSE(IsSshUrl("https://h/r.git"));
  CHECK_FALSE(IsSshUrl("./shop.git"));
  CHECK(IsHttpUrl("HTTPS://h/r.git"));
  CHECK(IsHttpUrl("http://127.0.0.1:1/r.git"));
  CHECK_FALSE(IsHttpUrl("git://h/r.git"));
  CHECK_FALSE(IsHttpUrl("git@h:r.git"));
}

TEST_CASE("a credential is checked before any file is written") {
  TempDir dir;
  const std::string auth = dir.File("auth");
  for (const auto& [credential, expected] : std::vector<std::pair<GitCredential, std::string>>{
           {{.token = "two\nlines"}, "one line each"},
           {{.username = "a\rb", .token = "tok"}, "one line each"},
           {{.ssh_key = "not a key", .known_hosts = "h ssh-ed25519 AAAA"}, "must be a private key"},
           {{.ssh_key =
                 "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----"},
            "GIT_SSH_KEY needs GIT_KNOWN_HOSTS"}}) {
    auto files = GitAuthFiles::Create(auth, credential);
    REQUIRE_FALSE(files.ok());
    CHECK(files.status().message().find(expected) != std::string::npos);
    CHECK_FALSE(fs::exists(auth));
  }
}

TEST_CASE(
    "an HTTPS token: 0600 files, an askpass helper that answers git's two prompts, removed after") {
  TempDir dir;
  const std::string auth = dir.File("jobs/w0.auth");
  const GitCredential credential{.username = "deployer", .token = "tok-askpass-0123456789"};
  {
    auto files = GitAuthFiles::Create(auth, credential);
    REQUIRE(files.ok());
    CHECK(ModeOf(auth) == 0700);
    CHECK(ModeOf(auth + "/token") == 0600);
    CHECK(ModeOf(auth + "/username") == 0600);
    CHECK(ModeOf(auth + "/askpass") == 0700);
    const std::vector<std::string>& env = (*files)->env();
    CHECK(std::find(env.begin(), env.end(), "GIT_ASKPASS=" + auth + "/askpass") != env.end());
    // Credential helpers are switched off: none may store the token.
    CHECK(std::find(env.begin(), env.end(), "GIT_CONFIG_KEY_0=credential.helper") != env.end());
    CHECK(std::find(env.begin(), env.end(), "GIT_CONFIG_VALUE_0=") != env.end());
    for (const std::string& e : env) CHECK(e.find(credential.token) == std::string::npos);

    auto user = RunProcess({auth + "/askpass", "Username for 'https://git.example.com': "});
    REQUIRE(user.ok());
    CHECK(user->out == "deployer");
    auto password =
        RunProcess({auth + "/askpass", "Password for 'https://deployer@git.example.com': "});
    REQUIRE(password.ok());
    CHECK(password->out == credential.token);
  }
  CHECK_FALSE(fs::exists(auth));

  // No user name given: the default one.
  auto files = GitAuthFiles::Create(auth, {.token = "tok-askpass-0123456789"});
  REQUIRE(files.ok());
  CHECK(ReadFile(auth + "/username") == kDefaultGitUsername);
}

TEST_CASE("an SSH deploy key: 0600 key and pinned known_hosts, ssh told to trust nothing else") {
  TempDir dir;
  const std::string auth = dir.File("it's here");  // a path the shell must not split
  const GitCredential credential{
      .ssh_key = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
      .known_hosts = "[127.0.0.1]:2222 ssh-ed25519 AAAAC3"};
  auto files = GitAuthFiles::Create(auth, credential);
  REQUIRE(files.ok());
  CHECK(ModeOf(auth + "/key") == 0600);
  CHECK(ModeOf(auth + "/known_hosts") == 0600);
  CHECK(ReadFile(auth + "/key") == credential.ssh_key + "\n");  // OpenSSH wants the last line ended
  CHECK(ReadFile(auth + "/known_hosts") == credential.known_hosts + "\n");
  {
    GitCredential crlf = credential;  // as pasted from a file saved with CR LF line ends
    crlf.ssh_key = "-----BEGIN OPENSSH PRIVATE KEY-----\r\nAAAA\r\n-----END OPENSSH PRIVATE KEY-----\r\n";
    auto other = GitAuthFiles::Create(dir.File("crlf"), crlf);
    REQUIRE(other.ok());
    CHECK(ReadFile(dir.File("crlf/key")) == credential.ssh_key + "\n");
  }
  const std::vector<std::string>& env = (*files)->env();
  auto command = std::find_if(env.begin(), env.end(), [](const std::string& e) {
    return e.starts_with("GIT_SSH_COMMAND=");
  });
  REQUIRE(command != env.end());
  CHECK(command->find("AAAA") == std::string::npos);

  // The words the shell git runs it with makes of it.
  auto words = RunProcess({"sh", "-c",
                           "for w in " + SshCommand(auth + "/key", auth + "/known_hosts") +
                               "; do printf '%s\\n' \"$w\"; done"});
  REQUIRE(words.ok());
  const std::vector<std::string> argv = SplitNonEmpty(words->out, '\n');
  const std::vector<std::string> expected = {"ssh",
                                             "-F",
                                             "/dev/null",
                                             "-i",
                                             auth + "/key",
                                             "-o",
                                             "IdentitiesOnly=yes",
                                             "-o",
                                             "IdentityAgent=none",
                                             "-o",
                                             "UserKnownHostsFile=" + auth + "/known_hosts",
                                             "-o",
                                             "GlobalKnownHostsFile=/dev/null",
                                             "-o",
                                             "StrictHostKeyChecking=yes",
                                             "-o",
                                             "BatchMode=yes",
                                             "-o",
                                             "ConnectTimeout=30"};
  CHECK(argv == expected);
}

TEST_CASE("the environment of git: overrides replace entries of the same name") {
  CHECK(MergeEnv({"A=1", "GIT_ASKPASS=true", "B=2"}, {"GIT_ASKPASS=/x/askpass", "C=3"}) ==
        std::vector<std::string>{"A=1", "GIT_ASKPASS=/x/askpass", "B=2", "C=3"});
  CHECK(MergeEnv({"A=1"}, {}) == std::vector<std::string>{"A=1"});
}

TEST_CASE("a failed git call is summed up by its fatal lines and ssh's refusals") {
  CHECK(GitErrorSummary("remote: nope\nfatal: Authentication failed for 'http://h/r.git/'\n") ==
        "fatal: Authentication failed for 'http://h/r.git/'");
  CHECK(
      GitErrorSummary(
          "@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
          "Host key for [127.0.0.1]:2222 has changed and you have requested strict checking.\n"
          "Host key verification failed.\nfatal: Could not read from remote repository.\n\n"
          "Please make sure you have the correct access rights\n") ==
      "Host key for [127.0.0.1]:2222 has changed and you have requested strict checking.; Host key "
      "verification failed.; fatal: Could not read from remote repository.");
  CHECK(GitErrorSummary("just one line\nand another\n") == "just one line");
  CHECK(GitErrorSummary(std::string(5000, 'x')).size() == 1024);
}

TEST_CASE(
    "git clones over HTTP with the token through askpass, and a wrong token fails without showing "
    "it") {
  TempDir dir;
  MakeRepo(dir.File("srv/app.git"), dir.File("work"));
  const std::string token = "tok-http-" + std::to_string(getpid()) + "-abcdef";
  testing::GitHttpServer server(dir.File("srv"), "deployer", token);
  const std::string url = server.Url("app.git");

  auto cloned = CloneWith(url, dir.File("good.git"), {.username = "deployer", .token = token},
                          dir.File("auth"));
  REQUIRE(cloned.ok());
  INFO(cloned->err);
  REQUIRE(cloned->ok());
  CHECK(server.served() > 0);
  CHECK_FALSE(fs::exists(dir.File("auth")));
  CHECK(FilesHolding(dir.File("good.git"), token).empty());  // not in the mirror's config

  auto wrong = CloneWith(url, dir.File("wrong.git"),
                         {.username = "deployer", .token = token + "-not"}, dir.File("auth"));
  REQUIRE(wrong.ok());
  CHECK_FALSE(wrong->ok());
  CHECK(GitErrorSummary(wrong->err).find("Authentication failed") != std::string::npos);
  CHECK(wrong->err.find(token) == std::string::npos);

  const int refused = server.refused();
  auto none = CloneWith(url, dir.File("none.git"), {}, dir.File("auth"));
  REQUIRE(none.ok());
  CHECK_FALSE(none->ok());
  CHECK(server.refused() > refused);
}

TEST_CASE(
    "git clones over ssh with the deploy key and the pinned host key, and refuses anything else") {
  TempDir dir;
  MakeRepo(dir.File("app.git"), dir.File("work"));
  fs::create_directories(dir.File("sshd"));
  testing::GitSshServer server(dir.File("sshd"));
  const std::string url = server.Url(dir.File("app.git"));
  const GitCredential good{.ssh_key = server.DeployKey(), .known_hosts = server.KnownHosts()};

  auto cloned = CloneWith(url, dir.File("good.git"), good, dir.File("auth"));
  REQUIRE(cloned.ok());
  INFO(cloned->err << server.Log());
  REQUIRE(cloned->ok());
  CHECK_FALSE(fs::exists(dir.File("auth")));

  // A host key other than the pinned one: ssh stops before authenticating.
  testing::MakeSshKey(dir.File("other_host"));
  std::vector<std::string> other = SplitNonEmpty(ReadFile(dir.File("other_host.pub")), ' ');
  GitCredential wrong_host = good;
  wrong_host.known_hosts =
      "[127.0.0.1]:" + std::to_string(server.port()) + " " + other[0] + " " + other[1];
  auto spoofed = CloneWith(url, dir.File("spoofed.git"), wrong_host, dir.File("auth"));
  REQUIRE(spoofed.ok());
  CHECK_FALSE(spoofed->ok());
  CHECK(GitErrorSummary(spoofed->err).find("Host key verification failed") != std::string::npos);

  // A key the server does not know.
  testing::MakeSshKey(dir.File("other_key"));
  GitCredential wrong_key = good;
  wrong_key.ssh_key = ReadFile(dir.File("other_key"));
  auto refused = CloneWith(url, dir.File("refused.git"), wrong_key, dir.File("auth"));
  REQUIRE(refused.ok());
  CHECK_FALSE(refused->ok());
  CHECK(GitErrorSummary(refused->err).find("Permission denied") != std::string::npos);
  CHECK(refused->err.find("PRIVATE KEY") == std::string::npos);
}

}  // namespace
}  // namespace slipway
