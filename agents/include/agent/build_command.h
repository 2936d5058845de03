// The `docker buildx build` argument vector for one JobSpec.
//
// Pure: no I/O. Every value from the spec (target, tags, build args, platforms) becomes exactly one
// argv element; values that a command-line parser could take for an option (leading '-') or that
// hold control characters are refused, and paths must stay inside the checkout.
//
// Thread-safety: plain functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "pipelines/job_spec.h"

namespace slipway::agent {

struct BuildInvocation {
  std::string docker = "docker";  // the docker CLI to run
  std::string checkout_dir;       // absolute: the repository checked out at the job's sha
  std::string metadata_file;      // absolute: where buildx writes the build's metadata
  bool cache_export = true;       // the builder can export a registry cache (--cache-to)
  // The job's secrets (agent/job_secrets.h), by id: files and environment variables buildx reads.
  std::map<std::string, std::string> secret_files;
  std::map<std::string, std::string> secret_envs;
  std::map<std::string, std::string> ssh_files;
};

// docker buildx build --target T --file F --progress=rawjson --metadata-file M [--build-arg K=V]...
//   [--secret id=I,src=FILE | --secret id=I,env=VAR]... [--ssh I=FILE]...
//   [--platform P] [--tag ref]... (--push | --load) [--cache-from ... [--cache-to ...]] CONTEXT
// Errors: invalid_argument for a hostile or malformed value.
Result<std::vector<std::string>> BuildxArgv(const pipelines::JobSpec& spec, const BuildInvocation& inv);

// Joins root and a relative path that must stay inside root ("", ".", "a/b"; no "..", not absolute).
Result<std::string> ResolveInside(const std::string& root, const std::string& relative);

}  // namespace slipway::agent
