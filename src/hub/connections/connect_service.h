#pragma once
// Connecting a CC account: connect sessions for the redirect flow (PKCE S256, single-use state
// bound to the session) and the device flow (the hub polls CC obeying interval and slow_down),
// and what both end in: the token verified, the account's identity and the user's privileges
// read (so bad credentials fail now, not later), and the connection stored or, for the same
// account and end user, updated in place.
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "hub/store/connection_repository.h"
#include "hub/store/event_log.h"
#include "hub/store/session_repository.h"
#include "hub/upstream/cc_client.h"
#include "hub/upstream/token_verifier.h"
#include "hub/vault/vault.h"

namespace liaison::hub {

struct SessionRequest {
  std::string end_user_id;
  SessionFlow flow = SessionFlow::Redirect;
  std::vector<std::string> scopes;  // empty: the configured defaults
  std::string return_url;
  std::string reconnect_connection_id;
};

struct CallbackOutcome {
  std::optional<ConnectSession> session;  // absent when the state matched nothing
  std::string connection_id;
  std::string error;  // plain words, for the page; empty on success
};

struct ConnectSettings {
  std::vector<std::string> default_scopes;
  std::string redirect_uri;
  std::chrono::seconds redirect_session_lifetime{600};
};

class ConnectService {
 public:
  ConnectService(ConnectionRepository& connections, SessionRepository& sessions, EventLog& events,
                 Vault& vault, CcClient& cc, TokenVerifier& verifier, const Clock& clock,
                 RandomSource& random, ConnectSettings settings);

  Result<ConnectSession> startSession(const SessionRequest& request);
  // The CC authorize URL for a pending redirect session: a fresh state and PKCE verifier each
  // time the connect page sends the browser on (the previous state stops working).
  Result<std::string> authorizeUrl(const std::string& session_id);
  // The redirect back from CC, with its query parameters.
  CallbackOutcome handleCallback(const Params& query);
  // Polls CC for device sessions that are due; returns how many were polled.
  int pollDeviceSessions(int limit);
  // Marks sessions past expiry as expired (with an event each).
  int expireSessions();
  // Revokes at CC (best effort, logged), erases the tokens, marks the connection disconnected.
  Status disconnect(const std::string& connection_id);

 private:
  Result<std::string> completeGrant(const ConnectSession& session, const TokenGrant& grant);
  void failSession(const ConnectSession& session, SessionStatus status, const std::string& error);

  ConnectionRepository& connections_;
  SessionRepository& sessions_;
  EventLog& events_;
  Vault& vault_;
  CcClient& cc_;
  TokenVerifier& verifier_;
  const Clock& clock_;
  RandomSource& random_;
  ConnectSettings settings_;
};

// The vault contexts of a connection's and a session's sealed fields: a ciphertext moved to
// another row or field does not open.
std::string accessTokenContext(const std::string& connection_id);
std::string refreshTokenContext(const std::string& connection_id);

}  // namespace liaison::hub
