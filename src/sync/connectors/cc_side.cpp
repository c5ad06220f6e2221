#include "sync/connectors/cc_side.h"

#include <algorithm>
#include <utility>

#include "sync/connectors/cc_contact_json.h"
#include "sync/connectors/cc_writes.h"
#include "sync/model/id_key.h"

namespace liaison::sync {

using nlohmann::json;

namespace {

// Skipped spans in order, overlapping ones merged.
std::vector<TimeWindow> sortedWindows(std::vector<TimeWindow> windows) {
  std::erase_if(windows, [](const TimeWindow& w) { return w.to_ms <= w.from_ms; });
  std::sort(windows.begin(), windows.end(),
            [](const TimeWindow& x, const TimeWindow& y) { return x.from_ms < y.from_ms; });
  std::vector<TimeWindow> out;
  for (const auto& w : windows) {
    if (!out.empty() && w.from_ms <= out.back().to_ms) {
      out.back().to_ms = std::max(out.back().to_ms, w.to_ms);
    } else {
      out.push_back(w);
    }
  }
  return out;
}

// A contact read twice (in two passes, under two filter lists, or on both sides of a page
// boundary that moved while paging) keeps its later view, in the place of its first. Found by
// sorting, not by a table of ids built while reading: a complete read has 100,000s of them.
void keepLatestOfEachId(std::vector<Record>& records, std::vector<char>& unknown) {
  std::vector<std::pair<IdKey, size_t>> order;  // by id, then by when it was read
  order.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) order.emplace_back(IdKey(records[i].id), i);
  std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
    return x.first < y.first || (x.first == y.first && x.second < y.second);
  });
  std::vector<char> gone(records.size(), 0);
  bool any = false;
  for (size_t j = 0; j < order.size();) {
    size_t k = j + 1;
    while (k < order.size() && order[k].first == order[j].first) ++k;
    if (k - j > 1) {
      const size_t first = order[j].second, latest = order[k - 1].second;
      records[first] = std::move(records[latest]);
      unknown[first] = unknown[latest];
      for (size_t m = j + 1; m < k; ++m) gone[order[m].second] = 1;
      any = true;
    }
    j = k;
  }
  if (!any) return;
  size_t kept = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (gone[i] != 0) continue;
    if (kept != i) {
      records[kept] = std::move(records[i]);
      unknown[kept] = unknown[i];
    }
    ++kept;
  }
  records.resize(kept);
  unknown.resize(kept);
}

}  // namespace

CcSide::CcSide(CcCaller& cc, const Clock& clock, std::function<void(std::chrono::milliseconds)> wait,
               CcSideOptions options)
    : client_(cc, std::move(wait), Polling{options.poll_first, options.poll_max, options.poll_timeout}),
      clock_(clock),
      options_(std::move(options)) {}

Result<std::unique_ptr<CcSide>> CcSide::open(CcCaller& cc, const Clock& clock,
                                             std::function<void(std::chrono::milliseconds)> wait,
                                             CcSideOptions options) {
  std::unique_ptr<CcSide> side(new CcSide(cc, clock, std::move(wait), std::move(options)));
  bool fresh = !side->options_.catalogue;
  if (side->options_.catalogue) {
    side->catalogue_ = std::move(*side->options_.catalogue);
    side->options_.catalogue.reset();
  } else if (auto loaded = side->catalogue_.load(side->client_); !loaded) {
    return loaded.error();
  }
  const ListFilter& filter = side->options_.filter;
  if (!filter.all && filter.lists.empty()) {
    return makeError(ErrorCode::InvalidRequest, "sync.cc_filter_empty",
                     "the CC side's list filter names no list");
  }
  if (!filter.all) {
    for (const auto& list : filter.lists) {
      std::string id = side->catalogue_.listId(list);
      if (id.empty() && !fresh) {  // a list made since the cached copy was read
        if (auto loaded = side->catalogue_.load(side->client_); !loaded) return loaded.error();
        fresh = true;
        id = side->catalogue_.listId(list);
      }
      if (id.empty()) {
        return makeError(ErrorCode::NotFound, "sync.cc_list_missing",
                         "the CC account has no list '" + list + "' (the sync's filter names it)");
      }
      if (id == side->catalogue_.listId(side->options_.update_list)) {
        return makeError(ErrorCode::InvalidRequest, "sync.cc_filter_update_list",
                         "the list '" + list + "' carries the sync's own imports and cannot be its filter");
      }
      side->filter_ids_.push_back(id);
      side->scope_names_.push_back(side->catalogue_.listName(id));
    }
  }
  side->fewest_ = side->client_.calls();  // the catalogue's pages: each one needed
  return side;
}

Result<SideRead> CcSide::read(const std::vector<std::string>& passes, bool complete) {
  const std::vector<std::string> list_params = listsParams(filter_ids_);

  SideRead out;
  out.complete = complete;
  std::vector<char> unknown;  // per record: it names ids the catalogue did not know
  for (const auto& pass : passes) {
    for (const auto& lists : list_params) {
      const std::string target =
          "/v3/contacts?status=all&include=" + std::string(kContactIncludes) + "&limit=500" + pass + lists;
      int64_t seen = 0;
      auto drained = client_.drainContacts(target, catalogue_, [&](Record& record, bool unknown_ids) {
        ++seen;
        if (record.id.empty()) return;
        out.records.push_back(std::move(record));
        unknown.push_back(unknown_ids ? 1 : 0);
      });
      if (!drained) return drained.error();
      fewest_ += std::max<int64_t>(1, (seen + 499) / 500);
    }
  }
  keepLatestOfEachId(out.records, unknown);
  if (std::find(unknown.begin(), unknown.end(), 1) != unknown.end()) {
    // A list, tag or custom field made since open: read the names again, once per read.
    const int64_t before = client_.calls();
    if (auto loaded = catalogue_.load(client_); !loaded) return loaded.error();
    fewest_ += client_.calls() - before;
    for (size_t i = 0; i < out.records.size(); ++i) {
      if (unknown[i] != 0) renameIds(out.records[i], catalogue_);
    }
  }
  // Membership of the update list is the engine's own bookkeeping (CcSideOptions::update_list),
  // and so is the import list's where the sync takes every contact: new contacts land there
  // because an import must name a list. Carried to the other side, it would come back as a
  // change of its own there: a second run would write to every contact the first one created.
  std::vector<std::string> own_lists = {options_.update_list};
  if (options_.filter.all) own_lists.push_back(options_.import_list);
  std::erase_if(own_lists, [&](const std::string& name) { return catalogue_.listId(name).empty(); });
  bool update_list_used = false;
  if (!own_lists.empty()) {
    for (auto& record : out.records) {
      if (auto lists = record.sets.find("lists"); lists != record.sets.end()) {
        update_list_used = lists->second.erase(options_.update_list) > 0 || update_list_used;
        for (const auto& name : own_lists) lists->second.erase(name);
      }
    }
  }
  if (complete && update_list_used) {
    if (auto emptied = emptyUpdateList(); !emptied) return emptied.error();
  }
  return out;
}

// The update list only carries imports: its members leave it in one activity (CC's list removal
// by list source), started and not followed: whenever it ends, and even if it fails, nothing
// depends on it. Done by complete reads only, which see every member: members who stay a day
// cost nothing, while a call after every import would cost one call a run.
Status CcSide::emptyUpdateList() {
  const json ids = json::array({catalogue_.listId(options_.update_list)});
  auto activity =
      client_.start("remove_list_memberships", {{"source", {{"list_ids", ids}}}, {"list_ids", ids}});
  if (!activity) return activity.error();
  return okStatus();
}

Result<SideRead> CcSide::readAll() { return read({""}, true); }

Result<SideRead> CcSide::readChanged(TimePoint since, const std::vector<TimeWindow>& skip) {
  const TimePoint start = since - options_.overlap;
  const std::string from = formatIso8601(start);
  std::vector<std::string> passes;
  // Each pass ends 1 ms inside the next skipped span and the next starts 1 ms inside its end:
  // whether CC's bounds are inclusive or not, no instant between the spans goes unread.
  TimePoint after = start;
  for (const TimeWindow& window : sortedWindows(skip)) {
    const TimePoint w_from{std::chrono::milliseconds(window.from_ms)};
    const TimePoint w_to{std::chrono::milliseconds(window.to_ms)};
    if (w_from <= after) {  // begins before this read does: only its end matters
      after = std::max(after, w_to - std::chrono::milliseconds(1));
      continue;
    }
    passes.push_back("&updated_after=" + formatIso8601(after) +
                     "&updated_before=" + formatIso8601(w_from + std::chrono::milliseconds(1)));
    after = w_to - std::chrono::milliseconds(1);
  }
  passes.push_back("&updated_after=" + formatIso8601(after));
  passes.push_back("&optout_after=" + from);
  return read(passes, false);
}

Result<CcApplyResult> CcSide::apply(const std::vector<Write>& writes, const std::vector<Record>& current) {
  CcWriter writer(CcWriteSetup{client_, catalogue_, clock_, options_, filter_ids_}, writes, current);
  auto applied = writer.run();
  if (applied) fewest_ += applied->fewest_calls;
  return applied;
}

}  // namespace liaison::sync
