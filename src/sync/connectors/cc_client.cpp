#include "sync/connectors/cc_client.h"

#include <algorithm>
#include <utility>

#include "core/clock.h"
#include "sync/connectors/cc_contact_json.h"

namespace liaison::sync {

using nlohmann::json;

namespace {

constexpr size_t kReasonMax = 200;  // a reason is a line in a report, not a body dump

std::string clipped(std::string text) {
  if (text.size() > kReasonMax) text = text.substr(0, kReasonMax) + "...";
  return text;
}

// CC's error bodies: an array of {error_key, error_message}, or one such object (auth errors).
const json* firstError(const json& parsed) {
  if (parsed.is_array() && !parsed.empty() && parsed[0].is_object()) return &parsed[0];
  if (parsed.is_object()) return &parsed;
  return nullptr;
}

bool terminal(const std::string& state) {
  return state == "completed" || state == "failed" || state == "cancelled" || state == "timed_out";
}

// A time CC gave in `object[key]`, in ms since the epoch, or 0.
int64_t msOf(const json& object, const char* key) {
  TimePoint t;
  const std::string& text = jsonText(object, key);
  if (text.empty() || !parseIso8601(text, t)) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// What an activity's answer says of its times.
void noteTimes(Activity& activity, const json& answer) {
  if (activity.created_ms == 0) activity.created_ms = msOf(answer, "created_at");
  if (terminal(activity.state)) {
    activity.ended_ms = msOf(answer, "completed_at");
    if (activity.ended_ms == 0) activity.ended_ms = msOf(answer, "updated_at");
  }
}

std::vector<std::string> activityErrors(const json& activity) {
  std::vector<std::string> out;
  auto it = activity.find("activity_errors");
  if (it == activity.end() || !it->is_array()) return out;
  for (const auto& error : *it) {
    // Strings on most activities, {message} objects on some (tag deletes, ActivityGeneric).
    if (error.is_string()) out.push_back(error.get<std::string>());
    if (error.is_object() && !jsonText(error, "message").empty()) out.push_back(jsonText(error, "message"));
  }
  return out;
}

}  // namespace

const std::string& jsonText(const json& object, const char* key) {
  static const std::string kEmpty;
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : kEmpty;
}

std::string answerReason(const CcAnswer& answer) {
  std::string reason = "CC answered " + std::to_string(answer.status);
  json parsed = json::parse(answer.body, nullptr, false);
  if (const json* error = firstError(parsed)) {
    const std::string& message = jsonText(*error, "error_message");
    if (!message.empty()) reason += ": " + message;
  }
  return clipped(reason);
}

bool tokenRefused(const CcAnswer& answer) { return answer.status == 401 || answer.status == 403; }

Error answerError(const CcAnswer& answer, const std::string& what) {
  ErrorCode code = ErrorCode::BadGateway;
  switch (answer.status) {
    case 400:
      code = ErrorCode::InvalidRequest;
      break;
    case 401:
      code = ErrorCode::Unauthorized;
      break;
    case 403:
      code = ErrorCode::Forbidden;
      break;
    case 404:
      code = ErrorCode::NotFound;
      break;
    case 409:
      code = ErrorCode::Conflict;
      break;
    case 429:
      code = ErrorCode::TooManyRequests;
      break;
    default:
      break;
  }
  std::string key = "upstream.bad_answer";
  json parsed = json::parse(answer.body, nullptr, false);
  if (const json* error = firstError(parsed); error && !jsonText(*error, "error_key").empty()) {
    key = jsonText(*error, "error_key");
  }
  return makeError(code, key, what + ": " + answerReason(answer));
}

std::vector<std::string> listsParams(const std::vector<std::string>& list_ids) {
  constexpr size_t kListsPerQuery = 25;
  std::vector<std::string> out;
  for (size_t i = 0; i < list_ids.size(); i += kListsPerQuery) {
    std::string ids;
    for (size_t j = i; j < std::min(list_ids.size(), i + kListsPerQuery); ++j) {
      ids += (ids.empty() ? "" : ",") + list_ids[j];
    }
    out.push_back("&lists=" + ids);
  }
  if (out.empty()) out.emplace_back();
  return out;
}

CcClient::CcClient(CcCaller& caller, std::function<void(std::chrono::milliseconds)> wait, Polling polling)
    : caller_(caller),
      wait_(std::move(wait)),
      polling_(polling),
      contacts_(std::make_unique<ContactReader>()) {}

CcClient::~CcClient() = default;

Result<CcAnswer> CcClient::send(const std::string& method, const std::string& target,
                                const std::string& payload) {
  ++calls_;  // a call whose answer was lost still counts against CC's budget
  return caller_.call(CcCall{method, target, payload});
}

Result<json> CcClient::getObject(const std::string& target, const std::string& what) {
  auto answer = send("GET", target);
  if (!answer) return answer.error();
  if (answer->status < 200 || answer->status > 299) return answerError(*answer, what);
  json parsed = json::parse(answer->body, nullptr, false);
  if (!parsed.is_object()) {
    return makeError(ErrorCode::BadGateway, "upstream.bad_answer",
                     what + ": CC's answer is not a JSON object");
  }
  return parsed;
}

Status CcClient::drainPages(const std::string& target, const std::string& what,
                            const std::function<Result<std::string>(const std::string& body)>& read,
                            int64_t max_pages) {
  std::string next = target;
  for (int64_t pages = 0; !next.empty() && (max_pages == 0 || pages < max_pages); ++pages) {
    auto answer = send("GET", next);
    if (!answer) return answer.error();
    if (answer->status < 200 || answer->status > 299) return answerError(*answer, what);
    auto href = read(answer->body);
    if (!href) return makeError(href.error().code, href.error().key, what + ": " + href.error().message);
    // The same page again would loop for ever: CC's cursors always move on.
    next = *href == next ? "" : *href;
  }
  return okStatus();
}

Status CcClient::drain(const std::string& target, const char* field, const std::function<void(json&)>& each,
                       int64_t max_pages) {
  return drainPages(
      target, std::string("reading ") + field,
      [&](const std::string& body) -> Result<std::string> {
        json page = json::parse(body, nullptr, false);
        if (!page.is_object()) {
          return makeError(ErrorCode::BadGateway, "upstream.bad_answer", "CC's answer is not a JSON object");
        }
        auto items = page.find(field);
        if (items != page.end() && items->is_array()) {
          for (auto& item : *items) each(item);
        }
        std::string href;
        if (auto links = page.find("_links"); links != page.end() && links->is_object()) {
          if (auto link = links->find("next"); link != links->end()) href = jsonText(*link, "href");
        }
        return href;
      },
      max_pages);
}

Status CcClient::drainContacts(const std::string& target, const CcCatalogue& catalogue,
                               const std::function<void(Record&, bool)>& each, int64_t max_pages) {
  return drainPages(
      target, "reading contacts",
      [&](const std::string& body) { return contacts_->page(body, catalogue, each); }, max_pages);
}

Record CcClient::contact(const std::string& body, const CcCatalogue& catalogue, bool& unknown) {
  return contacts_->contact(body, catalogue, unknown);
}

Result<Activity> CcClient::start(const std::string& kind, const json& request) {
  return startSerialized(kind, request.dump());
}

Result<Activity> CcClient::startSerialized(const std::string& kind, const std::string& request) {
  Activity activity;
  activity.waited_at_start_ms = waited_ms_;
  auto answer = send("POST", "/v3/activities/" + kind, request);
  if (!answer) return answer.error();
  if (tokenRefused(*answer)) return answerError(*answer, kind);
  if (answer->status < 200 || answer->status > 299) {
    activity.failure = kind + ": " + answerReason(*answer);
    return activity;
  }
  json parsed = json::parse(answer->body, nullptr, false);
  activity.id = jsonText(parsed, "activity_id");
  activity.state = jsonText(parsed, "state");
  noteTimes(activity, parsed);
  if (activity.id.empty()) activity.failure = kind + ": CC's answer names no activity";
  return activity;
}

void CcClient::pause(std::chrono::milliseconds how_long) {
  wait_(how_long);
  waited_ms_ += how_long.count();
}

Status CcClient::finish(Activity& activity) {
  if (!activity.failure.empty() || terminal(activity.state)) return okStatus();
  // An activity started before earlier ones were waited for has had that time already.
  int64_t credit = waited_ms_ - activity.waited_at_start_ms;
  std::chrono::milliseconds delay = polling_.first;
  int64_t spent = 0;
  for (;;) {
    const int64_t need = delay.count() - credit;
    credit = 0;
    if (need > 0) {
      wait_(std::chrono::milliseconds(need));
      waited_ms_ += need;
      spent += need;
    }
    auto answer = send("GET", "/v3/activities/" + activity.id);
    if (!answer) return answer.error();
    if (tokenRefused(*answer)) return answerError(*answer, "activity " + activity.id);
    if (answer->status < 200 || answer->status > 299) {
      activity.failure = "activity " + activity.id + ": " + answerReason(*answer);
      return okStatus();
    }
    json parsed = json::parse(answer->body, nullptr, false);
    activity.state = jsonText(parsed, "state");
    noteTimes(activity, parsed);
    if (terminal(activity.state)) {
      activity.errors = activityErrors(parsed);
      if (activity.state != "completed") {
        activity.failure = "activity " + activity.id + " " + activity.state;
        if (!activity.errors.empty())
          activity.failure = clipped(activity.failure + ": " + activity.errors[0]);
      }
      return okStatus();
    }
    if (spent >= polling_.timeout.count()) {
      activity.failure = "activity " + activity.id + " still " + activity.state + " after " +
                         std::to_string(spent / 1000) + " s of polling";
      return okStatus();
    }
    delay = std::min(delay * 2, polling_.max);
  }
}

}  // namespace liaison::sync
