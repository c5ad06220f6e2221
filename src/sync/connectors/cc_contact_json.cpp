#include "sync/connectors/cc_contact_json.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <simdjson.h>

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

// CC's answer text as simdjson's tree (one buffer reused page after page, no allocation per
// member), read defensively: a member absent or of another type reads as empty.
struct ContactReader::Impl {
  simdjson::dom::parser parser;

  template <class Json>  // an element or an object
  static std::string_view text(Json object, std::string_view key) {
    std::string_view out;
    return object[key].get_string().get(out) == simdjson::SUCCESS ? out : std::string_view();
  }

  // Calls `each` with every element of the array `key` (none when it is absent or no array).
  template <class Json, class Each>
  static void forEach(Json object, std::string_view key, Each&& each) {
    simdjson::dom::array items;
    if (object[key].get_array().get(items) != simdjson::SUCCESS) return;
    for (simdjson::dom::element item : items) each(item);
  }

  // A list, tag or custom field value as text: a string as it is, anything else as JSON.
  static std::string itemText(simdjson::dom::element value) {
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
    return simdjson::to_string(value);
  }

  static int64_t timeMs(std::string_view text) {
    TimePoint t;
    if (text.empty() || !parseIso8601(text, t)) return 0;
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }

  static Record record(simdjson::dom::element contact, const CcCatalogue& catalogue, bool& unknown) {
    Record record;
    record.id = text(contact, "contact_id");
    int64_t changed = timeMs(text(contact, "updated_at"));
    if (simdjson::dom::object email; contact["email_address"].get_object().get(email) == simdjson::SUCCESS) {
      if (auto address = text(email, "address"); !address.empty()) record.text["email"] = address;
      record.unsubscribed = text(email, "permission_to_send") == "unsubscribed";
      // CC leaves updated_at alone on an unsubscribe: the address's own times say when it happened.
      changed = std::max({changed, timeMs(text(email, "updated_at")), timeMs(text(email, "opt_out_date"))});
    }
    record.changed_at_ms = changed;
    for (const char* name : kTopLevelText) {
      if (auto value = text(contact, name); !value.empty()) record.text[name] = value;
    }
    int64_t month = 0, day = 0;
    if (contact["birthday_month"].get_int64().get(month) == simdjson::SUCCESS &&
        contact["birthday_day"].get_int64().get(day) == simdjson::SUCCESS && month >= 1 && month <= 12 &&
        day >= 1 && day <= 31) {
      record.text["birthday"] =
          "--" + twoDigits(static_cast<int>(month)) + "-" + twoDigits(static_cast<int>(day));
    }
    if (auto anniversary = text(contact, "anniversary"); !anniversary.empty()) {
      record.text["anniversary"] = anniversaryText(anniversary);
    }
    forEach(contact, "phone_numbers", [&](simdjson::dom::element phone) {
      auto kind = text(phone, "kind");
      auto number = text(phone, "phone_number");
      // One value per kind: a second number of the same kind is CC's, not the sync's.
      if (knownKind(kind, limits::kPhoneKinds) && !number.empty())
        record.text.emplace("phone:" + std::string(kind), number);
    });
    forEach(contact, "street_addresses", [&](simdjson::dom::element address) {
      auto kind = text(address, "kind");
      if (!knownKind(kind, limits::kAddressKinds)) return;
      for (const auto& part : kAddressParts) {
        auto value = text(address, part.part);
        if (!value.empty()) record.text.emplace("address:" + std::string(kind) + "." + part.part, value);
      }
    });
    forEach(contact, "custom_fields", [&](simdjson::dom::element field) {
      std::string id(text(field, "custom_field_id"));
      simdjson::dom::element value;
      if (id.empty() || field["value"].get(value) != simdjson::SUCCESS || value.is_null()) return;
      std::string name = catalogue.fieldName(id);
      if (name.empty()) unknown = true;
      std::string value_text = itemText(value);
      if (!value_text.empty()) record.text["cf:" + (name.empty() ? id : name)] = std::move(value_text);
    });
    // Lists and tags by name; an id the catalogue lacks stays an id, and says so.
    auto named = [&](const char* key, Items& into, auto name_of) {
      forEach(contact, key, [&](simdjson::dom::element id) {
        std::string item = itemText(id);
        std::string name = name_of(item);
        if (name.empty()) unknown = true;
        into.insert(name.empty() ? std::move(item) : std::move(name));
      });
    };
    named("list_memberships", record.sets["lists"],
          [&](const std::string& id) { return catalogue.listName(id); });
    named("taggings", record.sets["tags"], [&](const std::string& id) { return catalogue.tagName(id); });
    simdjson::dom::element deleted;
    record.deleted = contact["deleted_at"].get(deleted) == simdjson::SUCCESS && !deleted.is_null();
    return record;
  }
};

ContactReader::ContactReader() : impl_(std::make_unique<Impl>()) {}
ContactReader::~ContactReader() = default;

Result<std::string> ContactReader::page(const std::string& body, const CcCatalogue& catalogue,
                                        const std::function<void(Record&, bool)>& each) {
  simdjson::dom::object page;
  if (impl_->parser.parse(body).get_object().get(page) != simdjson::SUCCESS) {
    return makeError(ErrorCode::BadGateway, "upstream.bad_answer", "CC's answer is not a JSON object");
  }
  Impl::forEach(page, "contacts", [&](simdjson::dom::element contact) {
    bool unknown = false;
    Record record = Impl::record(contact, catalogue, unknown);
    each(record, unknown);
  });
  simdjson::dom::element next;
  if (page.at_pointer("/_links/next").get(next) != simdjson::SUCCESS) return std::string();
  return std::string(Impl::text(next, "href"));
}

Record ContactReader::contact(const std::string& body, const CcCatalogue& catalogue, bool& unknown) {
  simdjson::dom::element contact;
  if (impl_->parser.parse(body).get(contact) != simdjson::SUCCESS || !contact.is_object()) return Record{};
  return Impl::record(contact, catalogue, unknown);
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
