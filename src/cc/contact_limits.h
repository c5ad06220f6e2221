#pragma once
// CC's contact model as data (ContactResource of the v3 document): field length limits, enum
// values, and how many sub-resources one contact may hold. The sandbox validates against these;
// the sync engine checks records against them before it writes to CC.
#include <array>
#include <cstddef>
#include <string_view>

namespace liaison::cc::contact {

inline constexpr std::size_t kNameMax = 50;  // first_name, last_name, job_title, company_name
inline constexpr std::size_t kEmailAddressMax = 80;
inline constexpr std::size_t kOptOutReasonMax = 255;
inline constexpr std::size_t kAnniversaryMax = 10;
inline constexpr std::size_t kCustomFieldValueMax = 255;
inline constexpr std::size_t kPhoneNumberMax = 25;
inline constexpr std::size_t kStreetMax = 255;
inline constexpr std::size_t kAddressPartMax = 50;  // city, state, postal_code, country
inline constexpr std::size_t kNoteMax = 2000;

inline constexpr std::size_t kCustomFieldsMax = 25;
inline constexpr std::size_t kPhoneNumbersMax = 3;
inline constexpr std::size_t kStreetAddressesMax = 3;
inline constexpr std::size_t kListMembershipsMax = 50;
inline constexpr std::size_t kTaggingsMax = 50;
inline constexpr std::size_t kNotesMax = 150;

inline constexpr std::array<std::string_view, 2> kSources = {"Account", "Contact"};
inline constexpr std::array<std::string_view, 6> kPermissions = {
    "explicit", "implicit", "not_set", "pending_confirmation", "temp_hold", "unsubscribed"};
inline constexpr std::array<std::string_view, 4> kPhoneKinds = {"home", "mobile", "other", "work"};
inline constexpr std::array<std::string_view, 3> kAddressKinds = {"home", "other", "work"};
// `include=` values of GET /v3/contacts, which are also the contact's sub-resources.
inline constexpr std::array<std::string_view, 6> kSubResources = {
    "custom_fields", "phone_numbers", "street_addresses", "list_memberships", "taggings", "notes"};
inline constexpr std::array<std::string_view, 7> kTopLevelFields = {
    "first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day", "anniversary"};

// How many of each sub-resource one contact may hold (0 for an unknown name).
std::size_t subResourceMax(std::string_view name);

}  // namespace liaison::cc::contact
