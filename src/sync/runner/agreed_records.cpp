#include "sync/runner/agreed_records.h"

#include <string>
#include <unordered_set>

namespace liaison::sync {

void addAgreedRecords(const std::vector<Write>& writes, const std::vector<Link>& links, SideRead& read) {
  if (read.complete) return;
  std::unordered_set<std::string> wanted;
  for (const auto& w : writes) {
    if (w.kind != Write::Kind::Create && !w.id.empty()) wanted.insert(w.id);
  }
  for (const auto& record : read.records) wanted.erase(record.id);
  if (wanted.empty()) return;
  for (const auto& link : links) {
    if (link.a_id.empty() || wanted.erase(link.a_id) == 0) continue;
    Record& record = read.records.emplace_back();
    record.id = link.a_id;
    record.partial = true;
    record.unsubscribed = link.a_unsubscribed;
    record.deleted = link.a_deleted;
    for (const auto& [field, value] : link.agreed) {
      // Set fields ("lists", "tags") are agreed as joined items: what CC holds now is unknown.
      if (field != "lists" && field != "tags" && !value.empty()) record.text.emplace(field, value);
    }
  }
}

}  // namespace liaison::sync
