#pragma once
// The CC side's calls: every call counted, CC's error messages read into short reasons, pages
// drained, bulk activities started and followed to their end. Internal to the CC side.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "sync/connectors/cc_caller.h"
#include "sync/model/record.h"

namespace liaison::sync {

// A string member of a CC object, or "" when it is absent or not a string: CC's answers are
// read defensively, never with json::value (which throws on a wrong type).
const std::string& jsonText(const nlohmann::json& object, const char* key);

// A short reason for a CC answer that is not a success: its status and CC's first error_message,
// never the whole body.
std::string answerReason(const CcAnswer& answer);

// 401 or 403: the caller already renewed the token once, so every further call would be refused
// too; the apply stops with an Error rather than failing each write in turn.
bool tokenRefused(const CcAnswer& answer);

// An Error for a read that CC refused: a read cannot go on without the page.
Error answerError(const CcAnswer& answer, const std::string& what);

// The `&lists=` parameters of GET /v3/contacts that together cover `list_ids`: CC takes at most
// 25 ids a query. One empty parameter when there are no ids (one query covers every contact).
std::vector<std::string> listsParams(const std::vector<std::string>& list_ids);

class CcCatalogue;
class ContactReader;

struct Polling {
  std::chrono::milliseconds first{1000};
  std::chrono::milliseconds max{30000};
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
};

// A bulk activity: started (id), and how it ended. `failure` is set when it did not do its
// work (refused with a 4xx, failed, cancelled, timed out, or still running when polling gave up).
struct Activity {
  std::string id;
  std::string state;
  std::vector<std::string> errors;  // activity_errors as CC reports them
  std::string failure;
  int64_t waited_at_start_ms = 0;  // how long this apply had waited when the activity started
  // CC's own times, in ms since the epoch (0 when CC gave none): when it was created, and when
  // it ended (completed_at, or updated_at of the answer that first showed it ended).
  int64_t created_ms = 0;
  int64_t ended_ms = 0;
};

class CcClient {
 public:
  CcClient(CcCaller& caller, std::function<void(std::chrono::milliseconds)> wait, Polling polling);
  ~CcClient();

  // One call, counted. An Error only when no answer came.
  Result<CcAnswer> send(const std::string& method, const std::string& target,
                        const std::string& payload = "");
  // A GET whose 2xx answer is a JSON object; any other answer is an Error.
  Result<nlohmann::json> getObject(const std::string& target, const std::string& what);
  // Every page of a collection, following `_links.next.href` until CC gives none; `each` gets
  // the items of `field` on each page. With `max_pages`, stops after that many.
  Status drain(const std::string& target, const char* field, const std::function<void(nlohmann::json&)>& each,
               int64_t max_pages = 0);
  // The same for GET /v3/contacts, each contact read as a Record (ContactReader::page).
  Status drainContacts(const std::string& target, const CcCatalogue& catalogue,
                       const std::function<void(Record&, bool unknown)>& each, int64_t max_pages = 0);
  // A contact of GET /v3/contacts/{id}'s answer (ContactReader::contact).
  Record contact(const std::string& body, const CcCatalogue& catalogue, bool& unknown);

  // POST /v3/activities/<kind>. A refusal (4xx/5xx answer) comes back as an Activity with
  // `failure` set; an Error when no answer came or the token was refused.
  Result<Activity> start(const std::string& kind, const nlohmann::json& request);
  // The same with the request already serialized.
  Result<Activity> startSerialized(const std::string& kind, const std::string& request);
  // Polls GET /v3/activities/{id} with backoff (through the injected wait) until the activity
  // completes, fails, is cancelled or times out.
  Status finish(Activity& activity);

  // Waits through the injected wait (counted with the polls' waits).
  void pause(std::chrono::milliseconds how_long);

  int64_t calls() const { return calls_; }

 private:
  CcCaller& caller_;
  std::function<void(std::chrono::milliseconds)> wait_;
  Polling polling_;
  int64_t calls_ = 0;
  int64_t waited_ms_ = 0;  // every wait so far: activities started earlier have had that time
  std::unique_ptr<ContactReader> contacts_;  // reads every contact answer, one parser reused

  // Every page from `target` on: `read` takes a 2xx answer's body and gives the next page's
  // href ("" at the end).
  Status drainPages(const std::string& target, const std::string& what,
                    const std::function<Result<std::string>(const std::string& body)>& read,
                    int64_t max_pages);
};

}  // namespace liaison::sync
