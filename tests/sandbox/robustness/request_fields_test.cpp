// Every body field of every emulated CC operation (from CC's document, as generated into
// request_fields.json) and of every control API route (control_fields.json), sent wrong: as each
// JSON type it is not, as an over-long string and with control characters. Each such call must
// be refused with a 4xx in the API's own error format, without an exception, and must leave the
// whole state as it was. One case per operation; it lists every offending field and mutation.
// Each operation's base request (base_requests.json) is first checked to succeed on a fresh
// sandbox, so a refusal is about the mutated field.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "sandbox/robustness/mutations.h"
#include "sandbox/robustness/request_harness.h"

namespace liaison::testing {
namespace {

using nlohmann::json;

constexpr const char* kBoundary = "robustness-boundary";
json readData(const std::string& name) {
  std::ifstream file(std::string(LIAISON_ROBUSTNESS_DATA) + "/" + name);
  return json::parse(file, nullptr, false);
}

struct Operation {
  std::string id;
  std::string method;
  std::string path;   // with {placeholders}
  std::string token;  // whose token: owner, other, or none for the control API
  json body;          // the base body
  json parts;         // or the base multipart form
  std::vector<FieldSpec> fields;
};

void PrintTo(const Operation& op, std::ostream* out) { *out << op.id; }

std::vector<Operation> operations() {
  std::vector<Operation> out;
  const json generated = readData("request_fields.json");
  const json bases = readData("base_requests.json");
  if (generated.is_discarded() || bases.is_discarded()) return out;
  for (const auto& op : generated["operations"]) {
    const std::string id = op["operation_id"];
    if (!bases["operations"].contains(id)) continue;
    const json& base = bases["operations"][id];
    Operation entry{id,
                    op["method"],
                    base.value("path", op["path"].get<std::string>()),
                    base.value("token", "owner"),
                    base.value("body", json()),
                    base.value("parts", json()),
                    {}};
    for (const auto& field : op["fields"]) entry.fields.push_back(FieldSpec::fromJson(field));
    out.push_back(std::move(entry));
  }
  const json control = readData("control_fields.json");
  if (control.is_discarded()) return out;
  for (const auto& op : control["operations"]) {
    Operation entry{op["operation_id"], op["method"], op["path"], "", op["body"], json(), {}};
    for (const auto& field : op["fields"]) entry.fields.push_back(FieldSpec::fromJson(field));
    out.push_back(std::move(entry));
  }
  return out;
}

Call callFor(const Operation& op, const RequestHarness& harness, const json& body) {
  Call call{op.method, harness.fill(op.path), "", "application/json", harness.token(op.token)};
  if (op.parts.is_null()) {
    call.body = body.dump();
    return call;
  }
  call.content_type = std::string("multipart/form-data; boundary=") + kBoundary;
  for (const auto& part : body) {
    call.body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" +
                 part["name"].get<std::string>() + "\"";
    if (part.contains("filename")) {
      call.body += "; filename=\"" + part["filename"].get<std::string>() + "\"\r\nContent-Type: text/csv";
    }
    call.body += "\r\n\r\n" + part["value"].get<std::string>() + "\r\n";
  }
  call.body += std::string("--") + kBoundary + "--\r\n";
  return call;
}

// A multipart form's part by name, as the value to mutate.
json* partNamed(json& parts, const std::string& name) {
  for (auto& part : parts) {
    if (part["name"] == name) return &part["value"];
  }
  return nullptr;
}

// Why an answer is not a proper refusal, or "" if it is: a 4xx in CC's error format (the control
// API answers in it too), an array of {error_key, error_message}, or one such object for 401/403.
std::string whyNotRefused(const Answer& answer) {
  if (!answer.threw.empty()) return "handle() threw: " + answer.threw;
  if (answer.status < 400 || answer.status > 499) return "not a 4xx";
  const json body = json::parse(answer.body, nullptr, false);
  auto isError = [](const json& item) {
    return item.is_object() && item.contains("error_key") && item["error_key"].is_string() &&
           item.contains("error_message") && item["error_message"].is_string();
  };
  bool ok = false;
  if (body.is_array()) {
    ok = !body.empty();
    for (const auto& item : body) ok = ok && isError(item);
  } else if (answer.status == 401 || answer.status == 403) {
    ok = isError(body);
  }
  return ok ? "" : "not in the API's error format";
}

// The first line that differs, under the read it belongs to.
std::string firstChange(const std::string& before, const std::string& after) {
  std::istringstream a(before), b(after);
  std::string line_a, line_b, section;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "";
    if (!more_a || !more_b || line_a != line_b) {
      // From a little before the first differing character: the lines can be long.
      size_t at = 0;
      while (at < line_a.size() && at < line_b.size() && line_a[at] == line_b[at]) ++at;
      const size_t from = at > 40 ? at - 40 : 0;
      auto part = [from](bool more, const std::string& line) {
        return more ? printable(line.substr(std::min(from, line.size())), 100) : std::string("(end)");
      };
      return section.substr(0, section.find(" -> ")) + ": ..." + part(more_a, line_a) + " -> ..." +
             part(more_b, line_b);
    }
    if (line_a.find(" GET ") != std::string::npos || line_a.rfind("documents ->", 0) == 0) section = line_a;
  }
}

// What is being sent, for the crash note: a crash (a validator's stack overflow on a long
// string, say) ends the process before any EXPECT can say which call caused it.
char g_sending[512];
struct sigaction g_previous[NSIG];

// Writes the note, puts back the handler there was before (the default, or a sanitizer's) and
// returns: the faulting instruction faults again and that handler reports it.
void onCrash(int signal) {
  static const char kPrefix[] = "\nrequest_fields_test crashed while sending ";
  (void)!write(STDERR_FILENO, kPrefix, sizeof kPrefix - 1);
  (void)!write(STDERR_FILENO, g_sending, strnlen(g_sending, sizeof g_sending));
  (void)!write(STDERR_FILENO, "\n", 1);
  sigaction(signal, &g_previous[signal], nullptr);
}

void noteCrashes() {
  static std::vector<char> stack(256 * 1024);  // its own stack: a stack overflow leaves none
  stack_t alternate{};
  alternate.ss_sp = stack.data();
  alternate.ss_size = stack.size();
  sigaltstack(&alternate, nullptr);
  struct sigaction action {};
  action.sa_handler = onCrash;
  action.sa_flags = SA_ONSTACK;
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
    sigaction(signal, &action, &g_previous[signal]);
}

class RequestFields : public ::testing::TestWithParam<Operation> {
 protected:
  static void SetUpTestSuite() { noteCrashes(); }
  // A harness back at its state after setup: the same one restored, or a new one.
  void restore(std::unique_ptr<RequestHarness>& harness) {
    if (!harness->restore()) harness = std::make_unique<RequestHarness>();
  }
};

TEST_P(RequestFields, WrongValuesAreRefusedIn4xxAndChangeNothing) {
  const Operation& op = GetParam();
  const bool form = !op.parts.is_null();
  auto harness = std::make_unique<RequestHarness>();
  ASSERT_EQ(harness->setupError(), "");
  const auto base = harness->send(callFor(op, *harness, harness->fill(form ? op.parts : op.body)));
  ASSERT_TRUE(base.threw.empty() && base.status / 100 == 2)
      << "the base request must succeed on a fresh sandbox: " << base.status << " " << base.body
      << base.threw;

  restore(harness);
  ASSERT_EQ(harness->setupError(), "");
  std::vector<std::string> failures;
  size_t sent = 0;
  for (const FieldSpec& field : op.fields) {
    json filled = harness->fill(form ? op.parts : op.body);
    const json* part = form ? partNamed(filled, field.path) : nullptr;
    const json current = form ? (part ? *part : json()) : valueAt(filled, field.path);
    for (const Mutation& mutation : mutationsFor(field, current, form)) {
      json body = harness->fill(form ? op.parts : op.body);  // a rebuilt harness has other ids
      if (form) {
        json* value = partNamed(body, field.path);
        if (!value) continue;
        *value = mutation.value;
      } else {
        setAt(body, field.path, mutation.value);
      }
      ++sent;
      std::snprintf(g_sending, sizeof g_sending, "%s: %s = %s", op.id.c_str(), field.path.c_str(),
                    mutation.label.c_str());
      const Answer answer = harness->send(callFor(op, *harness, body));
      std::string why = whyNotRefused(answer);
      if (why.empty()) {
        const std::string after = harness->state();
        if (after != harness->setupState()) {
          why = "changed the state (" + firstChange(harness->setupState(), after) + ")";
        }
      }
      if (why.empty()) continue;
      failures.push_back("  " + (field.path.empty() ? std::string("(body)") : field.path) +
                         (field.read_only ? " [read-only]" : "") + " = " + mutation.label + " -> " +
                         (answer.threw.empty() ? std::to_string(answer.status) : "exception") + " " +
                         printable(answer.body, 100) + "  [" + why + "]");
      restore(harness);  // the next mutation starts from the state after setup again
      ASSERT_EQ(harness->setupError(), "");
    }
  }
  EXPECT_TRUE(failures.empty()) << op.id << ": " << failures.size() << " of " << sent
                                << " wrong values were not refused cleanly:\n"
                                << [&] {
                                     std::string all;
                                     for (const auto& f : failures) all += f + "\n";
                                     return all;
                                   }();
  EXPECT_GT(sent, 0u) << op.id << " has no field to send wrong";
}

INSTANTIATE_TEST_SUITE_P(Operations, RequestFields, ::testing::ValuesIn(operations()),
                         [](const ::testing::TestParamInfo<Operation>& info) { return info.param.id; });

TEST(RequestFieldsData, EveryEmulatedOperationWithABodyHasABaseRequest) {
  const json generated = readData("request_fields.json");
  const json bases = readData("base_requests.json");
  ASSERT_FALSE(generated.is_discarded()) << "request_fields.json is missing or not JSON";
  ASSERT_FALSE(bases.is_discarded()) << "base_requests.json is missing or not JSON";
  EXPECT_NE(generated.value("generated", "").find("tools/gen_request_fields.py"), std::string::npos);
  RequestHarness harness;
  std::set<std::string> with_body;
  for (const auto& op : generated["operations"]) {
    const std::string id = op["operation_id"];
    with_body.insert(id);
    EXPECT_EQ(harness.emulates(id), bases["operations"].contains(id))
        << id
        << (harness.emulates(id) ? " is emulated and takes a body: give it a base request"
                                 : " has a base request but is not emulated");
  }
  for (const auto& [id, base] : bases["operations"].items()) {
    EXPECT_TRUE(with_body.count(id)) << id << " takes no body in CC's document";
  }
}

}  // namespace
}  // namespace liaison::testing
