#include "sandbox/robustness/request_harness.h"

#include <algorithm>
#include <exception>
#include <vector>

#include "core/encoding.h"

namespace liaison::testing {

using nlohmann::json;

namespace {

constexpr const char* kOwnerScopes = "account_read account_update contact_data campaign_data";
constexpr const char* kFormType = "application/x-www-form-urlencoded";

sandbox::SandboxOptions harnessOptions() {
  sandbox::SandboxOptions options;
  options.profile = sandbox::Profile::Fast;  // no rate limits: thousands of calls per sandbox
  options.auth.password_hash_iterations = 1000;
  options.seed = sandbox::SeedKind::Bare;
  return options;
}

std::string form(std::initializer_list<std::pair<std::string, std::string>> fields) {
  Params params;
  for (const auto& [name, value] : fields) params.add(name, value);
  return params.encode();
}

}  // namespace

RequestHarness::RequestHarness()
    : clock_(fromUnixSeconds(1'800'000'000)),
      sandbox_(std::make_unique<sandbox::Sandbox>(harnessOptions(), clock_, random_, nullptr)) {
  sandbox_->setBaseUrl("http://robustness.test");
  setup();
  if (setup_error_.empty()) request("POST", "/__sandbox/snapshots", {{"name", "setup"}}, 201);
  setup_state_ = state();
}

bool RequestHarness::restore() {
  sandbox_->clock().setOffset(std::chrono::microseconds(0));
  send({"DELETE", "/__sandbox/faults", "", "", ""});
  send({"DELETE", "/__sandbox/outage", "", "", ""});
  auto snapshots = nlohmann::json::parse(get("/__sandbox/snapshots").body, nullptr, false);
  if (snapshots.is_array()) {
    for (const auto& s : snapshots) {
      const std::string name = s.value("name", "");
      if (name != "setup" && name != "state-probe")
        send({"DELETE", "/__sandbox/snapshots/" + percentEncode(name), "", "", ""});
    }
  }
  if (send({"POST", "/__sandbox/snapshots/setup/restore", "", "", ""}).status != 200) return false;
  return state() == setup_state_;
}

const std::string& RequestHarness::token(const std::string& who) const {
  static const std::string none;
  auto it = tokens_.find(who);
  return it == tokens_.end() ? none : it->second;
}

Answer RequestHarness::send(const Call& call) {
  http::Request request;
  request.method = call.method;
  request.target = call.target;
  request.body = call.body;
  request.remote_address = "10.0.0.1";
  if (!call.content_type.empty()) request.headers.set("Content-Type", call.content_type);
  if (!call.token.empty()) request.headers.set("Authorization", "Bearer " + call.token);
  Answer answer;
  try {
    auto response = sandbox_->handle(request);
    answer.status = response.status;
    answer.body = std::move(response.body);
  } catch (const std::exception& e) {
    answer.threw = e.what();
  } catch (...) {
    answer.threw = "a non-standard exception";
  }
  return answer;
}

Answer RequestHarness::get(const std::string& target, const std::string& token) {
  return send({"GET", target, "", "", token});
}

json RequestHarness::request(const std::string& method, const std::string& target, const nlohmann::json& body,
                             int expect, const std::string& token) {
  const bool has_body = !body.is_null();
  auto answer =
      send({method, target, has_body ? body.dump() : "", has_body ? "application/json" : "", token});
  const bool ok = expect == 0 ? answer.status / 100 == 2 : answer.status == expect;
  if (!ok && setup_error_.empty()) {
    setup_error_ = method + " " + target + " answered " + std::to_string(answer.status) + ": " + answer.body +
                   answer.threw;
  }
  return nlohmann::json::parse(answer.body, nullptr, false);
}

std::string RequestHarness::deviceToken(const std::string& email, const std::string& scope) {
  auto device =
      nlohmann::json::parse(send({"POST", "/oauth2/default/v1/device/authorize",
                                  form({{"client_id", "sandbox-public"}, {"scope", scope}}), kFormType, ""})
                                .body,
                            nullptr, false);
  request("POST", "/__sandbox/device/approve",
          {{"user_code", device.value("user_code", "")}, {"email", email}}, 200);
  auto tokens =
      nlohmann::json::parse(send({"POST", "/oauth2/default/v1/token",
                                  form({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                        {"client_id", "sandbox-public"},
                                        {"device_code", device.value("device_code", "")}}),
                                  kFormType, ""})
                                .body,
                            nullptr, false);
  if (!tokens.is_object() || !tokens.contains("access_token")) {
    if (setup_error_.empty()) setup_error_ = "no token for " + email + ": " + tokens.dump();
    return "";
  }
  return tokens["access_token"];
}

void RequestHarness::setup() {
  const std::string owner = tokens_["owner"] = deviceToken("owner@sandbox.test", kOwnerScopes);
  auto text = [](const nlohmann::json& body, const char* key) {
    return body.is_object() && body.contains(key) && body[key].is_string() ? body[key].get<std::string>()
                                                                           : "";
  };
  ids_["account_id"] = text(request("GET", "/v3/account/summary", nullptr, 200, owner), "encoded_account_id");
  ids_["list_id"] = text(request("POST", "/v3/contact_lists", {{"name", "Regulars"}}, 201, owner), "list_id");
  ids_["list_id_2"] =
      text(request("POST", "/v3/contact_lists", {{"name", "Seasonal"}}, 201, owner), "list_id");
  ids_["tag_id"] = text(request("POST", "/v3/contact_tags", {{"name", "vip"}}, 201, owner), "tag_id");
  ids_["custom_field_id"] =
      text(request("POST", "/v3/contact_custom_fields", {{"label", "Loaf"}, {"type", "string"}}, 201, owner),
           "custom_field_id");
  ids_["contact_id"] =
      text(request("POST", "/v3/contacts",
                   {{"email_address", {{"address", "base@example.com"}, {"permission_to_send", "explicit"}}},
                    {"create_source", "Account"},
                    {"list_memberships", {ids_["list_id"]}}},
                   201, owner),
           "contact_id");
  ids_["unsubscribed_contact_id"] = text(
      request("POST", "/v3/contacts",
              {{"email_address", {{"address", "gone@example.com"}, {"permission_to_send", "unsubscribed"}}},
               {"create_source", "Account"}},
              201, owner),
      "contact_id");
  const nlohmann::json activity = {
      {"format_type", 5},
      {"from_name", "Sandbox Bakery"},
      {"from_email", "owner@sandbox.test"},
      {"reply_to_email", "owner@sandbox.test"},
      {"subject", "This week"},
      {"html_content", "<html><body><p>Fresh rye.</p>[[trackingImage]]</body></html>"}};
  auto campaign = request("POST", "/v3/emails",
                          {{"name", "Weekly"}, {"email_campaign_activities", {activity}}}, 0, owner);
  ids_["campaign_id"] = text(campaign, "campaign_id");
  if (campaign.is_object() && campaign.contains("campaign_activities")) {
    for (const auto& a : campaign["campaign_activities"]) {
      if (a.value("role", "") == "primary_email")
        ids_["campaign_activity_id"] = a.value("campaign_activity_id", "");
    }
  }
  auto recipients = activity;
  recipients["contact_list_ids"] = {ids_["list_id"]};
  request("PUT", "/v3/emails/activities/" + ids_["campaign_activity_id"], recipients, 200, owner);
  ids_["account_email"] = "news@sandbox.test";
  request("POST", "/v3/account/emails", {{"email_address", ids_["account_email"]}}, 0, owner);

  ids_["other_account_id"] =
      text(request("POST", "/__sandbox/accounts", {{"organization_name", "Other Bakery"}}, 201),
           "encoded_account_id");
  request("POST", "/__sandbox/users",
          {{"account_id", ids_["other_account_id"]},
           {"email", "other@sandbox.test"},
           {"password", "sandbox"},
           {"role", "Account Owner"}},
          201);
  tokens_["other"] = deviceToken("other@sandbox.test", "account_read account_update");
  ids_["helper_email"] = "helper@sandbox.test";
  request("POST", "/__sandbox/users",
          {{"email", ids_["helper_email"]}, {"password", "sandbox"}, {"role", "Campaign Creator"}}, 201);

  auto profiles = request("GET", "/v3/social/profiles", nullptr, 200, owner);
  if (profiles.is_array() && !profiles.empty()) ids_["profile_id"] = profiles[0].value("profile_id", "");
  auto connections = request("GET", "/v3/social/connections", nullptr, 200, owner);
  if (connections.is_object() && connections.contains("connections") && !connections["connections"].empty()) {
    ids_["network_account_id"] =
        connections["connections"][0]["account_info"].value("network_account_id", "");
  }
  // Last: a device code left pending, for the control API's approve and deny.
  auto device = nlohmann::json::parse(
      send({"POST", "/oauth2/default/v1/device/authorize",
            form({{"client_id", "sandbox-public"}, {"scope", "contact_data"}}), kFormType, ""})
          .body,
      nullptr, false);
  ids_["user_code"] = device.is_object() ? device.value("user_code", "") : "";
  for (const auto& [name, id] : ids_) {
    if (id.empty() && setup_error_.empty()) setup_error_ = "setup found no " + name;
  }
}

std::string RequestHarness::fill(std::string text) const {
  for (const auto& [name, id] : ids_) {
    const std::string placeholder = "{" + name + "}";
    for (size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + id.size())) {
      text.replace(at, placeholder.size(), id);
    }
  }
  return text;
}

nlohmann::json RequestHarness::fill(const nlohmann::json& value) const {
  if (value.is_string()) return fill(value.get<std::string>());
  if (!value.is_structured()) return value;
  nlohmann::json out = value;
  for (auto& item : out) item = fill(item);
  return out;
}

std::string RequestHarness::state() {
  std::string all;
  auto read = [&all, this](const std::string& target, const std::string& who) {
    auto answer = get(target, token(who));
    // A failed read is recorded as it is, so a refused request that broke reads shows as a change.
    all += who + " GET " + target + " -> " + std::to_string(answer.status) + answer.threw + "\n" +
           answer.body + "\n";
    return nlohmann::json::parse(answer.body, nullptr, false);
  };
  read(
      "/v3/contacts?status=all&limit=500&include_count=true"
      "&include=custom_fields,list_memberships,phone_numbers,street_addresses,notes,taggings",
      "owner");
  read("/v3/contacts/counts", "owner");
  read("/v3/contact_lists?limit=1000&include_count=true&include_membership_count=all", "owner");
  read("/v3/contact_custom_fields?limit=100", "owner");
  read("/v3/contact_tags?limit=500&include_count=true", "owner");
  read("/v3/activities?limit=500", "owner");
  for (const char* who : {"owner", "other"}) {
    read("/v3/account/summary?extra_fields=physical_address,company_logo", who);
    read("/v3/account/summary/physical_address", who);
    read("/v3/account/emails", who);
    read("/v3/account/user/privileges", who);
  }
  read("/v3/social/profiles?include=accessible", "owner");
  read("/v3/social/connections", "owner");
  read("/v3/social/hashtags/groups", "owner");
  auto campaigns = read("/v3/emails?limit=500", "owner");
  if (campaigns.is_object() && campaigns.contains("campaigns")) {
    for (const auto& c : campaigns["campaigns"]) {
      auto campaign = read("/v3/emails/" + c.value("campaign_id", ""), "owner");
      if (!campaign.is_object() || !campaign.contains("campaign_activities")) continue;
      for (const auto& a : campaign["campaign_activities"]) {
        const std::string activity = "/v3/emails/activities/" + a.value("campaign_activity_id", "");
        read(activity + "?include=physical_address_in_footer,permalink_url,html_content,document_properties",
             "owner");
        read(activity + "/schedules", "owner");
        read(activity + "/send_history", "owner");
      }
    }
  }
  for (const char* target : {"/__sandbox/clock", "/__sandbox/faults", "/__sandbox/outage", "/__sandbox/apps",
                             "/__sandbox/emails/tests", "/__sandbox/social/posts"}) {
    read(target, "control");
  }
  for (const char* account : {"account_id", "other_account_id"}) {
    read("/__sandbox/accounts/" + ids_[account] + "/quirks", "control");
  }
  // Every stored document (users, apps, grants and tokens as hashes, all accounts' data), taken
  // as a snapshot under one name, so the list of snapshots is the same before and after.
  auto probe = send({"POST", "/__sandbox/snapshots", R"({"name":"state-probe"})", "application/json", ""});
  all += "snapshot -> " + std::to_string(probe.status) + probe.threw + "\n";
  read("/__sandbox/snapshots", "control");
  auto exported = get("/__sandbox/snapshots/state-probe");
  all += "documents -> " + std::to_string(exported.status) + exported.threw + "\n";
  auto fixture = nlohmann::json::parse(exported.body, nullptr, false);
  if (!fixture.is_object() || !fixture.contains("documents") || !fixture["documents"].is_array()) {
    return all + exported.body;
  }
  // One line per document, by kind and id: the export's order follows hash maps, which a
  // restore rebuilds in another order.
  std::vector<std::string> lines;
  for (const auto& d : fixture["documents"])
    lines.push_back(d.value("kind", "") + " " + d.value("id", "") + " " + d.dump());
  std::sort(lines.begin(), lines.end());
  for (const auto& line : lines) all += line + "\n";
  return all;
}

}  // namespace liaison::testing
