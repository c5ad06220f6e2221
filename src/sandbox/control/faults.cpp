#include "sandbox/control/faults.h"

#include <cstdint>

#include "cc/operations.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

Error invalid(const std::string& message) {
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

// Reads a rule's fields with exactly the JSON type each needs: a string where a number belongs,
// or a fraction where a whole number belongs, is refused instead of converted, so a rule never
// does something other than what its author wrote. The first wrong field is the error.
struct RuleFields {
  const json& object;
  const char* prefix;  // where the object sits in the rule: "" or "action."
  std::optional<Error> error;

  void wrongType(const char* name, const char* expected) {
    if (!error) error = invalid(std::string("The field '") + prefix + name + "' must be " + expected + ".");
  }
  std::string text(const char* name, const char* fallback) {
    if (!object.contains(name)) return fallback;
    if (object[name].is_string()) return object[name].get<std::string>();
    wrongType(name, "a string");
    return fallback;
  }
  double number(const char* name, double fallback) {
    if (!object.contains(name)) return fallback;
    if (object[name].is_number()) return object[name].get<double>();
    wrongType(name, "a number");
    return fallback;
  }
  // Whole numbers beyond int64 are refused here too: no caller's range reaches that far.
  int64_t whole(const char* name, int64_t fallback) {
    if (!object.contains(name)) return fallback;
    const json& value = object[name];
    if (value.is_number_integer() &&
        !(value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
      return value.get<int64_t>();
    }
    wrongType(name, "a whole number");
    return fallback;
  }
  // A whole number from 0 to 2^64-1 (a seed).
  uint64_t natural(const char* name, uint64_t fallback) {
    if (!object.contains(name)) return fallback;
    const json& value = object[name];
    if (value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0)) {
      return value.get<uint64_t>();
    }
    wrongType(name, "a whole number, 0 or more");
    return fallback;
  }
};

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
  if (!spec.is_object()) return invalid("A fault rule is a JSON object.");
  Rule rule;
  rule.spec = spec;
  RuleFields fields{spec, ""};
  rule.operation = fields.text("operation", "");
  rule.account = fields.text("account_id", "");
  rule.client = fields.text("client_id", "");
  rule.probability = fields.number("probability", 1.0);
  const int64_t count = fields.whole("count", -1);
  rule.draws = SeededRandom(fields.natural("seed", 0));
  const json no_action = json::object();
  const json& action = spec.contains("action") ? spec["action"] : no_action;
  if (!action.is_object()) fields.wrongType("action", "an object");
  RuleFields action_fields{action.is_object() ? action : no_action, "action."};
  rule.action.type = action_fields.text("type", "");
  const int64_t status = action_fields.whole("status", 503);
  const int64_t ms = action_fields.whole("ms", 0);
  const std::string key = action_fields.text("error_key", "");
  rule.action.error_message = action_fields.text("error_message", "Injected fault.");
  if (fields.error) return *fields.error;
  if (action_fields.error) return *action_fields.error;
  if (spec.contains("count") && (count < 1 || count > kMaxCount)) {
    return invalid("count must be 1-1000000000 (leave it out for no limit).");
  }
  if (status < 400 || status > 599) return invalid("action.status must be 4xx or 5xx.");
  if (ms < 0 || ms > 30000) return invalid("action.ms must be 0-30000.");
  rule.remaining = static_cast<int>(count);
  rule.action.status = static_cast<int>(status);
  rule.action.latency_ms = static_cast<int>(ms);
  rule.action.error_key = action.contains("error_key") ? key : defaultKey(rule.action.status);
  rule.action.oauth_error = action.contains("error_key") ? key : defaultOAuthError(rule.action.status);
  if (!rule.operation.empty() && !isOAuthOperation(rule.operation) &&
      !cc::findOperationById(rule.operation)) {
    return invalid(
        "operation must be one of CC's operationIds (docs/API-COVERAGE.md) or oauth.token, "
        "oauth.device_authorize, oauth.revoke or oauth.keys; leave it out for every /v3 operation.");
  }
  static const std::vector<std::string> kTypes = {"status", "latency", "reset", "drop_after_commit"};
  if (std::find(kTypes.begin(), kTypes.end(), rule.action.type) == kTypes.end()) {
    return invalid("action.type must be status, latency, reset or drop_after_commit.");
  }
  if (rule.probability < 0 || rule.probability > 1) return invalid("probability must be between 0 and 1.");
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
