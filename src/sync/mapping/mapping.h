#pragma once
// A sync's mapping checked against its sides: every field exists, the pair's types decide which
// way values may travel (an asked-for direction the types cannot carry is narrowed, with the
// reason, or refused), and the default mapping when the definition gives none.
#include <string>
#include <variant>
#include <vector>

#include "sync/mapping/catalog.h"
#include "sync/model/definition.h"
#include "sync/model/problems.h"

namespace liaison::sync {

struct ResolvedEntry {
  std::vector<FieldSpec> a;  // one field, or first and last name
  FieldSpec b;
  Direction direction = Direction::Both;
  TooLong too_long = TooLong::Skip;
  std::string note;  // why the direction was narrowed; empty when it was not

  bool isName() const { return a.size() == 2; }
  bool toB() const { return direction != Direction::BToA; }
  bool toA() const { return direction != Direction::AToB; }
};

struct ResolvedMapping {
  std::vector<ResolvedEntry> entries;
  int email = -1;  // the entry that carries the email address (identity)
};

// The default field pairs for `b` (what it has of: email, first and last name or one full-name
// column, job title, company, phones and addresses by kind, birthday, anniversary, lists, tags),
// leaving out the columns the sync uses for itself (key, change time, unsubscribe, deletions).
// The columns a new CSV file gets from the default mapping, in the order its header shows them.
const std::vector<std::string>& newFileColumns();

std::vector<MappingEntry> defaultMapping(const SyncDefinition& definition, const Catalog& a,
                                         const Catalog& b);

std::variant<ResolvedMapping, Problems> resolveMapping(const SyncDefinition& definition, const Catalog& a,
                                                       const Catalog& b);

}  // namespace liaison::sync
