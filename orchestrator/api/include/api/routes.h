// The orchestrator's HTTP surface: webhooks, the REST API (/api/v1), the agents' protocol and SSE.
// Each Register* adds one resource's routes; handlers parse and check the request, call core
// (the Coordinator, its Queries for reads, SecretAdmin), and answer through api/replies.h.
//
// Auth: mutating REST calls need the admin token, agent calls the agent token (Bearer, compared
// in constant time); webhooks are authenticated by their forge's signature.
#pragma once

#include "api/router.h"
#include "common/secret_box.h"
#include "core/coordinator.h"

namespace slipway::api {

void RegisterWebhookRoutes(Router& router, core::Coordinator& coordinator);
void RegisterRunRoutes(Router& router, core::Coordinator& coordinator);
void RegisterAgentRoutes(Router& router, core::Coordinator& coordinator);
void RegisterResourceRoutes(Router& router, core::Coordinator& coordinator);  // repos, agents, images, health
void RegisterBaseRoutes(Router& router, core::Coordinator& coordinator);      // base checks on request
// Secrets per repository and server-wide (values sealed by `box`, never answered).
void RegisterSecretRoutes(Router& router, core::Coordinator& coordinator, const SecretBox& box);
void RegisterWebRoutes(Router& router);  // the dashboard at / and /static/... (web/)

// True when the request carries "Authorization: Bearer <token>" (constant-time comparison).
bool HasBearer(const http::Request& request, const std::string& token);

}  // namespace slipway::api
