#include "sync/connectors/cc_contact_json.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "cc/contact_limits.h"
#include "core/clock.h"

namespace liaison::sync {

using nlohmann::json;

namespace {

namespace limits = cc::contact;

constexpr const char* kTopLevelText[] = {"first_name", "last_name", "job_title", "company_name"};
// A street address's parts: the Record's name, CC's field, the import column's suffix.
struct AddressPart {
  const char* part;
  const char* import_column;
};
constexpr AddressPart kAddressParts[] = {{"street", "street"},
                                         {"city", "city"},
                                         {"state", "state"},
                                         {"postal_code", "zip"},
                                         {"country", "country"}};

bool knownKind(std::string_view kind, const auto& kinds) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool readInt(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// A month or day (1-31) as two digits.
std::string twoDigits(int n) {
  return {static_cast<char>('0' + n / 10 % 10), static_cast<char>('0' + n % 10)};
}

int64_t timeMs(const std::string& text) {
  TimePoint t;
  if (text.empty() || !parseIso8601(text, t)) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "phone:<kind>" → kind; "address:<kind>.<part>" → kind and part.
bool splitAddress(std::string_view name, std::string_view& kind, std::string_view& part) {
  if (name.rfind("address:", 0) != 0) return false;
  auto dot = name.find('.');
  if (dot == std::string_view::npos) return false;
  kind = name.substr(8, dot - 8);
  part = name.substr(dot + 1);
  return knownKind(kind, limits::kAddressKinds) &&
         std::any_of(std::begin(kAddressParts), std::end(kAddressParts),
                     [&](const AddressPart& p) { return part == p.part; });
}

bool isPhone(std::string_view name) {
  return name.rfind("phone:", 0) == 0 && knownKind(name.substr(6), limits::kPhoneKinds);
}

std::string itemText(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The top-level fields and the emailless parts of a contact body, shared by POST and PUT.
void putFields(json& out, const Fields& fields, const CcCatalogue& catalogue, Touched touched) {
  for (const char* name : kTopLevelText) {
    if (auto it = fields.find(name); it != fields.end() && !it->second.empty()) out[name] = it->second;
  }
  if (auto birthday = birthdayParts(fields.count("birthday") ? fields.at("birthday") : "")) {
    out["birthday_month"] = birthday->first;
    out["birthday_day"] = birthday->second;
  }
  if (auto it = fields.find("anniversary"); it != fields.end() && !it->second.empty()) {
    out["anniversary"] = it->second;
  }
  json custom = json::array(), phones = json::array();
  std::map<std::string, json, std::less<>> addresses;
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    std::string_view kind, part;
    if (name.rfind("cf:", 0) == 0) {
      const std::string id = catalogue.fieldId(std::string_view(name).substr(3));
      if (!id.empty()) custom.push_back({{"custom_field_id", id}, {"value", value}});
    } else if (isPhone(name)) {
      phones.push_back({{"phone_number", value}, {"kind", name.substr(6)}});
    } else if (splitAddress(name, kind, part)) {
      json& address = addresses[std::string(kind)];
      address["kind"] = kind;
      address[std::string(part)] = value;
    }
  }
  if (touched.custom_fields) out["custom_fields"] = std::move(custom);
  if (touched.phones) out["phone_numbers"] = std::move(phones);
  if (touched.addresses) {
    out["street_addresses"] = json::array();
    for (auto& [kind, address] : addresses) out["street_addresses"].push_back(std::move(address));
  }
}

json emailAddress(const std::string& address, Consent consent) {
  json email = {{"address", address}};
  if (consent != Consent::Keep) email["permission_to_send"] = "unsubscribed";
  // CC keeps the reason a contact gave; the engine has none to give.
  if (consent == Consent::Unsubscribe) email["opt_out_reason"] = nullptr;
  return email;
}

}  // namespace

std::optional<std::pair<int, int>> birthdayParts(std::string_view text) {
  int month = 0, day = 0;
  if (text.size() != 7 || text.substr(0, 2) != "--" || text[4] != '-' || !readInt(text.substr(2, 2), month) ||
      !readInt(text.substr(5, 2), day) || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  return std::make_pair(month, day);
}

std::string anniversaryText(std::string_view text) {
  // Three runs of digits, one separator throughout, the year of four digits first or last.
  for (char separator : {'/', '-'}) {
    const size_t first = text.find(separator);
    if (first == std::string_view::npos) continue;
    const size_t second = text.find(separator, first + 1);
    if (second == std::string_view::npos) break;
    const auto a = text.substr(0, first), b = text.substr(first + 1, second - first - 1),
               c = text.substr(second + 1);
    const bool year_first = a.size() == 4;
    if (!year_first && c.size() != 4) break;
    const auto y = year_first ? a : c, m = year_first ? b : a, d = year_first ? c : b;
    int year = 0, month = 0, day = 0;  // the year is checked to be digits, and kept as written
    if (m.empty() || m.size() > 2 || d.empty() || d.size() > 2 || !readInt(y, year) || !readInt(m, month) ||
        !readInt(d, day)) {
      break;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31) break;
    return std::string(y) + "-" + twoDigits(month) + "-" + twoDigits(day);
  }
  return std::string(text);
}

Record recordFromContact(const json& contact, const CcCatalogue& catalogue, bool& unknown) {
  Record record;
  record.id = jsonText(contact, "contact_id");
  int64_t changed = timeMs(jsonText(contact, "updated_at"));
  if (auto email = contact.find("email_address"); email != contact.end() && email->is_object()) {
    if (const auto& address = jsonText(*email, "address"); !address.empty()) record.text["email"] = address;
    record.unsubscribed = jsonText(*email, "permission_to_send") == "unsubscribed";
    // CC leaves updated_at alone on an unsubscribe: the address's own times say when it happened.
    changed =
        std::max({changed, timeMs(jsonText(*email, "updated_at")), timeMs(jsonText(*email, "opt_out_date"))});
  }
  record.changed_at_ms = changed;
  for (const char* name : kTopLevelText) {
    if (const auto& value = jsonText(contact, name); !value.empty()) record.text[name] = value;
  }
  auto month = contact.find("birthday_month"), day = contact.find("birthday_day");
  auto in = [](const json& value, int64_t max) {
    return value.is_number_integer() && value.get<int64_t>() >= 1 && value.get<int64_t>() <= max;
  };
  if (month != contact.end() && day != contact.end() && in(*month, 12) && in(*day, 31)) {
    record.text["birthday"] = "--" + twoDigits(month->get<int>()) + "-" + twoDigits(day->get<int>());
  }
  if (const auto& anniversary = jsonText(contact, "anniversary"); !anniversary.empty()) {
    record.text["anniversary"] = anniversaryText(anniversary);
  }
  auto array = [&](const char* key) -> const json& {
    static const json kNone = json::array();
    auto it = contact.find(key);
    return it != contact.end() && it->is_array() ? *it : kNone;
  };
  for (const auto& phone : array("phone_numbers")) {
    const std::string& kind = jsonText(phone, "kind");
    const std::string& number = jsonText(phone, "phone_number");
    // One value per kind: a second number of the same kind is CC's, not the sync's.
    if (knownKind(kind, limits::kPhoneKinds) && !number.empty()) record.text.emplace("phone:" + kind, number);
  }
  for (const auto& address : array("street_addresses")) {
    const std::string& kind = jsonText(address, "kind");
    if (!knownKind(kind, limits::kAddressKinds)) continue;
    for (const auto& part : kAddressParts) {
      const std::string& value = jsonText(address, part.part);
      if (!value.empty()) record.text.emplace("address:" + kind + "." + part.part, value);
    }
  }
  for (const auto& field : array("custom_fields")) {
    const std::string& id = jsonText(field, "custom_field_id");
    auto value = field.find("value");
    if (id.empty() || value == field.end() || value->is_null()) continue;
    std::string name = catalogue.fieldName(id);
    if (name.empty()) unknown = true;
    std::string text = itemText(*value);
    if (!text.empty()) record.text["cf:" + (name.empty() ? id : name)] = std::move(text);
  }
  auto& lists = record.sets["lists"];
  for (const auto& id : array("list_memberships")) {
    std::string name = catalogue.listName(itemText(id));
    if (name.empty()) unknown = true;
    lists.insert(name.empty() ? itemText(id) : name);
  }
  auto& tags = record.sets["tags"];
  for (const auto& id : array("taggings")) {
    std::string name = catalogue.tagName(itemText(id));
    if (name.empty()) unknown = true;
    tags.insert(name.empty() ? itemText(id) : name);
  }
  auto deleted = contact.find("deleted_at");
  record.deleted = deleted != contact.end() && !deleted->is_null();
  return record;
}

void renameIds(Record& record, const CcCatalogue& catalogue) {
  auto rename = [](Items& items, auto&& name_of) {
    Items renamed;
    for (const auto& item : items) {
      std::string name = name_of(item);
      renamed.insert(name.empty() ? item : name);
    }
    items = std::move(renamed);
  };
  rename(record.sets["lists"], [&](const std::string& id) { return catalogue.listName(id); });
  rename(record.sets["tags"], [&](const std::string& id) { return catalogue.tagName(id); });
  Fields text;
  for (auto& [name, value] : record.text) {
    std::string field = name.rfind("cf:", 0) == 0 ? catalogue.fieldName(name.substr(3)) : "";
    text[field.empty() ? name : "cf:" + field] = std::move(value);
  }
  record.text = std::move(text);
}

bool isCcTextField(std::string_view name) {
  std::string_view kind, part;
  if (name == "email" || name == "birthday" || name == "anniversary") return true;
  if (std::any_of(std::begin(kTopLevelText), std::end(kTopLevelText),
                  [&](const char* f) { return name == f; })) {
    return true;
  }
  return isPhone(name) || splitAddress(name, kind, part) || (name.rfind("cf:", 0) == 0 && name.size() > 3);
}

json importColumns(const Fields& values) {
  json row = json::object();
  for (const auto& [name, value] : values) {
    if (value.empty()) continue;
    std::string_view kind, part;
    if (name == "email" || name == "anniversary" || name.rfind("cf:", 0) == 0 ||
        std::any_of(std::begin(kTopLevelText), std::end(kTopLevelText),
                    [&](const char* f) { return name == f; })) {
      row[name] = value;
    } else if (name == "birthday") {
      if (auto parts = birthdayParts(value)) {
        row["birthday_month"] = parts->first;
        row["birthday_day"] = parts->second;
      }
    } else if (isPhone(name)) {
      row[name.substr(6) + "_phone"] = value;
    } else if (splitAddress(name, kind, part)) {
      for (const auto& p : kAddressParts) {
        if (part == p.part) row[std::string(kind) + "_" + p.import_column] = value;
      }
    }
  }
  return row;
}

json putBody(const Fields& fields, const CcCatalogue& catalogue, Touched touched, Consent consent) {
  json out = json::object();
  if (auto it = fields.find("email"); it != fields.end() && !it->second.empty()) {
    out["email_address"] = emailAddress(it->second, consent);
  }
  putFields(out, fields, catalogue, touched);
  out["update_source"] = "Account";  // required on PUT; "Contact" only when the contact asked
  return out;
}

json postBody(const Fields& fields, const CcCatalogue& catalogue, bool unsubscribed,
              const std::vector<std::string>& list_ids, const std::vector<std::string>& tag_ids) {
  json out = json::object();
  if (auto it = fields.find("email"); it != fields.end() && !it->second.empty()) {
    out["email_address"] = {{"address", it->second}};
    if (unsubscribed) out["email_address"]["permission_to_send"] = "unsubscribed";
  }
  putFields(out, fields, catalogue, Touched{true, true, true});
  out["create_source"] = "Account";
  if (!list_ids.empty()) out["list_memberships"] = list_ids;
  if (!tag_ids.empty()) out["taggings"] = tag_ids;
  return out;
}

}  // namespace liaison::sync
