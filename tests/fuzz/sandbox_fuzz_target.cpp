// libFuzzer entry point for the sandbox's request handling. The first byte (mod 16) picks what
// the rest is:
//   0 a POST /v3/contacts body            1 a PUT body of an existing contact
//   2 a GET /v3/contacts query string     3 a JSON import body
//   4 the CSV of a multipart import       5 a POST /v3/emails body, then the new campaign's preview
//   6 a sign-up form body                 7 raw form/CSV/multipart text for the parsers alone
//   8 the html_content of a PUT of a draft campaign activity (the rest of the body valid),
//     then GET of its preview
//   9 a whole PUT body of that activity, then its preview
//  10 a test-send body (POST /v3/emails/activities/{id}/tests)
//  11 test-send addresses, one a line
//  12-15 a control API call (/__sandbox/...): the next byte picks the route (mod the number of
//     routes); with its high bit set, the input's first line is the route's path parameter
//     instead of a known-good one. The rest is the JSON body (the query string of routes that
//     read one).
// Whatever the input, the sandbox must answer with a 2xx or 4xx in CC's error format (the
// control API's errors are in the same format), never a 5xx and never a crash (a handler that
// throws is a 500 at the server), and a 4xx must leave the data as it was: the account's
// (contacts, lists, custom fields, tags, activities, campaigns, the harness's activity with its
// HTML, test sends) and, for control calls, the control API's too. A stored activity's preview
// must answer 200.
//
// Input decoding, so that inputs far longer than -max_len are reachable: after the first byte,
// the three bytes 0xFD c b stand for the byte b repeated c*1024 times (c = 0: b once, which is
// how 0xFD itself is written); a 0xFD among the last two bytes stands for itself. The decoded
// input is cut at 256 KiB.
//
// Instances: inputs 0-11 share one sandbox, rebuilt when its test sends near CC's daily limit
// of 50 recipients so that sends can keep succeeding. Control calls run on a second instance,
// rebuilt after every control call that succeeded and was not a GET: such calls may reset,
// restore or reconfigure the sandbox by design, so no route is left out. After one, every read
// must still answer without a 5xx, except after a fault rule or an outage, whose 5xx are their
// purpose. A snapshot imported by PUT is then restored, so restoring arbitrary documents is
// fuzzed too.
//
// `make fuzz` runs it under libFuzzer, where a failure aborts; `make test` replays the corpus
// (LIAISON_FUZZ_REPLAY), where a failure is recorded for the replay to report with the input's
// name.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/csv.h"
#include "core/encoding.h"
#include "fuzz_harness.h"
#include "http/multipart.h"

namespace {

using namespace liaison;
using liaison::fuzz::fail;
using liaison::fuzz::Harness;
using nlohmann::json;

constexpr uint8_t kRun = 0xFD;
constexpr size_t kRunUnit = 1024;
constexpr size_t kMaxDecoded = 256 * 1024;
constexpr size_t kTestRecipientsPerDay = 50, kTestRecipientsPerSend = 5;

std::string decode(const uint8_t* data, size_t size) {
  std::string out;
  for (size_t i = 0; i < size && out.size() < kMaxDecoded; ++i) {
    if (data[i] != kRun || i + 2 >= size) {
      out += static_cast<char>(data[i]);
      continue;
    }
    const size_t count = data[i + 1];
    out.append(count == 0 ? 1 : count * kRunUnit, static_cast<char>(data[i + 2]));
    i += 2;
  }
  if (out.size() > kMaxDecoded) out.resize(kMaxDecoded);
  return out;
}

// Invalid UTF-8 becomes U+FFFD, so the JSON the harness builds always parses.
std::string dump(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

struct Route {
  const char* method;
  const char* path;  // at most one {parameter}
  bool query;        // the input is its query string, not its body
};

const Route kControlRoutes[] = {
    {"POST", "/__sandbox/reset", false},
    {"GET", "/__sandbox/apps", false},
    {"POST", "/__sandbox/apps", false},
    {"POST", "/__sandbox/apps/{client_id}/secret", false},
    {"POST", "/__sandbox/accounts", false},
    {"POST", "/__sandbox/users", false},
    {"PUT", "/__sandbox/users/{email}", false},
    {"POST", "/__sandbox/grants/revoke", false},
    {"GET", "/__sandbox/clock", false},
    {"POST", "/__sandbox/clock/advance", false},
    {"POST", "/__sandbox/clock/set", false},
    {"POST", "/__sandbox/device/approve", false},
    {"POST", "/__sandbox/device/deny", false},
    {"GET", "/__sandbox/snapshots", false},
    {"POST", "/__sandbox/snapshots", false},
    {"GET", "/__sandbox/snapshots/{name}", false},
    {"PUT", "/__sandbox/snapshots/{name}", false},
    {"DELETE", "/__sandbox/snapshots/{name}", false},
    {"POST", "/__sandbox/snapshots/{name}/restore", false},
    {"POST", "/__sandbox/faults", false},
    {"GET", "/__sandbox/faults", false},
    {"DELETE", "/__sandbox/faults", false},
    {"DELETE", "/__sandbox/faults/{fault_id}", false},
    {"GET", "/__sandbox/journal", true},
    {"GET", "/__sandbox/accounts/{account_id}/quirks", false},
    {"PUT", "/__sandbox/accounts/{account_id}/quirks", false},
    {"POST", "/__sandbox/outage", false},
    {"GET", "/__sandbox/outage", false},
    {"DELETE", "/__sandbox/outage", false},
    {"GET", "/__sandbox/emails/tests", true},
    {"POST", "/__sandbox/accounts/{account_id}/emails/confirm", false},
    {"GET", "/__sandbox/social/posts", true},
    {"POST", "/__sandbox/social/connections/{network_account_id}/events", false},
    {"POST", "/__sandbox/contacts/{contact_id}/confirm_resubscribe", true},
};

Harness& instance(bool control) {
  static std::unique_ptr<Harness> api, controls;
  std::unique_ptr<Harness>& slot = control ? controls : api;
  if (!slot || slot->stale) slot = std::make_unique<Harness>(control);
  return *slot;
}

// `before` is the state before the call; a 4xx that keeps it leaves it known for the next input.
void check(const http::Response& response, const std::string& before, Harness& h) {
  h.known_state.reset();
  if (response.status >= 500)
    return fail("answered " + std::to_string(response.status) + ": " + response.body.substr(0, 2000));
  if (response.status >= 400) {
    // CC's error format: a JSON array (or object for 401/403) with error_key.
    const json body = json::parse(response.body, nullptr, false);
    if (body.is_discarded() || (body.is_array() ? body.empty() || !body[0].contains("error_key")
                                                : !body.contains("error_key"))) {
      return fail("a " + std::to_string(response.status) + " not in CC's error format: " + response.body);
    }
    std::string after = h.state();
    if (after != before) {
      return fail("a " + std::to_string(response.status) + " changed the data: " + response.body +
                  "\n--- before\n" + before + "\n--- after\n" + after);
    }
    h.known_state = std::move(after);
  }
}

std::string stateBefore(Harness& h) { return h.known_state ? *h.known_state : h.state(); }

void checkPreview(Harness& h, const std::string& activity_id) {
  const auto preview = h.call("GET", "/v3/emails/activities/" + activity_id + "/previews", "");
  if (preview.status != 200) {
    fail("the preview of a stored activity answered " + std::to_string(preview.status) + ": " + preview.body);
  }
}

void previewCreated(Harness& h, const http::Response& created) {
  if (created.status >= 300) return;
  const json campaign = json::parse(created.body, nullptr, false);
  if (campaign.is_discarded() || !campaign.contains("campaign_activities")) return;
  for (const auto& activity : campaign["campaign_activities"]) {
    if (activity.value("role", "") == "primary_email")
      checkPreview(h, activity.value("campaign_activity_id", ""));
  }
}

void putActivity(Harness& h, const std::string& body, const std::string& before) {
  const auto put = h.call("PUT", "/v3/emails/activities/" + h.activity_id, body);
  check(put, before, h);
  if (put.status < 300) checkPreview(h, h.activity_id);
}

void testSend(Harness& h, const std::string& body, const std::string& before) {
  const auto sent = h.call("POST", "/v3/emails/activities/" + h.activity_id + "/tests", body);
  check(sent, before, h);
  if (sent.status < 300) h.test_recipients = h.testRecipients();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t from = 0;;) {
    const size_t end = text.find('\n', from);
    out.push_back(text.substr(from, end - from));
    if (end == std::string::npos) return out;
    from = end + 1;
  }
}

void controlCall(Harness& h, const std::string& input) {
  const uint8_t pick = input.empty() ? 0 : static_cast<uint8_t>(input[0]);
  const Route& route = kControlRoutes[pick % std::size(kControlRoutes)];
  std::string rest = input.empty() ? "" : input.substr(1);
  std::string target = route.path;
  if (const size_t open = target.find('{'); open != std::string::npos) {
    const size_t close = target.find('}', open);
    std::string value = h.param(target.substr(open + 1, close - open - 1));
    if (pick & 0x80) {
      const size_t line = rest.find('\n');
      value = rest.substr(0, line);
      rest = line == std::string::npos ? "" : rest.substr(line + 1);
    }
    target.replace(open, close - open + 1, percentEncode(value));
  }
  if (route.query) target += "?" + std::exchange(rest, "");
  const std::string method = route.method;
  const std::string before = stateBefore(h);
  const auto response = h.call(method, target, rest);
  check(response, before, h);
  if (response.status >= 300 || method == "GET") return;
  h.stale = true;  // it may have changed anything: the next control input gets a new instance
  if (method == "PUT" && target.starts_with("/__sandbox/snapshots/")) {
    const std::string imported = h.state();
    const auto restored = h.call("POST", target + "/restore", "");
    check(restored, imported, h);
    if (restored.status >= 300) return;
  }
  if (!target.starts_with("/__sandbox/faults") && !target.starts_with("/__sandbox/outage")) h.probe();
}

}  // namespace

// The first failure since the last call, or "" (replay builds only; a fuzzer build aborts).
std::string takeFuzzFailure() { return liaison::fuzz::takeFailure(); }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  const int kind = data[0] % 16;
  const std::string input = decode(data + 1, size - 1);
  if (kind == 7) {  // the parsers alone
    (void)Params::parse(input);
    (void)parseCsv(input, 1000);
    (void)http::parseMultipartForm("multipart/form-data; boundary=x", input);
    return 0;
  }
  if (kind >= 12) {
    controlCall(instance(true), input);
    return 0;
  }
  if (kind == 10 || kind == 11) {
    Harness& current = instance(false);
    if (current.test_recipients + kTestRecipientsPerSend > kTestRecipientsPerDay) current.stale = true;
  }
  Harness& h = instance(false);
  const std::string before = stateBefore(h);
  switch (kind) {
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
    case 5: {
      const auto created = h.call("POST", "/v3/emails", input);
      check(created, before, h);
      previewCreated(h, created);
      break;
    }
    case 6:
      check(h.call("POST", "/v3/contacts/sign_up_form", input), before, h);
      break;
    case 8:
      putActivity(h,
                  dump({{"format_type", 5},
                        {"from_name", "Fuzz"},
                        {"from_email", "owner@sandbox.test"},
                        {"reply_to_email", "owner@sandbox.test"},
                        {"subject", "Fuzz"},
                        {"html_content", input}}),
                  before);
      break;
    case 9:
      putActivity(h, input, before);
      break;
    case 10:
      testSend(h, input, before);
      break;
    default:
      testSend(h, dump({{"email_addresses", lines(input)}}), before);
      break;
  }
  return 0;
}
