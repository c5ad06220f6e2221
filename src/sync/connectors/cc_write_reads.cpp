// What CcWriter must know of the contacts it writes to that this run did not read: the whole
// contact (a PUT replaces it), or, for field updates an import can carry, only that the contact
// was not deleted since the sync last read it (an import would bring it back).
#include <map>
#include <set>

#include "core/encoding.h"
#include "sync/connectors/cc_contact_json.h"
#include "sync/connectors/cc_writes.h"

namespace liaison::sync {

using nlohmann::json;

namespace {

constexpr size_t kFetchEachMax = 3;  // more contacts to read: ask whether paging is cheaper
// Through the update list, field updates of unread contacts cost a page of deleted contacts and
// the list's emptying: two calls, so one or two contacts are read one by one instead.
constexpr size_t kReadEachMax = 2;

}  // namespace

// A field update an import carries whole, given only the fields as last agreed: no value
// cleared, no address key, phone or street address changed (those need the whole contact), no
// list joined (consent) and no unsubscribe (a PUT).
bool CcWriter::importable(const Target& t, const Record& agreed) const {
  if (t.unsubscribe || !t.add_lists.empty() || t.values.empty()) return false;
  const std::string& email = agreed.field("email");
  if (email.empty() || email.size() > kImportEmailMax || agreed.deleted) return false;
  for (const auto& [name, value] : t.values) {
    if (value.empty() || name == "email" || name.rfind("phone:", 0) == 0 || name.rfind("address:", 0) == 0) {
      return false;
    }
  }
  return true;
}

Status CcWriter::fetchMissing() {
  std::vector<Target*> missing, believed;
  for (auto& t : targets_) {
    if (t.create) continue;
    auto it = current_.find(t.id);
    const Record* known = it == current_.end() ? nullptr : it->second;
    if (known && !known->partial) {
      t.current = known;
      continue;
    }
    // Lists and tags alone go by id; fields need the whole contact, list adds its consent.
    if (t.values.empty() && t.add_lists.empty() && !t.unsubscribe) continue;
    if (known && importable(t, *known)) {
      t.current = known;
      believed.push_back(&t);
    } else {
      missing.push_back(&t);
    }
  }
  // The believed ones go back to being read whole.
  auto readWhole = [&] {
    for (Target* t : believed) {
      t->current = nullptr;
      t->believed = false;
    }
    missing.insert(missing.end(), believed.begin(), believed.end());
    believed.clear();
  };
  if (!believed.empty() && believed.size() <= kReadEachMax) readWhole();
  for (Target* t : believed) t->believed = true;
  if (missing.empty()) return okStatus();
  // One GET per contact, unless paging through every contact (500 a page) is fewer calls; a
  // page through everything reads the believed ones whole as well.
  bool page_all = false;
  if (missing.size() > kFetchEachMax) {
    auto counted =
        s_.client.getObject("/v3/contacts?status=all&include_count=true&limit=1", "counting contacts");
    if (!counted) return counted.error();
    auto count = counted->find("contacts_count");
    if (count != counted->end() && count->is_number_unsigned()) {
      page_all = (count->get<size_t>() + 499) / 500 < missing.size();
    }
  }
  if (page_all) readWhole();
  auto keep = [&](Record& record) {
    if (!record.id.empty()) fetched_[record.id] = std::move(record);
  };
  if (page_all) {
    std::set<std::string> wanted;
    for (const Target* t : missing) wanted.insert(t->id);
    auto drained = s_.client.drainContacts(
        "/v3/contacts?status=all&include=" + std::string(kContactIncludes) + "&limit=500", s_.catalogue,
        [&](Record& record, bool) {
          if (wanted.count(record.id)) keep(record);
        });
    if (!drained) return drained.error();
  } else {
    for (Target* t : missing) {
      auto answer = s_.client.send("GET", "/v3/contacts/" + t->id + "?include=" + kContactIncludes);
      if (!answer) return answer.error();
      if (tokenRefused(*answer)) return answerError(*answer, "reading contact " + t->id);
      if (answer->status >= 200 && answer->status < 300) {
        bool unknown = false;
        Record record = s_.client.contact(answer->body, s_.catalogue, unknown);
        keep(record);
      } else {
        fail(*t, "reading contact " + t->id + ": " + answerReason(*answer));
        t->dropped = true;
      }
    }
  }
  for (Target* t : missing) {
    if (auto it = fetched_.find(t->id); it != fetched_.end()) {
      t->current = &it->second;
    } else if (!t->dropped) {
      fail(*t, "contact " + t->id + " is not in the CC account");
      t->dropped = true;
    }
  }
  return okStatus();
}

// CC hides a deletion from updated_after, and an import brings a deleted contact back: before
// importing field updates, the account's deleted contacts are read (ids only, 500 a page). A
// contact deleted since it was last read is not written; the next complete read carries its
// deletion to the other side. Rows of contacts read this run need this only for deletions made
// during the run: when the deleted contacts fill more than a page, only the first is read (the
// window left open is the run's length). Believed rows always need every page.
Status CcWriter::dropDeleted() {
  std::map<std::string, size_t> updated;  // contact id → target, for the import's update rows
  bool believed = false;
  for (const Row& row : rows_) {
    const Target& t = targets_[row.target];
    if (t.create || t.dropped) continue;
    updated.emplace(t.id, row.target);
    believed = believed || t.believed;
  }
  if (updated.empty()) return okStatus();
  std::set<size_t> deleted;
  int64_t seen = 0;
  auto drained = s_.client.drainContacts(
      "/v3/contacts?status=deleted&limit=500", s_.catalogue,
      [&](Record& contact, bool) {
        ++seen;
        if (auto it = updated.find(contact.id); it != updated.end()) deleted.insert(it->second);
      },
      believed ? 0 : 1);
  if (!drained) return drained.error();
  fewest_ += std::max<int64_t>(1, (seen + 499) / 500);  // a read pass: deletions have no other feed
  for (size_t i : deleted) {
    Target& t = targets_[i];
    fail(t, "contact " + t.id + " was deleted in CC since it was last read: not written");
    t.dropped = true;
  }
  for (Row& row : rows_) row.failed = row.failed || targets_[row.target].dropped;
  return okStatus();
}

}  // namespace liaison::sync
