// CcWriter's calls: the singular PUTs and POSTs, the JSON imports and their read-back, and the
// list, tag and delete activities, each activity followed to its end.
#include <algorithm>
#include <charconv>
#include <optional>

#include "core/encoding.h"
#include "sync/connectors/cc_contact_json.h"
#include "sync/connectors/cc_writes.h"

namespace liaison::sync {

using nlohmann::json;

namespace {

constexpr size_t kContactsPerActivity = 500;  // source.contact_ids
constexpr size_t kIdsPerActivity = 50;        // list_ids / tag_ids
constexpr size_t kLookupMax = 25;             // new contacts the read-back missed, looked up by address

std::string isoOfMs(int64_t ms) { return formatIso8601(TimePoint(std::chrono::milliseconds(ms))); }

// "Row 12: ..." names the 12th row of import_data (the form CC's import errors take).
std::optional<size_t> rowOf(const std::string& error) {
  if (error.rfind("Row ", 0) != 0) return std::nullopt;
  size_t row = 0;
  auto [end, ec] = std::from_chars(error.data() + 4, error.data() + error.size(), row);
  if (ec != std::errc() || row == 0) return std::nullopt;
  return row - 1;
}

}  // namespace

Result<bool> CcWriter::singular(const std::string& method, const std::string& target, const json& request,
                                Target& t, json* answer) {
  ++fewest_;  // CC has no bulk form of this write
  auto sent = s_.client.send(method, target, request.dump());
  if (!sent) return sent.error();
  if (tokenRefused(*sent)) return answerError(*sent, method + " " + target);
  if (sent->status >= 200 && sent->status < 300) {
    if (answer) *answer = json::parse(sent->body, nullptr, false);
    return true;
  }
  fail(t, std::string(t.create ? "creating" : "updating") + " the contact: " + answerReason(*sent));
  return false;
}

Status CcWriter::putAndPost() {
  for (size_t i : puts_) {
    Target& t = targets_[i];
    // The copy read at the run's start may be minutes old, and a PUT replaces every top-level
    // field and revives a deleted contact: read it again just before writing (PUTs are the rare
    // writes: an unsubscribe, a cleared field, a changed address).
    auto fresh = s_.client.send("GET", "/v3/contacts/" + t.id + "?include=" + kContactIncludes);
    if (!fresh) return fresh.error();
    if (tokenRefused(*fresh)) return answerError(*fresh, "reading contact " + t.id);
    if (fresh->status >= 200 && fresh->status < 300) {
      bool unknown = false;
      Record record = s_.client.contact(fresh->body, s_.catalogue, unknown);
      if (record.deleted) {
        fail(t, "contact " + t.id + " was deleted in CC during the run: not written");
        continue;  // its link stays as it was; the next complete read carries the deletion
      }
      if (!record.id.empty()) t.current = &(fetched_[t.id] = std::move(record));
    }
    Fields whole = t.current->text;  // a PUT nulls every top-level field it leaves out
    Touched touched;
    for (const auto& [name, value] : t.changes) {
      if (value.empty()) {
        whole.erase(name);
      } else {
        whole[name] = value;
      }
      touched.custom_fields = touched.custom_fields || name.rfind("cf:", 0) == 0;
      touched.phones = touched.phones || name.rfind("phone:", 0) == 0;
      touched.addresses = touched.addresses || name.rfind("address:", 0) == 0;
    }
    const Consent consent = !t.current->unsubscribed ? (t.unsubscribe ? Consent::Unsubscribe : Consent::Keep)
                                                     : Consent::StaysUnsubscribed;
    auto done =
        singular("PUT", "/v3/contacts/" + t.id, putBody(whole, s_.catalogue, touched, consent), t, nullptr);
    if (!done) return done.error();
  }
  for (size_t i : posts_) {
    Target& t = targets_[i];
    const std::vector<std::string> lists(t.lists_to_add.begin(), t.lists_to_add.end());
    const std::vector<std::string> tags(t.tags_to_add.begin(), t.tags_to_add.end());
    json answer;
    auto done = singular("POST", "/v3/contacts",
                         postBody(t.changes, s_.catalogue, t.unsubscribe, lists, tags), t, &answer);
    if (!done) return done.error();
    t.lists_to_add.clear();  // the POST carried them
    t.tags_to_add.clear();
    if (*done && !jsonText(answer, "contact_id").empty()) {
      t.id = jsonText(answer, "contact_id");
      result_.created[t.indexes.front()] = t.id;
    } else if (*done) {
      fail(t, "creating the contact: CC's answer names no contact_id");
    }
  }
  return okStatus();
}

Status CcWriter::imports() {
  if (groups_.empty()) return okStatus();
  const TimePoint started_at = s_.clock.now();
  std::vector<Started> started;
  size_t all_rows = 0, all_bytes = 0;  // every row in one import, as far as CC's caps allow
  for (const auto& [lists, grouped] : groups_) {
    std::vector<size_t> members;  // rows dropped since grouping (a deleted contact) stay out
    for (size_t r : grouped) {
      if (!rows_[r].failed) members.push_back(r);
    }
    const json list_ids = lists;
    const size_t envelope = json{{"import_data", json::array()}, {"list_ids", list_ids}}.dump().size();
    for (size_t next = 0; next < members.size();) {
      Started batch;
      // Built as text: the rows are serialized already, and a DOM of 40,000 of them would be
      // copied once more only to be serialized again.
      std::string body = "{\"import_data\":[";
      size_t bytes = envelope;
      // Split by CC's caps: rows, and bytes of the serialized request (data past 4 MB is lost).
      while (next < members.size() && batch.rows.size() < s_.options.import_rows_max) {
        const Row& row = rows_[members[next]];
        const size_t row_bytes = row.columns.size() + 1;
        if (!batch.rows.empty() && bytes + row_bytes > s_.options.import_bytes_max) break;
        bytes += row_bytes;
        all_bytes += row_bytes;
        ++all_rows;
        if (!batch.rows.empty()) body += ',';
        body += row.columns;
        batch.rows.push_back(members[next]);
        const auto& indexes = targets_[row.target].indexes;
        batch.writes.insert(batch.writes.end(), indexes.begin(), indexes.end());
        ++next;
      }
      body += "],\"list_ids\":" + list_ids.dump() + "}";
      auto activity = s_.client.startSerialized("contacts_json_import", body);
      if (!activity) return activity.error();
      batch.activity = std::move(*activity);
      started.push_back(std::move(batch));
    }
  }
  const auto over = [](size_t n, size_t cap) {
    return static_cast<int64_t>((n + cap - 1) / std::max<size_t>(1, cap));
  };
  fewest_ +=
      2 * std::max(over(all_bytes, s_.options.import_bytes_max), over(all_rows, s_.options.import_rows_max));
  if (auto finished = runActivities(started); !finished) return finished;
  checkOwnWindow(started);
  std::vector<size_t> created_rows;
  for (const auto& batch : started) {
    for (size_t r : batch.rows) {
      const Target& t = targets_[rows_[r].target];
      if (rows_[r].failed) continue;
      if (t.create) created_rows.push_back(r);
      if (t.create) rows_[r].note = batch.note;
      if (!t.create && !batch.note.empty()) fail(t, batch.note);
    }
  }
  return readBack(started_at, created_rows);
}

// After a large import, one count says whether only its rows changed contacts in scope while it
// ran (CcSideOptions::own_window_rows). If so, its span of updated_at becomes the result's
// own_window, and later reads skip it rather than read every row back. Any doubt leaves no
// window, which costs reads and nothing else: a failed activity, a time CC did not give, more
// filter lists than one query takes, a count that differs, a count CC did not answer.
void CcWriter::checkOwnWindow(const std::vector<Started>& started) {
  const std::vector<std::string> lists = listsParams(s_.filter_ids);
  if (s_.options.own_window_rows == 0 || lists.size() > 1) return;
  int64_t rows = 0, from = 0, to = 0;
  for (const auto& batch : started) {
    const Activity& a = batch.activity;
    if (!a.failure.empty() || a.created_ms == 0 || a.ended_ms < a.created_ms) return;
    from = from == 0 ? a.created_ms : std::min(from, a.created_ms);
    to = std::max(to, a.ended_ms);
    for (size_t r : batch.rows) rows += rows_[r].failed ? 0 : 1;
  }
  if (rows < static_cast<int64_t>(s_.options.own_window_rows)) return;
  // The span ends 1 ms after the imports did (bounds are exclusive), not later: a change made
  // after the count must not fall inside it. The wait covers a CC clock that lags the
  // activities' (CcSideOptions).
  const TimeWindow window{from - s_.options.own_window_margin.count(), to + 1};
  s_.client.pause(s_.options.own_window_margin);
  std::string target =
      "/v3/contacts?status=all&limit=1&include_count=true&updated_after=" + isoOfMs(window.from_ms) +
      "&updated_before=" + isoOfMs(window.to_ms);
  target += lists.front();
  ++fewest_;  // one call that saves reading the rows back
  auto page = s_.client.getObject(target, "counting the contacts changed during the imports");
  if (!page) return;
  auto count = page->find("contacts_count");
  if (count == page->end() || !count->is_number_integer() || count->get<int64_t>() != rows) return;
  result_.own_window = window;
}

// The new contacts' ids: the contacts created since the imports began, matched by address (an
// import answers only counts). One call per 500 contacts, never one per contact; the contacts
// the imports updated are not read. A deleted contact an import brought back keeps its old
// created_at: the few the read misses are looked up by address, and a contact still not found
// fails its write (the next run matches it by address).
Status CcWriter::readBack(TimePoint since, const std::vector<size_t>& created_rows) {
  if (created_rows.empty()) return okStatus();
  fewest_ += static_cast<int64_t>((created_rows.size() + 499) / 500);
  std::map<std::string, size_t> by_email;
  for (size_t r : created_rows) by_email[toLower(rows_[r].email)] = r;
  auto found = [&](const std::string& email, const std::string& id) {
    auto it = by_email.find(toLower(email));
    if (it == by_email.end() || id.empty()) return;
    Target& t = targets_[rows_[it->second].target];
    t.id = id;
    result_.created[t.indexes.front()] = id;
    by_email.erase(it);
  };
  const std::string from = formatIso8601(since - s_.options.overlap);
  auto drained =
      s_.client.drainContacts("/v3/contacts?created_after=" + from + "&status=all&limit=500", s_.catalogue,
                              [&](Record& contact, bool) { found(contact.field("email"), contact.id); });
  if (!drained) return drained.error();
  // A few the read-back missed (a clock further off than the overlap): looked up one by one.
  std::vector<size_t> missed;
  for (const auto& [email, r] : by_email) missed.push_back(r);
  for (size_t k = 0; k < missed.size(); ++k) {
    const Row& row = rows_[missed[k]];
    Target& t = targets_[row.target];
    if (k < kLookupMax) {
      auto looked_up = s_.client.drainContacts(
          "/v3/contacts?email=" + percentEncode(row.email) + "&status=all&limit=1", s_.catalogue,
          [&](Record& contact, bool) { found(contact.field("email"), contact.id); }, 1);
      if (!looked_up) return looked_up.error();
    }
    if (t.id.empty()) {
      fail(t, "the import did not make contact " + row.email + (row.note.empty() ? "" : "; ") + row.note);
    }
  }
  return okStatus();
}

Status CcWriter::runActivities(std::vector<Started>& started) {
  for (auto& run : started) {
    if (auto finished = s_.client.finish(run.activity); !finished) return finished;
    if (!run.activity.failure.empty()) {
      failWrites(run.writes, run.activity.failure);
      for (size_t r : run.rows) rows_[r].failed = true;
      continue;
    }
    std::vector<std::string> unmatched;
    for (const auto& error : run.activity.errors) {
      auto row = rowOf(error);
      if (row && *row < run.rows.size()) {
        rows_[run.rows[*row]].failed = true;
        fail(targets_[rows_[run.rows[*row]].target], error);
      } else {
        unmatched.push_back(error);
      }
    }
    if (unmatched.empty()) continue;
    std::string note = "activity " + run.activity.id + " reported: " + unmatched.front();
    if (unmatched.size() > 1) note += " (and " + std::to_string(unmatched.size() - 1) + " more)";
    // An import's rows are checked by reading back; other activities name no contact.
    if (run.rows.empty()) failWrites(run.writes, note);
    if (!run.rows.empty()) run.note = note;
  }
  return okStatus();
}

Status CcWriter::activities() {
  // Contacts grouped by the exact ids a call names: one call per 500 contacts and 50 ids.
  using Batches = std::map<std::vector<std::string>, std::vector<size_t>>;
  Batches list_adds, list_removes, tag_adds, tag_removes;
  for (size_t i = 0; i < targets_.size(); ++i) {
    const Target& t = targets_[i];
    if (t.dropped || t.id.empty()) continue;
    auto put = [&](Batches& batches, const IdSet& ids) {
      if (!ids.empty()) batches[std::vector<std::string>(ids.begin(), ids.end())].push_back(i);
    };
    if (!t.unsubscribed) put(list_adds, t.lists_to_add);  // never a list for an unsubscribed contact
    put(list_removes, t.lists_to_remove);
    put(tag_adds, t.tags_to_add);
    put(tag_removes, t.tags_to_remove);
  }
  std::vector<Started> started;
  auto start = [&](const char* kind, const char* ids_key, const Batches& batches) -> Status {
    for (const auto& [ids, members] : batches) {
      for (size_t c = 0; c < members.size(); c += kContactsPerActivity) {
        for (size_t k = 0; k < ids.size(); k += kIdsPerActivity) {
          Started run;
          json contact_ids = json::array();
          for (size_t m = c; m < std::min(members.size(), c + kContactsPerActivity); ++m) {
            contact_ids.push_back(targets_[members[m]].id);
            const auto& indexes = targets_[members[m]].indexes;
            run.writes.insert(run.writes.end(), indexes.begin(), indexes.end());
          }
          const json some_ids = std::vector<std::string>(
              ids.begin() + static_cast<std::ptrdiff_t>(k),
              ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), k + kIdsPerActivity)));
          fewest_ += 2;  // its start and one poll
          auto activity =
              s_.client.start(kind, {{"source", {{"contact_ids", contact_ids}}}, {ids_key, some_ids}});
          if (!activity) return activity.error();
          run.activity = std::move(*activity);
          started.push_back(std::move(run));
        }
      }
    }
    return okStatus();
  };
  if (auto s = start("remove_list_memberships", "list_ids", list_removes); !s) return s;
  if (auto s = start("add_list_memberships", "list_ids", list_adds); !s) return s;
  if (auto s = start("contacts_taggings_remove", "tag_ids", tag_removes); !s) return s;
  if (auto s = start("contacts_taggings_add", "tag_ids", tag_adds); !s) return s;
  for (size_t c = 0; c < deletes_.size(); c += kContactsPerActivity) {
    Started run;
    json contact_ids = json::array();
    for (size_t m = c; m < std::min(deletes_.size(), c + kContactsPerActivity); ++m) {
      contact_ids.push_back(deletes_[m].first);
      run.writes.push_back(deletes_[m].second);
    }
    fewest_ += 2;
    auto activity = s_.client.start("contact_delete", {{"contact_ids", contact_ids}});
    if (!activity) return activity.error();
    run.activity = std::move(*activity);
    started.push_back(std::move(run));
  }
  return runActivities(started);
}

}  // namespace liaison::sync
