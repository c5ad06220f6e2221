#include "sync/planner/planner.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/clock.h"
#include "sync/planner/pair_merge.h"

namespace liaison::sync {
namespace {

std::string emailKey(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
  std::string key(email);
  for (char& ch : key)
    ch = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch;  // C locale's tolower
  return key;
}

using IdSet = std::unordered_set<std::string_view>;

class Planner {
 public:
  explicit Planner(const PlanInput& in) : in_(in), d_(in.definition), c_{in.definition, in.mapping, plan_} {}

  Plan run() {
    plan_.a.read = static_cast<int64_t>(in_.a.records.size());
    plan_.b.read = static_cast<int64_t>(in_.b.records.size());
    // The writes and links grow as they come, not reserved for the most a run could make: the
    // program's allocator makes the memory it takes resident at once (src/core/prefaulted_heap.cpp),
    // so room reserved for 300,000 writes cost a run with a few changes ~100 MB.
    // Keyed by views of the ids the input holds (it outlives the plan): no copy of 100,000s of ids.
    // Only links look records up by id: a first sync, which has none, builds no index.
    std::unordered_map<std::string_view, const Record*> by_a, by_b;
    if (!in_.links.empty()) {
      by_a.reserve(in_.a.records.size());
      by_b.reserve(in_.b.records.size());
      for (const auto& r : in_.a.records) by_a[r.id] = &r;
      for (const auto& r : in_.b.records) by_b[r.id] = &r;
    }
    IdSet linked_a, linked_b;
    linked_a.reserve(in_.links.size());
    linked_b.reserve(in_.links.size());
    for (const auto& link : in_.links) {
      linked_a.insert(link.a_id);
      linked_b.insert(link.b_id);
      auto ia = by_a.find(link.a_id);
      auto ib = by_b.find(link.b_id);
      const Record* ra = ia == by_a.end() ? nullptr : ia->second;
      const Record* rb = ib == by_b.end() ? nullptr : ib->second;
      bool b_gone = rb == nullptr && in_.b.complete;
      bool left = (ra == nullptr && in_.a.complete) || (b_gone && d_.b.type == SideType::Cc);
      if (link.out_of_scope && (left || ra == nullptr)) continue;  // resting until it returns
      Link changed = link;
      if (left || link.out_of_scope) {
        changed.out_of_scope = left;
        plan_.notes.push_back(
            "contact " + link.a_id +
            (left ? " left the sync's lists: no longer synced" : " is back in the sync's lists"));
      }
      if (left) {
        if (!link.out_of_scope) ++plan_.left_scope;
        plan_.links.push_back(std::move(changed));
        continue;
      }
      if (ra == nullptr && rb == nullptr && !b_gone) continue;
      mergeLinked(link, std::move(changed), ra, rb, b_gone);
    }
    matchAndCreate(linked_a, linked_b);
    guard();
    return std::move(plan_);
  }

 private:
  bool bUnsubscribed(const Record& rb) const {
    if (d_.b.type == SideType::Cc) return rb.unsubscribed;
    if (d_.unsubscribes.column.empty()) return false;
    const std::string& value = rb.field(d_.unsubscribes.column);
    if (d_.unsubscribes.format == UnsubscribeRule::Format::Timestamp) return !value.empty();
    auto flag = canonical(FieldType::Boolean, value);
    return flag && *flag == "1";
  }
  bool consentSynced() const { return d_.b.type == SideType::Cc || !d_.unsubscribes.column.empty(); }

  bool bDeleted(const Record& rb) const {
    if (d_.b.type == SideType::Cc) return rb.deleted;
    return !d_.deletions.column.empty() && !rb.field(d_.deletions.column).empty();
  }

  std::string nowText() const { return formatIso8601(TimePoint(std::chrono::milliseconds(in_.now_ms))); }

  void setUnsubscribedOnB(Write& to_b, bool unsubscribed) {
    if (d_.b.type == SideType::Cc) {
      if (unsubscribed && to_b.kind == Write::Kind::Create) {
        to_b.unsubscribed = true;
      } else if (unsubscribed) {
        to_b.kind = Write::Kind::Unsubscribe;
      }
      return;
    }
    bool timestamp = d_.unsubscribes.format == UnsubscribeRule::Format::Timestamp;
    to_b.values[d_.unsubscribes.column] =
        unsubscribed ? (timestamp ? nowText() : "1") : (timestamp ? "" : "0");
  }

  // Consent: an unsubscribe on either side reaches the other; an opt-in only comes from CC.
  void mergeConsent(Link& link, const Record* ra, const Record* rb, Write& to_a, Write& to_b, Writable w) {
    if (!consentSynced()) return;
    bool ua = ra ? ra->unsubscribed : link.a_unsubscribed;
    bool ub = rb ? bUnsubscribed(*rb) : link.b_unsubscribed;
    bool a_went = ua != link.a_unsubscribed, b_went = ub != link.b_unsubscribed;
    link.a_unsubscribed = ua;
    link.b_unsubscribed = ub;
    // Between two CC accounts only a new opt-out travels: an opt-in on either account is the
    // contact's own (CC's resubscribe flow), which the other account keeps as it is.
    const bool cc_b = d_.b.type == SideType::Cc;
    if (cc_b && ((ua && !ub && !a_went) || (ub && !ua && !b_went))) return;
    if (ua && !ub && w.b) {
      if (b_went && !cc_b) {
        plan_.notes.push_back("record " + link.b_id + " was marked subscribed on b, but contact " +
                              link.a_id + " is unsubscribed in CC: only the contact can opt back in");
      }
      setUnsubscribedOnB(to_b, true);
      link.b_unsubscribed = true;
      if (!b_went) ++plan_.removals, ++plan_.b.unsubscribed;
    } else if (ub && !ua && w.a) {
      if (a_went) {
        // The contact opted back in through CC: a table follows; another CC account cannot.
        if (d_.b.type != SideType::Cc) {
          setUnsubscribedOnB(to_b, false);
          link.b_unsubscribed = false;
        }
        return;
      }
      to_a.kind = Write::Kind::Unsubscribe;
      link.a_unsubscribed = true;
      ++plan_.removals;
      ++plan_.a.unsubscribed;
    }
  }

  void applyDeletion(DeletionAction action, Side to, Write& w) {
    bool to_cc = to == Side::A || d_.b.type == SideType::Cc;
    if (action == DeletionAction::Ignore) return;
    if (action == DeletionAction::SoftDelete && to_cc) {
      w.kind = Write::Kind::Delete;
    } else if (action == DeletionAction::SoftDelete) {
      w.values[d_.deletions.column] = nowText();
    } else if (to_cc) {
      w.add["tags"].insert(d_.deletions.mark_tag);
    } else {
      w.values[d_.deletions.mark_column] = "1";
    }
    ++(to == Side::A ? plan_.a : plan_.b).deleted;
  }

  // Deletions: a new deletion on one side is carried as the sync says; a deleted record is never
  // written again (a write would revive a CC contact, recreate a row).
  Writable mergeDeletions(Link& link, const Record* ra, const Record* rb, bool b_gone, Write& to_a,
                          Write& to_b) {
    bool da = ra ? ra->deleted : link.a_deleted;
    bool db = b_gone || (rb ? bDeleted(*rb) : link.b_deleted);
    if (da && !link.a_deleted) {
      ++plan_.removals;
      if (!db) applyDeletion(d_.deletions.from_a, Side::B, to_b);
      if (d_.deletions.from_a == DeletionAction::SoftDelete) db = true;
    } else if (!da && link.a_deleted) {
      plan_.notes.push_back("contact " + link.a_id + " was restored in CC");
    }
    if (db && !link.b_deleted) {
      ++plan_.removals;
      if (!da) applyDeletion(d_.deletions.from_b, Side::A, to_a);
      if (d_.deletions.from_b == DeletionAction::SoftDelete) da = true;
    } else if (!db && link.b_deleted && !b_gone) {
      plan_.notes.push_back("record " + link.b_id + " is no longer deleted on b");
    }
    link.a_deleted = da;
    link.b_deleted = db;
    return Writable{!da, !db && !b_gone};
  }

  // `link` starts as `before` (or with a change of scope) and ends as the agreed state.
  void mergeLinked(const Link& before, Link link, const Record* ra, const Record* rb, bool b_gone) {
    // A deletion carried is a write of its own; fields and consent then skip a deleted side.
    Write delete_a{Write::Kind::Update, link.a_id}, delete_b{Write::Kind::Update, link.b_id};
    Writable writable = mergeDeletions(link, ra, rb, b_gone, delete_a, delete_b);
    if (b_gone) rb = nullptr;
    Write to_a{Write::Kind::Update, link.a_id}, to_b{Write::Kind::Update, link.b_id};
    mergeConsent(link, ra, rb, to_a, to_b, writable);
    mergeFields(c_, ra, rb, link, to_a, to_b, writable);
    push(plan_.a_writes, std::move(delete_a), plan_.a, true);
    push(plan_.b_writes, std::move(delete_b), plan_.b, true);
    push(plan_.a_writes, std::move(to_a), plan_.a, false);
    push(plan_.b_writes, std::move(to_b), plan_.b, false);
    if (link != before) plan_.links.push_back(std::move(link));
  }

  // Adds a write that does something; `counted` when the report counts it elsewhere (a deletion).
  void push(std::vector<Write>& writes, Write w, SideCounts& counts, bool counted) {
    if (w.kind == Write::Kind::Update && w.values.empty() && w.add.empty() && w.remove.empty()) return;
    if (w.kind == Write::Kind::Update && !counted) ++counts.updated;
    if (w.kind == Write::Kind::Create) ++counts.created;
    writes.push_back(std::move(w));
  }

  void skip(Side side, const Record& r, std::string reason) {
    plan_.skipped.push_back({side, r.id, std::move(reason)});
    ++(side == Side::A ? plan_.a : plan_.b).skipped;
  }

  std::string emailOf(Side side, const Record& r) const {
    const auto& e = in_.mapping.entries[static_cast<size_t>(in_.mapping.email)];
    return emailKey(r.field(side == Side::A ? e.a[0].name : e.b.name));
  }

  void matchAndCreate(const IdSet& linked_a, const IdSet& linked_b) {
    // The addresses linked pairs agree on: a second record with one of them is a duplicate (a
    // CC import would merge it into the linked contact), not a new contact.
    std::unordered_map<std::string_view, const Link*> linked_email;
    linked_email.reserve(in_.links.size());
    for (const auto& link : in_.links) {
      auto email = link.agreed.find("email");
      if (email != link.agreed.end() && !email->second.empty()) linked_email[email->second] = &link;
    }
    // Hashed by views of keys that stay put (a deque does not move its elements): a first sync
    // matches 100,000s of addresses, and a tree of them cost a node and ~17 string compares each.
    std::deque<std::string> b_emails;
    std::unordered_map<std::string_view, const Record*> b_by_email;
    b_by_email.reserve(in_.b.records.size());
    for (const auto& rb : in_.b.records) {
      if (linked_b.count(rb.id) != 0) continue;
      std::string email = emailOf(Side::B, rb);
      if (email.empty()) {
        skip(Side::B, rb, "no email address");
      } else if (linked_email.count(email) != 0) {
        skip(Side::B, rb, "same email address as record " + linked_email[email]->b_id);
      } else if (auto first = b_by_email.find(email); first != b_by_email.end()) {
        skip(Side::B, rb, "same email address as record " + first->second->id);
      } else {
        b_emails.push_back(std::move(email));
        b_by_email.emplace(b_emails.back(), &rb);
      }
    }
    for (const auto& ra : in_.a.records) {
      if (linked_a.count(ra.id) != 0) continue;
      std::string email = emailOf(Side::A, ra);
      if (email.empty() || linked_email.count(email) != 0) {
        if (!ra.deleted)
          skip(Side::A, ra,
               email.empty() ? "no email address"
                             : "same email address as contact " + linked_email[email]->a_id);
        continue;
      }
      auto match = b_by_email.find(email);
      if (match != b_by_email.end()) {
        const Record* rb = match->second;
        b_by_email.erase(match);
        Link first{ra.id, rb->id};  // first meeting: nothing agreed yet
        mergeLinked(Link{}, first, &ra, rb, false);
        continue;
      }
      if (ra.deleted) continue;  // a deleted contact is not brought to b
      createOn(Side::B, ra);
    }
    // New CC contacts in address order, whatever order b's records came in.
    std::vector<std::pair<std::string_view, const Record*>> unmatched(b_by_email.begin(), b_by_email.end());
    std::sort(unmatched.begin(), unmatched.end());
    for (const auto& [email, rb] : unmatched) {
      if (bDeleted(*rb)) continue;
      if (consentSynced() && bUnsubscribed(*rb)) {
        skip(Side::B, *rb, "unsubscribed on b and not in CC: not added to CC, whose lists it would join");
        continue;
      }
      createOn(Side::A, *rb);
    }
  }

  void createOn(Side to, const Record& source) {
    const auto& email = in_.mapping.entries[static_cast<size_t>(in_.mapping.email)];
    if (to == Side::B ? !email.toB() : !email.toA()) return;
    Write create{Write::Kind::Create};
    Link link;
    (to == Side::B ? link.a_id : link.b_id) = source.id;
    createFields(c_, other(to), source, create, link);
    if (to == Side::A && !d_.a.filter.all) joinFilterLists(source, create, link);
    if (to == Side::B && consentSynced() && source.unsubscribed) setUnsubscribedOnB(create, true);
    link.a_unsubscribed = link.b_unsubscribed = to == Side::B ? source.unsubscribed : false;
    create.link = static_cast<int>(plan_.links.size());
    plan_.links.push_back(std::move(link));
    push(to == Side::A ? plan_.a_writes : plan_.b_writes, std::move(create),
         to == Side::A ? plan_.a : plan_.b, false);
  }

  // A contact created in CC joins the sync's lists (or it would be out of scope). When b keeps
  // list memberships, it hears of them in the same run, so the next run has nothing to carry.
  void joinFilterLists(const Record& source, Write& create, Link& link) {
    for (const auto& list : d_.a.filter.lists) create.add["lists"].insert(list);
    for (const auto& e : in_.mapping.entries) {
      if (e.a[0].name != "lists" || !e.toB()) continue;
      Items lists = splitItems(link.agreed["lists"]);
      lists.insert(d_.a.filter.lists.begin(), d_.a.filter.lists.end());
      link.agreed["lists"] = joinItems(lists);
      if (canonical(FieldType::ListMembership, source.field(e.b.name)) != link.agreed["lists"]) {
        Write to_b{Write::Kind::Update, source.id};
        to_b.values[e.b.name] = link.agreed["lists"];
        push(plan_.b_writes, std::move(to_b), plan_.b, false);
      }
    }
  }

  // More deletions and unsubscribes than max(count, percent of the synced set), as many linked
  // CC contacts leaving the sync's scope at once (another account behind the connection, a list
  // emptied or removed), or a side that reads empty while links exist: nothing is written until
  // a person approves.
  void guard() {
    auto synced = static_cast<double>(in_.links.size());
    plan_.guard_limit =
        std::max<int64_t>(d_.guard.count, static_cast<int64_t>(std::ceil(synced * d_.guard.percent / 100)));
    if (in_.approved) return;
    if (in_.b.complete && in_.b.records.empty() && !in_.links.empty()) {
      plan_.held = true;
      plan_.held_reason =
          "side b reads empty while " + std::to_string(in_.links.size()) + " records are linked";
    } else if (in_.a.complete && in_.a.records.empty() && !in_.links.empty()) {
      plan_.held = true;
      plan_.held_reason =
          "side a (CC) reads empty while " + std::to_string(in_.links.size()) + " contacts are linked";
    } else if (plan_.left_scope > plan_.guard_limit) {
      plan_.held = true;
      plan_.held_reason = std::to_string(plan_.left_scope) +
                          " linked CC contacts left the sync's scope at once (another account behind the "
                          "connection, or a list emptied or removed?), more than the guard of " +
                          std::to_string(plan_.guard_limit);
    } else if (plan_.removals > plan_.guard_limit) {
      plan_.held = true;
      plan_.held_reason = std::to_string(plan_.removals) +
                          " deletions and unsubscribes exceed the guard of " +
                          std::to_string(plan_.guard_limit);
    }
  }

  const PlanInput& in_;
  const SyncDefinition& d_;
  Plan plan_;
  PairContext c_;
};

}  // namespace

Plan planSync(const PlanInput& input) { return Planner(input).run(); }

}  // namespace liaison::sync
