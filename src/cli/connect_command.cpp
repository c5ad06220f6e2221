// `liaison connect`: start a connect session, show where to approve it, and poll the hub until
// the account's user answered (or the code expired). The hub polls CC; this only asks the hub.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "cli/commands.h"
#include "cli/table.h"
#include "core/encoding.h"

namespace liaison::cli {

namespace {

using nlohmann::json;
using std::chrono::seconds;

// How long past expires_at to keep asking a hub that still says "pending" (its background work
// ends sessions on its own schedule) before giving up on it.
constexpr seconds kExpiryGrace{30};
// Without a terminal to redraw, a progress line at most this often keeps logs short.
constexpr seconds kProgressEvery{10};

struct Session {
  std::string id;
  std::string status;
  std::string error;
  std::string connection_id;
  std::string connect_url;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;
  TimePoint expires_at;
  seconds interval{5};
};

std::string sessionText(const json& object, const char* name) {
  return object.contains(name) && object[name].is_string() ? printable(object[name].get<std::string>()) : "";
}

std::optional<Session> readSession(const json& body) {
  if (!body.is_object()) return std::nullopt;
  Session s;
  s.id = sessionText(body, "id");
  s.status = sessionText(body, "status");
  if (s.id.empty() || s.status.empty() || !parseIso8601(sessionText(body, "expires_at"), s.expires_at))
    return std::nullopt;
  s.error = sessionText(body, "error");
  s.connection_id = sessionText(body, "connection_id");
  s.connect_url = sessionText(body, "connect_url");
  s.user_code = sessionText(body, "user_code");
  s.verification_uri = sessionText(body, "verification_uri");
  s.verification_uri_complete = sessionText(body, "verification_uri_complete");
  if (body.contains("interval") && body["interval"].is_number_integer()) {
    s.interval = seconds(std::clamp(body["interval"].get<int64_t>(), int64_t{1}, int64_t{60}));
  }
  return s;
}

void printInstructions(const Session& s, bool device, Terminal& terminal) {
  if (!device) {
    terminal.out << "Open this link in a browser to connect the Constant Contact account:\n  "
                 << s.connect_url << "\n";
    return;
  }
  if (!s.verification_uri_complete.empty()) {
    terminal.out << "Open this link to approve the connection:\n  " << s.verification_uri_complete << "\n";
  }
  terminal.out << "Or go to " << s.verification_uri << " and enter the code: " << s.user_code << "\n";
  terminal.out.flush();
}

long long secondsLeft(const Session& s, TimePoint now) {
  return std::max<long long>(0, std::chrono::duration_cast<seconds>(s.expires_at - now).count());
}

std::string minutesAndSeconds(long long total) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld:%02lld", total / 60, total % 60);
  return buffer;
}

// On a terminal the countdown line is redrawn in place; it is cleared before anything else prints.
class Progress {
 public:
  explicit Progress(Terminal& terminal) : terminal_(terminal) {}

  void show(const Session& s) {
    const TimePoint now = terminal_.clock.now();
    if (terminal_.is_tty) {
      terminal_.out << "\r\x1b[K"
                    << "Waiting for approval: " << minutesAndSeconds(secondsLeft(s, now)) << " left"
                    << std::flush;
      drawn_ = true;
    } else if (!last_line_ || now - *last_line_ >= kProgressEvery) {
      terminal_.out << "waiting for approval (" << secondsLeft(s, now) << " s left)\n" << std::flush;
      last_line_ = now;
    }
  }

  void clear() {
    if (drawn_) terminal_.out << "\r\x1b[K" << std::flush;
    drawn_ = false;
  }

 private:
  Terminal& terminal_;
  bool drawn_ = false;
  std::optional<TimePoint> last_line_;
};

int connected(HubClient& hub, const Session& s, Terminal& terminal) {
  auto connection = hub.get("/api/v1/connections/" + percentEncode(s.connection_id));
  std::string organization;
  if (connection.ok() && connection.json.is_object() && connection.json.contains("account") &&
      connection.json["account"].is_object()) {
    organization = sessionText(connection.json["account"], "organization_name");
  } else if (connection.problem) {
    terminal.err << "liaison: connected, but the connection could not be read: "
                 << connection.problem->message << "\n";
  }
  terminal.out << "Connected: " << (organization.empty() ? "(organization unknown)" : organization)
               << " (connection " << s.connection_id << ")\n";
  return kExitOk;
}

int ended(HubClient& hub, const Session& s, Terminal& terminal) {
  if (s.status == "connected") return connected(hub, s, terminal);
  if (s.status == "denied") {
    terminal.err << "Denied: " << (s.error.empty() ? "access was not granted." : s.error) << "\n";
    return kExitDenied;
  }
  if (s.status == "expired") {
    terminal.err << "Expired: " << (s.error.empty() ? "the code expired before it was approved." : s.error)
                 << "\n  Run `liaison connect` again for a new one.\n";
    return kExitExpired;
  }
  terminal.err << "Failed: " << (s.error.empty() ? "the connection could not be made." : s.error) << "\n";
  return kExitFailed;
}

int waitForAnswer(HubClient& hub, const Session& started, Terminal& terminal) {
  Progress progress(terminal);
  const std::string path = "/api/v1/connect-sessions/" + percentEncode(started.id);
  TimePoint next_poll = terminal.clock.now() + started.interval;
  for (;;) {
    if (terminal.is_tty) progress.show(started);
    terminal.sleep(terminal.is_tty ? seconds(1) : started.interval);
    const TimePoint now = terminal.clock.now();
    if (now < next_poll) continue;
    next_poll = now + started.interval;
    auto polled = hub.get(path);
    if (!polled.ok()) {
      progress.clear();
      return reportProblem(*polled.problem, terminal);
    }
    auto current = readSession(polled.json);
    if (!current) {
      progress.clear();
      return reportMisunderstood(terminal);
    }
    if (current->status != "pending") {
      progress.clear();
      return ended(hub, *current, terminal);
    }
    if (now > current->expires_at + kExpiryGrace) {
      progress.clear();
      current->status = "expired";
      return ended(hub, *current, terminal);
    }
    if (!terminal.is_tty) progress.show(*current);
  }
}

}  // namespace

int runConnect(HubClient& hub, const ConnectCommand& command, Terminal& terminal) {
  warnAboutKeyOnCommandLine(command.hub, terminal);
  const json body = {{"end_user_id", command.end_user_id}, {"flow", command.device ? "device" : "redirect"}};
  auto created = hub.post("/api/v1/connect-sessions", body);
  if (!created.ok()) return reportProblem(*created.problem, terminal);
  auto session = readSession(created.json);
  if (!session || (command.device ? session->user_code.empty() : session->connect_url.empty())) {
    return reportMisunderstood(terminal);
  }
  printInstructions(*session, command.device, terminal);
  if (session->status != "pending") return ended(hub, *session, terminal);
  return waitForAnswer(hub, *session, terminal);
}

}  // namespace liaison::cli
