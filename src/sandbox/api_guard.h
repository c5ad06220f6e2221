#pragma once
// The API side of authorization, applied to every /v3 operation from the one operation table:
// a valid bearer token (401 with CC's body), the API key's rate limits in the strict profile
// (429), one of the operation's scopes, then every privilege it names for the token's user
// (403 access_denied naming what is missing).
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>

#include "cc/operations.h"
#include "http/router.h"
#include "sandbox/context.h"
#include "sandbox/control/faults.h"
#include "sandbox/limits.h"

namespace liaison::sandbox {

struct ApiCall {
  TokenIdentity identity;
  const cc::Operation* operation = nullptr;
  // The JSON object body, parsed once by the guard to check it against CC's documented shape;
  // takeJsonBody hands it to the handler instead of parsing it again. Empty when the operation
  // has no documented body or the body did not parse (the handler then says what it expected).
  std::shared_ptr<nlohmann::json> json_body;
};

// The request's JSON object body: the one the guard parsed (moved out, so take it once), else
// parsed here with CC's errors for a wrong media type, bad UTF-8 or JSON, or a non-object.
Result<nlohmann::json> takeJsonBody(const http::Request& request, const ApiCall& call);

using ApiHandler = std::function<http::Response(http::Request&, const ApiCall&)>;

class ApiGuard {
 public:
  explicit ApiGuard(SandboxContext& context);

  // Serves the table operation `operation_id` with `handler`, behind the checks.
  void add(http::Router& router, std::string_view operation_id, ApiHandler handler,
           http::Execution execution = http::Execution::Inline);
  // Answers every other table operation, after the same checks, with 501 in CC's format, so a
  // client learns "not emulated yet" rather than "no such endpoint".
  void addUnimplemented(http::Router& router);

  // `account` receives the token's account once the token is known (for error shaping).
  Result<ApiCall> check(const http::Request& request, const cc::Operation& operation,
                        std::string* account = nullptr) const;
  // Per-account switch: answer 429 with a single {error_key, error_message} object instead of
  // CC's documented array (some clients have seen both).
  void setObjectRateLimitBody(std::function<bool(const std::string& account)> predicate) {
    object_rate_limit_body_ = std::move(predicate);
  }
  bool serves(std::string_view operation_id) const { return served_.count(operation_id) > 0; }
  void resetLimits();
  FaultInjector& faults() { return faults_; }
  RequestJournal& journal() { return journal_; }

 private:
  http::Response fail(const Error& error, const std::string& account) const;
  // Runs a checked call through the fault rules and the handler, and journals it.
  http::Response serve(http::Request& request, const cc::Operation& operation, const ApiHandler& handler);

  // Each operation's scopes and privileges, split once from the table.
  struct Requirements {
    std::vector<std::string> scopes;
    std::vector<std::string> privileges;
  };

  SandboxContext& context_;
  std::unordered_map<const cc::Operation*, Requirements> requirements_;
  std::set<std::string_view> served_;
  std::function<bool(const std::string&)> object_rate_limit_body_;
  FaultInjector faults_;
  RequestJournal journal_;
  // Strict profile: CC's per-API-key limits, shared by every account the key is connected to.
  mutable WindowLimiter per_second_;
  mutable WindowLimiter per_day_;  // windows start at 00:00 UTC on the virtual clock
};

}  // namespace liaison::sandbox
