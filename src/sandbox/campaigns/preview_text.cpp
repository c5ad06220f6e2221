#include "sandbox/campaigns/preview_text.h"

namespace liaison::sandbox {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string previewText(std::string_view html) {
  std::string text;
  text.reserve(html.size());
  // Whether a space is owed before the next character of text: spaces and tags only set it, so a
  // run of them writes one space, and none at the start or the end.
  bool space = false;
  // Once a '<' has no '>' after it, no later '<' has one either: the rest is text.
  bool closes = true;
  for (size_t i = 0; i < html.size(); ++i) {
    const char c = html[i];
    if (c == '<' && closes) {
      const size_t end = html.find('>', i + 1);
      if (end != std::string_view::npos) {
        space = true;
        i = end;
        continue;
      }
      closes = false;
    }
    if (isSpace(c)) {
      space = true;
      continue;
    }
    if (space && !text.empty()) text += ' ';
    space = false;
    text += c;
  }
  return text;
}

}  // namespace liaison::sandbox
