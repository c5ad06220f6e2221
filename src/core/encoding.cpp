#include "core/encoding.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace liaison {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  while (i + 3 <= data.size()) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
    i += 3;
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint8_t(data[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::optional<std::string> decode(std::string_view text, const char* alphabet, bool padded) {
  std::array<int, 256> map;
  map.fill(-1);
  for (int i = 0; i < 64; ++i) map[uint8_t(alphabet[i])] = i;
  if (padded) {
    if (text.size() % 4 != 0) return std::nullopt;
    size_t pads = 0;
    while (!text.empty() && text.back() == '=' && pads < 2) {
      text.remove_suffix(1);
      ++pads;
    }
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = map[uint8_t(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  // Non-canonical encodings (stray low bits) are rejected so one value has one spelling.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string base64UrlEncode(std::string_view data) { return encode(data, kUrl, false); }
std::optional<std::string> base64UrlDecode(std::string_view text) { return decode(text, kUrl, false); }
std::string base64Encode(std::string_view data) { return encode(data, kStd, true); }
std::optional<std::string> base64Decode(std::string_view text) { return decode(text, kStd, true); }

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hexValue(text[i + 1]);
      int lo = hexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += char(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = uint8_t(text[i]);
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto cc = uint8_t(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

namespace {

// The length of the control character at `text[i]`: 1 for C0 and DEL, 2 for C1 (0xC2 0x80-0x9F),
// 0 for none.
size_t controlAt(std::string_view text, size_t i) {
  const auto c = uint8_t(text[i]);
  if (c < 0x20 || c == 0x7f) return 1;
  const bool c1 =
      c == 0xc2 && i + 1 < text.size() && uint8_t(text[i + 1]) >= 0x80 && uint8_t(text[i + 1]) <= 0x9f;
  return c1 ? 2 : 0;
}

}  // namespace

bool hasControlCharacter(std::string_view text, std::string_view allowed) {
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t size = controlAt(text, i);
    if (size == 2 || (size == 1 && allowed.find(text[i]) == std::string_view::npos)) return true;
  }
  return false;
}

std::string replaceControlCharacters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t size = controlAt(text, i);
    if (size == 0) {
      out += text[i];
      continue;
    }
    out += "\xef\xbf\xbd";  // U+FFFD
    i += size - 1;
  }
  return out;
}

std::optional<Params> Params::parse(std::string_view text) {
  Params params;
  for (const auto& part : splitString(text, '&')) {
    const auto eq = part.find('=');
    auto name = percentDecode(std::string_view(part).substr(0, eq));
    auto value = eq == std::string::npos ? std::optional<std::string>("")
                                         : percentDecode(std::string_view(part).substr(eq + 1));
    if (!name || !value) return std::nullopt;
    params.add(std::move(*name), std::move(*value));
  }
  return params;
}

void Params::add(std::string name, std::string value) {
  pairs_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> Params::get(std::string_view name) const {
  for (const auto& [n, v] : pairs_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::string Params::getOr(std::string_view name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : std::move(fallback);
}

size_t Params::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(pairs_.begin(), pairs_.end(),
                                           [&](const Pair& p) { return p.first == name; }));
}

std::optional<std::string> Params::firstRepeated() const {
  std::map<std::string_view, int> seen;
  for (const auto& [n, v] : pairs_) {
    if (++seen[n] == 2) return n;
  }
  return std::nullopt;
}

std::string Params::encode() const {
  std::string out;
  for (const auto& [n, v] : pairs_) {
    if (!out.empty()) out += '&';
    out += percentEncode(n);
    out += '=';
    out += percentEncode(v);
  }
  return out;
}

std::vector<std::string> splitString(std::string_view text, char separator, bool skip_empty) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start || !skip_empty) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string toLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace liaison
