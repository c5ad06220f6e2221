#pragma once
// A CC contact as a sync Record and back: the Record's field names are the CC catalogue's
// ("first_name", "birthday" as --MM-DD, "phone:mobile", "address:work.city", "cf:<name>"), its
// sets "lists" and "tags" hold names; CC's JSON holds ids, sub-resource arrays, and three
// different write shapes (the contact for POST and PUT, the column row of a JSON import).
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "sync/connectors/cc_catalogue.h"
#include "sync/model/record.h"

namespace liaison::sync {

// The sub-resources GET /v3/contacts must include for a whole Record.
inline constexpr const char* kContactIncludes =
    "custom_fields,list_memberships,taggings,phone_numbers,street_addresses";

// CC's contacts as Records, read straight from the answer's text: a 100,000-contact read is 200
// pages of about 300 KB, and a JSON tree of each (a node and a string per member, then freed)
// cost more than everything else the read does. An id the catalogue does not know (a list made
// since it was read) is kept as the id and `unknown` is set: the caller reads the catalogue
// again and calls renameIds. One reader serves one thread.
class ContactReader {
 public:
  ContactReader();
  ~ContactReader();
  ContactReader(const ContactReader&) = delete;
  ContactReader& operator=(const ContactReader&) = delete;

  // A page of GET /v3/contacts (with kContactIncludes, or without: the Records lack those
  // parts): `each` gets every contact of "contacts". The next page's href, "" at the end; an
  // Error when the text is not a JSON object.
  Result<std::string> page(const std::string& body, const CcCatalogue& catalogue,
                           const std::function<void(Record&, bool unknown)>& each);
  // GET /v3/contacts/{id}: a Record with no id when the text is not a JSON object.
  Record contact(const std::string& body, const CcCatalogue& catalogue, bool& unknown);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
// Replaces the ids a ContactReader kept with the names the catalogue now knows.
void renameIds(Record& record, const CcCatalogue& catalogue);

// CC's anniversary text (MM/DD/YYYY, YYYY-M-D, ...) as YYYY-MM-DD; other text as it is.
std::string anniversaryText(std::string_view text);
// "--MM-DD" as CC's birthday_month and birthday_day.
std::optional<std::pair<int, int>> birthdayParts(std::string_view text);

// Whether `name` is a text field of the CC catalogue (a Write's values may hold it).
bool isCcTextField(std::string_view name);

// An import row's columns for `values` (non-empty values only; "email" included when given).
nlohmann::json importColumns(const Fields& values);

// What a contact body says about consent: nothing (CC keeps it), the contact stays
// unsubscribed (an address change must not opt them back in), or is unsubscribed now.
enum class Consent { Keep, StaysUnsubscribed, Unsubscribe };

// Which sub-resources a PUT replaces; the others are left out, and CC keeps them as they are.
struct Touched {
  bool custom_fields = false;
  bool phones = false;
  bool addresses = false;
};

// The body of PUT /v3/contacts/{id}: every top-level field of `fields` (the whole contact after
// the change: a PUT nulls what it leaves out), the touched sub-resources whole.
nlohmann::json putBody(const Fields& fields, const CcCatalogue& catalogue, Touched touched, Consent consent);
// The body of POST /v3/contacts for a contact made one at a time (an address too long for an
// import, an unsubscribed contact): fields, lists and tags by id.
nlohmann::json postBody(const Fields& fields, const CcCatalogue& catalogue, bool unsubscribed,
                        const std::vector<std::string>& list_ids, const std::vector<std::string>& tag_ids);

}  // namespace liaison::sync
