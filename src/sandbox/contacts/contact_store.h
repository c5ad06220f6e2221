#pragma once
// Contacts and contact lists of every sandbox account: the v3 data, with CC's semantics (soft
// delete, unique email per account including deleted contacts, list memberships) and cursor
// paging that stays correct while contacts are written.
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/random.h"
#include "core/result.h"
#include "sandbox/contacts/stored_contact.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

class ContactStore {
 public:
  ContactStore(const Clock& clock, RandomSource& random, storage::DocumentStore* store);
  // Forgets everything in memory (the store itself is cleared by the authorization server).
  void reset();
  // Snapshots: the state as the documents it persists, and replacing memory with such documents
  // (the store itself is rewritten by the authorization server).
  std::vector<storage::Document> documents() const;
  void restoreDocuments(const std::vector<storage::Document>& docs);
  // Replaces memory with a copy of `seed`'s (the demo seed: a copy costs far less than parsing
  // its documents again on every reset).
  void copyFrom(const ContactStore& seed);

  // --- Quirk switches: where CC's behaviour is unconfirmed or odd, per account ---
  // unsubscribe_updates_updated_at, delete_updates_updated_at (default false: CC support says
  // unsubscribes do not show under updated_after), import_readds_left_lists (default true: an
  // import adds a contact back to a list they had been removed from), rate_limit_body ("array",
  // the documented error array, or "object", a single {error_key, error_message}).
  nlohmann::json quirks(const std::string& account) const;
  Result<nlohmann::json> setQuirks(const std::string& account, const nlohmann::json& changes);

  // --- Contacts ---
  Result<nlohmann::json> createContact(const std::string& account, const nlohmann::json& body);
  Result<nlohmann::json> getContact(const std::string& account, const std::string& id,
                                    const std::vector<std::string>& include) const;
  Result<nlohmann::json> replaceContact(const std::string& account, const std::string& id,
                                        const nlohmann::json& body);
  Status deleteContact(const std::string& account, const std::string& id);
  // GET /v3/contacts: filters, include, limit and cursor from the query; the serialized body.
  Result<std::string> listContacts(const std::string& account, const Params& query) const;
  nlohmann::json countContacts(const std::string& account) const;
  // GET /v3/contacts/contact_id_xrefs and GET /v3/contact_lists/list_id_xrefs: V2 ids (the
  // sandbox's rule is in xrefs.h) to V3 ids; unknown V2 ids are left out.
  Result<nlohmann::json> contactXrefs(const std::string& account, const Params& query) const;
  Result<nlohmann::json> listXrefs(const std::string& account, const Params& query) const;
  // POST /v3/contacts/sign_up_form: create or update by email; lists and custom fields are
  // appended. Returns {contact_id, action} and whether the contact was created.
  Result<std::pair<nlohmann::json, bool>> signUp(const std::string& account, const nlohmann::json& body);

  // PUT /v3/contacts/resubscribe/{id}: records the one confirmation email CC sends.
  Status requestResubscribe(const std::string& account, const std::string& id, const nlohmann::json& body);
  // Control API: the contact confirmed; opted in (explicit) and added to the requested lists.
  Result<nlohmann::json> confirmResubscribe(const std::string& account, const std::string& id);

  // --- Lists ---
  Result<nlohmann::json> createList(const std::string& account, const nlohmann::json& body);
  Result<nlohmann::json> getList(const std::string& account, const std::string& id, bool counts) const;
  Result<nlohmann::json> updateList(const std::string& account, const std::string& id, const nlohmann::json& body);
  // Deletes the list and strips it from every contact; returns the activity CC answers with.
  Result<nlohmann::json> deleteList(const std::string& account, const std::string& id);
  Result<nlohmann::json> listLists(const std::string& account, const Params& query) const;
  // Contacts an email to these lists reaches: members, not deleted, whose email permission is
  // explicit or implicit. An error names a list that does not exist.
  Result<std::vector<std::string>> listRecipients(const std::string& account,
                                                  const std::vector<std::string>& list_ids) const;

  // --- Bulk activities ---
  // POST /v3/activities/contacts_json_import. Applied at once, in one transaction; the activity
  // reports completed with CC's counters from its first GET.
  Result<nlohmann::json> importContacts(const std::string& account, const nlohmann::json& body);
  // The other bulk activities, by the last segment of their path: contact_delete,
  // add_list_memberships, remove_list_memberships, list_delete, contacts_taggings_add,
  // contacts_taggings_remove, contacts_tags_delete, custom_fields_delete.
  Result<nlohmann::json> bulkActivity(const std::string& account, const std::string& kind,
                                      const nlohmann::json& body);
  // Test seam: runs after an import is worked out under the shared lock, before it is applied.
  void onImportPlanned(std::function<void()> hook) { import_planned_ = std::move(hook); }
  // Each GET of an activity counts as a status poll (see the activity_progress setting).
  Result<nlohmann::json> getActivity(const std::string& account, const std::string& id) const;
  // POST /v3/activities/contact_exports: filters (contact_ids, list_ids, tag_ids, status,
  // new_subscriber, exclude) and fields; the CSV is taken at once and kept with the activity.
  Result<nlohmann::json> exportContacts(const std::string& account, const nlohmann::json& body);
  // GET /v3/contact_exports/{id}: the CSV, once the activity reports completed.
  Result<std::string> exportFile(const std::string& account, const std::string& id) const;
  Result<nlohmann::json> listActivities(const std::string& account, const Params& query) const;

  // --- Custom fields (at most 100 per account) ---
  Result<nlohmann::json> createCustomField(const std::string& account, const nlohmann::json& body);
  Result<nlohmann::json> getCustomField(const std::string& account, const std::string& id) const;
  Result<nlohmann::json> updateCustomField(const std::string& account, const std::string& id,
                                           const nlohmann::json& body);
  Status deleteCustomField(const std::string& account, const std::string& id);
  Result<nlohmann::json> listCustomFields(const std::string& account, const Params& query) const;

  // --- Tags ---
  Result<nlohmann::json> createTag(const std::string& account, const nlohmann::json& body);
  Result<nlohmann::json> getTag(const std::string& account, const std::string& id, bool count) const;
  Result<nlohmann::json> renameTag(const std::string& account, const std::string& id, const nlohmann::json& body);
  // Untags every contact, deletes the tag, and returns CC's activity body.
  Result<nlohmann::json> deleteTag(const std::string& account, const std::string& id);
  Result<nlohmann::json> listTags(const std::string& account, const Params& query) const;

 private:
  struct AccountData {
    uint64_t next_seq = 1;
    std::map<uint64_t, StoredContact> contacts;            // by creation order (paging)
    std::unordered_map<std::string, uint64_t> contact_seq;  // contact_id -> seq
    std::unordered_map<std::string, uint64_t> by_email;     // lower-case address -> seq
    std::map<std::string, nlohmann::json> lists;            // list_id -> list
    std::map<std::string, nlohmann::json> custom_fields;    // custom_field_id -> field
    std::map<std::string, nlohmann::json> tags;             // tag_id -> tag
    std::map<std::string, nlohmann::json> activities;       // activity_id -> activity
    std::map<std::string, std::string> exports;             // activity_id -> CSV
    nlohmann::json quirks = nlohmann::json::object();        // only the switches changed from default
    // Status GETs per activity id; guarded by polls_mutex_ (in memory only).
    mutable std::unordered_map<std::string, int> activity_polls;
  };

  // An import worked out against the account as it was: contacts after the import (compact at
  // once: 40,000 trees at a time would cost ~3 KB each in transient memory the allocator keeps),
  // their addresses, and CC's counters.
  struct ImportPlan {
    std::map<uint64_t, StoredContact> staged;  // seq -> contact
    std::unordered_map<std::string, uint64_t> staged_emails;
    uint64_t next_seq = 0;
    nlohmann::json errors = nlohmann::json::array();
    int imported = 0;
    int correctable = 0;
    int cannot_add = 0;
  };
  Result<ImportPlan> planImport(const AccountData& d, const nlohmann::json& body) const;

  std::string now() const;
  Status persist(const std::string& kind, const std::string& account, const std::string& id,
                 const nlohmann::json* value);
  // The same with the document already serialized (nullopt deletes it).
  Status persistText(const std::string& kind, const std::string& account, const std::string& id,
                     std::optional<std::string> text);
  AccountData& data(const std::string& account);
  // Persists `contact` (with a disk store) and puts it in memory at `seq`; nothing changes if
  // the store refuses.
  Status saveContact(const std::string& account, AccountData& d, uint64_t seq, StoredContact contact);
  const AccountData* find(const std::string& account) const;
  // Every list, tag and custom field a contact body names must exist in the account.
  Status checkReferences(const AccountData& data, const nlohmann::json& body) const;
  // Removes `id` from the array `field` of every contact, persisting the changed ones.
  Status stripFromContacts(const std::string& account, AccountData& data, const char* field, const std::string& id);
  // The completed activity a list or tag DELETE answers with, recorded (and persisted) so that
  // GET /v3/activities/{id} finds it like any other.
  Result<nlohmann::json> recordDeletionActivity(const std::string& account, AccountData& d);
  // A completed activity record for `d`, carrying the account's activity_progress setting.
  nlohmann::json newActivity(const AccountData& d, const nlohmann::json& counters, const nlohmann::json& errors) const;
  // 429 once 1,000 activities of the account are still reported short of completed.
  Status checkActivityQueue(const AccountData& d) const;
  // Commits changed contacts plus extra writes in one transaction, applies them, and records a
  // completed activity with `counters`; returns what POST answers.
  Result<nlohmann::json> finishActivity(const std::string& account, AccountData& data,
                                        std::map<uint64_t, nlohmann::json>& staged,
                                        std::vector<storage::Write> extra, const nlohmann::json& counters);
  Result<std::vector<uint64_t>> resolveSource(const AccountData& data, const nlohmann::json& body) const;
  nlohmann::json presentList(const AccountData& data, const nlohmann::json& list, bool counts) const;
  void load();
  void loadDocuments(const std::vector<storage::Document>& docs);

  const Clock& clock_;
  RandomSource& random_;
  storage::DocumentStore* store_;
  mutable std::shared_mutex mutex_;
  mutable std::mutex polls_mutex_;  // taken after mutex_, never before
  mutable std::mutex ids_mutex_;    // new ids while planning under the shared lock
  uint64_t generation_ = 1;          // bumped by every write (under the exclusive lock)
  std::function<void()> import_planned_;
  std::unordered_map<std::string, AccountData> accounts_;
};

}  // namespace liaison::sandbox
