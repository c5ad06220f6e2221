#pragma once
// The CC side's tests against an in-process sandbox: a CcCaller that calls the sandbox with the
// fixture's token, a wait that moves the sandbox's clock, and the journal of the calls it saw.
#include <gtest/gtest.h>

#include <algorithm>

#include "sandbox/contacts_fixture.h"
#include "sync/connectors/cc_side.h"

namespace liaison::testing {

using sync::CcApplyResult;
using sync::CcSide;
using sync::CcSideOptions;
using sync::Fields;
using sync::Items;
using sync::ListFilter;
using sync::Record;
using sync::SideRead;
using sync::Write;

constexpr const char* kAccount = "a07e1sandbox01";  // the bare seed's demo account
constexpr const char* kIncludes = "custom_fields,list_memberships,taggings,phone_numbers,street_addresses";

// Sends each call to the sandbox with the test's token. `fail_on` makes a call of that method
// lose its answer (an Error), as a dropped connection would.
class SandboxCaller final : public sync::CcCaller {
 public:
  SandboxCaller(SandboxClient& client, std::string bearer) : token(std::move(bearer)), client_(client) {}
  Result<sync::CcAnswer> call(const sync::CcCall& call) override {
    ++calls;
    if (call.target == "/v3/activities/contacts_json_import") import_bytes.push_back(call.body.size());
    if (!fail_on.empty() && call.method == fail_on) {
      return makeError(ErrorCode::BadGateway, "upstream.no_answer", "no answer");
    }
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + token}};
    if (!call.body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto response = client_.send(call.method, call.target, call.body, headers);
    return sync::CcAnswer{response.status, response.body};
  }
  std::string token;
  int64_t calls = 0;
  std::vector<size_t> import_bytes;  // each JSON import's request size
  std::string fail_on;

 private:
  SandboxClient& client_;
};

class CcSideTest : public ContactsTest {
 protected:
  void SetUp() override {
    ContactsTest::SetUp();
    caller_ = std::make_unique<SandboxCaller>(client_, token_);
  }

  // The injected wait moves the sandbox's clock: activities finish without real sleeping.
  std::unique_ptr<CcSide> open(ListFilter filter = {}, CcSideOptions options = {}) {
    options.filter = std::move(filter);
    auto side = CcSide::open(
        *caller_, sandbox_->clock(),
        [this](std::chrono::milliseconds d) {
          waits_.push_back(d);
          if (on_wait_) on_wait_();
          base_clock_.advance(d);
        },
        options);
    EXPECT_TRUE(side.ok()) << (side.ok() ? "" : side.error().message);
    return side.ok() ? std::move(*side) : nullptr;
  }

  void setQuirks(const json& quirks) {
    http::Request request;
    request.method = "PUT";
    request.target = std::string("/__sandbox/accounts/") + kAccount + "/quirks";
    request.body = quirks.dump();
    ASSERT_EQ(sandbox_->handle(request).status, 200);
  }

  // A moment after every call so far: the journal's calls from here on are the ones counted.
  std::string mark() {
    advance(1);
    return formatIso8601(sandbox_->clock().now());
  }
  // The /v3 calls the sandbox journaled since `since`, by operation, and "total".
  std::map<std::string, int> seen(const std::string& since) {
    http::Request request;
    request.method = "GET";
    request.target = "/__sandbox/journal?limit=1000";
    std::map<std::string, int> out;
    for (const auto& entry : jsonOf(sandbox_->handle(request))) {
      if (entry["at"].get<std::string>() < since || entry["path"].get<std::string>().rfind("/v3/", 0) != 0)
        continue;
      ++out[entry["operation"].get<std::string>()];
      ++out["total"];
    }
    return out;
  }

  std::string makeTag(const std::string& name) {
    auto response = call("POST", "/v3/contact_tags", {{"name", name}});
    EXPECT_EQ(response.status, 201) << response.body;
    return jsonOf(response)["tag_id"];
  }
  void importRows(const json& rows, const std::vector<std::string>& lists) {
    auto response =
        call("POST", "/v3/activities/contacts_json_import", {{"import_data", rows}, {"list_ids", lists}});
    ASSERT_EQ(response.status, 201) << response.body;
    auto status = jsonOf(call("GET", "/v3/activities/" + jsonOf(response)["activity_id"].get<std::string>()));
    ASSERT_EQ(status["state"], "completed");
  }
  void bulk(const std::string& kind, const json& request) {
    auto response = call("POST", "/v3/activities/" + kind, request);
    ASSERT_EQ(response.status, 201) << response.body;
  }
  json contact(const std::string& id) {
    return jsonOf(call("GET", "/v3/contacts/" + id + "?include=" + kIncludes));
  }
  void unsubscribe(const std::string& id, const std::string& email) {
    auto response = call("PUT", "/v3/contacts/" + id,
                         {{"email_address", {{"address", email}, {"permission_to_send", "unsubscribed"}}},
                          {"update_source", "Contact"}});
    ASSERT_EQ(response.status, 200) << response.body;
  }

  static const Record* byEmail(const SideRead& read, const std::string& email) {
    for (const auto& record : read.records) {
      if (record.field("email") == email) return &record;
    }
    return nullptr;
  }
  static Write newContact(Fields values, Items lists = {}, Items tags = {}) {
    Write w;
    w.kind = Write::Kind::Create;
    w.values = std::move(values);
    if (!lists.empty()) w.add["lists"] = std::move(lists);
    if (!tags.empty()) w.add["tags"] = std::move(tags);
    return w;
  }
  static Write ofKind(Write::Kind kind, const std::string& id) {
    Write w;
    w.kind = kind;
    w.id = id;
    return w;
  }
  static Write update(const std::string& id, Fields values) {
    Write w;
    w.kind = Write::Kind::Update;
    w.id = id;
    w.values = std::move(values);
    return w;
  }
  static bool failedIndex(const CcApplyResult& result, size_t index) {
    return std::any_of(result.failed.begin(), result.failed.end(),
                       [&](const auto& f) { return f.first == index; });
  }
  static std::string failures(const CcApplyResult& result) {
    std::string out;
    for (const auto& [index, reason] : result.failed) out += std::to_string(index) + ": " + reason + "\n";
    return out;
  }

  std::unique_ptr<SandboxCaller> caller_;
  std::vector<std::chrono::milliseconds> waits_;
  std::function<void()> on_wait_;  // called at each wait, before the clock moves (CC's work meanwhile)
};

inline int64_t msOf(const std::string& iso) {
  TimePoint t;
  EXPECT_TRUE(parseIso8601(iso, t)) << iso;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace liaison::testing
