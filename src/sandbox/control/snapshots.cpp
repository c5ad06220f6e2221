#include "sandbox/control/snapshots.h"

#include <algorithm>
#include <set>

#include "cc/errors.h"
#include "core/json_fields.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

// A demo account is ~600 documents; a fixture of a large import stays well under this.
constexpr size_t kMaxDocuments = 1'000'000;

constexpr int kFormat = 1;

Error invalidSnapshot(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error", message);
}
Error missing(const std::string& name) {
  return makeError(ErrorCode::NotFound, "sandbox.not_found", "No snapshot named '" + name + "'.");
}

Status checkName(const std::string& name) {
  const auto allowed = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  };
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), allowed)) {
    return invalidSnapshot("A snapshot name is 1-64 letters, digits, '_', '.' or '-'.");
  }
  return okStatus();
}

http::Response answer(const Result<json>& result, int status = 200) {
  if (!result) return cc::errorResponse(result.error());
  return http::Response::json(status, *result);
}

}  // namespace

Snapshots::Snapshots(const Clock& clock, Collect collect, Restore restore)
    : clock_(clock), collect_(std::move(collect)), restore_(std::move(restore)) {}

json Snapshots::summary(const std::string& name, const Snapshot& snapshot) {
  return {{"name", name}, {"created_at", snapshot.created_at}, {"documents", snapshot.documents.size()}};
}

Result<json> Snapshots::take(const std::string& name) {
  if (auto status = checkName(name); !status) return status.error();
  Snapshot snapshot{formatIso8601(clock_.now()), collect_()};
  std::lock_guard lock(mutex_);
  return summary(name, snapshots_[name] = std::move(snapshot));
}

Status Snapshots::restore(const std::string& name) {
  std::vector<storage::Document> documents;
  {
    std::lock_guard lock(mutex_);
    auto it = snapshots_.find(name);
    if (it == snapshots_.end()) return missing(name);
    documents = it->second.documents;
  }
  // A snapshot imported by PUT may hold a document whose value lacks what its kind needs (a tag
  // without a name); loading it throws from inside a store. Restoring is loading stored data, as
  // at start-up: the state from before is put back and the caller told, instead of a 500.
  std::vector<storage::Document> before = collect_();
  try {
    return restore_(documents);
  } catch (const std::exception& e) {
    (void)restore_(before);
    Error error = invalidSnapshot("Snapshot '" + name +
                                  "' holds a document the sandbox cannot read; nothing was restored.");
    error.detail = e.what();
    return error;
  }
}

Result<json> Snapshots::exportSnapshot(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) return missing(name);
  json docs = json::array();
  for (const auto& d : it->second.documents) {
    docs.push_back({{"kind", d.kind}, {"id", d.id}, {"value", json::parse(d.json)}});
  }
  return json{{"liaison_snapshot", kFormat}, {"created_at", it->second.created_at}, {"documents", docs}};
}

Result<json> Snapshots::importSnapshot(const std::string& name, const json& fixture) {
  if (auto status = checkName(name); !status) return status.error();
  const JsonFields fields(fixture, "sandbox.validation.error");
  auto format = fields.optionalInteger("liaison_snapshot", kFormat, kFormat);
  if (!format) return format.error();
  auto documents = fields.optionalArray("documents", kMaxDocuments);
  if (!documents) return documents.error();
  if (!*format || !*documents) {
    return invalidSnapshot(
        "A snapshot is {\"liaison_snapshot\": 1, \"documents\": [{\"kind\", \"id\", \"value\"}, ...]}.");
  }
  auto created_at = fields.optionalString("created_at", {64});
  if (!created_at) return created_at.error();
  TimePoint created;
  if (*created_at && !parseIso8601(**created_at, created))
    return invalidSnapshot("created_at must be an ISO-8601 date-time.");
  static const std::vector<std::string_view> kKinds = {
      "account", "user", "app",          "grant",    "refresh", "access", "code",   "device", "contact",
      "list",    "tag",  "custom_field", "activity", "export",  "quirks", "social", "emails"};
  Snapshot snapshot{created_at->value_or(formatIso8601(clock_.now())), {}};
  for (size_t i = 0; i < (*documents)->size(); ++i) {
    auto document = fields.element(**documents, "documents", i);
    if (!document) return document.error();
    auto kind = document->optionalEnum("kind", kKinds);
    if (!kind) return kind.error();
    auto id = document->optionalString("id", {255, false, false});
    if (!id) return id.error();
    auto value = document->optionalObject("value");
    if (!value) return value.error();
    if (!*kind || !*id || !*value)
      return invalidSnapshot("Each document needs a kind, an id and an object value.");
    snapshot.documents.push_back({**kind, **id, (*value)->dump()});
  }
  std::lock_guard lock(mutex_);
  return summary(name, snapshots_[name] = std::move(snapshot));
}

json Snapshots::list() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [name, snapshot] : snapshots_) out.push_back(summary(name, snapshot));
  return out;
}

bool Snapshots::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  return snapshots_.erase(name) > 0;
}

void Snapshots::addRoutes(http::Router& router) {
  router.add("GET", "/__sandbox/snapshots", [this](http::Request&) { return http::Response::json(200, list()); });
  router.add("POST", "/__sandbox/snapshots", [this](http::Request& request) {
    json body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
      return cc::errorResponse(invalidSnapshot("The body must be {\"name\": \"...\"}."));
    }
    return answer(take(body["name"]), 201);
  }, http::Execution::Long);
  router.add("GET", "/__sandbox/snapshots/{name}", [this](http::Request& request) {
    return answer(exportSnapshot(request.path_params["name"]));
  }, http::Execution::Long);
  router.add("PUT", "/__sandbox/snapshots/{name}", [this](http::Request& request) {
    json body = json::parse(request.body, nullptr, false);
    return answer(importSnapshot(request.path_params["name"], body));
  }, http::Execution::Long);
  router.add("DELETE", "/__sandbox/snapshots/{name}", [this](http::Request& request) {
    if (!remove(request.path_params["name"])) return cc::errorResponse(missing(request.path_params["name"]));
    return http::Response::noContent();
  });
  router.add("POST", "/__sandbox/snapshots/{name}/restore", [this](http::Request& request) {
    auto status = restore(request.path_params["name"]);
    if (!status) return cc::errorResponse(status.error());
    return http::Response::json(200, {{"restored", request.path_params["name"]}});
  }, http::Execution::Long);
}

}  // namespace liaison::sandbox
