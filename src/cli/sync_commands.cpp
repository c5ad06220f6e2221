// `liaison sync …`: the hub's contact syncs through its REST API (/api/v1/syncs). `run` and
// `approve` follow the run they begin until it ends, polling every second: on a terminal a
// progress line is redrawn in place, elsewhere a line at most every 10 s keeps logs short.
// Ctrl-C stops only the following; the run goes on in the hub.
#include <fstream>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/sync_views.h"
#include "cli/table.h"
#include "core/encoding.h"

namespace liaison::cli {

namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr seconds kPollEvery{1};
constexpr seconds kLineEvery{10};  // without a terminal to redraw

std::string syncPath(const std::string& id) { return "/api/v1/syncs/" + percentEncode(id); }

bool isObjectWith(const json& value, const char* name) {
  return value.is_object() && value.contains(name) && value[name].is_string();
}

// The hub's refusal, with a refused definition's problems listed under it.
int refused(const HubReply& reply, Terminal& terminal) {
  const int exit = reportProblem(*reply.problem, terminal);
  if (reply.json.is_object() && reply.json.contains("error") && reply.json["error"].is_object() &&
      reply.json["error"].contains("problems") && reply.json["error"]["problems"].is_array()) {
    terminal.err << renderProblems(reply.json["error"]["problems"]);
  }
  return exit;
}

void printJson(const HubReply& reply, Terminal& terminal) {
  terminal.out << reply.body;
  if (reply.body.empty() || reply.body.back() != '\n') terminal.out << "\n";
}

// The progress line: redrawn on a terminal, else printed now and then; cleared before the end.
class ProgressLine {
 public:
  explicit ProgressLine(Terminal& terminal) : terminal_(terminal), began_(terminal.clock.now()) {}

  void show(const json& progress) {
    const TimePoint now = terminal_.clock.now();
    // The rate counts from the first sight of the writing phase: reading and planning take their
    // own time, and a run followed from the middle has written some before.
    if (!writing_ && progress.is_object() && progress.contains("phase") && progress["phase"] == "writing") {
      writing_ = true;
      writing_since_ = now;
      first_written_ = countOf(progress, "written");
    }
    std::optional<seconds> remaining;
    if (writing_) {
      remaining = estimateRemaining(progress, first_written_,
                                    std::chrono::duration_cast<seconds>(now - writing_since_));
    }
    const std::string line =
        progressLine(progress, std::chrono::duration_cast<seconds>(now - began_), remaining);
    if (terminal_.is_tty) {
      terminal_.out << "\r\x1b[K" << line << std::flush;
      drawn_ = true;
    } else if (!printed_ || now - last_line_ >= kLineEvery) {
      terminal_.out << line << "\n" << std::flush;
      printed_ = true;
      last_line_ = now;
    }
  }

  void clear() {
    if (drawn_) terminal_.out << "\r\x1b[K" << std::flush;
    drawn_ = false;
  }

 private:
  Terminal& terminal_;
  TimePoint began_;
  // Flags beside plain time points: GCC 12 takes an optional time point for uninitialized.
  bool writing_ = false;
  TimePoint writing_since_{};
  int64_t first_written_ = 0;
  bool drawn_ = false;
  bool printed_ = false;
  TimePoint last_line_{};
};

int ended(const std::string& sync_id, const json& run, Terminal& terminal) {
  const std::string state = run["state"].get<std::string>();
  const std::string text = renderOutcome(sync_id, run);
  if (state == "finished") {
    terminal.out << text;
    return kExitOk;
  }
  terminal.err << text;
  return state == "held" ? kExitHeld : kExitFailed;
}

// Follows the run until it is no longer running.
int follow(HubClient& hub, const std::string& sync_id, json run, Terminal& terminal) {
  const std::string path = syncPath(sync_id) + "/runs/" + percentEncode(run["id"].get<std::string>());
  ProgressLine progress(terminal);
  for (;;) {
    if (run["state"] != "running") {
      progress.clear();
      return ended(sync_id, run, terminal);
    }
    progress.show(run.contains("progress") ? run["progress"] : json::object());
    terminal.sleep(kPollEvery);
    auto polled = hub.get(path);
    if (!polled.ok()) {
      progress.clear();
      return reportProblem(*polled.problem, terminal);
    }
    if (!isObjectWith(polled.json, "state") || !isObjectWith(polled.json, "id")) {
      progress.clear();
      return reportMisunderstood(terminal);
    }
    run = std::move(polled.json);
  }
}

// `run` and `approve`: the run the hub began, followed unless --no-wait.
int begun(HubClient& hub, const SyncCommand& command, const HubReply& reply, Terminal& terminal) {
  if (!reply.ok()) return refused(reply, terminal);
  if (!isObjectWith(reply.json, "state") || !isObjectWith(reply.json, "id"))
    return reportMisunderstood(terminal);
  const std::string run_id = printable(reply.json["id"].get<std::string>());
  if (command.no_wait) {
    terminal.out << "Started run " << run_id << " of sync " << printable(command.sync_id)
                 << ".\n  Follow it with `liaison sync history " << printable(command.sync_id) << "`.\n";
    return kExitOk;
  }
  if (reply.json["state"] == "running") {
    terminal.out << "Run " << run_id << " started (Ctrl-C stops following; the run goes on).\n" << std::flush;
  }
  return follow(hub, command.sync_id, reply.json, terminal);
}

int create(HubClient& hub, const SyncCommand& command, Terminal& terminal) {
  std::ifstream file(command.file, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  json definition = json::parse(text.str(), nullptr, false);
  if (!file || definition.is_discarded() || !definition.is_object()) {
    terminal.err << "liaison: " << printable(command.file) << " does not hold a JSON object.\n"
                 << "  A sync definition is described in docs/SYNC.md.\n";
    return kExitRejected;
  }
  auto reply = hub.post("/api/v1/syncs", definition);
  if (!reply.ok()) return refused(reply, terminal);
  if (!isObjectWith(reply.json, "id")) return reportMisunderstood(terminal);
  const std::string id = printable(reply.json["id"].get<std::string>());
  const std::string name = isObjectWith(reply.json, "name") ? reply.json["name"].get<std::string>() : "";
  terminal.out << "Created sync " << id << " (" << printable(name)
               << ").\n  See what its first run would do with `liaison sync preview " << id << "`.\n";
  return kExitOk;
}

// A GET answered as the hub's JSON (--json) or rendered: the answer's `list` array, or with
// `list` null the object itself (which must have an id).
int shown(HubClient& hub, const std::string& path, const char* list, bool as_json,
          std::string (*render)(const json&), Terminal& terminal) {
  auto reply = hub.get(path);
  if (!reply.ok()) return refused(reply, terminal);
  const bool understood =
      list == nullptr ? isObjectWith(reply.json, "id")
                      : reply.json.is_object() && reply.json.contains(list) && reply.json[list].is_array();
  if (!understood) return reportMisunderstood(terminal);
  if (as_json) {
    printJson(reply, terminal);
    return kExitOk;
  }
  terminal.out << render(list == nullptr ? reply.json : reply.json[list]);
  return kExitOk;
}

int preview(HubClient& hub, const SyncCommand& command, Terminal& terminal) {
  auto reply = hub.post(syncPath(command.sync_id) + "/preview", json::object());
  if (!reply.ok()) return refused(reply, terminal);
  if (!reply.json.is_object() || !reply.json.contains("counts")) return reportMisunderstood(terminal);
  if (command.json) {
    printJson(reply, terminal);
    return kExitOk;
  }
  terminal.out << "Plan for sync " << printable(command.sync_id) << " (nothing is written):\n"
               << renderPlan(reply.json);
  return kExitOk;
}

int setPaused(HubClient& hub, const SyncCommand& command, bool paused, Terminal& terminal) {
  auto reply = hub.post(syncPath(command.sync_id) + (paused ? "/pause" : "/resume"), json::object());
  if (!reply.ok()) return refused(reply, terminal);
  if (!isObjectWith(reply.json, "id")) return reportMisunderstood(terminal);
  const std::string id = printable(command.sync_id);
  if (paused) {
    terminal.out << "Paused sync " << id << ": the schedule leaves it alone (`liaison sync run " << id
                 << "` still runs it).\n";
  } else {
    terminal.out << "Resumed sync " << id << ": it runs on its schedule again, next at "
                 << (isObjectWith(reply.json, "next_run_at")
                         ? printable(reply.json["next_run_at"].get<std::string>())
                         : std::string("once due"))
                 << ".\n";
  }
  return kExitOk;
}

}  // namespace

int runSync(HubClient& hub, const SyncCommand& command, Terminal& terminal) {
  warnAboutKeyOnCommandLine(command.hub, terminal);
  const std::string& action = command.action;
  if (action == "create") return create(hub, command, terminal);
  if (action == "list") return shown(hub, "/api/v1/syncs", "syncs", command.json, renderSyncList, terminal);
  if (action == "show")
    return shown(hub, syncPath(command.sync_id), nullptr, command.json, renderSync, terminal);
  if (action == "preview") return preview(hub, command, terminal);
  if (action == "run") {
    return begun(hub, command, hub.post(syncPath(command.sync_id) + "/runs", json::object()), terminal);
  }
  if (action == "approve") {
    const std::string path =
        syncPath(command.sync_id) + "/runs/" + percentEncode(command.run_id) + "/approve";
    return begun(hub, command, hub.post(path, json::object()), terminal);
  }
  if (action == "pause" || action == "resume") return setPaused(hub, command, action == "pause", terminal);
  if (action == "history") {
    const std::string path = syncPath(command.sync_id) + "/runs?limit=" + std::to_string(command.limit);
    return shown(hub, path, "runs", command.json, renderHistory, terminal);
  }
  terminal.err << "liaison: sync has no action '" << printable(action) << "'.\n";
  return kExitRejected;
}

}  // namespace liaison::cli
