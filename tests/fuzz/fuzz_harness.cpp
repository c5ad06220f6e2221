#include "fuzz_harness.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace liaison::fuzz {

using nlohmann::json;

namespace {

std::string& failure() {
  static std::string first;
  return first;
}

http::Request request(const std::string& method, const std::string& target, std::string body,
                      const std::string& type) {
  http::Request r;
  r.method = method;
  r.target = target;
  r.body = std::move(body);
  r.headers.set("Content-Type", type);
  return r;
}

// Setting up must work, or no input means anything.
json setUp(const http::Response& response, const char* what) {
  json body = json::parse(response.body, nullptr, false);
  if (response.status >= 300 || body.is_discarded()) {
    throw std::runtime_error(std::string("fuzz harness: ") + what + " answered " +
                             std::to_string(response.status) + ": " + response.body);
  }
  return body;
}

const char* kHtml = "<html><body>[[trackingImage]]<p>Fuzz</p></body></html>";
constexpr long kMaxContacts = 100;

// contacts_count in a GET /v3/contacts body.
long contactsCount(const std::string& body) {
  const std::string key = "\"contacts_count\":";
  const size_t at = body.find(key);
  return at == std::string::npos ? 0 : std::strtol(body.c_str() + at + key.size(), nullptr, 10);
}

}  // namespace

void fail(const std::string& why) {
#ifdef LIAISON_FUZZ_REPLAY
  if (failure().empty()) failure() = why;
#else
  std::fprintf(stderr, "%s\n", why.c_str());
  std::abort();
#endif
}

std::string takeFailure() {
  std::string first;
  first.swap(failure());
  return first;
}

Harness::Harness(bool control) : control(control), clock_(fromUnixSeconds(1'800'000'000)) {
  sandbox::SandboxOptions options;
  options.profile = sandbox::Profile::Fast;
  options.auth.password_hash_iterations = 1000;
  options.seed = sandbox::SeedKind::Bare;
  sandbox_ = std::make_unique<sandbox::Sandbox>(options, clock_, random_, nullptr);
  sandbox_->setBaseUrl("http://fuzz.test");
  http::Request start = request("POST", "/oauth2/default/v1/device/authorize",
                                "client_id=sandbox-public&scope=contact_data%20campaign_data%20account_read",
                                "application/x-www-form-urlencoded");
  const json device = setUp(sandbox_->handle(start), "device authorization");
  http::Request approve = request("POST", "/__sandbox/device/approve",
                                  json{{"user_code", device["user_code"]}}.dump(), "application/json");
  setUp(sandbox_->handle(approve), "device approval");
  http::Request poll =
      request("POST", "/oauth2/default/v1/token",
              "client_id=sandbox-public&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
              "&device_code=" +
                  device["device_code"].get<std::string>(),
              "application/x-www-form-urlencoded");
  token = setUp(sandbox_->handle(poll), "token")["access_token"];
  list_id = setUp(call("POST", "/v3/contact_lists", R"({"name":"Fuzz"})"), "list")["list_id"];
  contact_id = setUp(call("POST", "/v3/contacts",
                          R"({"email_address":{"address":"base@fuzz.test"},"create_source":"Account"})"),
                     "contact")["contact_id"];
  const json activity = {{"format_type", 5},
                         {"from_name", "Fuzz"},
                         {"from_email", "owner@sandbox.test"},
                         {"reply_to_email", "owner@sandbox.test"},
                         {"subject", "Fuzz"},
                         {"html_content", kHtml}};
  const json campaign =
      setUp(call("POST", "/v3/emails",
                 json{{"name", "Fuzz campaign"}, {"email_campaign_activities", {activity}}}.dump()),
            "campaign");
  for (const auto& a : campaign["campaign_activities"]) {
    if (a["role"] == "primary_email") activity_id = a["campaign_activity_id"];
  }
  if (!control) return;
  setUp(call("POST", "/__sandbox/snapshots", json{{"name", kSnapshot}}.dump()), "snapshot");
  fault_id =
      setUp(call("POST", "/__sandbox/faults",
                 R"({"operation":"retrieveEmailSchedulesUsingGET","action":{"type":"status","status":409}})"),
            "fault rule")["fault_id"];
}

http::Response Harness::call(const std::string& method, const std::string& target, std::string body,
                             const std::string& type) {
  http::Request r = request(method, target, std::move(body), type);
  r.headers.set("Authorization", "Bearer " + token);
  // LIAISON_FUZZ_TRACE=1 prints every call and its status, to see what an input does.
  static const bool trace = std::getenv("LIAISON_FUZZ_TRACE") != nullptr;
  try {
    http::Response response = sandbox_->handle(r);
    if (trace) {
      std::fprintf(stderr, "%s %s (%zu bytes) -> %d %s\n", method.c_str(), target.substr(0, 120).c_str(),
                   r.body.size(), response.status, response.body.substr(0, 160).c_str());
    }
    return response;
  } catch (const std::exception& e) {
    fail(method + " " + target.substr(0, 200) + " threw (the server answers 500): " + e.what());
    http::Response error;
    error.status = 500;
    error.body = e.what();
    return error;
  }
}

std::vector<std::string> Harness::reads() const {
  std::vector<std::string> all = {
      "/v3/"
      "contacts?status=all&limit=500&include_count=true&include=custom_fields,list_memberships,phone_numbers,"
      "street_addresses,notes,taggings",
      "/v3/contact_lists?limit=1000&include_count=true&include_membership_count=all",
      "/v3/contact_custom_fields?limit=100",
      "/v3/contact_tags?limit=500&include_count=true",
      "/v3/activities?limit=500",
      "/v3/emails?limit=500",
      "/v3/emails/activities/" + activity_id +
          "?include=physical_address_in_footer,permalink_url,html_content,document_properties",
      std::string("/__sandbox/emails/tests?account_id=") + kAccount};
  if (control) {
    for (const char* target :
         {"/__sandbox/apps", "/__sandbox/clock", "/__sandbox/faults", "/__sandbox/outage",
          "/__sandbox/snapshots", "/__sandbox/social/posts", "/v3/account/summary", "/v3/account/emails",
          "/v3/account/user/privileges", "/v3/social/connections"}) {
      all.push_back(target);
    }
    all.push_back(std::string("/__sandbox/accounts/") + kAccount + "/quirks");
  }
  return all;
}

std::string Harness::state() {
  std::string all;
  for (const auto& target : reads()) {
    auto read = call("GET", target, "");
    // A read that failed would compare an error with itself and hide any change.
    if (read.status != 200)
      fail("reading " + target + " answered " + std::to_string(read.status) + ": " + read.body);
    if (all.empty() && contactsCount(read.body) > kMaxContacts) stale = true;
    all += target;
    all += '\n';
    all += read.body;
    all += '\n';
  }
  return all;
}

void Harness::probe() {
  for (const auto& target : reads()) {
    auto read = call("GET", target, "");
    if (read.status >= 500)
      fail("reading " + target + " answered " + std::to_string(read.status) + ": " + read.body);
  }
}

size_t Harness::testRecipients() {
  const json tests = json::parse(
      call("GET", std::string("/__sandbox/emails/tests?account_id=") + kAccount, "").body, nullptr, false);
  size_t count = 0;
  if (tests.is_array()) {
    for (const auto& test : tests) count += test.value("email_addresses", json::array()).size();
  }
  return count;
}

std::string Harness::param(const std::string& name) const {
  if (name == "email") return "creator@sandbox.test";
  if (name == "client_id") return "sandbox-client";
  if (name == "name") return kSnapshot;
  if (name == "fault_id") return fault_id;
  if (name == "account_id") return kAccount;
  if (name == "network_account_id") return "fb-1001";
  if (name == "contact_id") return contact_id;
  return name;
}

}  // namespace liaison::fuzz
