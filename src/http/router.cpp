#include "http/router.h"

#include <set>

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
  const size_t index = routes_.size();
  if (pattern.find('{') == std::string::npos) {
    literal_[pattern].push_back(index);
  } else {
    templated_.push_back(index);
  }
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(handler), execution});
}

RouteMatch Router::match(Request& request) const {
  RouteMatch result;
  const std::string_view path = request.path();
  const auto methodMatches = [&](const Route& route) {
    return route.method == request.method || (request.method == "HEAD" && route.method == "GET");
  };
  // Literal routes win over templated ones ("/contacts/counts" before "/contacts/{id}"); they
  // are found by hash lookup, so the common case costs no pattern matching at all.
  if (auto it = literal_.find(std::string(path)); it != literal_.end()) {
    for (size_t index : it->second) {
      const Route& route = routes_[index];
      if (!methodMatches(route)) {
        result.path_matched = true;
        continue;
      }
      request.path_params.clear();
      result.route = &route;
      return result;
    }
  }
  for (size_t index : templated_) {
    const Route& route = routes_[index];
    std::map<std::string, std::string> params;
    if (!matchPattern(route.pattern, path, &params)) continue;
    if (!methodMatches(route)) {
      result.path_matched = true;
      continue;
    }
    request.path_params = std::move(params);
    result.route = &route;
    return result;
  }
  return result;
}

std::string Router::allow(std::string_view path) const {
  std::set<std::string> methods;
  if (auto it = literal_.find(std::string(path)); it != literal_.end()) {
    for (size_t index : it->second) methods.insert(routes_[index].method);
  }
  for (size_t index : templated_) {
    if (matchPattern(routes_[index].pattern, path, nullptr)) methods.insert(routes_[index].method);
  }
  if (methods.count("GET")) methods.insert("HEAD");
  std::string out;
  for (const auto& method : methods) out += (out.empty() ? "" : ", ") + method;
  return out;
}

}  // namespace liaison::http
