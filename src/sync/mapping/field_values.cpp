#include "sync/mapping/field_values.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace liaison::sync {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool readInt(std::string_view s, int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

std::string twoDigits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

bool validDay(int month, int day) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month >= 1 && month <= 12 && day >= 1 && day <= kDays[month - 1];
}

// YYYY-MM-DD, MM/DD/YYYY, --MM-DD or MM-DD (a birthday has no year).
std::optional<std::string> canonicalDate(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-' && readInt(s.substr(0, 4), y) &&
      readInt(s.substr(5, 2), m) && readInt(s.substr(8, 2), d)) {
  } else if (s.size() == 10 && s[2] == '/' && s[5] == '/' && readInt(s.substr(0, 2), m) &&
             readInt(s.substr(3, 2), d) && readInt(s.substr(6, 4), y)) {
  } else if ((s.size() == 7 && s.substr(0, 2) == "--" && s[4] == '-' && readInt(s.substr(2, 2), m) &&
              readInt(s.substr(5, 2), d)) ||
             (s.size() == 5 && s[2] == '-' && readInt(s.substr(0, 2), m) && readInt(s.substr(3, 2), d))) {
    if (!validDay(m, d)) return std::nullopt;
    return "--" + twoDigits(m) + "-" + twoDigits(d);
  } else {
    return std::nullopt;
  }
  if (y < 1 || !validDay(m, d)) return std::nullopt;
  if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return std::nullopt;
  return std::to_string(y) + "-" + twoDigits(m) + "-" + twoDigits(d);
}

std::optional<std::string> canonicalNumber(std::string_view s) {
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  char buffer[64];
  auto [out, ec2] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round-trip form
  if (ec2 != std::errc()) return std::nullopt;
  return std::string(buffer, out);
}

std::optional<std::string> canonicalBoolean(std::string_view s) {
  std::string v = lower(s);
  if (v == "1" || v == "true" || v == "yes" || v == "y" || v == "t" || v == "on") return "1";
  if (v == "0" || v == "false" || v == "no" || v == "n" || v == "f" || v == "off") return "0";
  return std::nullopt;
}

// Digits with the usual separators, an optional leading '+' and an extension; 7 to 15 digits.
std::optional<std::string> canonicalPhone(std::string_view s) {
  int digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '+' && digits == 0) {
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') {
    } else if (c == 'x' || c == 'X' || s.substr(i, 4) == "ext.") {
      break;  // an extension: its digits do not count
    } else {
      return std::nullopt;
    }
  }
  if (digits < 7 || digits > 15) return std::nullopt;
  return std::string(s);
}

bool isEmailLike(std::string_view s) {
  auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && s.find('@', at + 1) == std::string_view::npos &&
         s.find('.', at) != std::string_view::npos && s.back() != '.' &&
         std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

bool isTextual(FieldType type) { return type == FieldType::Text; }

}  // namespace

std::optional<std::string> canonical(FieldType type, std::string_view text) {
  std::string_view s = trimmed(text);
  if (s.empty()) return std::string();
  switch (type) {
    case FieldType::Text:
    case FieldType::Choice:
      return std::string(s);
    case FieldType::Email:
      if (!isEmailLike(s)) return std::nullopt;
      return lower(s);  // addresses compare without case (CC keeps them lower-case)
    case FieldType::Phone:
      return canonicalPhone(s);
    case FieldType::Date:
      return canonicalDate(s);
    case FieldType::Number:
      return canonicalNumber(s);
    case FieldType::Boolean:
      return canonicalBoolean(s);
    case FieldType::ListMembership:
      return joinItems(splitItems(s));
  }
  return std::nullopt;
}

bool canCarry(const FieldSpec& from, const FieldSpec& to) {
  if (from.untyped || to.untyped || from.type == to.type) return true;
  if (isTextual(to.type)) return true;  // everything can be written as text
  return false;
}

std::string whyNotCarried(const FieldSpec& from, const FieldSpec& to) {
  return std::string("a ") + toString(from.type) + " value (" + from.name + ") cannot always be a " +
         toString(to.type) + " (" + to.name + ")";
}

std::string joinItems(const Items& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

Items splitItems(std::string_view text) {
  Items items;
  while (!text.empty()) {
    auto end = text.find_first_of(";\n");
    auto item = trimmed(text.substr(0, end));
    if (!item.empty()) items.emplace(item);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return items;
}

}  // namespace liaison::sync
