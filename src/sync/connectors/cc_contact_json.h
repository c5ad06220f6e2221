#pragma once
// A CC contact as a sync Record and back: the Record's field names are the CC catalogue's
// ("first_name", "birthday" as --MM-DD, "phone:mobile", "address:work.city", "cf:<name>"), its
// sets "lists" and "tags" hold names; CC's JSON holds ids, sub-resource arrays, and three
// different write shapes (the contact for POST and PUT, the column row of a JSON import).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sync/connectors/cc_catalogue.h"
#include "sync/model/record.h"

namespace liaison::sync {

// The sub-resources GET /v3/contacts must include for a whole Record.
inline constexpr const char* kContactIncludes =
    "custom_fields,list_memberships,taggings,phone_numbers,street_addresses";

// A contact of GET /v3/contacts (with kContactIncludes) as a Record. An id the catalogue does
// not know (a list made since it was read) is kept as the id and `unknown` is set: the caller
// reads the catalogue again and calls renameIds.
Record recordFromContact(const nlohmann::json& contact, const CcCatalogue& catalogue, bool& unknown);
// Replaces the ids recordFromContact kept with the names the catalogue now knows.
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
