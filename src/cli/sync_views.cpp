#include "cli/sync_views.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "cli/table.h"

namespace liaison::cli {

using nlohmann::json;

namespace {

// At most this many lines per part of a plan: the counts cover everything, --json lists all.
constexpr size_t kShownPerPart = 20;

std::string str(const json& object, const char* name, const std::string& absent = "") {
  if (!object.is_object() || !object.contains(name) || !object[name].is_string()) return absent;
  return printable(object[name].get<std::string>());
}

const json& member(const json& object, const char* name) {
  static const json kNull;
  return object.is_object() && object.contains(name) ? object[name] : kNull;
}

const json& items(const json& object, const char* name) {
  static const json kEmpty = json::array();
  const json& found = member(object, name);
  return found.is_array() ? found : kEmpty;
}

std::string quoted(const json& value) {
  return "\"" + (value.is_string() ? printable(value.get<std::string>()) : printable(value.dump())) + "\"";
}

std::string clock(std::chrono::seconds s) {
  char buffer[32];
  const long long total = std::max<long long>(0, s.count());
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", total / 60, total % 60);
  }
  return buffer;
}

const char* sideLabel(const std::string& side) { return side == "a" ? "a (CC)" : "b"; }

// "lists +Customers +VIP -Old": a set's items added and removed.
std::string setChanges(const json& write) {
  std::string out;
  for (const char* part : {"add", "remove"}) {
    const json& sets = member(write, part);
    if (!sets.is_object()) continue;
    for (const auto& [set, names] : sets.items()) {
      if (!names.is_array()) continue;
      out += (out.empty() ? "" : ", ") + printable(set);
      for (const auto& name : names) out += std::string(part[0] == 'a' ? " +" : " -") + quoted(name);
    }
  }
  return out;
}

// A create or an update: each field's new value, email first, then list and tag changes.
std::string changes(const json& write) {
  std::vector<std::string> parts;
  const json& values = member(write, "values");
  if (values.is_object()) {
    if (values.contains("email")) parts.push_back("email=" + quoted(values["email"]));
    for (const auto& [field, value] : values.items()) {
      if (field != "email") parts.push_back(printable(field) + "=" + quoted(value));
    }
  }
  if (const std::string sets = setChanges(write); !sets.empty()) parts.push_back(sets);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string writeLine(const json& write, const std::string& kind) {
  const std::string id = str(write, "id", "(new)");
  if (kind == "create") return "  + " + changes(write) + "\n";
  if (kind == "update") return "  ~ " + id + ": " + changes(write) + "\n";
  return "  - " + id + "\n";
}

// Lines under a heading with a count, at most kShownPerPart of them.
std::string part(const std::string& heading, const std::vector<std::string>& lines) {
  if (lines.empty()) return "";
  std::string out = "\n" + heading + " (" + std::to_string(lines.size()) + "):\n";
  for (size_t i = 0; i < lines.size() && i < kShownPerPart; ++i) out += lines[i];
  if (lines.size() > kShownPerPart) {
    out += "  ... and " + std::to_string(lines.size() - kShownPerPart) + " more (--json lists them all)\n";
  }
  return out;
}

std::string sideWrites(const json& report, const std::string& side) {
  static const std::vector<std::pair<std::string, std::string>> kKinds = {
      {"create", "Creates"}, {"update", "Updates"}, {"delete", "Deletes"}, {"unsubscribe", "Unsubscribes"}};
  std::string out;
  for (const auto& [kind, heading] : kKinds) {
    std::vector<std::string> lines;
    for (const auto& write : items(member(report, "writes"), side.c_str())) {
      if (str(write, "kind") == kind) lines.push_back(writeLine(write, kind));
    }
    out += part(heading + " in " + sideLabel(side), lines);
  }
  return out;
}

std::string sideCell(const json& counts) {
  std::string out = "+";
  out += std::to_string(countOf(counts, "created"));
  out += " ~" + std::to_string(countOf(counts, "updated"));
  out += " -" + std::to_string(countOf(counts, "deleted") + countOf(counts, "unsubscribed"));
  return out;
}

// "12 (fewest 9)": the CC calls a run made and the fewest that could have done the same.
std::string callsCell(const json& report) {
  if (!member(report, "cc_calls").is_number()) return "-";
  std::string out = std::to_string(countOf(report, "cc_calls"));
  if (member(report, "cc_calls_minimum").is_number())
    out += " (fewest " + std::to_string(countOf(report, "cc_calls_minimum")) + ")";
  return out;
}

std::string fewestNote(const json& report) {
  if (!member(report, "cc_calls_minimum").is_number()) return "";
  return " (fewest possible " + std::to_string(countOf(report, "cc_calls_minimum")) + ")";
}

}  // namespace

int64_t countOf(const json& object, const char* name) {
  const json& value = member(object, name);
  return value.is_number_integer() ? value.get<int64_t>() : 0;
}

std::string renderCounts(const json& report) {
  const json& counts = member(report, "counts");
  std::vector<TableRow> rows;
  for (const char* name : {"read", "created", "updated", "deleted", "unsubscribed", "skipped"}) {
    rows.push_back({name, std::to_string(countOf(member(counts, "a"), name)),
                    std::to_string(countOf(member(counts, "b"), name))});
  }
  return renderTable({"", "A (CC)", "B"}, rows);
}

std::string renderPlan(const json& report) {
  std::string out;
  if (member(report, "held") == true) {
    out += "This run would be held: " + str(report, "held_reason", "the guard would hold it") +
           ".\n  A run writes nothing until a person approves it.\n\n";
  }
  out += renderCounts(report);
  const json& writes = member(report, "writes");
  if (items(writes, "a").empty() && items(writes, "b").empty())
    out += "\nNothing to write: both sides agree.\n";
  out += sideWrites(report, "a") + sideWrites(report, "b");

  std::vector<std::string> lines;
  for (const auto& c : items(report, "conflicts")) {
    lines.push_back("  " + str(c, "a_id") + " / " + str(c, "b_id") + "  " + str(c, "field") + ": a " +
                    quoted(member(c, "a_value")) + ", b " + quoted(member(c, "b_value")) + " -> " +
                    str(c, "winner") + " wins (" + str(c, "rule") + ")\n");
  }
  out += part("Conflicts", lines);
  lines.clear();
  for (const auto& s : items(report, "skipped")) {
    lines.push_back("  " + str(s, "side") + " " + str(s, "id", "(no id)") + ": " + str(s, "reason") + "\n");
  }
  out += part("Skipped", lines);
  lines.clear();
  for (const auto& i : items(report, "issues")) {
    const std::string id = str(i, "id", "new record for " + str(i, "from_id"));
    lines.push_back("  to " + str(i, "to") + " " + id + " " + str(i, "field") + " " +
                    quoted(member(i, "value")) + ": " + str(i, "action") + ", " + str(i, "why") + "\n");
  }
  out += part("Values not carried as they were", lines);
  lines.clear();
  for (const auto& note : items(report, "notes")) {
    if (note.is_string()) lines.push_back("  " + printable(note.get<std::string>()) + "\n");
  }
  return out + part("Notes", lines);
}

std::string renderOutcome(const std::string& sync_id, const json& run) {
  const std::string id = str(run, "id");
  const std::string state = str(run, "state");
  const json& report = member(run, "report");
  if (state == "held") {
    return "Run " + id + " is held: " + str(report, "held_reason", "the guard held it") +
           ". Nothing was written.\n  See what it would do with `liaison sync preview " + printable(sync_id) +
           "`, then approve it with `liaison sync approve " + printable(sync_id) + " " + id + "`.\n";
  }
  if (state == "failed") {
    return "Run " + id + " failed: " + str(report, "error", "the hub did not say why") +
           ".\n  Nothing of it was agreed; the next run settles what it wrote.\n";
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::milliseconds(countOf(report, "duration_ms")));
  std::string out = "Run " + id + " " + state + " in " + clock(seconds) + " (" +
                    std::to_string(countOf(report, "cc_calls")) + " CC calls" + fewestNote(report) + ", " +
                    std::to_string(items(report, "conflicts").size()) + " conflicts settled).\n" +
                    renderCounts(report);
  std::vector<std::string> lines;
  for (const auto& f : items(report, "failed")) {
    lines.push_back("  " + str(f, "side") + " " + str(f, "id", "(new)") + " " + str(f, "kind") + ": " +
                    str(f, "reason") + "\n");
  }
  return out + part("Writes refused (retried next run)", lines);
}

std::string renderSync(const json& sync) {
  const json& definition = member(sync, "definition");
  const json& last = member(sync, "last_run");
  auto where = [](const json& side) {
    const std::string type = str(side, "type");
    if (type == "cc") return "CC connection " + str(side, "connection_id");
    if (type == "sql") return "SQL " + str(side, "url") + " table " + str(side, "table");
    return type + " " + str(side, "path");
  };
  std::vector<TableRow> rows = {{"Sync", str(sync, "id")},
                                {"Name", str(sync, "name")},
                                {"A", where(member(definition, "a"))},
                                {"B", where(member(definition, "b"))},
                                {"Every", std::to_string(countOf(definition, "interval")) + " s"},
                                {"Paused", member(sync, "paused") == true ? "yes (runs by hand only)" : "no"},
                                {"Next run", str(sync, "next_run_at", "-")},
                                {"Last run", last.is_object() ? str(last, "id") + " " + str(last, "state") +
                                                                    " " + str(last, "finished_at")
                                                              : "never"}};
  // The definition as the hub reads it back (defaults filled in), one printable line at a time.
  std::string out = renderTable({}, rows) + "\nDefinition:\n";
  const std::string text = definition.dump(2);
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    out += "  " + printable(text.substr(start, end - start)) + "\n";
    start = end + 1;
  }
  return out;
}

std::string renderSyncList(const json& syncs) {
  std::vector<TableRow> rows;
  for (const auto& s : syncs) {
    const json& last = member(s, "last_run");
    rows.push_back({str(s, "id"), str(s, "name"), str(member(member(s, "definition"), "b"), "type"),
                    member(s, "paused") == true ? "yes" : "no",
                    last.is_object() ? str(last, "state") + " " + str(last, "finished_at") : "-",
                    str(s, "next_run_at", "-")});
  }
  if (rows.empty()) return "No syncs.\n";
  return renderTable({"ID", "NAME", "B", "PAUSED", "LAST RUN", "NEXT RUN"}, rows);
}

std::string renderHistory(const json& runs) {
  std::vector<TableRow> rows;
  for (const auto& r : runs) {
    const json& report = member(r, "report");
    std::string note = str(report, "held_reason");
    if (note.empty()) note = str(report, "error");
    if (note.empty() && !items(report, "failed").empty())
      note = std::to_string(items(report, "failed").size()) + " writes refused";
    rows.push_back({str(r, "id"), str(r, "state"), str(r, "trigger"), str(r, "started_at"),
                    str(r, "finished_at", "-"), sideCell(member(member(report, "counts"), "a")),
                    sideCell(member(member(report, "counts"), "b")), callsCell(report), note});
  }
  if (rows.empty()) return "No runs yet.\n";
  return renderTable({"RUN", "STATE", "TRIGGER", "STARTED", "FINISHED", "A (CC)", "B", "CC CALLS", "NOTE"},
                     rows) +
         "(+ created, ~ updated, - deleted or unsubscribed)\n";
}

std::string renderProblems(const json& problems) {
  std::string out;
  for (const auto& p : problems) {
    const std::string value = str(p, "value");
    out += "  " + str(p, "field", "(definition)") + (value.empty() ? "" : " (" + value + ")") + ": " +
           str(p, "why") + "\n";
  }
  return out;
}

std::optional<std::chrono::seconds> estimateRemaining(const json& progress, int64_t first_written,
                                                      std::chrono::seconds elapsed) {
  const int64_t written = countOf(progress, "written");
  const int64_t planned = countOf(progress, "planned");
  if (str(progress, "phase") != "writing" || written <= first_written || elapsed.count() <= 0)
    return std::nullopt;
  const double rate = static_cast<double>(written - first_written) / static_cast<double>(elapsed.count());
  return std::chrono::seconds(
      static_cast<int64_t>(static_cast<double>(std::max<int64_t>(0, planned - written)) / rate + 0.5));
}

std::string progressLine(const json& progress, std::chrono::seconds elapsed,
                         std::optional<std::chrono::seconds> remaining) {
  std::string out = str(progress, "phase", "starting");
  if (member(progress, "read").is_number()) out += ", read " + std::to_string(countOf(progress, "read"));
  if (member(progress, "planned").is_number()) {
    out += ", written " + std::to_string(countOf(progress, "written")) + "/" +
           std::to_string(countOf(progress, "planned"));
  }
  if (member(progress, "cc_calls").is_number())
    out += ", " + std::to_string(countOf(progress, "cc_calls")) + " CC calls";
  out += ", " + clock(elapsed) + " elapsed";
  if (remaining) out += ", ETA " + clock(*remaining);
  return out;
}

}  // namespace liaison::cli
