#include <gtest/gtest.h>

#include "sync/mapping/mapping.h"
#include "sync/mapping/names.h"

namespace liaison::sync {
namespace {

TEST(SyncNames, SplitKeepsThePartThatDidNotChange) {
  NameParts agreed{"Mary Ann", "Smith"};
  EXPECT_EQ(splitName("Mary Ann Jones", agreed), (NameParts{"Mary Ann", "Jones"}));
  EXPECT_EQ(splitName("Marianne Smith", agreed), (NameParts{"Marianne", "Smith"}));
  EXPECT_EQ(splitName("Mary Ann van der Berg", agreed), (NameParts{"Mary Ann", "van der Berg"}));
  EXPECT_EQ(splitName("  Mary   Ann  Smith ", agreed), agreed);
  EXPECT_EQ(splitName("Jean Luc Picard", {}), (NameParts{"Jean Luc", "Picard"}));
  EXPECT_EQ(splitName("Prince", {}), (NameParts{"Prince", ""}));
  EXPECT_EQ(joinName({"Ann", ""}), "Ann");
  EXPECT_EQ(joinName({"", "Lee"}), "Lee");
}

TEST(SyncFieldValues, CanonicalFormsCompareAcrossSides) {
  EXPECT_EQ(canonical(FieldType::Number, "9.50"), "9.5");
  EXPECT_EQ(canonical(FieldType::Number, "big"), std::nullopt);
  EXPECT_EQ(canonical(FieldType::Boolean, "Yes"), "1");
  EXPECT_EQ(canonical(FieldType::Date, "12/31/2025"), "2025-12-31");
  EXPECT_EQ(canonical(FieldType::Date, "2025-02-29"), std::nullopt);
  EXPECT_EQ(canonical(FieldType::Date, "03-07"), "--03-07");
  EXPECT_EQ(canonical(FieldType::Email, " Ann@Example.COM "), "ann@example.com");
  EXPECT_EQ(canonical(FieldType::Phone, "+1 (555) 010-2030 x12"), "+1 (555) 010-2030 x12");
  EXPECT_EQ(canonical(FieldType::Phone, "call me"), std::nullopt);
  EXPECT_EQ(canonical(FieldType::ListMembership, "VIP;Customers; VIP"), "Customers; VIP");
}

SyncDefinition tableSync() {
  SyncDefinition d;
  d.b.type = SideType::Sql;
  d.b.key = "id";
  return d;
}

TEST(SyncMapping, DefaultMappingTakesTheColumnsTheTableHas) {
  SyncDefinition d = tableSync();
  d.unsubscribes.column = "unsubscribed";
  Catalog b = Catalog::table({{"id", "INTEGER"},
                              {"email", "TEXT"},
                              {"full_name", "TEXT"},
                              {"company", "TEXT"},
                              {"zip", "TEXT"},
                              {"unsubscribed", "BOOLEAN"}},
                             false);
  auto resolved = resolveMapping(d, Catalog::cc({}), b);
  ASSERT_TRUE(std::holds_alternative<ResolvedMapping>(resolved));
  const auto& m = std::get<ResolvedMapping>(resolved);
  std::vector<std::string> pairs;
  for (const auto& e : m.entries)
    pairs.push_back(e.a[0].name + (e.isName() ? "+" + e.a[1].name : "") + "=" + e.b.name);
  EXPECT_EQ(pairs, (std::vector<std::string>{"email=email", "first_name+last_name=full_name",
                                             "company_name=company", "address:home.postal_code=zip"}));
  EXPECT_EQ(m.email, 0);
}

TEST(SyncMapping, TypesNarrowOrRefuseADirection) {
  SyncDefinition d = tableSync();
  d.mapping = {{{"email"}, "email", {}, {}, {}},
               {{"cf:visits"}, "visits", {}, {}, {}},
               {{"cf:vip"}, "score", {}, {}, {}},
               {{"cf:note"}, "level", {}, Direction::AToB, {}}};
  Catalog a = Catalog::cc({{"visits", "string"}, {"vip", "boolean"}, {"note", "string"}});
  Catalog b = Catalog::table(
      {{"email", "TEXT"}, {"visits", "INTEGER"}, {"score", "REAL"}, {"level", "INTEGER"}}, false);
  auto resolved = resolveMapping(d, a, b);
  ASSERT_TRUE(std::holds_alternative<Problems>(resolved));
  const auto& problems = std::get<Problems>(resolved);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].field, "mapping[2]");  // boolean ↔ number: neither way
  EXPECT_NE(problems[0].why.find("refused"), std::string::npos);
  EXPECT_EQ(problems[1].field, "mapping[3]");  // text → number asked for, and impossible
  d.mapping.resize(2);
  auto narrowed = std::get<ResolvedMapping>(resolveMapping(d, a, b));
  EXPECT_EQ(narrowed.entries[1].direction, Direction::BToA);
  EXPECT_NE(narrowed.entries[1].note.find("narrowed to b_to_a"), std::string::npos)
      << narrowed.entries[1].note;
}

TEST(SyncMapping, UnknownFieldsAndMissingEmailAreRefused) {
  SyncDefinition d = tableSync();
  d.mapping = {{{"first_name"}, "nope", {}, {}, {}}, {{"cf:missing"}, "email", {}, {}, {}}};
  d.deletions.from_a = DeletionAction::SoftDelete;
  auto resolved = resolveMapping(d, Catalog::cc({}), Catalog::table({{"email", "TEXT"}}, false));
  ASSERT_TRUE(std::holds_alternative<Problems>(resolved));
  std::vector<std::string> fields;
  for (const auto& p : std::get<Problems>(resolved)) fields.push_back(p.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"mapping[0].b", "mapping[1].a", "deletions.column"}));
}

}  // namespace
}  // namespace liaison::sync
