#include "cc/contact_limits.h"

namespace liaison::cc::contact {

std::size_t subResourceMax(std::string_view name) {
  if (name == "custom_fields") return kCustomFieldsMax;
  if (name == "phone_numbers") return kPhoneNumbersMax;
  if (name == "street_addresses") return kStreetAddressesMax;
  if (name == "list_memberships") return kListMembershipsMax;
  if (name == "taggings") return kTaggingsMax;
  if (name == "notes") return kNotesMax;
  return 0;
}

}  // namespace liaison::cc::contact
