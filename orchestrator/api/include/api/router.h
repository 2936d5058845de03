// Router: matches a request's method and path against patterns like "/api/v1/runs/{id}" and calls
// the route's handler with the captured parameters. "{name...}" captures one or more segments
// joined by '/', for repository names like "group/subgroup/app". Unknown paths get 404, known paths with another
// method 405, both as JSON errors.
//
// Where handlers run: a route added with Add runs at once, on the connection's I/O thread, and
// must be quick (no git, no scan, no hashing of large bodies). A route added with AddOnWorkers
// runs on a small pool of worker threads, so heavy requests (webhook signatures, finishing jobs
// with their scans, git fetches) never hold up the agents' and dashboards' quick ones; when too
// many wait for a worker, the request is answered 503.
//
// Thread-safety: routes are added before serving starts; Dispatch and Post may then run on any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/work_queue.h"
#include "http/server.h"

namespace slipway::api {

using PathParams = std::map<std::string, std::string>;
using WriterPtr = std::shared_ptr<http::ResponseWriter>;
using RouteHandler =
    std::function<void(const http::Request&, const PathParams&, std::shared_ptr<http::ResponseWriter>)>;
// Decides whether a request may reach the route whose pattern it matched (api/access.h): an error
// Status is the answer instead.
using RouteGuard = std::function<Status(const http::Request&, const std::string& pattern, const PathParams&)>;

class Router {
 public:
  static constexpr int kDefaultWorkers = 4;
  static constexpr size_t kMaxWaitingRequests = 256;  // for a worker; more are answered 503

  explicit Router(int workers = kDefaultWorkers);
  ~Router();

  void Add(std::string method, std::string pattern, RouteHandler handler);
  void AddOnWorkers(std::string method, std::string pattern, RouteHandler handler);
  // Runs guard before every route's handler, on the connection's thread (so it must be quick).
  void SetGuard(RouteGuard guard) { guard_ = std::move(guard); }
  void Dispatch(http::Request request, std::shared_ptr<http::ResponseWriter> writer) const;
  // Runs task on the workers (a handler answering in steps, such as a long log, page by page).
  void Post(std::function<void()> task) const;
  // Lets the work under way and queued finish, then turns heavy requests away (503) and drops
  // posted tasks. Call before the HTTP server stops, so that no worker holds an answer past it.
  void Stop();

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" captures one segment, "{name...}" one or more
    RouteHandler handler;
    bool on_workers = false;
  };
  std::vector<Route> routes_;
  RouteGuard guard_;
  mutable std::mutex mu_;
  std::unique_ptr<core::WorkQueue> workers_;  // GUARDED_BY(mu_); none once stopped
};

}  // namespace slipway::api
