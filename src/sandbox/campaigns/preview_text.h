#pragma once
// The plain-text rendering of an email's HTML that the preview shows: each tag (from '<' to the
// next '>') becomes a space, each run of spaces, tabs and line breaks becomes one space, and the
// result is trimmed. A '<' that no '>' follows is text. One pass, linear in the input.
#include <string>
#include <string_view>

namespace liaison::sandbox {

std::string previewText(std::string_view html);

}  // namespace liaison::sandbox
