// sync_bench: the contact sync engine against `liaison sandbox` over HTTP (see sync_bench.h and
// bench/sync.sh). This file: the command line, the sandbox client every phase shares (counting,
// pacing and checking each CC call) and the small helpers.
#include "sync_bench.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

namespace liaison::bench {

namespace {

constexpr auto kTimeout = std::chrono::minutes(5);  // a 4 MB import is answered in about 1 s
constexpr int64_t kWindowEdgeUs = 150'000;          // the pacer sends nothing this close to a second's end
constexpr int kRetries429 = 10;

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

const char* const kFirst[] = {"Ada",  "Grace", "Alan",  "Mary Ann", "Edsger", "Barbara", "Donald",  "Frances",
                              "Ken",  "Radia", "Linus", "Margaret", "Tim",    "Hedy",    "Niklaus", "Sophie",
                              "Jean", "Anita", "Guido", "Karen",    "Bjarne", "Lynn",    "John",    "Shafi"};
const char* const kLast[] = {"Lovelace",   "Hopper",   "Turing",      "Smith",      "Dijkstra",
                             "Liskov",     "Knuth",    "Allen",       "Thompson",   "Perlman",
                             "Torvalds",   "Hamilton", "Berners-Lee", "Lamarr",     "Wirth",
                             "Wilson",     "Sammet",   "Borg",        "van Rossum", "Jones",
                             "Stroustrup", "Conway",   "Backus",      "Goldwasser", "Ritchie"};
const char* const kTitles[] = {"Engineer",
                               "Senior Engineer",
                               "Product Manager",
                               "Designer",
                               "Sales Lead",
                               "Account Executive",
                               "CTO",
                               "Support Specialist",
                               "Data Analyst",
                               "Marketing Manager",
                               "Office Manager",
                               "Founder",
                               "Consultant"};

}  // namespace

void die(const std::string& why) {
  std::cerr << "FAIL: " << why << std::endl;
  std::exit(1);
}

std::string ccEmail(int64_t i, int64_t n) {
  return (i < n / 2 ? "user" : "cc") + std::to_string(i) + "@example.com";
}
std::string appEmail(int64_t k, int64_t n) {
  return (k < n / 2 ? "user" : "app") + std::to_string(k) + "@example.com";
}
std::string firstName(int64_t i) { return kFirst[i % std::size(kFirst)]; }
std::string lastName(int64_t i) { return kLast[(i / 7) % std::size(kLast)]; }
std::string jobTitle(int64_t i) { return kTitles[(i / 3) % std::size(kTitles)]; }

json loadState(const std::string& dir) {
  std::ifstream in(dir + "/state.json");
  if (!in) die("no state in " + dir + " (run the seed phase first)");
  return json::parse(in);
}

void saveState(const std::string& dir, const json& state) {
  std::ofstream(dir + "/state.json") << state.dump(2);
}

Usage usage() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return {seconds(r.ru_utime) + seconds(r.ru_stime), static_cast<double>(r.ru_maxrss) / 1024.0};
}

double residentMb() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

void printResult(const json& result) { std::cout << "RESULT " << result.dump() << std::endl; }

Sandbox::Sandbox(const BenchOptions& options)
    : base_(options.base),
      token_(options.token),
      per_second_(options.per_second),
      http_(http::makeCurlHttpClient()),
      clock_(system_) {
  json now = control("GET", "/__sandbox/clock");
  clock_.setOffset(std::chrono::seconds(now.at("offset_seconds").get<int64_t>()));
}

Result<http::ClientResponse> Sandbox::send(const std::string& method, const std::string& url,
                                           const std::string& body, bool with_token) {
  http::ClientRequest request;
  request.method = method;
  request.url = url;
  request.timeout = kTimeout;
  request.headers.set("Accept", "application/json");
  if (with_token) request.headers.set("Authorization", "Bearer " + token_);
  if (!body.empty()) {
    request.headers.set("Content-Type", "application/json");
    request.body = body;
  }
  return http_->send(request);
}

// CC counts calls in fixed one-second windows per API key; the sandbox does so on its virtual
// clock, which clock_ mirrors. At most per_second_ calls start in a window, and none in its last
// moments, so a call cannot be counted in the next window once it arrives.
void Sandbox::pace() {
  if (per_second_ <= 0) return;
  for (;;) {
    const int64_t now_us =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch()).count();
    const int64_t window = now_us / 1'000'000;
    const int64_t into = now_us % 1'000'000;
    if (window != window_) {
      window_ = window;
      sent_in_window_ = 0;
    }
    if (sent_in_window_ < per_second_ && into < 1'000'000 - kWindowEdgeUs) {
      ++sent_in_window_;
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(1'000'000 - into + 2'000));
  }
}

std::string Sandbox::kindOf(const sync::CcCall& call) {
  const std::string& t = call.target;
  const std::string& m = call.method;
  std::string kind = "other";
  if (m == "GET" && (t.starts_with("/v3/contact_lists") || t.starts_with("/v3/contact_tags") ||
                     t.starts_with("/v3/contact_custom_fields"))) {
    kind = "catalogue";
  } else if (m == "POST" && (t == "/v3/contact_lists" || t == "/v3/contact_tags")) {
    kind = "make_list";
  } else if (t.starts_with("/v3/activities/contacts_json_import")) {
    kind = "import";
  } else if (t.starts_with("/v3/activities/")) {
    kind = m == "GET" ? "poll" : "bulk_activity";
  } else if (t.starts_with("/v3/contacts/")) {
    kind = m == "GET" ? "get_one" : m == "PUT" ? "put" : "contact_" + m;
  } else if (m == "POST" && t == "/v3/contacts") {
    kind = "post";
  } else if (t.starts_with("/v3/contacts?")) {
    if (contains(t, "include_count=true")) {
      kind = "count";
    } else if (contains(t, "email=")) {
      kind = "lookup";
    } else if (contains(t, "optout_after=")) {
      kind = "page_optout";
    } else if (contains(t, "updated_after=")) {
      kind = contains(t, "include=") ? "page_changed" : "read_back";
    } else if (contains(t, "include=")) {
      kind = "page";
    } else {
      kind = last_page_kind_;  // a next link ("?cursor=…") continues its pass
    }
    if (kind.starts_with("page") || kind == "read_back") last_page_kind_ = kind;
  }
  return phase + ":" + kind;
}

Result<sync::CcAnswer> Sandbox::call(const sync::CcCall& call) {
  if (!call.target.starts_with("/v3/")) die("a CC call outside /v3: " + call.target);
  const std::string kind = kindOf(call);
  if (kind.ends_with(":import")) {
    tally.import_bytes += static_cast<int64_t>(call.body.size());
    // Each row is one object holding "email" (the envelope holds none).
    for (size_t at = call.body.find("\"email\":"); at != std::string::npos;
         at = call.body.find("\"email\":", at + 8))
      ++tally.import_rows;
  }
  for (int attempt = 0;; ++attempt) {
    pace();
    ++tally.calls;
    ++tally.kinds[kind];
    auto response = send(call.method, base_ + call.target, call.body, true);
    if (!response) {
      ++tally.errors;
      if (tally.first_error.empty()) tally.first_error = call.method + " " + call.target + ": no answer";
      return makeError(ErrorCode::BadGateway, "upstream.no_answer", response.error().message);
    }
    if (response->status >= 400) {
      ++tally.errors;
      if (tally.first_error.empty()) {
        tally.first_error = call.method + " " + call.target.substr(0, 80) + ": " +
                            std::to_string(response->status) + " " + response->body.substr(0, 200);
      }
    }
    if (response->status == 429 && per_second_ > 0 && attempt < kRetries429) {
      ++tally.throttled;  // counted as an error too: the pacer should never let one through
      window_ = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
      sent_in_window_ = per_second_;  // this second is spent: wait for the next
      continue;
    }
    return sync::CcAnswer{response->status, std::move(response->body)};
  }
}

json Sandbox::must(const std::string& method, const std::string& target, const json& body) {
  auto answer = call(sync::CcCall{method, target, body.is_null() ? "" : body.dump()});
  if (!answer) die(method + " " + target + ": " + answer.error().message);
  if (answer->status < 200 || answer->status > 299) {
    die(method + " " + target + " answered " + std::to_string(answer->status) + ": " +
        answer->body.substr(0, 300));
  }
  return answer->body.empty() ? json::object() : json::parse(answer->body);
}

json Sandbox::control(const std::string& method, const std::string& path, const json& body) {
  auto response = send(method, base_ + path, body.is_null() ? "" : body.dump(), false);
  if (!response) die(method + " " + path + ": " + response.error().message);
  if (response->status < 200 || response->status > 299) {
    die(method + " " + path + " answered " + std::to_string(response->status) + ": " +
        response->body.substr(0, 300));
  }
  return response->body.empty() ? json::object() : json::parse(response->body);
}

void Sandbox::awaitActivity(const std::string& id) {
  for (int polls = 0; polls < 600; ++polls) {
    json activity = must("GET", "/v3/activities/" + id);
    const std::string state = activity.value("state", "");
    if (state == "completed") {
      if (!activity.value("activity_errors", json::array()).empty())
        die("activity " + id + " reported errors: " + activity["activity_errors"].dump().substr(0, 300));
      return;
    }
    if (state == "failed" || state == "cancelled" || state == "timed_out")
      die("activity " + id + " " + state);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  die("activity " + id + " did not finish in 5 minutes");
}

void Sandbox::advance(int64_t seconds) {
  if (seconds <= 0) return;
  json now = control("POST", "/__sandbox/clock/advance", {{"seconds", seconds}});
  clock_.setOffset(std::chrono::seconds(now.at("offset_seconds").get<int64_t>()));
}

}  // namespace liaison::bench

namespace {

void usageAndExit() {
  std::cerr << "usage: sync_bench seed|change|run|baseline --base URL --token T --dir DIR\n"
               "         [--contacts N] [--per-second 4] [--filter LIST|all] [--label L]\n"
               "         [--pass first|next] [--advance SECONDS]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace liaison::bench;
  if (argc < 2) usageAndExit();
  BenchOptions o;
  o.phase = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--base")
      o.base = value;
    else if (flag == "--token")
      o.token = value;
    else if (flag == "--dir")
      o.dir = value;
    else if (flag == "--contacts")
      o.contacts = std::stoll(value);
    else if (flag == "--per-second")
      o.per_second = std::stoi(value);
    else if (flag == "--filter")
      o.filter = value;
    else if (flag == "--label")
      o.label = value;
    else if (flag == "--pass")
      o.pass = value;
    else if (flag == "--advance")
      o.advance_s = std::stoll(value);
    else
      usageAndExit();
  }
  if (o.base.empty() || o.token.empty() || o.dir.empty() || o.contacts < 1000) usageAndExit();
  Sandbox cc(o);
  cc.advance(o.advance_s);
  if (o.phase == "seed")
    seedPhase(cc, o);
  else if (o.phase == "change")
    changePhase(cc, o);
  else if (o.phase == "run")
    runPhase(cc, o);
  else if (o.phase == "baseline")
    baselinePhase(cc, o);
  else
    usageAndExit();
  return 0;
}
