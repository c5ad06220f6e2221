#include "sync/model/definition.h"

namespace liaison::sync {

const char* toString(SideType type) {
  switch (type) {
    case SideType::Cc:
      return "cc";
    case SideType::Sql:
      return "sql";
    case SideType::Csv:
      return "csv";
  }
  return "cc";
}

const char* toString(FieldType type) {
  switch (type) {
    case FieldType::Text:
      return "text";
    case FieldType::Email:
      return "email";
    case FieldType::Phone:
      return "phone";
    case FieldType::Date:
      return "date";
    case FieldType::Number:
      return "number";
    case FieldType::Boolean:
      return "boolean";
    case FieldType::Choice:
      return "choice";
    case FieldType::ListMembership:
      return "list_membership";
  }
  return "text";
}

std::optional<FieldType> fieldTypeNamed(std::string_view name) {
  for (auto type : {FieldType::Text, FieldType::Email, FieldType::Phone, FieldType::Date, FieldType::Number,
                    FieldType::Boolean, FieldType::Choice, FieldType::ListMembership}) {
    if (name == toString(type)) return type;
  }
  return std::nullopt;
}

const char* toString(Direction direction) {
  switch (direction) {
    case Direction::Both:
      return "both";
    case Direction::AToB:
      return "a_to_b";
    case Direction::BToA:
      return "b_to_a";
  }
  return "both";
}

const char* toString(DeletionAction action) {
  switch (action) {
    case DeletionAction::Ignore:
      return "ignore";
    case DeletionAction::Mark:
      return "mark";
    case DeletionAction::SoftDelete:
      return "soft_delete";
  }
  return "ignore";
}

const char* toString(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::LastWriterWins:
      return "last_writer_wins";
    case ConflictPolicy::AWins:
      return "a_wins";
    case ConflictPolicy::BWins:
      return "b_wins";
  }
  return "last_writer_wins";
}

const char* toString(UnsubscribeRule::Format format) {
  return format == UnsubscribeRule::Format::Boolean ? "boolean" : "timestamp";
}

const char* toString(TooLong rule) { return rule == TooLong::Skip ? "skip" : "truncate"; }

}  // namespace liaison::sync
