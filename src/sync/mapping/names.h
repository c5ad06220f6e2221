#pragma once
// A full name on one side, first and last name on the other. Joining is "first last"; splitting
// uses the last agreed parts as a hint, so an edit to one part leaves the other alone: with
// "Mary Ann" / "Smith" agreed, "Mary Ann Jones" gives last name "Jones" and keeps "Mary Ann",
// which a plain split at the last space would also give, but "Mary Ann Smith-Jones" or
// "Marianne Smith" do not depend on where the spaces are either.
#include <string>
#include <string_view>

namespace liaison::sync {

struct NameParts {
  std::string first;
  std::string last;
  bool operator==(const NameParts&) const = default;
};

std::string joinName(const NameParts& parts);

// `full` split into parts. When `hint` (the last agreed parts) still matches one end of `full`,
// that part is kept and the rest is the other part; otherwise the last word is the last name.
NameParts splitName(std::string_view full, const NameParts& hint);

}  // namespace liaison::sync
