#include "sync/mapping/names.h"

#include <cctype>

namespace liaison::sync {
namespace {

std::string collapsed(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      out += c;
      space = false;
    }
  }
  return out;
}

}  // namespace

std::string joinName(const NameParts& parts) {
  std::string first = collapsed(parts.first), last = collapsed(parts.last);
  if (first.empty()) return last;
  if (last.empty()) return first;
  return first + " " + last;
}

NameParts splitName(std::string_view full_text, const NameParts& hint) {
  std::string full = collapsed(full_text);
  if (full.empty()) return {};
  if (joinName(hint) == full) return {collapsed(hint.first), collapsed(hint.last)};
  std::string first = collapsed(hint.first), last = collapsed(hint.last);
  // The first name unchanged: what follows it is the last name.
  if (!first.empty() && full.size() > first.size() && full.compare(0, first.size(), first) == 0 &&
      full[first.size()] == ' ') {
    return {first, full.substr(first.size() + 1)};
  }
  if (!first.empty() && full == first) return {first, ""};
  // The last name unchanged: what comes before it is the first name.
  if (!last.empty() && full.size() > last.size() &&
      full.compare(full.size() - last.size(), last.size(), last) == 0 &&
      full[full.size() - last.size() - 1] == ' ') {
    return {full.substr(0, full.size() - last.size() - 1), last};
  }
  if (!last.empty() && full == last && first.empty()) return {"", last};
  auto space = full.rfind(' ');
  if (space == std::string::npos) return {full, ""};
  return {full.substr(0, space), full.substr(space + 1)};
}

}  // namespace liaison::sync
