// The HTTP server's options from slipwayd's settings: the listen address and the http: section's
// limits (core::HttpLimits); a limit the settings leave unset keeps http::ServerOptions' default.
#pragma once

#include "core/config.h"
#include "http/server.h"

namespace slipway::api {

http::ServerOptions ServerOptionsFor(const core::ServerConfig& config);

}  // namespace slipway::api
