#pragma once
// The CC side of a sync: a CC account's contacts read as Records, and the planner's Writes
// applied with CC's cheapest calls (reference §10.8-10.9): pages of 500 to read, JSON imports of
// up to 40,000 rows for creates and field updates, bulk activities of 500 contacts for list and
// tag membership and deletes, and PUT only where CC has no bulk form (clearing a field, changing
// an address, unsubscribing). Every call goes through the CcCaller; all time through the Clock
// and the injected wait.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "sync/connectors/cc_caller.h"
#include "sync/connectors/cc_catalogue.h"
#include "sync/connectors/cc_client.h"
#include "sync/mapping/catalog.h"
#include "sync/model/definition.h"
#include "sync/model/record.h"
#include "sync/planner/plan.h"

namespace liaison::sync {

struct CcSideOptions {
  ListFilter filter;  // all contacts, or members of these lists (names or list ids)
  // The list new contacts join when the filter is "all" (an import must name one); made if missing.
  // With that filter it is never part of a contact's "lists" as the sync reads them.
  std::string import_list = "Liaison sync";
  // The list an import names to update contacts this run did not read (an import must name a
  // list, and naming one the contact may have left would put it back): made when first needed,
  // and emptied by the next complete read that finds members on it (one call a day, not one a
  // run). Never part of a contact's "lists" as the sync reads them.
  std::string update_list = "Liaison sync updates";
  std::chrono::milliseconds poll_first{1000};  // activity polling: first wait, doubled up to poll_max
  std::chrono::milliseconds poll_max{30000};
  std::chrono::milliseconds poll_timeout{std::chrono::minutes(30)};  // then the activity's writes fail
  std::chrono::seconds overlap{300};  // incremental reads start this much before the cursor (clock skew)
  // Imports of at least this many rows end with one count of the contacts changed while they
  // ran (CcApplyResult::own_window): when only the imported ones were, later incremental reads
  // skip that span instead of reading every row back. The count and the extra read pass around
  // the span cost 2 calls: below 2,000 rows (4 pages) reading them back saves little or nothing.
  // 0 never counts.
  size_t own_window_rows = 2000;
  // How far apart CC's clocks may be (the activity's times, its contacts' updated_at): the span
  // starts this much before the first import was created, and the count waits this long after
  // the last one ended, so no change made after the count can carry a time inside the span.
  std::chrono::milliseconds own_window_margin{1000};
  // One JSON import's caps (CC: 40,000 contacts, under 4 MB of request). Tests lower them.
  size_t import_rows_max = 40000;
  size_t import_bytes_max = 4'000'000;
  // The account's lists, tags and custom fields as read a little earlier (the caller's cache):
  // open reads them only when absent. A name or id the cached copy lacks is read again.
  std::optional<CcCatalogue> catalogue;
};

struct CcApplyResult {
  std::map<size_t, std::string> created;               // write index → new contact_id
  std::vector<std::pair<size_t, std::string>> failed;  // write index → reason (activity errors, 4xx)
  int64_t calls = 0;                                   // CC calls this apply made
  int64_t fewest_calls = 0;  // the fewest that could carry the same writes (CcWriter::fewest_)
  // CC's updated_at span of this apply's imports, when a count showed that no other contact in
  // scope changed within it (CcSideOptions::own_window_rows).
  std::optional<TimeWindow> own_window;
};

class CcSide {
 public:
  // Reads the account's lists, tags and custom fields (names ↔ ids): one call per page of each.
  // Fails when the filter names a list the account does not have.
  static Result<std::unique_ptr<CcSide>> open(CcCaller& cc, const Clock& clock,
                                              std::function<void(std::chrono::milliseconds)> wait,
                                              CcSideOptions options);

  const std::vector<CcCustomField>& customFields() const { return catalogue_.customFields(); }
  const CcCatalogue& catalogue() const { return catalogue_; }
  // The filter's lists by name (a filter may name a list by id; Records hold names), empty for
  // "all": what a Record's "lists" set holds when the contact is in scope.
  const std::vector<std::string>& scopeLists() const { return scope_names_; }

  // Every contact in scope, deleted ones included (status=all), every page: complete.
  Result<SideRead> readAll();
  // Contacts changed since `since` - overlap: updated_after, and a second pass optout_after
  // (CC leaves updated_at alone on an unsubscribe), merged by id. Not complete. The updated_at
  // spans in `skip` are left out (one pass per gap between them); unsubscribes are read in all.
  Result<SideRead> readChanged(TimePoint since, const std::vector<TimeWindow>& skip = {});
  // Applies `writes`. `current`: the records read this run (a PUT replaces top-level fields, so
  // it needs the whole contact; a contact not among them is read before it is written). An Error
  // only when CC gave no answer (or refused the token): the runner then reconciles by reading.
  Result<CcApplyResult> apply(const std::vector<Write>& writes, const std::vector<Record>& current);

  int64_t calls() const { return client_.calls(); }  // CC calls made since open
  // The fewest CC calls that could have done what this side did since open: the catalogue's
  // pages when it was read, ⌈contacts / 500⌉ per read pass (at least 1), and the writes' own
  // floor (CcWriter). The difference to calls() is what retries, extra polls and contacts read
  // only to be written cost.
  int64_t fewestCalls() const { return fewest_; }

 private:
  CcSide(CcCaller& cc, const Clock& clock, std::function<void(std::chrono::milliseconds)> wait,
         CcSideOptions options);
  // Drains GET /v3/contacts once per `pass` (extra query parameters) and per group of up to 25
  // filter lists, merging by id.
  Result<SideRead> read(const std::vector<std::string>& passes, bool complete);
  Status emptyUpdateList();

  CcClient client_;
  CcCatalogue catalogue_;
  const Clock& clock_;
  CcSideOptions options_;
  std::vector<std::string> filter_ids_;
  std::vector<std::string> scope_names_;
  int64_t fewest_ = 0;
};

}  // namespace liaison::sync
