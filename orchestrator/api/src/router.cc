#include "api/router.h"

#include "api/replies.h"
#include "common/log.h"
#include "common/strings.h"

namespace slipway::api {
namespace {

std::vector<std::string> Split(const std::string& path) { return SplitNonEmpty(path, '/'); }

// "{name}" -> "name"; "{name...}" -> "name" with *rest set; anything else -> "".
std::string ParamName(const std::string& p, bool* rest) {
  *rest = false;
  if (p.size() <= 2 || p.front() != '{' || p.back() != '}') return "";
  std::string name = p.substr(1, p.size() - 2);
  if (name.size() > 3 && name.ends_with("...")) {
    *rest = true;
    name.resize(name.size() - 3);
  }
  return name;
}

bool MatchFrom(const std::vector<std::string>& pattern, size_t pi, const std::vector<std::string>& path, size_t si,
               PathParams* params) {
  if (pi == pattern.size()) return si == path.size();
  if (si == path.size()) return false;
  bool rest = false;
  std::string name = ParamName(pattern[pi], &rest);
  if (name.empty()) return pattern[pi] == path[si] && MatchFrom(pattern, pi + 1, path, si + 1, params);
  if (!rest) {
    (*params)[name] = path[si];
    return MatchFrom(pattern, pi + 1, path, si + 1, params);
  }
  // The fixed segments after a multi-segment capture are few, so trying each end is cheap.
  const size_t fixed_after = pattern.size() - pi - 1;
  for (size_t end = si + 1; end + fixed_after <= path.size(); ++end) {
    std::string joined = path[si];
    for (size_t i = si + 1; i < end; ++i) joined += "/" + path[i];
    (*params)[name] = joined;
    if (MatchFrom(pattern, pi + 1, path, end, params)) return true;
  }
  return false;
}

bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& path, PathParams* params) {
  PathParams captured;
  if (!MatchFrom(pattern, 0, path, 0, &captured)) return false;
  *params = std::move(captured);
  return true;
}

// The safety net under every handler: a JSON field of the wrong type read with json::value()
// throws, and a request must never take the server down.
void Invoke(const RouteHandler& handler, const http::Request& request, const PathParams& params,
            const std::shared_ptr<http::ResponseWriter>& writer) {
  try {
    handler(request, params, writer);
  } catch (const nlohmann::json::exception& e) {
    ReplyStatus(*writer,
                Status::InvalidArgument(std::string("a field of the request has the wrong type: ") + e.what()));
  } catch (const std::exception& e) {
    LogError("handler failed", {{"path", request.path}, {"error", e.what()}});
    ReplyStatus(*writer, Status::Internal("the request could not be handled"));
  }
}

}  // namespace

Router::Router(int workers) : workers_(std::make_unique<core::WorkQueue>(workers)) {}

Router::~Router() = default;

void Router::Add(std::string method, std::string pattern, RouteHandler handler) {
  routes_.push_back({std::move(method), Split(pattern), std::move(handler), false});
}

void Router::AddOnWorkers(std::string method, std::string pattern, RouteHandler handler) {
  routes_.push_back({std::move(method), Split(pattern), std::move(handler), true});
}

void Router::Post(std::function<void()> task) const {
  std::lock_guard lock(mu_);
  if (workers_) workers_->Post(std::move(task), nullptr);
}

void Router::Stop() {
  std::unique_ptr<core::WorkQueue> workers;
  {
    std::lock_guard lock(mu_);
    workers = std::move(workers_);
  }
  workers.reset();  // outside mu_: the tasks it finishes may Post
}

void Router::Dispatch(http::Request request, std::shared_ptr<http::ResponseWriter> writer) const {
  auto segments = Split(request.path);
  bool path_known = false;
  for (const auto& route : routes_) {
    PathParams params;
    if (!Match(route.segments, segments, &params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    if (!route.on_workers) return Invoke(route.handler, request, params, writer);
    bool queued = false;
    {
      std::lock_guard lock(mu_);
      queued = workers_ && workers_->TryPost(
                               [&route, request = std::move(request), params = std::move(params), writer] {
                                 Invoke(route.handler, request, params, writer);
                               },
                               kMaxWaitingRequests);
    }
    if (!queued) ReplyStatus(*writer, Status::Unavailable("the server is busy; try again later"));
    return;
  }
  if (path_known) {
    ReplyStatus(*writer, Status::MethodNotAllowed(request.method + " is not allowed on " + request.path));
  } else {
    ReplyStatus(*writer, Status::NotFound("no such endpoint: " + request.path));
  }
}

}  // namespace slipway::api
