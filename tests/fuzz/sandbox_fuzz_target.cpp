// libFuzzer entry point for the sandbox's request parsing and contact validation. The first
// byte picks what the rest is: a POST /v3/contacts body, a PUT of an existing contact, a
// GET /v3/contacts query string, a JSON import, a multipart CSV import, a campaign body, or raw
// form/CSV/multipart text for the parsers alone. Whatever the input, the sandbox must answer
// with a 2xx or 4xx in CC's error format (never a 5xx, never a crash), and a 4xx must leave the
// account's data as it was (contacts, lists, custom fields, tags, activities, campaigns).
// `make fuzz` runs it under libFuzzer, where a failure aborts; `make test` replays the corpus
// (LIAISON_FUZZ_REPLAY), where a failure is recorded for the replay to report with the input's
// name.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/csv.h"
#include "core/encoding.h"
#include "core/random.h"
#include "http/multipart.h"
#include "sandbox/sandbox.h"

namespace {

using namespace liaison;
using nlohmann::json;

void fail(const std::string& why);

struct Harness {
  Harness() : clock(fromUnixSeconds(1'800'000'000)) {
    sandbox::SandboxOptions options;
    options.profile = sandbox::Profile::Fast;
    options.auth.password_hash_iterations = 1000;
    sandbox = std::make_unique<sandbox::Sandbox>(options, clock, random, nullptr);
    sandbox->setBaseUrl("http://fuzz.test");
    http::Request start = request("POST", "/oauth2/default/v1/device/authorize",
                                  "client_id=sandbox-public&scope=contact_data%20campaign_data", "application/x-www-form-urlencoded");
    const json device = json::parse(sandbox->handle(start).body);
    http::Request approve = request("POST", "/__sandbox/device/approve", json{{"user_code", device["user_code"]}}.dump());
    sandbox->handle(approve);
    http::Request poll = request("POST", "/oauth2/default/v1/token",
                                 "client_id=sandbox-public&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
                                 "&device_code=" + device["device_code"].get<std::string>(),
                                 "application/x-www-form-urlencoded");
    token = json::parse(sandbox->handle(poll).body)["access_token"];
    list_id = json::parse(call("POST", "/v3/contact_lists", R"({"name":"Fuzz"})").body)["list_id"];
    contact_id = json::parse(call("POST", "/v3/contacts",
                                  R"({"email_address":{"address":"base@fuzz.test"},"create_source":"Account"})").body)
                     ["contact_id"];
  }
  static http::Request request(const std::string& method, const std::string& target, std::string body,
                               const std::string& type = "application/json") {
    http::Request r;
    r.method = method;
    r.target = target;
    r.body = std::move(body);
    r.headers.set("Content-Type", type);
    return r;
  }
  http::Response call(const std::string& method, const std::string& target, std::string body,
                      const std::string& type = "application/json") {
    http::Request r = request(method, target, std::move(body), type);
    r.headers.set("Authorization", "Bearer " + token);
    return sandbox->handle(r);
  }
  std::string state() {  // what a 4xx must not change: the account's whole data
    std::string all;
    for (const char* target :
         {"/v3/"
          "contacts?status=all&limit=500&include_count=true&include=custom_fields,list_memberships,phone_"
          "numbers,"
          "street_addresses,notes,taggings",
          "/v3/contact_lists?limit=1000&include_count=true&include_membership_count=all",
          "/v3/contact_custom_fields?limit=100", "/v3/contact_tags?limit=500&include_count=true",
          "/v3/activities?limit=500", "/v3/emails?limit=500"}) {
      auto read = call("GET", target, "");
      // A read that failed would compare an error with itself and hide any change.
      if (read.status != 200)
        fail(std::string("reading ") + target + " answered " + std::to_string(read.status));
      all += target;
      all += '\n';
      all += read.body;
      all += '\n';
    }
    return all;
  }

  ManualClock clock;
  CryptoRandom random;
  std::unique_ptr<sandbox::Sandbox> sandbox;
  std::string token, list_id, contact_id;
};

Harness& harness() {
  static Harness h;
  return h;
}

std::string& failure() {
  static std::string first;
  return first;
}

void fail(const std::string& why) {
#ifdef LIAISON_FUZZ_REPLAY
  if (failure().empty()) failure() = why;
#else
  std::fprintf(stderr, "%s\n", why.c_str());
  std::abort();
#endif
}

void check(const http::Response& response, const std::string& before, Harness& h) {
  if (response.status >= 500)
    return fail("answered " + std::to_string(response.status) + ": " + response.body);
  if (response.status >= 400) {
    // CC's error format: a JSON array (or object for 401/403) with error_key.
    const json body = json::parse(response.body, nullptr, false);
    if (body.is_discarded() || (body.is_array() ? body.empty() || !body[0].contains("error_key")
                                                : !body.contains("error_key"))) {
      return fail("a " + std::to_string(response.status) + " not in CC's error format: " + response.body);
    }
    if (const std::string after = h.state(); after != before) {
      return fail("a " + std::to_string(response.status) + " changed the account's data: " + response.body +
                  "\n--- before\n" + before + "\n--- after\n" + after);
    }
  }
}

}  // namespace

// The first failure since the last call, or "" (replay builds only; a fuzzer build aborts).
std::string takeFuzzFailure() {
  std::string first;
  first.swap(failure());
  return first;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  Harness& h = harness();
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string before = h.state();
  switch (data[0] % 8) {
    case 0:
      check(h.call("POST", "/v3/contacts", input), before, h);
      break;
    case 1:
      check(h.call("PUT", "/v3/contacts/" + h.contact_id, input), before, h);
      break;
    case 2:
      check(h.call("GET", "/v3/contacts?" + input, ""), before, h);
      break;
    case 3:
      check(h.call("POST", "/v3/activities/contacts_json_import", input), before, h);
      break;
    case 4: {
      const std::string boundary = "fuzzb";
      const std::string body = "--fuzzb\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\n\r\n" +
                               input + "\r\n--fuzzb\r\nContent-Disposition: form-data; name=\"list_ids\"\r\n\r\n" +
                               h.list_id + "\r\n--fuzzb--\r\n";
      check(h.call("POST", "/v3/activities/contacts_file_import", body, "multipart/form-data; boundary=" + boundary),
            before, h);
      break;
    }
    case 5:
      check(h.call("POST", "/v3/emails", input), before, h);
      break;
    case 6:
      check(h.call("POST", "/v3/contacts/sign_up_form", input), before, h);
      break;
    default:
      (void)Params::parse(input);
      (void)parseCsv(input, 1000);
      (void)http::parseMultipartForm("multipart/form-data; boundary=x", input);
      break;
  }
  return 0;
}
