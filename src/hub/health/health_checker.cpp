#include "hub/health/health_checker.h"

#include <spdlog/spdlog.h>

#include "cc/privileges.h"
#include "cc/scopes.h"
#include "hub/connections/event_data.h"
#include "hub/health/social_links.h"
#include "hub/health/social_profiles.h"

namespace liaison::hub {

namespace {

// How long a due connection stays claimed by this process's health poll: a check takes a few
// CC calls, each waiting at most the governor's bounded queue.
constexpr auto kCheckClaim = std::chrono::minutes(2);

constexpr const char* kPrivilegesPath = "/account/user/privileges";
constexpr const char* kSocialPath = "/social/connections";
// Without include=accessible CC leaves out whether publishing to a profile works.
constexpr const char* kProfilesPath = "/social/profiles?include=accessible";
// CC's social endpoints belong to the campaign_data scope (reference §7).
constexpr const char* kSocialScope = "campaign_data";

constexpr const char* kUnreachable = "Constant Contact is unreachable; the hub retries.";
constexpr const char* kBudget =
    "The CC app's rate budget has no room for health checks now; the hub checks again later.";
constexpr const char* kThrottled =
    "Calls to Constant Contact were held back by rate limits today; the hub spaces them out and retries.";
constexpr const char* kUnexpected = "Constant Contact gave an unexpected answer; the hub retries.";
constexpr const char* kSocialUnread =
    "Constant Contact did not show the social links this time; the hub retries.";
constexpr const char* kProfilesUnread =
    "Constant Contact did not show the social profiles this time; the hub retries.";
constexpr const char* kInactiveUser =
    "The account owner must reactivate this user in Constant Contact: CC refuses the user's calls (403).";
constexpr const char* kRefreshUnavailable =
    "The last token refresh could not reach Constant Contact; the hub retries.";
constexpr const char* kClientRefused =
    "Constant Contact refused the hub's own client credentials at the last token refresh: the operator must "
    "update the client id or secret. The grant is kept and the hub retries.";

std::string reconnect(const std::string& connection_id, const std::string& why) {
  return why + " Reconnect it: POST /api/v1/connections/" + connection_id + "/reconnect.";
}

// How a failed call to CC bears on the connection.
enum class Failure {
  Refused,      // the hub's own rate budget said no: stop, nothing was asked
  Throttled,    // CC answered 429
  Unreachable,  // transport, 5xx, or a refresh still settling: no verdict on the connection
  Verdict,      // CC (or the refresher) answered about the connection itself
};

Failure classify(const Error& error) {
  if (error.key == "budget.exhausted") return Failure::Refused;
  if (error.code == ErrorCode::TooManyRequests) return Failure::Throttled;
  // Another holder's refresh overtook ours: its token is there for the next check.
  if (error.key == "lease_lost" || UpstreamError::isTransient(error)) return Failure::Unreachable;
  return Failure::Verdict;
}

void appendDistinct(std::string& text, const std::string& sentence) {
  if (sentence.empty() || text.find(sentence) != std::string::npos) return;
  text += (text.empty() ? "" : " ") + sentence;
}

}  // namespace

// What one check found: the worst severity so far and the remedies, in the order found.
class HealthChecker::Findings {
 public:
  void cc(HealthStatus severity, const std::string& remedy) {
    raise(severity);
    appendDistinct(cc_remedy_, remedy);
  }
  // An unhealthy social link limits publishing but not the connection: degraded at most.
  void social(const std::string& remedy) {
    raise(HealthStatus::Degraded);
    appendDistinct(social_remedy_, remedy);
  }
  void finish(HealthReport& report) const {
    report.status = worst_;
    report.cc.remedy = cc_remedy_;
    report.remedy = cc_remedy_;
    appendDistinct(report.remedy, social_remedy_);
  }

 private:
  void raise(HealthStatus severity) {
    if (static_cast<int>(severity) > static_cast<int>(worst_)) worst_ = severity;
  }
  HealthStatus worst_ = HealthStatus::Healthy;
  std::string cc_remedy_;
  std::string social_remedy_;
};

namespace {

// A call CC did not answer about the connection: the report says so and the hub retries.
void noteUnanswered(const Error& error, CcLinkHealth& cc, bool& refused,
                    const std::function<void(HealthStatus, const std::string&)>& note) {
  switch (classify(error)) {
    case Failure::Refused:
      refused = true;
      cc.rate_limited = true;
      note(HealthStatus::Degraded, kBudget);
      return;
    case Failure::Throttled:
      cc.rate_limited = true;
      note(HealthStatus::Degraded, kThrottled);
      return;
    case Failure::Unreachable:
      note(HealthStatus::Degraded, kUnreachable);
      return;
    case Failure::Verdict:
      note(HealthStatus::Degraded, kUnexpected);
      return;
  }
}

// The links shown in a report; unhealthy ones make it degraded.
void useSocial(std::vector<SocialLinkHealth> links, HealthReport& report,
               const std::function<void(const std::string&)>& note_social) {
  for (const auto& link : links) {
    if (!link.healthy) note_social(link.remedy);
  }
  report.social = std::move(links);
}

}  // namespace

HealthChecker::HealthChecker(HubDatabase& db, ConnectionRepository& connections, EventLog& events,
                             Refresher& refresher, CcClient& cc, Governor& governor, const Clock& clock,
                             HealthSettings settings)
    : store_(db),
      connections_(connections),
      events_(events),
      refresher_(refresher),
      cc_(cc),
      governor_(governor),
      clock_(clock),
      settings_(std::move(settings)) {}

Result<HealthReport> HealthChecker::check(const std::string& connection_id, bool fresh) {
  if (!fresh) {
    auto found = connections_.find(connection_id);
    if (!found) return found.error();
    if (!*found) return makeError(ErrorCode::NotFound, "not_found", "No connection has that id.");
    auto cached = store_.loadReport(connection_id);
    if (!cached) return cached.error();
    // A report outlives the state it describes when the connection was disconnected or marked
    // for reauthorization since (checking those asks CC nothing), or reconnected after a report
    // that found it broken.
    const Connection& c = **found;
    const bool outdated =
        c.status != ConnectionStatus::Active ||
        (*cached && (*cached)->status == HealthStatus::Broken && (*cached)->checked_at < c.updated_at);
    if (*cached && !outdated) return std::move(**cached);
  }
  auto outcome = checkNow(connection_id, CallClass::Interactive);
  if (!outcome) return outcome.error();
  return std::move(outcome->report);
}

std::chrono::seconds HealthChecker::pollInterval(std::chrono::minutes configured, int64_t connections,
                                                 int64_t calls_per_day) {
  const auto wanted = std::chrono::duration_cast<std::chrono::seconds>(configured);
  if (connections <= 0 || calls_per_day <= 0) return wanted;
  const int64_t affordable_checks = std::max<int64_t>(1, calls_per_day / kCallsPerCheck);
  const std::chrono::seconds stretched(86400 * connections / affordable_checks);
  return std::max(wanted, stretched);
}

int HealthChecker::runDue(int limit) {
  const std::chrono::seconds interval =
      poll_interval_.count() > 0 ? poll_interval_
                                 : std::chrono::duration_cast<std::chrono::seconds>(settings_.social_poll);
  const TimePoint now = clock_.now();
  auto due = store_.claimDueForCheck(now - interval, now, now + kCheckClaim, limit);
  if (!due) {
    spdlog::warn("health: due connections could not be listed: {}", due.error().message);
    return 0;
  }
  int checked = 0;
  for (size_t i = 0; i < due->size(); ++i) {
    const std::string& id = (*due)[i];
    auto outcome = checkNow(id, CallClass::Health);
    if (!outcome) {
      spdlog::warn("health: connection {} could not be checked: {}", id, outcome.error().message);
      continue;
    }
    if (outcome->refused) {
      // The budget is spent for now: the rest stay due, for any process, from the next round.
      const std::vector<std::string> rest(due->begin() + static_cast<std::ptrdiff_t>(i), due->end());
      if (auto released = store_.releaseCheckClaims(rest); !released)
        spdlog::warn("health: claims not released: {}", released.error().message);
      break;
    }
    ++checked;
  }
  return checked;
}

Result<HealthChecker::Outcome> HealthChecker::checkNow(const std::string& connection_id,
                                                       CallClass call_class) {
  auto found = connections_.find(connection_id);
  if (!found) return found.error();
  if (!*found) return makeError(ErrorCode::NotFound, "not_found", "No connection has that id.");
  const Connection& c = **found;
  // The last report stands in for what CC cannot be asked about during an outage.
  auto last = store_.loadReport(connection_id);
  if (!last) return last.error();

  Outcome outcome;
  outcome.call_class = call_class;
  HealthReport& report = outcome.report;
  report.connection_id = connection_id;
  report.checked_at = clock_.now();
  Findings findings;
  switch (c.status) {
    case ConnectionStatus::Disconnected:
      findings.cc(HealthStatus::Broken,
                  reconnect(c.id, "The connection was disconnected and holds no token."));
      break;
    case ConnectionStatus::ReauthRequired:
      report.cc.has_token = !c.sealed_refresh_token.empty();
      findings.cc(HealthStatus::Broken,
                  reconnect(c.id, "Constant Contact no longer accepts the connection's grant."));
      break;
    case ConnectionStatus::Active:
      if (auto status = checkActive(c, *last, findings, outcome); !status) return status.error();
      break;
  }

  // Read again: a refresh during the check moved the refresh outcome on.
  auto now_row = connections_.find(connection_id);
  if (!now_row) return now_row.error();
  const Connection& after = *now_row ? **now_row : c;
  report.cc.last_refresh = {after.last_refresh_at, after.last_refresh_outcome};
  if (c.status != ConnectionStatus::Disconnected) {
    std::string missing_text;
    for (const auto& scope : settings_.required_scopes) {
      if (cc::hasScope(after.scopes, scope)) continue;
      report.cc.missing_scopes.push_back(scope);
      missing_text += (missing_text.empty() ? "" : ", ") + scope;
    }
    report.cc.token_has_scopes = report.cc.has_token && report.cc.missing_scopes.empty();
    if (!missing_text.empty()) {
      findings.cc(HealthStatus::Degraded, "The grant lacks the scopes " + missing_text +
                                              ": reconnect asking for them (POST /api/v1/connections/" +
                                              c.id + "/reconnect).");
    }
  }
  if (c.status == ConnectionStatus::Active) {
    if (governor_.usage(c.app_id).refused_today > 0 && !report.cc.rate_limited) {
      report.cc.rate_limited = true;
      findings.cc(HealthStatus::Degraded, kThrottled);
    }
    if (after.last_refresh_outcome == "unavailable") findings.cc(HealthStatus::Degraded, kRefreshUnavailable);
    if (after.last_refresh_outcome == "invalid_client") findings.cc(HealthStatus::Degraded, kClientRefused);
  }
  findings.finish(report);

  // A report cut short by the rate budget is not the connection's state: the stored one stays.
  if (!outcome.refused) {
    if (auto saved = store_.saveReport(report); !saved) return saved.error();
  }
  return outcome;
}

Status HealthChecker::checkActive(const Connection& c, const std::optional<HealthReport>& last,
                                  Findings& findings, Outcome& outcome) {
  CcLinkHealth& cc = outcome.report.cc;
  const auto note = [&findings](HealthStatus severity, const std::string& remedy) {
    findings.cc(severity, remedy);
  };
  const auto note_social = [&findings](const std::string& remedy) { findings.social(remedy); };
  // While CC cannot be asked, the last known answers stand: an active connection's token was
  // accepted when last used (the refresher marks a dead grant reauth_required).
  cc.has_token = true;
  cc.token_is_valid = true;
  cc.is_active_user = last ? last->cc.is_active_user : true;
  const auto unanswered = [&](const Error& error) {
    noteUnanswered(error, cc, outcome.refused, note);
    if (last && cc::hasScope(c.scopes, kSocialScope)) useSocial(last->social, outcome.report, note_social);
  };
  const auto token_failed = [&](const Error& error) -> Status {
    if (classify(error) != Failure::Verdict) {
      unanswered(error);
      return okStatus();
    }
    if (error.code == ErrorCode::Internal && error.key == "storage") return error;
    cc.token_is_valid = false;
    findings.cc(HealthStatus::Broken,
                reconnect(c.id, "Constant Contact no longer accepts the connection's grant."));
    return okStatus();
  };

  auto token = refresher_.accessToken(c.id, outcome.call_class);
  if (!token) return token_failed(token.error());
  auto privileges = cc_.getV3(kPrivilegesPath, *token, outcome.call_class, c.id);
  if (!privileges && privileges.error().code == ErrorCode::Unauthorized) {
    // CC refused a token the hub held valid (revoked, or replaced elsewhere): renew it once.
    token = refresher_.accessToken(c.id, outcome.call_class, /*after_unauthorized=*/true);
    if (!token) return token_failed(token.error());
    privileges = cc_.getV3(kPrivilegesPath, *token, outcome.call_class, c.id);
  }
  if (!privileges) {
    const Error& error = privileges.error();
    if (error.code == ErrorCode::Unauthorized) {
      cc.token_is_valid = false;
      findings.cc(HealthStatus::Broken,
                  reconnect(c.id, "Constant Contact refuses the connection's token even after a refresh."));
    } else if (error.code == ErrorCode::Forbidden) {
      cc.is_active_user = false;
      findings.cc(HealthStatus::Broken, kInactiveUser);
    } else {
      unanswered(error);
    }
    return okStatus();
  }
  cc.is_active_user = true;
  // Kept for the proxy, which refuses calls the user may not make without asking CC.
  if (auto listed = cc::parseUserPrivileges(*privileges))
    (void)connections_.savePrivileges(c.id, *listed, clock_.now());
  return checkSocial(c, *token, last, findings, outcome);
}

void HealthChecker::noteSocialUnanswered(const Error& error, const char* unread, Findings& findings,
                                         Outcome& outcome) {
  if (classify(error) == Failure::Verdict) {
    findings.cc(HealthStatus::Degraded, unread);
    return;
  }
  noteUnanswered(
      error, outcome.report.cc, outcome.refused,
      [&findings](HealthStatus severity, const std::string& remedy) { findings.cc(severity, remedy); });
}

Status HealthChecker::checkSocial(const Connection& c, const Secret& token,
                                  const std::optional<HealthReport>& last, Findings& findings,
                                  Outcome& outcome) {
  if (!cc::hasScope(c.scopes, kSocialScope)) return okStatus();
  const auto note_social = [&findings](const std::string& remedy) { findings.social(remedy); };
  const auto keep_last = [&] {
    if (last) useSocial(last->social, outcome.report, note_social);
  };
  auto body = cc_.getV3(kSocialPath, token, outcome.call_class, c.id);
  if (!body) {
    noteSocialUnanswered(body.error(), kSocialUnread, findings, outcome);
    keep_last();
    return okStatus();
  }
  auto links = readSocialConnections(*body);
  if (!links) {
    spdlog::warn("connection {}: social connections answer unreadable", c.id);
    findings.cc(HealthStatus::Degraded, kSocialUnread);
    keep_last();
    return okStatus();
  }
  checkProfiles(c, token, last, *links, findings, outcome);
  auto changes = store_.recordSocialLinks(c.id, *links, clock_.now());
  if (!changes) return changes.error();
  for (const auto& change : *changes) {
    const SocialLinkHealth& link = change.link;
    auto appended =
        events_.append("social.status_changed", c.id,
                       socialChangeData(link.network, link.network_account_id, link.healthy,
                                        link.connection_status_json, change.previous_status_json));
    if (!appended)
      spdlog::warn("connection {}: social change event not recorded: {}", c.id, appended.error().message);
  }
  useSocial(std::move(*links), outcome.report, note_social);
  return okStatus();
}

void HealthChecker::checkProfiles(const Connection& c, const Secret& token,
                                  const std::optional<HealthReport>& last,
                                  std::vector<SocialLinkHealth>& links, Findings& findings,
                                  Outcome& outcome) {
  // The links as judged from their connection_status stand; what the last report knew about
  // their profiles is carried over, so an unread answer changes no link's health.
  const auto keep_last = [&] {
    static const std::vector<SocialLinkHealth> kNone;
    keepLastProfiles(links, last ? last->social : kNone);
  };
  auto body = cc_.getV3(kProfilesPath, token, outcome.call_class, c.id);
  if (!body) {
    noteSocialUnanswered(body.error(), kProfilesUnread, findings, outcome);
    keep_last();
    return;
  }
  auto profiles = readSocialProfiles(*body);
  if (!profiles) {
    spdlog::warn("connection {}: social profiles answer unreadable", c.id);
    findings.cc(HealthStatus::Degraded, kProfilesUnread);
    keep_last();
    return;
  }
  if (profiles->unreadable > 0)
    spdlog::warn("connection {}: {} social profiles left out (fields missing)", c.id, profiles->unreadable);
  if (const int unowned = attachProfiles(links, profiles->profiles); unowned > 0)
    spdlog::info("connection {}: {} social profiles belong to no listed link", c.id, unowned);
}

}  // namespace liaison::hub
