#include "sandbox/paging.h"

namespace liaison::sandbox {

Result<int> limitParam(const Params& query, int fallback, int max, const char* error_key) {
  auto text = query.get("limit");
  if (!text) return fallback;
  if (text->empty() || text->size() > 4 || text->find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(*text) < 1 || std::stoi(*text) > max) {
    return makeError(ErrorCode::InvalidRequest, error_key, "limit must be between 1 and " + std::to_string(max) + ".");
  }
  return std::stoi(*text);
}

Result<size_t> cursorParam(const Params& query, const char* error_key) {
  auto cursor = query.get("cursor");
  if (!cursor) return size_t{0};
  auto decoded = base64UrlDecode(*cursor);
  if (!decoded || decoded->empty() || decoded->size() > 9 ||
      decoded->find_first_not_of("0123456789") != std::string::npos) {
    return makeError(ErrorCode::InvalidRequest, error_key, "The cursor is invalid.");
  }
  return static_cast<size_t>(std::stoul(*decoded));
}

std::string nextLink(const std::string& path, const Params& query, size_t offset) {
  Params next;
  for (const auto& [name, value] : query.pairs()) {
    if (name != "cursor") next.add(name, value);
  }
  next.add("cursor", base64UrlEncode(std::to_string(offset)));
  return path + "?" + next.encode();
}

}  // namespace liaison::sandbox
