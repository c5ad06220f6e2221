#include "sandbox/control/faults.h"

#include <thread>

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
  if (action.type == "latency") {
    // Real time on purpose: the client under test must see a slow answer.
    std::this_thread::sleep_for(std::chrono::milliseconds(action.latency_ms));
  }
  response = handler();
  if (action.type == "drop_after_commit") response.abort_connection = true;
  return response;
}

Result<json> FaultInjector::add(const json& spec) {
  if (!spec.is_object()) return invalid("A fault rule is a JSON object.");
  Rule rule;
  rule.spec = spec;
  try {
    rule.operation = spec.value("operation", "");
    rule.account = spec.value("account_id", "");
    rule.client = spec.value("client_id", "");
    rule.probability = spec.value("probability", 1.0);
    rule.remaining = spec.value("count", -1);
    const uint64_t seed = spec.contains("seed") ? spec["seed"].get<uint64_t>() : 0;
    rule.draws = SeededRandom(seed);
    const json action = spec.value("action", json::object());
    rule.action.type = action.value("type", "");
    rule.action.status = action.value("status", 503);
    rule.action.latency_ms = action.value("ms", 0);
    rule.action.error_key = action.value("error_key", std::string(defaultKey(rule.action.status)));
    rule.action.oauth_error = action.value("error_key", std::string(defaultOAuthError(rule.action.status)));
    rule.action.error_message = action.value("error_message", std::string("Injected fault."));
  } catch (const json::exception&) {
    return invalid("A fault rule field has the wrong type.");
  }
  static const std::vector<std::string> kTypes = {"status", "latency", "reset", "drop_after_commit"};
  if (std::find(kTypes.begin(), kTypes.end(), rule.action.type) == kTypes.end()) {
    return invalid("action.type must be status, latency, reset or drop_after_commit.");
  }
  if (rule.operation.starts_with("oauth.") && !isOAuthOperation(rule.operation)) {
    return invalid(
        "An authorization server operation is oauth.token, oauth.device_authorize, oauth.revoke or "
        "oauth.keys.");
  }
  if (rule.probability < 0 || rule.probability > 1) return invalid("probability must be between 0 and 1.");
  if (rule.action.status < 400 || rule.action.status > 599) return invalid("action.status must be 4xx or 5xx.");
  if (rule.action.latency_ms < 0 || rule.action.latency_ms > 30000) return invalid("action.ms must be 0-30000.");
  rule.id = random_.uuid();
  json out = spec;
  out["fault_id"] = rule.id;
  rule.spec = out;
  std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
  noteDelays();
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
  noteDelays();
  return rules_.size() != before;
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
  noteDelays();
}

void FaultInjector::noteDelays() {
  any_ = !rules_.empty();
  delays_ = std::any_of(rules_.begin(), rules_.end(), [](const Rule& r) { return r.action.type == "latency"; });
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
