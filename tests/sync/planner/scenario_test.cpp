// Golden scenarios: one directory per case under scenarios/, each with the sync's definition
// (definition.json), both sides' starting records (a.json, b.json), optional field catalogues
// (catalog.json), the steps (steps.json: edits on either side, runs with the report they must
// give, quiet cycles that must write nothing) and the state both sides must end in
// (expected.json; "*" stands for any non-empty value, such as a time the run stamps). The planner runs
// against in-memory sides; see memory_sides.h.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sync/model/definition_json.h"
#include "sync/planner/memory_sides.h"

namespace liaison::sync::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json load(const fs::path& file, json fallback = json()) {
  if (!fs::exists(file)) return fallback;
  std::ifstream in(file);
  return json::parse(in);
}

std::vector<std::string> scenarioNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(LIAISON_SCENARIOS_DIR)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

MemorySide loadSide(const json& records, bool cc, const std::string& prefix) {
  MemorySide side;
  side.cc = cc;
  side.id_prefix = prefix;
  for (const auto& object : records) {
    Record r = recordFromJson(object, cc);
    side.records[r.id] = r;
  }
  return side;
}

Catalog catalogFor(const SideSpec& spec, const json& catalog, const char* prefix, const json& records) {
  if (spec.type == SideType::Cc) {
    std::vector<CcCustomField> fields;
    for (const auto& f : catalog.value(std::string(prefix) + "_custom_fields", json::array())) {
      fields.push_back({f.at("name"), f.at("type")});
    }
    return Catalog::cc(fields);
  }
  std::vector<TableColumn> columns;
  if (catalog.contains("b_columns")) {
    for (const auto& c : catalog["b_columns"]) columns.push_back({c.at("name"), c.value("type", "")});
  } else {
    std::set<std::string> names;
    for (const auto& r : records) {
      for (const auto& [key, value] : r.items()) {
        if (key != "id" && key != "changed_at" && names.insert(key).second) columns.push_back({key, ""});
      }
    }
  }
  return Catalog::table(columns, spec.type == SideType::Csv);
}

void expectReport(const Plan& plan, const json& expect, const std::string& where) {
  SCOPED_TRACE(where);
  if (expect.contains("held")) {
    EXPECT_EQ(plan.held, expect["held"].get<bool>()) << plan.held_reason;
  }
  auto counts = [&](const SideCounts& c, const json& e) {
    std::map<std::string, int64_t> actual = {
        {"read", c.read},       {"created", c.created},           {"updated", c.updated},
        {"deleted", c.deleted}, {"unsubscribed", c.unsubscribed}, {"skipped", c.skipped}};
    for (const auto& [key, value] : e.items())
      EXPECT_EQ(actual.at(key), value.get<int64_t>()) << "count " << key;
  };
  if (expect.contains("a")) counts(plan.a, expect["a"]);
  if (expect.contains("b")) counts(plan.b, expect["b"]);
  if (expect.contains("a_writes")) {
    EXPECT_EQ(plan.a_writes.size(), expect["a_writes"].get<size_t>());
  }
  if (expect.contains("b_writes")) {
    EXPECT_EQ(plan.b_writes.size(), expect["b_writes"].get<size_t>());
  }
  if (expect.contains("conflicts")) {
    ASSERT_EQ(plan.conflicts.size(), expect["conflicts"].size());
    for (size_t i = 0; i < plan.conflicts.size(); ++i) {
      const auto& e = expect["conflicts"][i];
      EXPECT_EQ(plan.conflicts[i].field, e.at("field"));
      EXPECT_EQ(plan.conflicts[i].rule, e.at("rule"));
      EXPECT_EQ(plan.conflicts[i].winner, e.at("winner"));
    }
  }
  if (expect.contains("skipped")) {
    ASSERT_EQ(plan.skipped.size(), expect["skipped"].size());
    for (size_t i = 0; i < plan.skipped.size(); ++i) {
      EXPECT_NE(plan.skipped[i].reason.find(expect["skipped"][i].get<std::string>()), std::string::npos)
          << plan.skipped[i].reason;
    }
  }
  if (expect.contains("issues")) {
    ASSERT_EQ(plan.issues.size(), expect["issues"].size());
    for (size_t i = 0; i < plan.issues.size(); ++i) {
      EXPECT_EQ(plan.issues[i].field, expect["issues"][i].at("field"));
      EXPECT_EQ(plan.issues[i].action, expect["issues"][i].at("action"));
    }
  }
  for (const auto& text : expect.value("notes_contain", json::array())) {
    bool found = false;
    for (const auto& note : plan.notes)
      found = found || note.find(text.get<std::string>()) != std::string::npos;
    EXPECT_TRUE(found) << "no note contains: " << text;
  }
}

void edit(MemorySync& sync, const json& step) {
  Side side = step.at("side") == "a" ? Side::A : Side::B;
  MemorySide& s = sync.side(side);
  int64_t now = sync.tick();
  if (step["op"] == "remove") {
    s.records.erase(step.at("id").get<std::string>());
    return;
  }
  if (step["op"] == "add") {
    Record r = recordFromJson(step.at("record"), s.cc);
    r.changed_at_ms = now;
    s.records[r.id] = r;
    return;
  }
  Record& r = s.records.at(step.at("id").get<std::string>());
  Record change = recordFromJson(step.value("set", json::object()), s.cc);
  for (const auto& [field, value] : change.text) r.text[field] = value;
  for (const auto& [set, items] : change.sets) r.sets[set] = items;
  if (step["set"].contains("deleted")) r.deleted = change.deleted;
  if (step["set"].contains("unsubscribed")) r.unsubscribed = change.unsubscribed;
  if (r.deleted) r.sets["lists"].clear();
  r.changed_at_ms = step.value("changed_at", now);
}

void expectSide(const MemorySide& side, const json& expected, const char* name) {
  for (const auto& e : expected) {
    const Record* r = nullptr;
    for (const auto& [id, record] : side.records) {
      bool same =
          e.contains("id") ? id == e["id"] : record.field("email") == e.at("email").get<std::string>();
      if (same) r = &record;
    }
    ASSERT_NE(r, nullptr) << "side " << name << " has no record like " << e.dump();
    for (const auto& [key, value] : e.items()) {
      if (key == "id") continue;
      SCOPED_TRACE(std::string("side ") + name + " record " + r->id + " field " + key);
      if (side.cc && (key == "lists" || key == "tags")) {
        auto it = r->sets.find(key);
        Items want(value.begin(), value.end());
        EXPECT_EQ(it == r->sets.end() ? Items{} : it->second, want);
      } else if (side.cc && key == "deleted") {
        EXPECT_EQ(r->deleted, value.get<bool>());
      } else if (side.cc && key == "unsubscribed") {
        EXPECT_EQ(r->unsubscribed, value.get<bool>());
      } else if (value == "*") {
        EXPECT_NE(r->field(key), "") << "expected any value";  // a time the run stamps
      } else {
        EXPECT_EQ(r->field(key), value.get<std::string>());
      }
    }
  }
}

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, EndsAsExpected) {
  fs::path dir = fs::path(LIAISON_SCENARIOS_DIR) / GetParam();
  auto parsed = parseDefinition(load(dir / "definition.json"));
  ASSERT_TRUE(std::holds_alternative<SyncDefinition>(parsed))
      << std::get<Problems>(parsed)[0].field << " " << std::get<Problems>(parsed)[0].why;
  SyncDefinition definition = std::get<SyncDefinition>(parsed);
  json a_records = load(dir / "a.json", json::array()), b_records = load(dir / "b.json", json::array());
  json catalog = load(dir / "catalog.json", json::object());
  auto mapping = resolveMapping(definition, catalogFor(definition.a, catalog, "a", a_records),
                                catalogFor(definition.b, catalog, "b", b_records));
  ASSERT_TRUE(std::holds_alternative<ResolvedMapping>(mapping))
      << std::get<Problems>(mapping)[0].field << ": " << std::get<Problems>(mapping)[0].why;
  MemorySync sync(definition, std::get<ResolvedMapping>(mapping), loadSide(a_records, true, "a-new-"),
                  loadSide(b_records, definition.b.type == SideType::Cc, "b-new-"));
  size_t index = 0;
  for (const auto& step : load(dir / "steps.json", json::array())) {
    std::string where = "step " + std::to_string(index++) + ": " + step.dump();
    const std::string op = step.at("op");
    if (op == "run" || op == "approve") {
      auto outcome = sync.run(op == "approve");
      expectReport(outcome.plan, step.value("expect", json::object()), where);
    } else if (op == "quiet") {
      for (int cycle = 0; cycle < step.value("cycles", 2); ++cycle) {
        auto outcome = sync.run();
        SCOPED_TRACE(where + " cycle " + std::to_string(cycle));
        EXPECT_FALSE(outcome.plan.held) << outcome.plan.held_reason;
        EXPECT_EQ(outcome.plan.a_writes.size(), 0u);
        EXPECT_EQ(outcome.plan.b_writes.size(), 0u);
      }
    } else {
      edit(sync, step);
    }
  }
  json expected = load(dir / "expected.json", json::object());
  expectSide(sync.side(Side::A), expected.value("a", json::array()), "a");
  expectSide(sync.side(Side::B), expected.value("b", json::array()), "b");
  if (expected.contains("a_count")) {
    EXPECT_EQ(sync.side(Side::A).records.size(), expected["a_count"].get<size_t>());
  }
  if (expected.contains("b_count")) {
    EXPECT_EQ(sync.side(Side::B).records.size(), expected["b_count"].get<size_t>());
  }
  for (const auto& [id, record] : sync.side(Side::A).records) {
    EXPECT_EQ(record.field("revived"), "") << "the engine revived deleted contact " << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, Scenario, ::testing::ValuesIn(scenarioNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace liaison::sync::testing
