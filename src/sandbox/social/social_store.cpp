#include "sandbox/social/social_store.h"

#include "core/json_fields.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/demo_account.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr const char* kDemoOwner = "owner@sandbox.test";

json healthy() {
  return {{"error", nullptr}, {"has_token", true}, {"is_active_user", true}, {"rate_limited", false},
          {"status", nullptr}, {"token_has_scopes", true}, {"token_is_valid", true}};
}

json connection(const std::string& network, const std::string& account_id, const std::string& name,
                const std::string& username, json status, const std::string& connected_by) {
  json info = {{"display_name", name}, {"image_url", "https://images.sandbox.test/" + network + ".png"},
               {"network", network}, {"network_account_id", account_id}, {"username", username}};
  if (network != "facebook" && network != "instagram") info["account_url"] = "https://" + network + ".example/" + username;
  // connected_by is the sandbox's own note (never shown): is_active_user follows that CC user.
  return {{"account_info", info}, {"connection_status", status}, {"connected_by", connected_by}};
}

// Connections as CC shows them, without the sandbox's notes.
json shown(json connection) {
  connection.erase("connected_by");
  return connection;
}

json shownAll(const json& connections) {
  json out = json::array();
  for (const auto& c : connections) out.push_back(shown(c));
  return out;
}

json profile(const std::string& id, const std::string& network, const std::string& name, const json& handle,
             const std::string& network_account_id) {
  return {{"profile_id", id}, {"network", network}, {"connected", true}, {"name", name}, {"handle", handle},
          {"image_url", "https://images.sandbox.test/" + id + ".png"}, {"url", "https://" + network + ".example/" + id},
          {"network_profile_id", "np-" + id}, {"network_user_id", "nu-" + id},
          {"network_account_id", network_account_id}};
}

// The demo seed: Facebook healthy, an Instagram business account under the Facebook connection,
// LinkedIn with an expired token, so link health is visible at once.
json demoState() {
  json expired = healthy();
  expired["token_is_valid"] = false;
  expired["error"] = "The access token has expired.";
  expired["status"] = 401;
  return {{"connections",
           json::array(
               {connection("facebook", "fb-1001", "Sandbox Bakery", "sandboxbakery", healthy(), kDemoOwner),
                connection("linkedin", "li-2001", "Sandbox Bakery", "sandbox-bakery", expired, kDemoOwner)})},
          {"profiles",
           json::array({profile("fb-page-1", "facebook", "Sandbox Bakery", nullptr, "fb-1001"),
                        profile("ig-biz-1", "instagram", "Sandbox Bakery", "sandboxbakery", "fb-1001"),
                        profile("li-page-1", "linkedin", "Sandbox Bakery", "sandbox-bakery", "li-2001")})},
          {"hashtag_groups", json::array({{{"hashtag_group_id", "hg-1"},
                                           {"hashtag_group_name", "Bread"},
                                           {"hashtag_names", {"sourdough", "rye", "baking"}}},
                                          {{"hashtag_group_id", "hg-2"},
                                           {"hashtag_group_name", "Events"},
                                           {"hashtag_names", {"farmersmarket", "openhouse"}}}})},
          {"posts", json::array()}};
}

const json* findConnection(const json& state, const std::string& network_account_id) {
  for (const auto& c : state["connections"]) {
    if (c["account_info"]["network_account_id"] == network_account_id) return &c;
  }
  return nullptr;
}

// Why a post to this connection would fail, or empty when the link is healthy.
std::string problem(const json* connection) {
  if (!connection) return "The social profile is no longer connected.";
  const json& s = (*connection)["connection_status"];
  if (!s.value("has_token", false)) return "There is no token for this network account; reconnect it.";
  if (!s.value("token_is_valid", false)) return "The network rejected the token; reconnect the account.";
  if (!s.value("token_has_scopes", false)) return "The token lacks the permissions needed to publish.";
  if (!s.value("is_active_user", false)) return "The user no longer manages this network account.";
  if (s.value("rate_limited", false)) return "The network is rate limiting this account; try again later.";
  if (s.contains("error") && s["error"].is_string()) return s["error"].get<std::string>();
  return "";
}

}  // namespace

SocialStore::SocialStore(const Clock& clock, RandomSource& random, storage::DocumentStore* store)
    : clock_(clock), random_(random), store_(store) {
  if (!store_) return;
  for (const auto& doc : store_->loadAll()) {
    if (doc.kind == "social") accounts_[doc.id] = json::parse(doc.json);
  }
}

void SocialStore::reset() {
  std::lock_guard lock(mutex_);
  accounts_.clear();
  connections_body_.clear();
}

std::vector<storage::Document> SocialStore::documents() {
  std::lock_guard lock(mutex_);
  std::vector<storage::Document> out;
  for (const auto& [account, state] : accounts_) out.push_back({"social", account, state.dump()});
  return out;
}

void SocialStore::restoreDocuments(const std::vector<storage::Document>& docs) {
  std::lock_guard lock(mutex_);
  accounts_.clear();
  connections_body_.clear();
  for (const auto& doc : docs) {
    if (doc.kind == "social") accounts_[doc.id] = json::parse(doc.json);
  }
}

json& SocialStore::state(const std::string& account) {
  auto it = accounts_.find(account);
  if (it != accounts_.end()) return it->second;
  json fresh = account == kDemoAccount ? demoState()
                                       : json{{"connections", json::array()}, {"profiles", json::array()},
                                              {"hashtag_groups", json::array()}, {"posts", json::array()}};
  return accounts_[account] = fresh;
}

Status SocialStore::save(const std::string& account) {
  connections_body_.erase(account);
  if (!store_) return okStatus();
  if (!store_->commit({{"social", account, accounts_[account].dump()}})) {
    return makeError(ErrorCode::Internal, "server_error", "The change could not be stored.");
  }
  return okStatus();
}

void SocialStore::runDuePosts(json& s) {
  const TimePoint now = clock_.now();
  const std::string stamp = formatIso8601(now);
  for (auto& post : s["posts"]) {
    if (post["status"] != "SCHEDULED") continue;
    TimePoint due;
    if (post.contains("scheduled_time") && parseIso8601(post["scheduled_time"].get<std::string>(), due) && due > now) {
      continue;
    }
    bool any_error = false;
    for (auto& content : post["profile_posts"]) {
      for (auto& target : content["profiles"]) {
        std::string network_account;
        for (const auto& p : s["profiles"]) {
          if (p["profile_id"] == target["profile_id"]) network_account = p["network_account_id"];
        }
        const std::string why = problem(findConnection(s, network_account));
        target["campaign_activity_status_date"] = stamp;
        if (why.empty()) {
          target["campaign_activity_status"] = "DONE";
          target["network_post_id"] = "np-" + random_.token(9);
          target["post_url"] = "https://" + target["network"].get<std::string>() + ".example/posts/" +
                               target["network_post_id"].get<std::string>();
        } else {
          any_error = true;
          target["campaign_activity_status"] = "ERROR";
          target["campaign_activity_status_message"] = why;
        }
      }
    }
    post["status"] = any_error ? "ERROR" : "DONE";
  }
}

json SocialStore::connections(const std::string& account) {
  std::lock_guard lock(mutex_);
  return {{"connections", shownAll(state(account)["connections"])}};
}

std::string SocialStore::connectionsBody(const std::string& account) {
  std::lock_guard lock(mutex_);
  auto cached = connections_body_.find(account);
  if (cached != connections_body_.end()) return cached->second;
  return connections_body_[account] = json{{"connections", shownAll(state(account)["connections"])}}.dump();
}

json SocialStore::profiles(const std::string& account, bool include_accessible) {
  std::lock_guard lock(mutex_);
  json& s = state(account);
  json out = json::array();
  for (const auto& p : s["profiles"]) {
    const json* c = findConnection(s, p["network_account_id"]);
    json item = p;
    item.erase("network_account_id");
    if (c) item["account_info"] = (*c)["account_info"];
    if (include_accessible) item["accessible"] = problem(c).empty();
    out.push_back(item);
  }
  return out;
}

Result<json> SocialStore::hashtagGroups(const std::string& account, int limit, int page) {
  if (limit < 1 || limit > 5) return contactValidation("limit must be between 1 and 5.");
  if (page < 0) return contactValidation("page must be 0 or more.");
  std::lock_guard lock(mutex_);
  const json& groups = state(account)["hashtag_groups"];
  json out = {{"hashtag_groups", json::array()}};
  const size_t start = static_cast<size_t>(page) * limit;
  for (size_t i = start; i < groups.size() && i < start + limit; ++i) out["hashtag_groups"].push_back(groups[i]);
  const int total_pages = static_cast<int>((groups.size() + limit - 1) / limit);
  out["page"] = {{"page", page}, {"size", limit}, {"total_elements", groups.size()}, {"total_pages", total_pages}};
  if (page + 1 < total_pages) {
    out["_links"] = {{"next", {{"href", "/v3/social/hashtags/groups?limit=" + std::to_string(limit) +
                                            "&page=" + std::to_string(page + 1)}}}};
  }
  return out;
}

namespace {

// Documented fields the sandbox does not act on (read-only ids, display names) are still text.
Status checkOtherText(const JsonFields& fields, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = fields.optionalString(name, {2048}); !value) return value.error();
  }
  return okStatus();
}

Status validatePost(const json& body) {
  const JsonFields fields(body, "contacts.api.validation.error");
  auto status = fields.optionalEnum("status", {"DRAFT", "SCHEDULED"});
  if (!status) return status.error();
  if (!*status) return contactValidation("status must be DRAFT or SCHEDULED.");
  if (auto name = fields.optionalString("name", {255}); !name) return name.error();
  auto scheduled = fields.optionalString("scheduled_time", {64});
  if (!scheduled) return scheduled.error();
  TimePoint t;
  if (*scheduled && !parseIso8601(**scheduled, t))
    return contactValidation("scheduled_time must be an ISO-8601 date-time.");
  auto contents = fields.optionalArray("profile_posts", 20);
  if (!contents) return contents.error();
  if (!*contents || (*contents)->empty()) return contactValidation("profile_posts is required.");
  for (size_t i = 0; i < (*contents)->size(); ++i) {
    auto content = fields.element(**contents, "profile_posts", i);
    if (!content) return content.error();
    if (auto text = content->optionalString("text", {63206, true}); !text) return text.error();
    if (auto id = content->optionalString("post_content_id", {64}); !id) return id.error();
    if (auto settings = content->optionalObject("settings"); !settings) return settings.error();
    auto images = content->optionalArray("images", 10);
    if (!images) return images.error();
    for (size_t j = 0; *images && j < (*images)->size(); ++j) {
      auto image = content->element(**images, "images", j);
      if (!image) return image.error();
      if (auto url = image->requiredString("url", {2048, false, false}); !url) return url.error();
    }
    auto profiles = content->optionalArray("profiles", 50);
    if (!profiles) return profiles.error();
    if (!*profiles) return contactValidation("profile_posts[].profiles is required.");
    if ((*profiles)->empty() && **status != "DRAFT")
      return contactValidation("A scheduled post needs at least one profile.");
    for (size_t j = 0; j < (*profiles)->size(); ++j) {
      auto profile = content->element(**profiles, "profiles", j);
      if (!profile) return profile.error();
      if (auto id = profile->requiredString("profile_id", {64, false, false}); !id) return id.error();
      if (auto other = checkOtherText(
              *profile, {"account_username", "campaign_activity_id", "campaign_activity_status",
                         "campaign_activity_status_date", "campaign_activity_status_message", "image_url",
                         "network", "network_post_id", "post_url", "profile_name"});
          !other) {
        return other.error();
      }
    }
  }
  return okStatus();
}

}  // namespace

Result<json> SocialStore::createPost(const std::string& account, const json& body) {
  if (auto valid = validatePost(body); !valid) return valid.error();
  const std::string status = body["status"];
  std::lock_guard lock(mutex_);
  json& s = state(account);
  json post = {
      {"campaign_id", random_.uuid()},
      {"name", body.contains("name") && body["name"].is_string() ? body["name"] : json("Social post")},
      {"status", status},
      {"profile_posts", json::array()}};
  if (body.contains("scheduled_time") && body["scheduled_time"].is_string())
    post["scheduled_time"] = body["scheduled_time"];
  for (const auto& content : body["profile_posts"]) {
    json out = {{"post_content_id", random_.uuid()}, {"profiles", json::array()}};
    if (content.contains("text") && content["text"].is_string()) out["text"] = content["text"];
    if (content.contains("images") && content["images"].is_array()) {
      out["images"] = json::array();
      for (const auto& image : content["images"]) {
        out["images"].push_back({{"url", image["url"]}, {"image_id", random_.uuid()}});
      }
    }
    for (const auto& target : content["profiles"]) {
      const std::string id = target["profile_id"];
      const json* known = nullptr;
      for (const auto& p : s["profiles"]) {
        if (p["profile_id"] == id) known = &p;
      }
      if (!known) return contactValidation("profile_id '" + id + "' is not a connected social profile.");
      out["profiles"].push_back({{"profile_id", id}, {"network", (*known)["network"]},
                                 {"profile_name", (*known)["name"]}, {"image_url", (*known)["image_url"]},
                                 {"campaign_activity_id", random_.uuid()},
                                 {"campaign_activity_status", status}});
    }
    post["profile_posts"].push_back(out);
  }
  s["posts"].push_back(post);
  runDuePosts(s);
  if (auto saved = save(account); !saved) return saved.error();
  return s["posts"].back();
}

json SocialStore::posts(const std::string& account) {
  std::lock_guard lock(mutex_);
  json& s = state(account);
  runDuePosts(s);
  (void)save(account);
  return s["posts"];
}

Result<json> SocialStore::applyEvent(const std::string& account, const std::string& network_account_id,
                                     const json& event) {
  const JsonFields fields(event, "sandbox.validation.error");
  auto kind_field = fields.optionalEnum(
      "event", {"expire_token", "remove_scopes", "rate_limit", "deactivate_user", "error", "reconnect"});
  if (!kind_field) return kind_field.error();
  if (!*kind_field) {
    return makeError(
        ErrorCode::InvalidRequest, "sandbox.validation.error",
        "event must be expire_token, remove_scopes, rate_limit, deactivate_user, error or reconnect.");
  }
  auto error_text = fields.optionalString("error", {500});
  if (!error_text) return error_text.error();
  auto error_status = fields.optionalInteger("status", 400, 599);
  if (!error_status) return error_status.error();
  std::lock_guard lock(mutex_);
  json& s = state(account);
  runDuePosts(s);  // posts already due run under the old link state
  json* target = nullptr;
  for (auto& c : s["connections"]) {
    if (c["account_info"]["network_account_id"] == network_account_id) target = &c;
  }
  if (!target) return makeError(ErrorCode::NotFound, "sandbox.not_found", "No connection with that network_account_id.");
  json& status = (*target)["connection_status"];
  const std::string kind = **kind_field;
  if (kind == "expire_token") {
    status["token_is_valid"] = false;
    status["error"] = "The access token has expired.";
    status["status"] = 401;
  } else if (kind == "remove_scopes") {
    status["token_has_scopes"] = false;
  } else if (kind == "rate_limit") {
    status["rate_limited"] = true;
    status["status"] = 429;
  } else if (kind == "deactivate_user") {
    status["is_active_user"] = false;
  } else if (kind == "error") {
    status["error"] = error_text->value_or("The network returned an error.");
    status["status"] = error_status->value_or(500);
  } else if (kind == "reconnect") {
    status = healthy();
  } else {
    return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                     "event must be expire_token, remove_scopes, rate_limit, deactivate_user, error or reconnect.");
  }
  if (auto saved = save(account); !saved) return saved.error();
  return shown(*target);
}

Status SocialStore::userChanged(const std::string& account, const std::string& email, bool active) {
  std::lock_guard lock(mutex_);
  json& s = state(account);
  runDuePosts(s);  // posts already due ran while the user was as before
  bool changed = false;
  for (auto& c : s["connections"]) {
    if (c.value("connected_by", "") != email || c["connection_status"]["is_active_user"] == active) continue;
    c["connection_status"]["is_active_user"] = active;
    changed = true;
  }
  return changed ? save(account) : okStatus();
}

}  // namespace liaison::sandbox
