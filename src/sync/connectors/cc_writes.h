#pragma once
// How CcSide::apply carries the planner's Writes to CC: each record's writes merged into one
// Target, each Target sorted to the cheapest call that can do it (a JSON import row, a PUT, a
// list or tag activity, a bulk delete), imports grouped by the lists they may name, and the
// calls made phase by phase. Internal to the CC side: cc_writes.cpp plans, cc_write_reads.cpp
// reads what the plan needs to know of contacts this run did not read, cc_write_calls.cpp calls.
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sync/connectors/cc_side.h"

namespace liaison::sync {

struct CcWriteSetup {
  CcClient& client;
  CcCatalogue& catalogue;
  const Clock& clock;
  const CcSideOptions& options;
  const std::vector<std::string>& filter_ids;
};

using IdSet = std::set<std::string>;

inline constexpr size_t kImportEmailMax = 50;  // an import's email column is shorter than a contact's

class CcWriter {
 public:
  CcWriter(const CcWriteSetup& setup, const std::vector<Write>& writes, const std::vector<Record>& current);
  Result<CcApplyResult> run();

 private:
  // One record's writes, merged (a mark tag and a field change may come as two writes).
  struct Target {
    std::vector<size_t> indexes;
    std::string id;  // "" for a create
    bool create = false;
    bool unsubscribe = false;  // asked for (a create: the new contact is unsubscribed)
    bool dropped = false;      // failed before any call: nothing more is done for it
    Fields values;
    Items add_lists, remove_lists, add_tags, remove_tags;  // names (or ids) as the writes gave them
    const Record* current = nullptr;
    // `current` is the last agreed state (Record::partial), checked against CC's deleted
    // contacts: the fields are imported through the update list, lists and tags go by id.
    bool believed = false;
    // Worked out by classify.
    bool unsubscribed = false;  // in CC now, or being unsubscribed by this apply
    Fields changes;             // the values that differ from what CC holds
    IdSet lists_to_add, lists_to_remove, tags_to_add, tags_to_remove;  // ids
  };
  // A JSON import row: a create, or a field update of a contact who may be imported into a list
  // it is in (and stays in) or joins now.
  struct Row {
    size_t target = 0;
    std::string columns;  // the row's JSON object, serialized once (an import may carry 40,000)
    std::string email;
    IdSet candidates;  // an update's lists the import may name; empty for a create
    bool failed = false;
    std::string note;  // its import's errors that name no row
  };
  struct Started {
    Activity activity;
    std::vector<size_t> writes;  // the write indexes it carries
    std::vector<size_t> rows;    // an import's rows (index into rows_), in import_data order
    std::string note;            // an import's errors that name no row
  };

  // cc_writes.cpp: planning.
  void gather();
  Status fetchMissing();
  bool importable(const Target& t, const Record& agreed) const;
  Status dropDeleted();
  Status classify(size_t index);
  Status classifyCreate(Target& t, size_t index);
  bool needsPut(const Target& t) const;
  void queueRow(size_t target, nlohmann::json columns, IdSet candidates, const IdSet& fixed);
  void groupUpdateRows();
  void fail(const Target& t, const std::string& reason);
  void failWrites(const std::vector<size_t>& writes, const std::string& reason);
  Result<std::string> listIdFor(const std::string& name_or_id, bool create);
  Result<std::string> tagIdFor(const std::string& name_or_id, bool create);

  // cc_write_calls.cpp: calls.
  Status putAndPost();
  Status imports();
  Status readBack(TimePoint since, const std::vector<size_t>& created_rows);
  void checkOwnWindow(const std::vector<Started>& started);
  Status activities();
  Status runActivities(std::vector<Started>& started);
  Result<bool> singular(const std::string& method, const std::string& target, const nlohmann::json& request,
                        Target& t, nlohmann::json* answer);

  CcWriteSetup s_;  // a copy: it holds references only, and callers pass a temporary
  const std::vector<Write>& writes_;
  std::unordered_map<std::string_view, const Record*> current_;  // keyed by the records' own ids
  std::map<std::string, Record> fetched_;  // contacts read because `current` lacked them
  std::vector<Target> targets_;
  std::vector<std::pair<std::string, size_t>> deletes_;    // contact id, write index
  std::map<std::string, std::string> list_ids_, tag_ids_;  // name or id → id ("" = none)
  std::map<std::string, std::string> name_failures_;       // name → why it could not be made
  std::vector<size_t> puts_, posts_;                       // targets
  std::vector<Row> rows_;
  std::map<std::vector<std::string>, std::vector<size_t>> groups_;  // list ids → rows
  std::vector<size_t> pending_updates_;                             // rows not grouped yet
  std::string update_list_id_;  // CcSideOptions::update_list, once a believed row needs it
  CcApplyResult result_;
  // The fewest calls these writes need: lists and tags made, the imports every row fits in
  // (⌈bytes / 4 MB⌉ or ⌈rows / 40,000⌉) with one poll each, ⌈created / 500⌉ pages to learn the
  // new ids, one call per PUT or POST, and per list, tag or delete activity its start and one
  // poll. Contacts read before writing (fetchMissing, the GET before a PUT) are not in it.
  int64_t fewest_ = 0;
};

}  // namespace liaison::sync
