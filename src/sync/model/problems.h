#pragma once
// Everything wrong with a sync's definition, listed at once (field, value, why), so its owner
// fixes them in one go instead of one refusal at a time.
#include <string>
#include <vector>

namespace liaison::sync {

struct Problem {
  std::string field;  // a path into the definition: "b.table", "mapping[2].a"
  std::string value;  // what was given, shortened; never a secret (URLs lose their password)
  std::string why;
};

using Problems = std::vector<Problem>;

}  // namespace liaison::sync
