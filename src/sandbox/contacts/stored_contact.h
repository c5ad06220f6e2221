#pragma once
// A contact as the sandbox holds it in memory: compact JSON text, parsed only when a request
// needs the tree, plus the few fields that filters and indexes read. The text is kept in two
// parts: the default view (what GET /v3/contacts lists without include=, served as is) and the
// rest (sub-resources and internal fields). Lists, counts and membership checks never touch a
// JSON tree, and a contact costs ~1 KB instead of the ~3 KB a node-per-field tree costs.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace liaison::sandbox {

class StoredContact {
 public:
  StoredContact() = default;
  // `contact` is the stored form (internal `_` fields included), as buildContact makes it.
  explicit StoredContact(nlohmann::json contact);

  // The stored form (internal fields included) as a tree.
  nlohmann::json tree() const;
  // The GET /v3/contacts entry without include=: JSON text.
  const std::string& defaultView() const { return view_; }
  // True when `needle` occurs anywhere in the contact's JSON text (a cheap pre-filter for ids).
  bool textContains(const std::string& needle) const;
  // The document the store persists: {"contact": <stored form>, "seq": seq}.
  std::string record(uint64_t seq) const;
  const std::string& id() const { return id_; }

  bool deleted() const { return deleted_; }
  // email_address.permission_to_send, "not_set" without an address (or with a value that is
  // not one of CC's, which only a hand-written fixture can hold).
  const std::string& permission() const;
  const std::vector<std::string>& lists() const { return lists_; }
  const std::vector<std::string>& tags() const { return tags_; }
  bool inAnyList(const std::vector<std::string>& ids) const;
  bool hasAnyTag(const std::vector<std::string>& ids) const;
  // created_at, updated_at, email_address.opt_out_date; nullopt when absent or unparsable.
  std::optional<TimePoint> createdAt() const { return optionalTime(created_at_); }
  std::optional<TimePoint> updatedAt() const { return optionalTime(updated_at_); }
  std::optional<TimePoint> optOutDate() const { return optionalTime(opt_out_date_); }

 private:
  static std::optional<TimePoint> optionalTime(TimePoint t);

  std::string view_;   // a JSON object
  std::string extra_;  // a JSON object, or empty when the contact has no other fields
  std::string id_;
  std::vector<std::string> lists_;
  std::vector<std::string> tags_;
  TimePoint created_at_ = TimePoint::min();
  TimePoint updated_at_ = TimePoint::min();
  TimePoint opt_out_date_ = TimePoint::min();
  uint8_t permission_ = 0;  // index into the permission names
  bool deleted_ = false;
};

// The lower-case email address of a contact tree (the key of the account's email index); empty
// when it has none.
std::string emailKeyOf(const nlohmann::json& contact);

}  // namespace liaison::sandbox
