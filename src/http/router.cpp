#include "http/router.h"

namespace liaison::http {

bool matchPattern(const std::string& pattern, std::string_view path,
                  std::map<std::string, std::string>* params) {
  size_t pi = 0;
  size_t si = 0;
  std::map<std::string, std::string> found;
  while (pi < pattern.size() && si <= path.size()) {
    if (pattern[pi] == '{') {
      const size_t close = pattern.find('}', pi);
      const std::string name = pattern.substr(pi + 1, close - pi - 1);
      size_t end = path.find('/', si);
      if (end == std::string_view::npos) end = path.size();
      if (end == si) return false;  // an empty segment never fills a parameter
      auto decoded = percentDecode(path.substr(si, end - si), false);
      if (!decoded) return false;
      found[name] = *decoded;
      si = end;
      pi = close + 1;
    } else {
      if (si >= path.size() || path[si] != pattern[pi]) return false;
      ++si;
      ++pi;
    }
  }
  if (pi != pattern.size() || si != path.size()) return false;
  if (params) *params = std::move(found);
  return true;
}

void Router::add(std::string method, std::string pattern, Handler handler, Execution execution) {
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(handler), execution});
}

RouteMatch Router::match(Request& request) const {
  RouteMatch result;
  const std::string_view path = request.path();
  // Literal routes win over templated ones ("/contacts/counts" before "/contacts/{id}"), so
  // look for an exact literal match first.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& route : routes_) {
      const bool templated = route.pattern.find('{') != std::string::npos;
      if ((pass == 0) == templated) continue;
      std::map<std::string, std::string> params;
      if (!matchPattern(route.pattern, path, &params)) continue;
      if (route.method != request.method &&
          !(request.method == "HEAD" && route.method == "GET")) {
        result.path_matched = true;
        continue;
      }
      request.path_params = std::move(params);
      result.route = &route;
      return result;
    }
  }
  return result;
}

}  // namespace liaison::http
