// Contacts as documents: loading them from the store at start-up, and the snapshot export and
// restore of every account's contacts, lists, fields, tags, activities, exports and switches.
#include "core/encoding.h"
#include "core/memory.h"
#include "sandbox/contacts/contact_store.h"

namespace liaison::sandbox {

using nlohmann::json;

void ContactStore::load() {
  if (store_) loadDocuments(store_->loadAll());
}

std::vector<storage::Document> ContactStore::documents() const {
  std::shared_lock lock(mutex_);
  std::vector<storage::Document> out;
  for (const auto& [account, d] : accounts_) {
    for (const auto& [seq, contact] : d.contacts) {
      out.push_back({"contact", account + "/" + contact.id(), contact.record(seq)});
    }
    for (const auto& [id, v] : d.lists) out.push_back({"list", account + "/" + id, v.dump()});
    for (const auto& [id, v] : d.custom_fields) out.push_back({"custom_field", account + "/" + id, v.dump()});
    for (const auto& [id, v] : d.tags) out.push_back({"tag", account + "/" + id, v.dump()});
    for (const auto& [id, v] : d.activities) out.push_back({"activity", account + "/" + id, v.dump()});
    for (const auto& [id, csv] : d.exports) out.push_back({"export", account + "/" + id, json{{"csv", csv}}.dump()});
    if (!d.quirks.empty()) out.push_back({"quirks", account + "/switches", d.quirks.dump()});
  }
  return out;
}

void ContactStore::restoreDocuments(const std::vector<storage::Document>& docs) {
  std::unique_lock lock(mutex_);
  ++generation_;
  freeInBackground(std::exchange(accounts_, {}));
  loadDocuments(docs);
}

void ContactStore::copyFrom(const ContactStore& seed) {
  std::shared_lock from(seed.mutex_);
  auto copy = seed.accounts_;
  std::unique_lock lock(mutex_);
  ++generation_;
  freeInBackground(std::exchange(accounts_, std::move(copy)));
}

void ContactStore::loadDocuments(const std::vector<storage::Document>& docs) {
  for (const auto& doc : docs) {
    if (doc.kind != "contact" && doc.kind != "list" && doc.kind != "custom_field" && doc.kind != "tag" &&
        doc.kind != "activity" && doc.kind != "quirks" && doc.kind != "export") {
      continue;
    }
    const auto slash = doc.id.find('/');
    AccountData& account = accounts_[doc.id.substr(0, slash)];
    json j = json::parse(doc.json);
    if (doc.kind == "list") {
      account.lists[j["list_id"]] = j;
      continue;
    }
    if (doc.kind == "custom_field") {
      account.custom_fields[j["custom_field_id"]] = j;
      continue;
    }
    if (doc.kind == "tag") {
      account.tags[j["tag_id"]] = j;
      continue;
    }
    if (doc.kind == "quirks") {
      account.quirks = j;
      continue;
    }
    if (doc.kind == "activity") {
      account.activities[j["activity_id"]] = j;
      continue;
    }
    if (doc.kind == "export") {
      account.exports[doc.id.substr(slash + 1)] = j["csv"];
      continue;
    }
    const uint64_t seq = j["seq"].get<uint64_t>();
    const std::string email = emailKeyOf(j["contact"]);
    StoredContact contact(std::move(j["contact"]));
    account.contact_seq[contact.id()] = seq;
    if (!email.empty()) account.by_email[email] = seq;
    account.contacts[seq] = std::move(contact);
    account.next_seq = std::max(account.next_seq, seq + 1);
  }
}

void ContactStore::reset() {
  std::unique_lock lock(mutex_);
  ++generation_;
  freeInBackground(std::exchange(accounts_, {}));
}

}  // namespace liaison::sandbox
