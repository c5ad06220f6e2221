#include "sync/runner/link_state.h"

#include <cstring>

#include <nlohmann/json.hpp>

namespace liaison::sync {
namespace {

using nlohmann::json;

void appendString(std::string& out, const std::string& text) {
  // Printable ASCII without quotes or backslashes (most ids, addresses and names) is its own
  // JSON text, copied in one go (a first sync writes 100,000s of these). Anything else takes the
  // library's escaping, where text that is not UTF-8 keeps a U+FFFD in place of a bad byte rather
  // than being refused: a table's odd value never stops a run's end from being stored.
  bool plain = true;
  for (const char c : text) {
    const auto ch = static_cast<unsigned char>(c);
    plain &= ch >= 0x20 && ch < 0x7F && ch != '"' && ch != '\\';
  }
  if (!plain) {
    out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  const size_t at = out.size();
  out.resize(at + text.size() + 2);
  char* to = out.data() + at;
  to[0] = '"';
  std::memcpy(to + 1, text.data(), text.size());
  to[text.size() + 1] = '"';
}

// Only a flag that is set is written: a missing one reads as false, and most links have none.
void appendFlag(std::string& out, const char* name, bool value) {
  if (!value) return;
  out += ",\"";
  out += name;
  out += "\":true";
}

// Events of one state object: top-level booleans, and the string values of "agreed".
class StateReader final : public nlohmann::json_sax<json> {
 public:
  explicit StateReader(Link& link) : link_(link) {}

  bool null() override { return true; }
  bool boolean(bool value) override {
    if (depth_ != 1) return true;
    if (key_ == "a_unsubscribed") link_.a_unsubscribed = value;
    if (key_ == "b_unsubscribed") link_.b_unsubscribed = value;
    if (key_ == "a_deleted") link_.a_deleted = value;
    if (key_ == "b_deleted") link_.b_deleted = value;
    if (key_ == "out_of_scope") link_.out_of_scope = value;
    return true;
  }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t& value) override {
    if (depth_ == 2 && in_agreed_) link_.agreed.insert_or_assign(std::move(key_), std::move(value));
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (++depth_ == 2) in_agreed_ = key_ == "agreed";
    return true;
  }
  bool key(string_t& name) override {
    key_ = std::move(name);
    return true;
  }
  bool end_object() override {
    if (depth_-- == 2) in_agreed_ = false;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  Link& link_;
  std::string key_;
  int depth_ = 0;
  bool in_agreed_ = false;
};

}  // namespace

std::string linkStateText(const Link& link) {
  std::string out;
  appendLinkState(out, link);
  return out;
}

void appendLinkState(std::string& out, const Link& link) {
  out += "{\"agreed\":{";
  bool first = true;
  for (const auto& [field, value] : link.agreed) {
    if (!first) out += ',';
    first = false;
    appendString(out, field);
    out += ':';
    appendString(out, value);
  }
  out += '}';
  appendFlag(out, "a_unsubscribed", link.a_unsubscribed);
  appendFlag(out, "b_unsubscribed", link.b_unsubscribed);
  appendFlag(out, "a_deleted", link.a_deleted);
  appendFlag(out, "b_deleted", link.b_deleted);
  appendFlag(out, "out_of_scope", link.out_of_scope);
  out += '}';
}

void readLinkState(std::string_view text, Link& link) {
  StateReader reader(link);
  const bool parsed = json::sax_parse(text.begin(), text.end(), &reader);
  if (!parsed || text.empty() || text.front() != '{') {
    link.agreed.clear();
    link.a_unsubscribed = link.b_unsubscribed = link.a_deleted = link.b_deleted = link.out_of_scope = false;
  }
}

}  // namespace liaison::sync
