#include "hub/proxy/operation_check.h"

#include <algorithm>

#include "cc/features.h"
#include "cc/scopes.h"

namespace liaison::hub::proxy {

namespace {

// Literal segments of `pattern` when it matches `path`; -1 when it does not.
int literalMatch(std::string_view pattern, std::string_view path) {
  int literals = 0;
  while (true) {
    const auto pe = pattern.find('/', 1);
    const auto te = path.find('/', 1);
    const std::string_view ps = pattern.substr(1, pe == std::string_view::npos ? pe : pe - 1);
    const std::string_view ts = path.substr(1, te == std::string_view::npos ? te : te - 1);
    if (ps.starts_with('{') && ps.ends_with('}')) {
      if (ts.empty()) return -1;
    } else if (ps != ts) {
      return -1;
    } else {
      ++literals;
    }
    if (pe == std::string_view::npos || te == std::string_view::npos) {
      return pe == te ? literals : -1;
    }
    pattern = pattern.substr(pe);
    path = path.substr(te);
  }
}

}  // namespace

const cc::Operation* matchOperation(std::string_view method, std::string_view path) {
  if (method == "HEAD") method = "GET";
  // A trailing slash names the same resource.
  if (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
  const cc::Operation* best = nullptr;
  int best_literals = -1;
  for (const auto& op : cc::operationTable()) {
    if (op.method != method) continue;
    const int literals = literalMatch(op.path, path);
    if (literals > best_literals) {
      best = &op;
      best_literals = literals;
    }
  }
  return best;
}

std::optional<Refusal> refusalFor(const cc::Operation& operation, const std::vector<std::string>& scopes,
                                  const std::optional<std::vector<std::string>>& privileges,
                                  const std::string& connection_id) {
  const auto needed_scopes = cc::splitList(operation.scopes);
  if (!needed_scopes.empty()) {
    const bool any = std::any_of(needed_scopes.begin(), needed_scopes.end(),
                                 [&](const std::string& s) { return cc::hasScope(scopes, s); });
    if (!any) {
      std::string list;
      for (const auto& s : needed_scopes) list += (list.empty() ? "" : " or ") + s;
      return Refusal{"proxy.missing_scope",
                     "The connection was not granted the scope " + list + ", which " +
                         std::string(operation.id) + " needs.",
                     "Reconnect the account asking for the scope " + needed_scopes.front() +
                         " (POST /api/v1/connections/" + connection_id + "/reconnect with \"scopes\")."};
    }
  }
  if (!privileges) return std::nullopt;
  for (const auto& needed : cc::splitList(operation.privileges)) {
    if (std::find(privileges->begin(), privileges->end(), needed) != privileges->end()) continue;
    return Refusal{"proxy.missing_privilege",
                   "The Constant Contact user who connected lacks the privilege " + needed + ", which " +
                       std::string(operation.id) + " needs.",
                   "Ask the account owner to give this user the privilege " + needed + " (the " +
                       std::string(cc::leastRoleWith(needed)) + " role has it)."};
  }
  return std::nullopt;
}

}  // namespace liaison::hub::proxy
