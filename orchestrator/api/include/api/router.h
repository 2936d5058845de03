// Router: matches a request's method and path against patterns like "/api/v1/runs/{id}" and calls
// the route's handler with the captured parameters. "{name...}" captures one or more segments
// joined by '/', for repository names like "group/subgroup/app". Unknown paths get 404, known paths with another
// method 405, both as JSON errors.
//
// Thread-safety: routes are added before serving starts; Dispatch may then run on any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/server.h"

namespace slipway::api {

using PathParams = std::map<std::string, std::string>;
using WriterPtr = std::shared_ptr<http::ResponseWriter>;
using RouteHandler =
    std::function<void(const http::Request&, const PathParams&, std::shared_ptr<http::ResponseWriter>)>;

class Router {
 public:
  void Add(std::string method, std::string pattern, RouteHandler handler);
  void Dispatch(const http::Request& request, std::shared_ptr<http::ResponseWriter> writer) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" captures one segment, "{name...}" one or more
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace slipway::api
