#include "cc/email_address.h"

#include "cc/contact_limits.h"

namespace liaison::cc {

namespace {

constexpr std::size_t kLocalPartMax = 64;
constexpr std::size_t kLabelMax = 63;

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 5322 atext: letters, digits and the printable specials that need no quoting.
bool isAtext(char c) {
  return isAlpha(c) || isDigit(c) ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// One or more runs of atext joined by single dots.
bool isDotAtom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  char previous = '\0';
  for (char c : text) {
    if (c == '.' ? previous == '.' : !isAtext(c)) return false;
    previous = c;
  }
  return true;
}

bool isLabel(std::string_view label) {
  if (label.empty() || label.size() > kLabelMax || label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!isAlpha(c) && !isDigit(c) && c != '-') return false;
  }
  return true;
}

bool isHost(std::string_view host) {
  std::size_t labels = 0;
  std::string_view last;
  for (std::size_t start = 0;;) {
    const std::size_t dot = host.find('.', start);
    last = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!isLabel(last)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2 || last.size() < 2) return false;
  for (char c : last) {
    if (!isAlpha(c)) return false;
  }
  return true;
}

}  // namespace

bool isEmailAddress(std::string_view address) {
  // The length first: everything after it is linear in at most 80 characters.
  if (address.size() > contact::kEmailAddressMax) return false;
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at > kLocalPartMax) return false;
  return isDotAtom(address.substr(0, at)) && isHost(address.substr(at + 1));
}

}  // namespace liaison::cc
