#pragma once
// The fields a side has. A CC side: CC's standard contact fields (names below), its custom fields
// as "cf:<name>" with their types, "lists" and "tags" (sets of names), and "list:<name>" (member
// of one list, a boolean). A table side: its columns, typed by their declared SQL type, or
// untyped (CSV, TEXT) when they can hold any value as text; a CSV file may gain columns.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/mapping/field_values.h"
#include "sync/model/definition.h"

namespace liaison::sync {

// A CC custom field as CC describes it (GET /contact_custom_fields): name and CC's type
// ("string", "number", "date", "boolean", "single_select", "multi_select", ...).
struct CcCustomField {
  std::string name;
  std::string type;
};

// A table column: its name and declared SQL type ("" for CSV).
struct TableColumn {
  std::string name;
  std::string declared_type;
};

class Catalog {
 public:
  static Catalog cc(std::vector<CcCustomField> custom_fields);
  // `may_add`: a column not there yet is created on first write (a CSV file).
  static Catalog table(std::vector<TableColumn> columns, bool may_add);

  SideType kind() const { return kind_; }
  std::optional<FieldSpec> find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name).has_value(); }
  const std::vector<FieldSpec>& fields() const { return fields_; }

 private:
  SideType kind_ = SideType::Cc;
  std::vector<FieldSpec> fields_;
  bool may_add_ = false;
};

// The type a SQL column's declared type stands for: INTEGER/REAL/NUMERIC → number, BOOLEAN →
// boolean, DATE → date; text types and anything else are untyped text.
FieldSpec columnSpec(const TableColumn& column);

}  // namespace liaison::sync
