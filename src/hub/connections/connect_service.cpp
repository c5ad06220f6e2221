#include "hub/connections/connect_service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "cc/privileges.h"
#include "cc/scopes.h"
#include "crypto/hash.h"
#include "hub/connections/event_data.h"
#include "oauth/errors.h"
#include "oauth/pkce.h"

namespace liaison::hub {

namespace {

std::string verifierContext(const std::string& id) { return "connect_sessions/" + id + "/verifier"; }
std::string deviceCodeContext(const std::string& id) { return "connect_sessions/" + id + "/device_code"; }

std::string textField(const nlohmann::json& j, const char* name) {
  return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>()
                                                                  : std::string();
}

}  // namespace

std::string accessTokenContext(const std::string& id) { return "connections/" + id + "/access_token"; }
std::string refreshTokenContext(const std::string& id) { return "connections/" + id + "/refresh_token"; }

ConnectService::ConnectService(ConnectionRepository& connections, SessionRepository& sessions,
                               EventLog& events, Vault& vault, CcClient& cc, TokenVerifier& verifier,
                               const Clock& clock, RandomSource& random, ConnectSettings settings)
    : connections_(connections),
      sessions_(sessions),
      events_(events),
      vault_(vault),
      cc_(cc),
      verifier_(verifier),
      clock_(clock),
      random_(random),
      settings_(std::move(settings)) {}

Result<ConnectSession> ConnectService::startSession(const SessionRequest& request) {
  ConnectSession s;
  s.id = "cs_" + random_.token(18);
  s.app_id = cc_.app().app_id;
  s.flow = request.flow;
  s.end_user_id = request.end_user_id;
  s.scopes = request.scopes.empty() ? settings_.default_scopes : request.scopes;
  // Without offline_access CC issues no refresh token, and the hub could not keep the link alive.
  if (!cc::hasScope(s.scopes, "offline_access")) s.scopes.push_back("offline_access");
  s.return_url = request.return_url;
  s.reconnect_connection_id = request.reconnect_connection_id;
  s.created_at = clock_.now();
  s.issuer = cc_.endpoints().issuer;
  if (request.flow == SessionFlow::Redirect) {
    s.expires_at = s.created_at + settings_.redirect_session_lifetime;
  } else {
    auto device = cc_.startDevice(s.scopes);
    if (!device) return device.error();
    auto sealed = vault_.seal(device->device_code, deviceCodeContext(s.id));
    if (!sealed) return sealed.error();
    s.sealed_device_code = std::move(*sealed);
    s.user_code = device->user_code;
    s.verification_uri = device->verification_uri;
    s.verification_uri_complete = device->verification_uri_complete;
    s.interval_s = device->interval;
    // The session lives as long as CC's device code does.
    s.expires_at = s.created_at + std::chrono::seconds(device->expires_in);
    s.next_poll_at = s.created_at + std::chrono::seconds(device->interval);
  }
  if (auto stored = sessions_.insert(s); !stored) return stored.error();
  return s;
}

Result<std::string> ConnectService::authorizeUrl(const std::string& session_id) {
  auto found = sessions_.find(session_id);
  if (!found) return found.error();
  if (!*found || (*found)->flow != SessionFlow::Redirect) {
    return makeError(ErrorCode::NotFound, "not_found", "No redirect connect session has that id.");
  }
  ConnectSession s = **found;
  if (s.status != SessionStatus::Pending || s.expires_at <= clock_.now()) {
    return makeError(ErrorCode::Conflict, "session_ended", "This connect session has already ended.");
  }
  const Secret state(random_.token(32));
  const Secret verifier(random_.token(32));  // 43 characters, 256 bits (RFC 7636 §4.1)
  auto sealed = vault_.seal(verifier, verifierContext(s.id));
  if (!sealed) return sealed.error();
  s.state_hash = crypto::sha256Hex(state.reveal());
  s.sealed_verifier = *sealed;
  // Replace the row's state and verifier: only the newest authorize URL can complete.
  if (auto status = sessions_.setAuthorization(s.id, s.state_hash, s.sealed_verifier); !status)
    return status.error();
  Params query;
  query.add("response_type", "code");
  query.add("client_id", cc_.app().client_id);
  query.add("redirect_uri", settings_.redirect_uri);
  query.add("scope", cc::joinScopes(s.scopes));
  query.add("state", state.reveal());
  query.add("code_challenge", oauth::s256Challenge(verifier.reveal()));
  query.add("code_challenge_method", "S256");
  return cc_.endpoints().authorize + "?" + query.encode();
}

void ConnectService::failSession(const ConnectSession& session, SessionStatus status,
                                 const std::string& error) {
  auto finished = sessions_.finish(session.id, status, "", error);
  if (!finished || !*finished) return;  // another worker ended it first
  ConnectSession ended = session;
  ended.status = status;
  ended.error = error;
  (void)events_.append("connect_session.failed", session.reconnect_connection_id, sessionFailedData(ended));
}

Result<std::string> ConnectService::completeGrant(const ConnectSession& session, const TokenGrant& grant) {
  auto verified = verifier_.verify(grant.access_token);
  if (!verified) return verified.error();
  if (!grant.refresh_token) {
    return makeError(ErrorCode::Forbidden, "no_refresh_token",
                     "Constant Contact issued no refresh token (offline_access was not granted), so the hub "
                     "could not keep this account connected.");
  }
  // Act on what CC granted, which may differ from what was asked (RFC 6749 §3.3).
  std::vector<std::string> scopes = !grant.scopes.empty() ? grant.scopes : verified->scopes;
  if (scopes.empty()) scopes = session.scopes;
  auto summary_body = cc_.getV3("/account/summary", grant.access_token, CallClass::Interactive,
                                session.reconnect_connection_id);
  if (!summary_body) return summary_body.error();
  const auto summary = nlohmann::json::parse(*summary_body, nullptr, false);
  const std::string account_id = textField(summary, "encoded_account_id");
  if (account_id.empty()) {
    return makeError(ErrorCode::Unavailable, "account_unreadable",
                     "Constant Contact's account summary could not be read.");
  }
  auto privileges = cc_.getV3("/account/user/privileges", grant.access_token, CallClass::Interactive,
                              session.reconnect_connection_id);
  if (!privileges) return privileges.error();

  const TimePoint now = clock_.now();
  Connection c;
  auto existing = !session.reconnect_connection_id.empty()
                      ? connections_.find(session.reconnect_connection_id)
                      : connections_.findByAccount(session.app_id, session.end_user_id, account_id);
  if (!existing) return existing.error();
  const bool update = existing->has_value();
  if (update) {
    c = **existing;
    if (!session.reconnect_connection_id.empty() && c.account_id != account_id) {
      return makeError(ErrorCode::Conflict, "other_account",
                       "The account that was authorized is not the one this connection belongs to.");
    }
  } else {
    c.id = "conn_" + random_.token(15);
    c.app_id = session.app_id;
    c.end_user_id = session.end_user_id;
    c.account_id = account_id;
    c.created_at = now;
  }
  c.organization_name = textField(summary, "organization_name");
  c.user_login = verified->subject;
  c.scopes = scopes;
  c.status = ConnectionStatus::Active;
  c.updated_at = now;
  c.access_expires_at = now + std::chrono::seconds(grant.expires_in > 0 ? grant.expires_in : 3600);
  c.refresh_token_used_at = now;
  auto access = vault_.seal(grant.access_token, accessTokenContext(c.id));
  auto refresh = vault_.seal(*grant.refresh_token, refreshTokenContext(c.id));
  if (!access) return access.error();
  if (!refresh) return refresh.error();
  c.sealed_access_token = *access;
  c.sealed_refresh_token = *refresh;
  auto stored = update ? connections_.replaceGrant(c) : connections_.insert(c);
  if (!stored) return stored.error();
  if (auto listed = cc::parseUserPrivileges(*privileges))
    (void)connections_.savePrivileges(c.id, *listed, now);
  (void)events_.append(update ? "connection.updated" : "connection.created", c.id,
                       connectionEventData(c, update ? "connected again" : ""));
  return c.id;
}

CallbackOutcome ConnectService::handleCallback(const Params& query) {
  CallbackOutcome out;
  const std::string state = query.getOr("state");
  auto session = sessions_.consumeState(state.empty() ? "" : crypto::sha256Hex(state));
  if (!session || !*session) {
    out.error =
        "This sign-in link is not valid any more (it was used already, or it is unknown). Start again from "
        "the app.";
    return out;
  }
  out.session = **session;
  ConnectSession& s = *out.session;
  const auto fail = [&](SessionStatus status, std::string error) {
    failSession(s, status, error);
    s.status = status;
    s.error = error;
    out.error = std::move(error);
    return out;
  };
  if (s.expires_at <= clock_.now())
    return fail(SessionStatus::Expired, "The connect session expired. Start again from the app.");
  // RFC 9207: when CC names the issuer, it must be the one the request went to (mix-up defence).
  if (query.has("iss") && query.getOr("iss") != s.issuer) {
    return fail(SessionStatus::Failed,
                "The answer came from another authorization server than the one asked.");
  }
  if (query.has("error")) {
    const std::string error = query.getOr("error");
    if (error == oauth::errors::kAccessDenied) return fail(SessionStatus::Denied, "Access was not granted.");
    return fail(SessionStatus::Failed, "Constant Contact could not authorize the app (" + error + ").");
  }
  const Secret code(query.getOr("code"));
  if (code.empty())
    return fail(SessionStatus::Failed, "Constant Contact's answer carried no authorization code.");
  auto verifier = vault_.open(s.sealed_verifier, verifierContext(s.id));
  if (!verifier) return fail(SessionStatus::Failed, "The connect session could not be read; start again.");
  auto grant = cc_.exchangeCode(code, *verifier, settings_.redirect_uri);
  if (!grant) {
    spdlog::warn("connect session {}: code exchange failed: {}", s.id, grant.error().key);
    return fail(SessionStatus::Failed,
                "Constant Contact did not accept the authorization (" + grant.error().key + ").");
  }
  auto connection = completeGrant(s, *grant);
  if (!connection) {
    spdlog::warn("connect session {}: {}", s.id, connection.error().key);
    return fail(SessionStatus::Failed, connection.error().message);
  }
  (void)sessions_.finish(s.id, SessionStatus::Connected, *connection, "");
  s.status = SessionStatus::Connected;
  s.connection_id = *connection;
  out.connection_id = *connection;
  return out;
}

int ConnectService::pollDeviceSessions(int limit) {
  auto due = sessions_.dueDevicePolls(clock_.now(), limit);
  if (!due) return 0;
  int polled = 0;
  for (const auto& s : *due) {
    if (s.expires_at <= clock_.now()) continue;  // expireSessions ends it
    auto device_code = vault_.open(s.sealed_device_code, deviceCodeContext(s.id));
    if (!device_code) {
      failSession(s, SessionStatus::Failed, "The connect session could not be read; start again.");
      continue;
    }
    ++polled;
    auto grant = cc_.pollDevice(*device_code);
    const TimePoint now = clock_.now();
    if (grant) {
      auto connection = completeGrant(s, *grant);
      if (!connection) {
        failSession(s, SessionStatus::Failed, connection.error().message);
      } else {
        (void)sessions_.finish(s.id, SessionStatus::Connected, *connection, "");
      }
      continue;
    }
    const std::string& key = grant.error().key;
    if (key == oauth::errors::kAuthorizationPending) {
      (void)sessions_.setNextPoll(s.id, now + std::chrono::seconds(s.interval_s), s.interval_s);
    } else if (key == oauth::errors::kSlowDown) {
      // RFC 8628 §3.5: add 5 seconds to this and every later poll.
      (void)sessions_.setNextPoll(s.id, now + std::chrono::seconds(s.interval_s + 5), s.interval_s + 5);
    } else if (key == oauth::errors::kAccessDenied) {
      failSession(s, SessionStatus::Denied, "The account's user denied access.");
    } else if (key == oauth::errors::kExpiredToken) {
      failSession(s, SessionStatus::Expired, "The code expired before it was approved.");
    } else if (UpstreamError::isTransient(grant.error())) {
      // Back off on a failing CC without giving up: the session's own expiry ends it.
      (void)sessions_.setNextPoll(s.id, now + std::chrono::seconds(s.interval_s * 2), s.interval_s);
    } else {
      failSession(s, SessionStatus::Failed,
                  "Constant Contact refused the device authorization (" + key + ").");
    }
  }
  return polled;
}

int ConnectService::expireSessions() {
  auto expired = sessions_.expirePending(clock_.now());
  if (!expired) return 0;
  for (const auto& s : *expired) {
    (void)events_.append("connect_session.failed", s.reconnect_connection_id, sessionFailedData(s));
  }
  return static_cast<int>(expired->size());
}

Status ConnectService::disconnect(const std::string& connection_id) {
  auto found = connections_.find(connection_id);
  if (!found) return found.error();
  if (!*found) return makeError(ErrorCode::NotFound, "not_found", "No connection has that id.");
  const Connection& c = **found;
  if (!c.sealed_refresh_token.empty() && !cc_.endpoints().revoke.empty()) {
    auto refresh = vault_.open(c.sealed_refresh_token, refreshTokenContext(c.id));
    if (refresh) {
      // RFC 7009: the local copy goes in every case; a failed revocation is logged.
      if (auto revoked = cc_.revoke(*refresh, c.id); !revoked) {
        spdlog::warn("connection {}: revocation at CC failed ({}); tokens erased locally", c.id,
                     revoked.error().key);
      }
    }
  }
  if (auto erased = connections_.eraseTokens(c.id, clock_.now()); !erased) return erased;
  Connection gone = c;
  gone.status = ConnectionStatus::Disconnected;
  (void)events_.append("connection.deleted", c.id, connectionEventData(gone));
  return okStatus();
}

}  // namespace liaison::hub
