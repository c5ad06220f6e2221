#include "sandbox/control/faults.h"

#include <cstdint>

#include "cc/operations.h"
#include "core/json_fields.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

Error invalidFault(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error", message);
}

const char* defaultKey(int status) {
  switch (status) {
    case 400: return "http.status.bad_request";
    case 401: return "unauthorized";
    case 403: return "access_denied";
    case 404: return "http.status.not_found";
    case 409: return "contacts.api.conflict";
    case 429: return "throttled";
    case 503: return "http.status.service_unavailable";
    default: return "http.status.internal_server_error";
  }
}

const char* defaultOAuthError(int status) {
  switch (status) {
    case 400:
      return "invalid_request";
    case 401:
      return "invalid_client";
    case 403:
      return "access_denied";
    case 429:
      return "too_many_requests";
    case 503:
      return "temporarily_unavailable";
    default:
      return "server_error";
  }
}

constexpr int64_t kMaxCount = 1000000000;

}  // namespace

bool isOAuthOperation(std::string_view operation) {
  return operation == "oauth.token" || operation == "oauth.device_authorize" || operation == "oauth.revoke" ||
         operation == "oauth.keys";
}

http::Response applyFault(const FaultAction& action, const std::function<http::Response()>& handler,
                          const std::function<http::Response()>& failure) {
  if (action.type == "status") return failure();
  http::Response response;
  if (action.type == "reset") {
    response.abort_connection = true;
    return response;
  }
  response = handler();
  // Real time on purpose: the client under test must see a slow answer. The server holds it
  // back on a timer; no thread sleeps.
  if (action.type == "latency") response.delay = std::chrono::milliseconds(action.latency_ms);
  if (action.type == "drop_after_commit") response.abort_connection = true;
  return response;
}

Result<json> FaultInjector::add(const json& spec) {
  if (!spec.is_object()) return invalidFault("A fault rule is a JSON object.");
  // Each field with exactly the JSON type it needs: a string where a number belongs, or a
  // fraction where a whole number belongs, is refused instead of converted, so a rule never does
  // something other than what its author wrote.
  const JsonFields fields(spec, "sandbox.validation.error");
  auto operation = fields.optionalString("operation", {128});
  auto account = fields.optionalString("account_id", {64});
  auto client = fields.optionalString("client_id", {255});
  auto probability = fields.optionalNumber("probability", 0, 1);
  auto count = fields.optionalInteger("count", 1, kMaxCount);
  auto seed = fields.optionalInteger("seed", 0, INT64_MAX);
  auto action_object = fields.object("action");
  for (const Error* e : {operation ? nullptr : &operation.error(), account ? nullptr : &account.error(),
                         client ? nullptr : &client.error(), probability ? nullptr : &probability.error(),
                         count ? nullptr : &count.error(), seed ? nullptr : &seed.error(),
                         action_object ? nullptr : &action_object.error()}) {
    if (e) return *e;
  }
  const JsonFields& action = *action_object;
  auto type = action.optionalEnum("type", {"status", "latency", "reset", "drop_after_commit"});
  auto status = action.optionalInteger("status", 400, 599);
  auto ms = action.optionalInteger("ms", 0, 30000);
  auto key = action.optionalString("error_key", {128});
  auto message = action.optionalString("error_message", {1000});
  for (const Error* e :
       {type ? nullptr : &type.error(), status ? nullptr : &status.error(), ms ? nullptr : &ms.error(),
        key ? nullptr : &key.error(), message ? nullptr : &message.error()}) {
    if (e) return *e;
  }
  if (!*type) return invalidFault("action.type must be status, latency, reset or drop_after_commit.");
  Rule rule;
  rule.spec = spec;
  rule.operation = operation->value_or("");
  rule.account = account->value_or("");
  rule.client = client->value_or("");
  rule.probability = probability->value_or(1.0);
  rule.draws = SeededRandom(static_cast<uint64_t>(seed->value_or(0)));
  rule.action.type = **type;
  rule.action.status = static_cast<int>(status->value_or(503));
  rule.action.latency_ms = static_cast<int>(ms->value_or(0));
  rule.action.error_message = message->value_or("Injected fault.");
  rule.action.error_key = key->value_or(defaultKey(rule.action.status));
  rule.action.oauth_error = key->value_or(defaultOAuthError(rule.action.status));
  rule.remaining = static_cast<int>(count->value_or(-1));  // -1: no limit
  if (!rule.operation.empty() && !isOAuthOperation(rule.operation) &&
      !cc::findOperationById(rule.operation)) {
    return invalidFault(
        "operation must be one of CC's operationIds (docs/API-COVERAGE.md) or oauth.token, "
        "oauth.device_authorize, oauth.revoke or oauth.keys; leave it out for every /v3 operation.");
  }
  rule.id = random_.uuid();
  json out = spec;
  out["fault_id"] = rule.id;
  rule.spec = out;
  std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
  any_ = true;
  return out;
}

json FaultInjector::list() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& rule : rules_) {
    json item = rule.spec;
    item["remaining"] = rule.remaining;
    out.push_back(item);
  }
  return out;
}

bool FaultInjector::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto before = rules_.size();
  rules_.erase(std::remove_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == id; }), rules_.end());
  any_ = !rules_.empty();
  return rules_.size() != before;
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
  any_ = false;
}

std::optional<FaultAction> FaultInjector::match(const std::string& operation, const std::string& account,
                                                const std::string& client) {
  std::lock_guard lock(mutex_);
  for (auto& rule : rules_) {
    if (rule.remaining == 0) continue;
    if (!rule.operation.empty() && rule.operation != operation) continue;
    // A rule for every operation means every /v3 operation: OAuth rules name theirs.
    if (rule.operation.empty() && isOAuthOperation(operation)) continue;
    if (!rule.account.empty() && rule.account != account) continue;
    if (!rule.client.empty() && rule.client != client) continue;
    if (rule.probability < 1.0) {
      const double draw = rule.draws.uniform(1000000) / 1000000.0;
      if (draw >= rule.probability) continue;
    }
    if (rule.remaining > 0) --rule.remaining;
    return rule.action;
  }
  return std::nullopt;
}

void RequestJournal::record(JournalEntry entry) {
  std::lock_guard lock(mutex_);
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) entries_.pop_front();
}

json RequestJournal::recent(size_t limit) const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  const size_t start = entries_.size() > limit ? entries_.size() - limit : 0;
  for (size_t i = start; i < entries_.size(); ++i) {
    const JournalEntry& e = entries_[i];
    out.push_back({{"at", formatIso8601(e.at)}, {"method", e.method}, {"path", e.path}, {"operation", e.operation},
                   {"account_id", e.account_id}, {"client_id", e.client_id}, {"status", e.status}, {"fault", e.fault}});
  }
  return out;
}

void RequestJournal::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace liaison::sandbox
