#include "sync/mapping/catalog.h"

#include <cctype>

#include "cc/contact_limits.h"

namespace liaison::sync {
namespace {

namespace limits = cc::contact;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<FieldSpec> ccStandardFields() {
  std::vector<FieldSpec> fields = {
      {"email", FieldType::Email, limits::kEmailAddressMax, false},
      {"first_name", FieldType::Text, limits::kNameMax, false},
      {"last_name", FieldType::Text, limits::kNameMax, false},
      {"job_title", FieldType::Text, limits::kNameMax, false},
      {"company_name", FieldType::Text, limits::kNameMax, false},
      {"birthday", FieldType::Date, 7, false},  // --MM-DD: CC keeps month and day only
      {"anniversary", FieldType::Date, limits::kAnniversaryMax, false},
      {"lists", FieldType::ListMembership, 0, false},
      {"tags", FieldType::ListMembership, 0, false},
  };
  for (auto kind : limits::kPhoneKinds) {
    fields.push_back({"phone:" + std::string(kind), FieldType::Phone, limits::kPhoneNumberMax, false});
  }
  for (auto kind : limits::kAddressKinds) {
    std::string prefix = "address:" + std::string(kind) + ".";
    fields.push_back({prefix + "street", FieldType::Text, limits::kStreetMax, false});
    for (const char* part : {"city", "state", "postal_code", "country"}) {
      fields.push_back({prefix + part, FieldType::Text, limits::kAddressPartMax, false});
    }
  }
  return fields;
}

FieldType customFieldType(std::string_view cc_type) {
  if (cc_type == "number" || cc_type == "currency") return FieldType::Number;
  if (cc_type == "date" || cc_type == "datetime") return FieldType::Date;
  if (cc_type == "boolean") return FieldType::Boolean;
  if (cc_type == "single_select" || cc_type == "multi_select") return FieldType::Choice;
  return FieldType::Text;
}

}  // namespace

FieldSpec columnSpec(const TableColumn& column) {
  std::string type = upper(column.declared_type);
  auto has = [&](const char* word) { return type.find(word) != std::string::npos; };
  FieldSpec spec{column.name, FieldType::Text, 0, true};
  if (has("BOOL")) {
    spec = {column.name, FieldType::Boolean, 0, false};
  } else if (has("INT") || has("REAL") || has("FLOA") || has("DOUB") || has("NUMERIC") || has("DECIMAL")) {
    spec = {column.name, FieldType::Number, 0, false};
  } else if (type == "DATE") {
    spec = {column.name, FieldType::Date, 0, false};
  }
  return spec;
}

Catalog Catalog::cc(std::vector<CcCustomField> custom_fields) {
  Catalog catalog;
  catalog.kind_ = SideType::Cc;
  catalog.fields_ = ccStandardFields();
  for (const auto& field : custom_fields) {
    catalog.fields_.push_back(
        {"cf:" + field.name, customFieldType(field.type), limits::kCustomFieldValueMax, false});
  }
  return catalog;
}

Catalog Catalog::table(std::vector<TableColumn> columns, bool may_add) {
  Catalog catalog;
  catalog.kind_ = may_add ? SideType::Csv : SideType::Sql;
  catalog.may_add_ = may_add;
  for (const auto& column : columns) catalog.fields_.push_back(columnSpec(column));
  return catalog;
}

std::optional<FieldSpec> Catalog::find(std::string_view name) const {
  for (const auto& field : fields_) {
    if (field.name == name) return field;
  }
  if (kind_ == SideType::Cc && name.size() > 5 && name.substr(0, 5) == "list:") {
    return FieldSpec{std::string(name), FieldType::Boolean, 0, false};  // member of one list
  }
  if (may_add_ && !name.empty()) return FieldSpec{std::string(name), FieldType::Text, 0, true};
  return std::nullopt;
}

}  // namespace liaison::sync
