#include "sync/planner/pair_merge.h"

#include <optional>

#include "core/json_fields.h"
#include "sync/mapping/names.h"

namespace liaison::sync {
namespace {

bool isCc(const PairContext& c, Side side) { return side == Side::A || c.definition.b.type == SideType::Cc; }

// The type both sides' values are compared in: the CC field's, unless b holds another type.
FieldType commonType(const ResolvedEntry& e) {
  if (e.b.untyped || e.b.type == e.a[0].type) return e.a[0].type;
  return FieldType::Text;
}

const FieldSpec& spec(const ResolvedEntry& e, Side side, size_t part = 0) {
  return side == Side::A ? e.a[part] : e.b;
}

std::string readRaw(const PairContext& c, Side side, const Record& r, const FieldSpec& field) {
  if (isCc(c, side)) {
    if (field.name.rfind("list:", 0) == 0) {
      auto lists = r.sets.find("lists");
      return lists != r.sets.end() && lists->second.count(field.name.substr(5)) != 0 ? "1" : "0";
    }
    if (field.type == FieldType::ListMembership) {
      auto set = r.sets.find(field.name);
      return set == r.sets.end() ? std::string() : joinItems(set->second);
    }
  }
  return r.field(field.name);
}

std::string truncated(const std::string& value, size_t max_chars) {
  size_t chars = 0, i = 0;
  for (; i < value.size(); ++i) {
    if ((static_cast<unsigned char>(value[i]) & 0xC0) != 0x80 && chars++ == max_chars) break;
  }
  return value.substr(0, i);
}

// The value as it lands on `to`: itself, cut to fit (reported), or nullopt when it does not fit.
std::optional<std::string> fitted(const PairContext& c, const ResolvedEntry& e, Side to,
                                  const FieldSpec& target, const std::string& value, const std::string& id,
                                  const std::string& partner) {
  size_t max = target.max_length;
  if (max == 0 || utf8Length(value) <= max) return value;
  bool cut = e.too_long == TooLong::Truncate;
  c.plan.issues.push_back(
      {to, id, partner, target.name, value, cut ? "truncated" : "skipped",
       "longer than the " + std::to_string(max) + " characters " + target.name + " holds"});
  if (!cut) return std::nullopt;
  return truncated(value, max);
}

// Whether `value` read from a side is the agreed value as that side was given it (cut to fit).
bool asAgreed(const ResolvedEntry& e, const FieldSpec& side_spec, const std::string& value,
              const std::string& agreed) {
  if (value == agreed) return true;
  return e.too_long == TooLong::Truncate && side_spec.max_length > 0 &&
         value == truncated(agreed, side_spec.max_length);
}

void put(const PairContext& c, Side to, const FieldSpec& field, const std::string& value, Write& w) {
  if (isCc(c, to) && field.name.rfind("list:", 0) == 0) {
    (value == "1" ? w.add : w.remove)["lists"].insert(field.name.substr(5));
  } else {
    w.values[field.name] = value;
  }
}

void putSet(const PairContext& c, Side to, const FieldSpec& field, const Items& before, const Items& after,
            Write& w) {
  if (!isCc(c, to)) {
    w.values[field.name] = joinItems(after);
    return;
  }
  for (const auto& item : after) {
    if (before.count(item) == 0) w.add[field.name].insert(item);
  }
  for (const auto& item : before) {
    if (after.count(item) == 0) w.remove[field.name].insert(item);
  }
}

struct Sides {
  const Record* ra;
  const Record* rb;
  Writable writable;
};

ConflictPolicy policyFor(const PairContext& c, const std::string& field) {
  auto it = c.definition.conflicts.fields.find(field);
  return it == c.definition.conflicts.fields.end() ? c.definition.conflicts.policy : it->second;
}

// Which side's value stands when both changed, and the rule's name for the report.
Side settle(const PairContext& c, const Sides& s, const std::string& field, const std::string& va,
            const std::string& vb, std::string& rule) {
  ConflictPolicy policy = policyFor(c, field);
  rule = toString(policy);
  Side winner = Side::A;
  if (policy == ConflictPolicy::BWins) {
    winner = Side::B;
  } else if (policy == ConflictPolicy::LastWriterWins) {
    int64_t ta = s.ra ? s.ra->changed_at_ms : 0, tb = s.rb ? s.rb->changed_at_ms : 0;
    winner = tb > ta ? Side::B : Side::A;  // a tie goes to CC, the system of record
  }
  if (!c.definition.conflicts.empty_wins && (winner == Side::A ? va : vb).empty()) {
    rule = "empty_does_not_win";
    winner = other(winner);
  }
  return winner;
}

// One field (or name part) of a linked pair: a three-way merge of va, vb against agreed.
void mergeSlot(const PairContext& c, const ResolvedEntry& e, const Sides& s, Link& link,
               const std::string& key, const FieldSpec& a_spec, const std::string& va, const std::string& vb,
               Write& to_a, Write& to_b, std::string* b_value) {
  std::string& agreed = link.agreed[key];
  bool changed_a = !asAgreed(e, a_spec, va, agreed);
  bool changed_b = !asAgreed(e, e.b, vb, agreed);
  if (!changed_a && !changed_b) return;
  Side source = changed_a ? Side::A : Side::B;
  if (changed_a && changed_b) {
    if (va == vb) {
      agreed = va;
      return;
    }
    std::string rule;
    source = settle(c, s, key, va, vb, rule);
    c.plan.conflicts.push_back({link.a_id, link.b_id, key, va, vb, rule, sideName(source)});
  }
  const std::string& value = source == Side::A ? va : vb;
  bool may = source == Side::A ? (e.toB() && s.writable.b) : (e.toA() && s.writable.a);
  if (!may) return;
  Side to = other(source);
  const std::string& id = to == Side::A ? link.a_id : link.b_id;
  const std::string& partner = to == Side::A ? link.b_id : link.a_id;
  auto landed = fitted(c, e, to, to == Side::A ? a_spec : e.b, value, id, partner);
  if (!landed) return;
  agreed = value;
  if (to == Side::A) {
    put(c, Side::A, a_spec, *landed, to_a);
  } else if (b_value != nullptr) {
    *b_value = *landed;  // a name part: b's column is written once, joined
  } else {
    put(c, Side::B, e.b, *landed, to_b);
  }
}

void mergeSet(const PairContext& c, const ResolvedEntry& e, const Sides& s, Link& link,
              const std::string& raw_a, const std::string& raw_b, Write& to_a, Write& to_b) {
  const std::string& key = e.a[0].name;
  Items agreed = splitItems(link.agreed[key]), in_a = splitItems(raw_a), in_b = splitItems(raw_b);
  Items merged = agreed;
  auto apply = [&](const Items& side, bool allowed) {
    if (!allowed) return;
    for (const auto& item : side) {
      if (agreed.count(item) == 0) merged.insert(item);
    }
    for (const auto& item : agreed) {
      if (side.count(item) == 0) merged.erase(item);
    }
  };
  apply(in_a, e.toB());
  apply(in_b, e.toA());
  if (merged != in_a && e.toA() && s.writable.a) putSet(c, Side::A, e.a[0], in_a, merged, to_a);
  if (merged != in_b && e.toB() && s.writable.b) putSet(c, Side::B, e.b, in_b, merged, to_b);
  link.agreed[key] = joinItems(merged);
}

std::string valueOf(const PairContext& c, Side side, const Record* r, const FieldSpec& field, FieldType type,
                    const std::string& agreed, const std::string& id) {
  if (r == nullptr) return agreed;  // not read this time: unchanged
  std::string raw = readRaw(c, side, *r, field);
  auto value = canonical(type, raw);
  if (value) return *value;
  c.plan.issues.push_back({other(side), "", id, field.name, raw, "skipped",
                           std::string("not a valid ") + toString(type) + " value"});
  return agreed;  // an invalid value does not travel: as if unchanged
}

}  // namespace

void mergeFields(const PairContext& c, const Record* ra, const Record* rb, Link& link, Write& to_a,
                 Write& to_b, Writable writable) {
  Sides s{ra, rb, writable};
  for (const auto& e : c.mapping.entries) {
    if (e.isName()) {
      NameParts agreed{link.agreed["first_name"], link.agreed["last_name"]};
      NameParts pa = ra ? NameParts{ra->field(e.a[0].name), ra->field(e.a[1].name)} : agreed;
      // On a first meeting nothing is agreed yet: CC's own parts are the hint, so "Donald van
      // Rossum" in b matches CC's "Donald" / "van Rossum" instead of splitting at the last space.
      const bool first_meeting = agreed.first.empty() && agreed.last.empty();
      NameParts pb = rb ? splitName(rb->field(e.b.name), first_meeting ? pa : agreed) : agreed;
      NameParts written = pb;
      bool b_touched = false;
      for (size_t part = 0; part < 2; ++part) {
        std::string* target = part == 0 ? &written.first : &written.last;
        std::string before = *target;
        mergeSlot(c, e, s, link, e.a[part].name, e.a[part], part == 0 ? pa.first : pa.last,
                  part == 0 ? pb.first : pb.last, to_a, to_b, target);
        b_touched = b_touched || *target != before;
      }
      if (b_touched) to_b.values[e.b.name] = joinName(written);
      continue;
    }
    FieldType type = commonType(e);
    const std::string& agreed = link.agreed[e.a[0].name];
    std::string va = valueOf(c, Side::A, ra, e.a[0], type, agreed, link.a_id);
    std::string vb = valueOf(c, Side::B, rb, e.b, type, agreed, link.b_id);
    if (type == FieldType::ListMembership) {
      mergeSet(c, e, s, link, va, vb, to_a, to_b);
    } else {
      mergeSlot(c, e, s, link, e.a[0].name, e.a[0], va, vb, to_a, to_b, nullptr);
    }
  }
}

void createFields(const PairContext& c, Side from, const Record& record, Write& create, Link& link) {
  Side to = other(from);
  // Room for every mapped field at once: a first sync creates 100,000s of records, and a sorted
  // vector grown one field at a time reallocates and moves its strings several times.
  create.values.reserve(c.mapping.entries.size() + 1);
  link.agreed.reserve(c.mapping.entries.size() + 1);
  for (const auto& e : c.mapping.entries) {
    if (from == Side::A ? !e.toB() : !e.toA()) continue;
    if (e.isName()) {
      NameParts parts = from == Side::A ? NameParts{record.field(e.a[0].name), record.field(e.a[1].name)}
                                        : splitName(record.field(e.b.name), {});
      NameParts landed;
      for (size_t part = 0; part < 2; ++part) {
        const std::string& value = part == 0 ? parts.first : parts.last;
        auto fit = fitted(c, e, to, to == Side::A ? e.a[part] : e.b, value, "", record.id);
        if (!fit) continue;
        (part == 0 ? landed.first : landed.last) = *fit;
        link.agreed[e.a[part].name] = value;
        if (to == Side::A) put(c, to, e.a[part], *fit, create);
      }
      if (to == Side::B) create.values[e.b.name] = joinName(landed);
      continue;
    }
    FieldType type = commonType(e);
    const FieldSpec &source = spec(e, from), &target = spec(e, to);
    std::string value = valueOf(c, from, &record, source, type, "", record.id);
    if (value.empty()) continue;
    if (type == FieldType::ListMembership) {
      putSet(c, to, target, {}, splitItems(value), create);
      link.agreed[e.a[0].name] = value;
      continue;
    }
    auto fit = fitted(c, e, to, target, value, "", record.id);
    if (!fit) continue;
    link.agreed[e.a[0].name] = value;
    put(c, to, target, *fit, create);
  }
}

}  // namespace liaison::sync
