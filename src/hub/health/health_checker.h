#pragma once
// Checks what a connection can do right now: whether CC accepts its token (refreshed once after
// a 401), whether the CC user is still active (403 on the user's privileges says not), whether
// the grant has the scopes the hub is configured to need, whether rate limits bite, how the last
// refresh went, and, when the grant covers social, the account's social network links with the
// profiles CC publishes to through them. Each
// finding comes with a remedy in plain words. An outage of CC makes a report degraded, never
// broken: only CC's own verdicts (401 after a refresh, 403, a dead grant) break a connection.
//
// Reports are kept in the store: a cached report is served without calling CC, and runDue
// renews them on the configured interval with the Health call class, which gives way to people
// and the host app when the CC app's rate budget runs low.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hub/budget/governor.h"
#include "hub/health/health_report.h"
#include "hub/health/health_store.h"
#include "hub/refresh/refresher.h"
#include "hub/store/connection_repository.h"
#include "hub/store/event_log.h"
#include "hub/upstream/cc_client.h"

namespace liaison::hub {

struct HealthSettings {
  std::vector<std::string> required_scopes;  // a grant without one of these is degraded
  std::chrono::minutes social_poll{15};      // how old a report may grow before runDue renews it
};

class HealthChecker {
 public:
  HealthChecker(HubDatabase& db, ConnectionRepository& connections, EventLog& events, Refresher& refresher,
                CcClient& cc, Governor& governor, const Clock& clock, HealthSettings settings);

  // `fresh`: check now (and store the report); otherwise the stored report, or a check now when
  // there is none or the connection's state moved on since (disconnected, reauth required,
  // reconnected after a broken report). NotFound for an unknown connection.
  Result<HealthReport> check(const std::string& connection_id, bool fresh);
  // Checks active connections whose report is missing or older than social_poll, the oldest
  // first, at most `limit`; stops as soon as the rate budget refuses a call. Returns how many
  // were checked.
  int runDue(int limit);
  // The poll interval the CC budget allows: the configured one, stretched so that checking
  // `connections` active connections (`kCallsPerCheck` API calls each) spends no more than
  // `calls_per_day` a day. With 500 connections and 3,000 calls a day for health, every 12 hours.
  static std::chrono::seconds pollInterval(std::chrono::minutes configured, int64_t connections,
                                           int64_t calls_per_day);
  // privileges + social connections + social profiles (a grant without social makes only the first)
  static constexpr int64_t kCallsPerCheck = 3;
  void setPollInterval(std::chrono::seconds interval) { poll_interval_ = interval; }

 private:
  class Findings;
  struct Outcome {
    HealthReport report;
    bool refused = false;  // the rate budget refused a call: the report is partial, not stored
    // A check someone asked for (`fresh=true`) waits its turn at the budget like any request of
    // the host app; a scheduled poll never waits (it is rescheduled instead).
    CallClass call_class = CallClass::Health;
  };
  Result<Outcome> checkNow(const std::string& connection_id, CallClass call_class);
  // The CC link and social links of an active connection.
  Status checkActive(const Connection& connection, const std::optional<HealthReport>& last,
                     Findings& findings, Outcome& outcome);
  Status checkSocial(const Connection& connection, const Secret& token,
                     const std::optional<HealthReport>& last, Findings& findings, Outcome& outcome);
  // A social call CC did not answer: `unread` when it answered something else, else as any call.
  void noteSocialUnanswered(const Error& error, const char* unread, Findings& findings, Outcome& outcome);
  // Folds CC's profiles into `links`; when they cannot be had, the last report's stand in.
  void checkProfiles(const Connection& connection, const Secret& token,
                     const std::optional<HealthReport>& last, std::vector<SocialLinkHealth>& links,
                     Findings& findings, Outcome& outcome);

  HealthStore store_;
  ConnectionRepository& connections_;
  EventLog& events_;
  Refresher& refresher_;
  CcClient& cc_;
  Governor& governor_;
  const Clock& clock_;
  HealthSettings settings_;
  std::chrono::seconds poll_interval_{0};  // 0: settings_.social_poll
};

}  // namespace liaison::hub
