// `liaison connections`, `liaison status` and `liaison disconnect`, rendered as tables, or the
// hub's JSON (--json) for scripts: as it was sent for status, every page in one list for
// connections (which follows the hub's next_after to the last page).
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/table.h"
#include "core/encoding.h"

namespace liaison::cli {

namespace {

using nlohmann::json;

std::string text(const json& object, const char* name, const std::string& absent = "-") {
  if (!object.is_object() || !object.contains(name) || !object[name].is_string()) return absent;
  const auto value = object[name].get<std::string>();
  return value.empty() ? absent : value;
}

std::string yesNo(const json& object, const char* name) {
  if (!object.is_object() || !object.contains(name) || !object[name].is_boolean()) return "-";
  return object[name].get<bool>() ? "yes" : "no";
}

std::string joined(const json& object, const char* name, const char* separator = ", ") {
  if (!object.is_object() || !object.contains(name) || !object[name].is_array()) return "-";
  std::string out;
  for (const auto& item : object[name]) {
    if (!item.is_string()) continue;
    if (!out.empty()) out += separator;
    out += item.get<std::string>();
  }
  return out.empty() ? "-" : out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? end : end - start + 1));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string indented(const std::string& text) {
  std::string out;
  for (const auto& line : lines(text)) out += "  " + line;
  return out;
}

void printBody(const HubReply& reply, Terminal& terminal) {
  terminal.out << reply.body;
  if (reply.body.empty() || reply.body.back() != '\n') terminal.out << "\n";
}

std::string lastRefresh(const json& cc) {
  if (!cc.contains("last_refresh") || !cc["last_refresh"].is_object()) return "-";
  const json& last = cc["last_refresh"];
  const std::string at = text(last, "at", "never");
  const std::string outcome = text(last, "outcome", "");
  return outcome.empty() ? at : at + " (" + outcome + ")";
}

// Whether CC can publish to a profile: only to one that is both connected and accessible.
std::string publishing(const json& profile) {
  const auto flag = [&profile](const char* name) -> std::optional<bool> {
    if (!profile.is_object() || !profile.contains(name) || !profile[name].is_boolean()) return std::nullopt;
    return profile[name].get<bool>();
  };
  const auto connected = flag("connected");
  const auto accessible = flag("accessible");
  if (!connected || !accessible) return "publishing unknown";
  if (*connected && *accessible) return "can publish";
  std::string why = *connected ? "" : "not connected";
  if (!*accessible) why += why.empty() ? "not accessible" : ", not accessible";
  return "cannot publish (" + why + ")";
}

// One row per link; under each, one line per profile it publishes to (columns aligned across
// all links), or "no profiles" when the hub checked and found none. A report from before
// profiles were checked has no "profiles" at all and shows no line.
std::string renderSocialLinks(const json& social) {
  struct Profiles {
    size_t begin = 0;  // this link's lines in `profiles`
    size_t end = 0;
    bool none_found = false;
  };
  std::vector<TableRow> links;
  std::vector<TableRow> profiles;
  std::vector<Profiles> of_link;
  for (const auto& item : social) {
    links.push_back({text(item, "network"), text(item, "display_name"), yesNo(item, "healthy"),
                     text(item, "remedy"), joined(item, "blocked", "; ")});
    Profiles range{profiles.size(), profiles.size(), false};
    if (item.is_object() && item.contains("profiles") && item["profiles"].is_array()) {
      for (const auto& p : item["profiles"]) {
        profiles.push_back(
            {"profile", text(p, "name", text(p, "profile_id")), text(p, "network"), publishing(p)});
      }
      range.end = profiles.size();
      range.none_found = range.begin == range.end;
    }
    of_link.push_back(range);
  }
  const auto link_lines =
      lines(renderTable({"NETWORK", "DISPLAY NAME", "HEALTHY", "REMEDY", "BLOCKED"}, links));
  const auto profile_lines = lines(renderTable({}, profiles));
  std::string out = link_lines.front();  // the header
  for (size_t i = 0; i < links.size(); ++i) {
    out += link_lines[i + 1];
    if (of_link[i].none_found) out += "  no profiles\n";
    for (size_t p = of_link[i].begin; p < of_link[i].end; ++p) out += "  " + profile_lines[p];
  }
  return out;
}

std::string renderHealth(const std::string& id, const json& health) {
  std::vector<TableRow> summary = {
      {"Connection", id}, {"Status", text(health, "status")}, {"Checked at", text(health, "checked_at")}};
  if (health.contains("remedy")) summary.push_back({"Remedy", text(health, "remedy")});
  std::string out = renderTable({}, summary);

  const json& cc = health.contains("cc") ? health["cc"] : json::object();
  std::vector<TableRow> link = {{"has_token", yesNo(cc, "has_token")},
                                {"token_is_valid", yesNo(cc, "token_is_valid")},
                                {"token_has_scopes", yesNo(cc, "token_has_scopes")},
                                {"missing_scopes", joined(cc, "missing_scopes")},
                                {"is_active_user", yesNo(cc, "is_active_user")},
                                {"rate_limited", yesNo(cc, "rate_limited")},
                                {"last_refresh", lastRefresh(cc)}};
  if (cc.is_object() && cc.contains("remedy")) link.push_back({"remedy", text(cc, "remedy")});
  out += "\nConstant Contact link\n" + indented(renderTable({}, link));

  if (!health.contains("social") || !health["social"].is_array() || health["social"].empty()) {
    return out + "\nSocial links: none\n";
  }
  return out + "\nSocial links\n" + indented(renderSocialLinks(health["social"]));
}

}  // namespace

void warnAboutKeyOnCommandLine(const HubAccess& access, Terminal& terminal) {
  if (!access.key_on_command_line) return;
  terminal.err << "liaison: warning: a key given with --key is visible to other users in `ps`; "
                  "set LIAISON_API_KEY instead.\n";
}

int reportProblem(const HubProblem& problem, Terminal& terminal) {
  terminal.err << "liaison: " << printable(problem.message) << "\n";
  if (!problem.remedy.empty()) terminal.err << "  " << printable(problem.remedy) << "\n";
  const bool no_hub =
      problem.status == 0 || problem.status == 401 || problem.status == 403 || problem.status >= 500;
  return no_hub ? kExitNoHub : kExitRejected;
}

int reportMisunderstood(Terminal& terminal) {
  terminal.err << "liaison: the hub's answer was not understood.\n"
               << "  Check that --hub (or LIAISON_HUB_URL) points at a Liaison hub.\n";
  return kExitNoHub;
}

namespace {

constexpr const char* kConnectionsPageSize = "1000";

// Every connection, page after page as the hub hands out next_after. Fills `all` and returns
// kExitOk, or the exit code of what went wrong (already reported).
int fetchAllConnections(HubClient& hub, const ConnectionsCommand& command, Terminal& terminal, json& all) {
  std::string base = std::string("/api/v1/connections?limit=") + kConnectionsPageSize;
  if (!command.end_user_id.empty()) base += "&end_user_id=" + percentEncode(command.end_user_id);
  std::set<std::string> cursors;  // a hub that hands out a cursor twice would page forever
  std::string after;
  for (;;) {
    auto reply = hub.get(after.empty() ? base : base + "&after=" + percentEncode(after));
    if (!reply.ok()) return reportProblem(*reply.problem, terminal);
    if (!reply.json.is_object() || !reply.json.contains("connections") ||
        !reply.json["connections"].is_array()) {
      return reportMisunderstood(terminal);
    }
    for (auto& c : reply.json["connections"]) all.push_back(std::move(c));
    const json& next = reply.json.contains("next_after") ? reply.json["next_after"] : json();
    if (next.is_null()) return kExitOk;
    if (!next.is_string() || next.get<std::string>().empty() ||
        !cursors.insert(next.get<std::string>()).second)
      return reportMisunderstood(terminal);
    after = next.get<std::string>();
  }
}

}  // namespace

int runConnections(HubClient& hub, const ConnectionsCommand& command, Terminal& terminal) {
  warnAboutKeyOnCommandLine(command.hub, terminal);
  json all = json::array();
  if (const int exit = fetchAllConnections(hub, command, terminal, all); exit != kExitOk) return exit;
  if (command.json) {
    // One list however many pages it took, in the hub's shape without the cursor.
    terminal.out << json{{"connections", all}}.dump() << "\n";
    return kExitOk;
  }
  std::vector<TableRow> rows;
  for (const auto& c : all) {
    const json& account = c.contains("account") ? c["account"] : json::object();
    rows.push_back({text(c, "id"), text(c, "end_user_id"), text(account, "organization_name"),
                    text(c, "status"), text(c, "access_token_expires_at")});
  }
  if (rows.empty()) {
    terminal.out << (command.end_user_id.empty()
                         ? std::string("No connections.")
                         : "No connections for end user " + printable(command.end_user_id) + ".")
                 << "\n";
    return kExitOk;
  }
  terminal.out << renderTable({"ID", "END USER", "ORGANIZATION", "STATUS", "TOKEN EXPIRES"}, rows);
  return kExitOk;
}

int runStatus(HubClient& hub, const StatusCommand& command, Terminal& terminal) {
  warnAboutKeyOnCommandLine(command.hub, terminal);
  std::string path = "/api/v1/connections/" + percentEncode(command.connection_id) + "/health";
  if (command.fresh) path += "?fresh=true";
  auto reply = hub.get(path);
  if (!reply.ok()) return reportProblem(*reply.problem, terminal);
  if (!reply.json.is_object() || !reply.json.contains("status")) return reportMisunderstood(terminal);
  if (command.json) {
    printBody(reply, terminal);
    return kExitOk;
  }
  terminal.out << renderHealth(command.connection_id, reply.json);
  return kExitOk;
}

int runDisconnect(HubClient& hub, const DisconnectCommand& command, Terminal& terminal) {
  warnAboutKeyOnCommandLine(command.hub, terminal);
  auto reply = hub.remove("/api/v1/connections/" + percentEncode(command.connection_id));
  if (!reply.ok()) return reportProblem(*reply.problem, terminal);
  terminal.out << "Disconnected " << printable(command.connection_id) << "\n";
  return kExitOk;
}

}  // namespace liaison::cli
