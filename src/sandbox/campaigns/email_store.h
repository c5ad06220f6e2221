#pragma once
// Email campaigns of every sandbox account: campaigns with their primary_email and permalink
// activities, recipients (contact lists), schedules that run on the virtual clock
// (SCHEDULED -> EXECUTING -> DONE, or ERROR when no recipient list is left), send history that
// reaches only new list members on a re-send, and test sends (at most 5 addresses a call,
// 50 recipients a day per account).
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/random.h"
#include "core/result.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

// What campaigns need from the rest of the account, supplied by the sandbox.
struct EmailHooks {
  // The account's CONFIRMED email addresses, lower-case: the only allowed senders.
  std::function<std::set<std::string>(const std::string& account)> confirmed_senders;
  // The footer used when an activity names no physical address.
  std::function<nlohmann::json(const std::string& account)> default_footer;
  // Contact ids a send to these lists reaches (members who can be emailed); an error names a
  // list that does not exist.
  using RecipientsFn =
      std::function<Result<std::vector<std::string>>(const std::string& account, const std::vector<std::string>& lists)>;
  RecipientsFn recipients;
};

class EmailStore {
 public:
  // How long a send stays EXECUTING on the virtual clock.
  static constexpr std::chrono::seconds kSendDuration{60};
  static constexpr int kTestRecipientsPerDay = 50;

  EmailStore(const Clock& clock, RandomSource& random, storage::DocumentStore* store, EmailHooks hooks);
  void reset();
  std::vector<storage::Document> documents();
  void restoreDocuments(const std::vector<storage::Document>& docs);
  // Replaces memory with a copy of `seed`'s (the demo seed, without parsing it again).
  void copyFrom(EmailStore& seed);

  Result<nlohmann::json> createCampaign(const std::string& account, const nlohmann::json& body);
  Result<nlohmann::json> listCampaigns(const std::string& account, const Params& query);
  Result<nlohmann::json> getCampaign(const std::string& account, const std::string& id);
  Result<nlohmann::json> renameCampaign(const std::string& account, const std::string& id, const nlohmann::json& body);
  Status deleteCampaign(const std::string& account, const std::string& id);

  Result<nlohmann::json> getActivity(const std::string& account, const std::string& id,
                                     const std::vector<std::string>& include);
  Result<nlohmann::json> replaceActivity(const std::string& account, const std::string& id, const nlohmann::json& body);

  Result<nlohmann::json> schedule(const std::string& account, const std::string& id, const nlohmann::json& body);
  Result<nlohmann::json> schedules(const std::string& account, const std::string& id);
  Status unschedule(const std::string& account, const std::string& id);
  Result<nlohmann::json> sendHistory(const std::string& account, const std::string& id);
  // GET /v3/emails/campaign_id_xrefs: V2 campaign ids (rule in xrefs.h) to campaign and
  // primary_email activity ids.
  Result<nlohmann::json> campaignXrefs(const std::string& account, const Params& query);
  Status testSend(const std::string& account, const std::string& id, const nlohmann::json& body);

  // Control API: the test emails an account has sent.
  nlohmann::json testSends(const std::string& account);

 private:
  struct AccountEmails {
    std::vector<std::string> order;                        // campaign ids, oldest first
    std::unordered_map<std::string, nlohmann::json> campaigns;
    std::unordered_map<std::string, nlohmann::json> activities;
    nlohmann::json tests = nlohmann::json::array();         // test sends, newest last
  };

  AccountEmails& data(const std::string& account);  // expects mutex_ held; loads on first use
  // Moves due schedules on: SCHEDULED -> EXECUTING -> DONE/ERROR. Returns whether anything changed.
  bool advance(const std::string& account, AccountEmails& data);
  void finishSend(const std::string& account, nlohmann::json& activity, TimePoint at);
  void syncCampaign(AccountEmails& data, const nlohmann::json& activity);
  // The primary_email activity `id`, after due schedules have moved on.
  Result<nlohmann::json*> primaryActivity(const std::string& account, AccountEmails& data, const std::string& id);
  Status save(const std::string& account, const AccountEmails& data);
  static nlohmann::json serialize(const AccountEmails& data);

  const Clock& clock_;
  RandomSource& random_;
  storage::DocumentStore* store_;
  EmailHooks hooks_;
  std::mutex mutex_;
  std::unordered_map<std::string, AccountEmails> accounts_;
  std::unordered_map<std::string, nlohmann::json> persisted_;  // loaded at start, by account
};

}  // namespace liaison::sandbox
