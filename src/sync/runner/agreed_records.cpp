#include "sync/runner/agreed_records.h"

#include <algorithm>
#include <string>
#include <string_view>
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

void keepWrittenRecords(const std::vector<Write>& writes, SideRead& read) {
  std::unordered_set<std::string_view> named;
  for (const auto& w : writes) {
    if (w.kind != Write::Kind::Create && !w.id.empty()) named.insert(w.id);
  }
  std::vector<Record> kept;
  kept.reserve(std::min(named.size(), read.records.size()));
  for (auto& record : read.records) {
    if (named.count(record.id) != 0) kept.push_back(std::move(record));
  }
  read.records = std::move(kept);  // the others are freed here
}

}  // namespace liaison::sync
