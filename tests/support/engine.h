// The Docker engine, for tests that build, save or push images: such a test fails at once, saying
// why, when the engine does not answer (scripts/setup starts it); it never passes without it.
//
// Thread-safety: plain function.
#pragma once

#include <catch2/catch.hpp>

#include "common/subprocess.h"

namespace slipway::testing {

inline void RequireDockerEngine() {
  auto info = RunProcess({"docker", "info", "--format", "{{.ServerVersion}}"});
  INFO("this test needs the Docker engine (scripts/setup starts it); `docker info` "
       << (info.ok() ? "exited " + std::to_string(info->exit_code) + ": " + info->err
                     : "could not run: " + info.status().ToString()));
  REQUIRE(info.ok());
  REQUIRE(info->ok());
}

}  // namespace slipway::testing
