#pragma once
// Contacts and contact lists of every sandbox account: the v3 data, with CC's semantics (soft
// delete, unique email per account including deleted contacts, list memberships) and cursor
// paging that stays correct while contacts are written.
#include <nlohmann/json.hpp>

#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/random.h"
#include "core/result.h"
#include "storage/document_store.h"

namespace liaison::sandbox {

class ContactStore {
 public:
  ContactStore(const Clock& clock, RandomSource& random, storage::DocumentStore* store);
  // Forgets everything in memory (the store itself is cleared by the authorization server).
  void reset();

  // --- Contacts ---
  Result<nlohmann::json> createContact(const std::string& account, const nlohmann::json& body);
  Result<nlohmann::json> getContact(const std::string& account, const std::string& id,
                                    const std::vector<std::string>& include) const;
  Result<nlohmann::json> replaceContact(const std::string& account, const std::string& id,
                                        const nlohmann::json& body);
  Status deleteContact(const std::string& account, const std::string& id);
  // GET /v3/contacts: filters, include, limit and cursor from the query.
  Result<nlohmann::json> listContacts(const std::string& account, const Params& query) const;
  nlohmann::json countContacts(const std::string& account) const;

  // --- Lists ---
  Result<nlohmann::json> createList(const std::string& account, const nlohmann::json& body);
  Result<nlohmann::json> getList(const std::string& account, const std::string& id, bool counts) const;
  Result<nlohmann::json> updateList(const std::string& account, const std::string& id, const nlohmann::json& body);
  // Deletes the list and strips it from every contact; returns the activity CC answers with.
  Result<nlohmann::json> deleteList(const std::string& account, const std::string& id);
  Result<nlohmann::json> listLists(const std::string& account, const Params& query) const;

 private:
  struct AccountData {
    uint64_t next_seq = 1;
    std::map<uint64_t, nlohmann::json> contacts;           // by creation order (paging)
    std::unordered_map<std::string, uint64_t> contact_seq;  // contact_id -> seq
    std::unordered_map<std::string, std::string> by_email;  // lower-case address -> contact_id
    std::map<std::string, nlohmann::json> lists;            // list_id -> list
  };

  std::string now() const;
  Status persist(const std::string& kind, const std::string& account, const std::string& id,
                 const nlohmann::json* value);
  AccountData& data(const std::string& account);
  const AccountData* find(const std::string& account) const;
  Status checkListsExist(const AccountData& data, const nlohmann::json& body) const;
  nlohmann::json presentList(const AccountData& data, const nlohmann::json& list, bool counts) const;
  void load();

  const Clock& clock_;
  RandomSource& random_;
  storage::DocumentStore* store_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, AccountData> accounts_;
};

}  // namespace liaison::sandbox
