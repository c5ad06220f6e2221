#include "sandbox/demo_business.h"

#include <set>

#include "core/clock.h"
#include "core/random.h"
#include "sandbox/contacts/contact_store.h"
#include "sandbox/demo_account.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

constexpr const char* kAccount = kDemoAccount;
constexpr uint64_t kSeed = 0x5a4d0b4e;  // any fixed value: the demo must not change between runs
constexpr int kContacts = 200;
constexpr int kUnsubscribed = 12;
constexpr int kDeleted = 5;

const std::vector<std::string> kFirst = {"Ava",    "Ben",  "Chloe", "Daniel", "Ella", "Finn",  "Grace",
                                         "Henry",  "Isla", "Jack",  "Kara",   "Liam", "Maya",  "Noah",
                                         "Olivia", "Owen", "Priya", "Quinn",  "Rosa", "Sam",   "Tara",
                                         "Umar",   "Vera", "Will",  "Yara",   "Zoe",  "Marco", "Lena"};
const std::vector<std::string> kLast = {
    "Baker",  "Miller", "Nguyen", "Garcia", "Patel",  "Smith", "Kowalski", "Rossi",   "Okafor", "Chen",
    "Murphy", "Silva",  "Haddad", "Larsen", "Dubois", "Kim",   "Moreau",   "Schmidt", "Walsh",  "Tanaka"};
const std::vector<std::string> kDomains = {"example.com", "example.net", "example.org"};
const std::vector<std::string> kBreads = {
    "Sourdough", "Rye",         "Baguette", "Ciabatta",     "Brioche",
    "Focaccia",  "Whole wheat", "Challah",  "Pumpernickel", "Cinnamon raisin"};
const std::vector<std::string> kAllergies = {"Nuts", "Sesame", "Gluten", "Dairy"};
const std::vector<std::string> kCities = {"Waltham",   "Newton",  "Watertown",
                                          "Lexington", "Belmont", "Needham"};
const std::vector<std::string> kCompanies = {"Corner Cafe", "Green Grocer",      "The Daily Bowl",
                                             "Harbor Deli", "Oak Street Market", "Sunrise Diner"};

template <typename T>
Result<T> need(Result<T> result, const char* what) {
  if (!result)
    return makeError(ErrorCode::Internal, "sandbox.demo_seed",
                     std::string(what) + ": " + result.error().message);
  return result;
}

const std::string& pick(SeededRandom& random, const std::vector<std::string>& from) {
  return from[random.uniform(static_cast<uint32_t>(from.size()))];
}

// Whether a draw of `percent` in 100 comes up.
bool chance(SeededRandom& random, uint32_t percent) { return random.uniform(100) < percent; }

}  // namespace

// The business grew through 2026: contacts from March, the newsletter sent in October.
DemoBusiness::DemoBusiness()
    : clock(fromUnixSeconds(1'772'366'400)), ids(kSeed), contacts(clock, ids, nullptr) {}

Result<std::unique_ptr<DemoBusiness>> buildDemoBusiness(EmailHooks hooks) {
  auto out = std::make_unique<DemoBusiness>();
  ManualClock& clock = out->clock;
  ContactStore& contacts = out->contacts;
  SeededRandom draws(kSeed + 1);
  hooks.recipients = [&contacts](const std::string& account, const std::vector<std::string>& lists) {
    return contacts.listRecipients(account, lists);
  };
  out->emails = std::make_unique<EmailStore>(clock, out->ids, nullptr, hooks);
  EmailStore& emails = *out->emails;

  auto newsletter =
      need(contacts.createList(kAccount, {{"name", "Bakery Newsletter"},
                                          {"favorite", true},
                                          {"description", "Weekly specials and news from the bakery"}}),
           "list");
  auto wholesale = need(contacts.createList(kAccount, {{"name", "Wholesale Customers"},
                                                       {"description", "Cafes and shops we bake for"}}),
                        "list");
  auto club = need(contacts.createList(kAccount, {{"name", "Bread Club"},
                                                  {"description", "Monthly loaf subscription members"}}),
                   "list");
  auto bread =
      need(contacts.createCustomField(kAccount, {{"label", "Favorite bread"}, {"type", "string"}}), "field");
  auto allergies =
      need(contacts.createCustomField(kAccount, {{"label", "Allergies"}, {"type", "string"}}), "field");
  for (const auto* r : {&newsletter, &wholesale, &club, &bread, &allergies}) {
    if (!*r) return r->error();
  }
  std::vector<std::string> tags;
  for (const char* name : {"Regular", "Gluten-free", "Farmers market", "Event attendee"}) {
    auto tag = need(contacts.createTag(kAccount, {{"name", name}}), "tag");
    if (!tag) return tag.error();
    tags.push_back((*tag)["tag_id"]);
  }

  std::set<std::string> used;
  std::vector<std::pair<std::string, json>> created;  // id, body
  for (int i = 0; i < kContacts; ++i) {
    clock.advance(std::chrono::minutes(30 + draws.uniform(24 * 60)));
    const std::string first = pick(draws, kFirst);
    const std::string last = pick(draws, kLast);
    std::string local = toLower(first) + "." + toLower(last);
    std::string email = local + "@" + pick(draws, kDomains);
    for (int n = 2; used.count(email); ++n) email = local + std::to_string(n) + "@" + pick(draws, kDomains);
    used.insert(email);
    const bool trade = i % 7 == 3;  // about 30 wholesale customers
    json lists = json::array();
    if (!trade || chance(draws, 30)) lists.push_back((*newsletter)["list_id"]);
    if (trade) lists.push_back((*wholesale)["list_id"]);
    if (!trade && chance(draws, 30)) lists.push_back((*club)["list_id"]);
    json taggings = json::array();
    for (const auto& tag : tags) {
      if (chance(draws, 20)) taggings.push_back(tag);
    }
    json body = {
        {"email_address",
         {{"address", email}, {"permission_to_send", chance(draws, 70) ? "explicit" : "implicit"}}},
        {"first_name", first},
        {"last_name", last},
        {"create_source", "Account"},
        {"list_memberships", lists},
        {"taggings", taggings},
        {"custom_fields",
         json::array({{{"custom_field_id", (*bread)["custom_field_id"]}, {"value", pick(draws, kBreads)}}})},
        {"street_addresses", json::array({{{"kind", "home"},
                                           {"city", pick(draws, kCities)},
                                           {"state", "MA"},
                                           {"country", "United States"}}})}};
    if (chance(draws, 10)) {
      body["custom_fields"].push_back(
          {{"custom_field_id", (*allergies)["custom_field_id"]}, {"value", pick(draws, kAllergies)}});
    }
    if (trade) {
      body["company_name"] = pick(draws, kCompanies);
      body["job_title"] = "Owner";
    }
    if (chance(draws, 40)) {
      body["phone_numbers"] = json::array(
          {{{"phone_number", "555-01" + std::to_string(10 + draws.uniform(90))}, {"kind", "mobile"}}});
    }
    auto contact = need(contacts.createContact(kAccount, body), "contact");
    if (!contact) return contact.error();
    created.emplace_back((*contact)["contact_id"], body);
  }

  // Some readers unsubscribed over the summer, and a few contacts were removed.
  for (int i = 0; i < kUnsubscribed; ++i) {
    clock.advance(std::chrono::hours(30));
    auto& [id, body] = created[10 + i * 15];
    json update = body;
    update.erase("create_source");
    update["update_source"] = "Contact";
    update["email_address"]["permission_to_send"] = "unsubscribed";
    update["email_address"]["opt_out_reason"] = "Too many emails";
    if (auto changed = need(contacts.replaceContact(kAccount, id, update), "unsubscribe"); !changed) {
      return changed.error();
    }
  }
  for (int i = 0; i < kDeleted; ++i) {
    clock.advance(std::chrono::hours(50));
    if (auto deleted = contacts.deleteContact(kAccount, created[17 + i * 37].first); !deleted) {
      return makeError(ErrorCode::Internal, "sandbox.demo_seed", "delete: " + deleted.error().message);
    }
  }

  // A newsletter already sent, and the next one in the works.
  const std::string html =
      "<html><body>[[trackingImage]]<h1>Sandbox Bakery</h1><p>This week: rye, sourdough and the first "
      "cinnamon raisin of the season.</p></body></html>";
  const json activity = {{"format_type", 5},
                         {"from_name", "Sandbox Bakery"},
                         {"from_email", "owner@sandbox.test"},
                         {"reply_to_email", "owner@sandbox.test"},
                         {"subject", "Fresh this week"},
                         {"html_content", html}};
  clock.set(fromUnixSeconds(1'791'460'800));  // 2026-10-08T12:00:00Z
  auto sent = need(emails.createCampaign(
                       kAccount, {{"name", "October Newsletter"}, {"email_campaign_activities", {activity}}}),
                   "campaign");
  if (!sent) return sent.error();
  std::string primary;
  for (const auto& a : (*sent)["campaign_activities"]) {
    if (a["role"] == "primary_email") primary = a["campaign_activity_id"];
  }
  json recipients = activity;
  recipients["contact_list_ids"] = json::array({(*newsletter)["list_id"]});
  if (auto put = need(emails.replaceActivity(kAccount, primary, recipients), "activity"); !put)
    return put.error();
  if (auto scheduled = need(emails.schedule(kAccount, primary, {{"scheduled_date", "0"}}), "send");
      !scheduled) {
    return scheduled.error();
  }
  clock.advance(EmailStore::kSendDuration + std::chrono::seconds(1));
  auto done = need(emails.getActivity(kAccount, primary, {}), "sent activity");  // moves the send to DONE
  if (!done) return done.error();
  clock.advance(std::chrono::hours(24 * 40));
  json draft_activity = activity;
  draft_activity["subject"] = "Holiday pre-orders are open";
  auto draft = need(emails.createCampaign(kAccount, {{"name", "Holiday Pre-orders"},
                                                     {"email_campaign_activities", {draft_activity}}}),
                    "draft");
  if (!draft) return draft.error();

  out->documents = contacts.documents();
  for (auto& doc : emails.documents()) out->documents.push_back(std::move(doc));
  const json counts = contacts.countContacts(kAccount);
  out->summary = {{"contacts", kContacts},
                  {"unsubscribed", kUnsubscribed},
                  {"deleted", kDeleted},
                  {"lists", 3},
                  {"custom_fields", 2},
                  {"tags", tags.size()},
                  {"email_campaigns", 2},
                  {"sent_email_campaigns", 1},
                  {"primary_email_status", (*done)["current_status"]},
                  {"counts", counts}};
  return out;
}

std::string describeDemoBusiness(const json& summary) {
  return std::to_string(summary.value("contacts", 0)) + " contacts (" +
         std::to_string(summary.value("unsubscribed", 0)) + " unsubscribed, " +
         std::to_string(summary.value("deleted", 0)) + " deleted), " +
         std::to_string(summary.value("lists", 0)) + " lists, custom field \"Favorite bread\", " +
         std::to_string(summary.value("tags", 0)) + " tags, " +
         std::to_string(summary.value("email_campaigns", 0)) +
         " email campaigns (1 sent, 1 draft), social links";
}

}  // namespace liaison::sandbox
