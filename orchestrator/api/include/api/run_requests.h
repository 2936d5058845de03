// What the run routes read from a request, checked: the run list's query, a manual trigger's
// body and a rerun's body. Pure; each refuses bad input with InvalidArgument naming the field.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "core/rerun_plan.h"
#include "http/server.h"
#include "store/run_store.h"

namespace slipway::api {

// A positive integer path or query parameter, or InvalidArgument naming it.
Result<int64_t> ParseId(const std::string& text, const std::string& what);

// GET /api/v1/runs?repo=&branch=&status=&limit=&before=|after=
Result<store::RunFilter> RunFilterOf(const http::Request& request);

// POST /api/v1/runs {"repo", "branch", "sha"?}: the branch and sha validated.
struct ManualTrigger {
  std::string repo;
  std::string branch;
  std::string sha;  // "": the branch's head
};
Result<ManualTrigger> ManualTriggerOf(const nlohmann::json& body);

// POST /api/v1/runs/{id}/rerun {"jobs": "all" | "failed" | [names]}; an empty body is "all".
Result<core::RerunSelection> RerunSelectionOf(const std::string& body);

}  // namespace slipway::api
