#pragma once
// Constant Contact's token endpoint and v3 API, faked for thousands of connections. It rotates
// refresh tokens strictly (each use invalidates the previous token, as CC's rotating tokens do)
// and keeps its own books: which refresh token is live, how often each connection called, every
// spent token that came back (a replay), every v3 call made with an expired access token, and
// how close together token calls came. Its state lives in shared memory, so forked "hub
// processes" talk to one authority.
//
// Tokens carry what the fake needs to judge them: refresh "rt-<i>-<generation>", access
// "at-<i>-<generation>-<expiry in Unix ms>". Connection i is the hub's "conn_<i>".
#include <pthread.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "http/client/http_client.h"
#include "hub/reliability/virtual_time.h"

namespace liaison::hub::reliability {

inline constexpr const char* kCcOrigin = "https://cc.test";

// What the token endpoint answers instead of doing its job. AnswerLost: CC does its job (the
// token rotates) and the answer never reaches the hub, which sees a timeout.
enum class Fault {
  None,
  ServiceUnavailable,
  TooManyRequests,
  Timeout,
  TemporarilyUnavailable,
  InvalidClient,
  AnswerLost
};

// Where a refresh request is when the hook runs: it reached CC and nothing is spent yet, or CC
// rotated the token and the answer has not been delivered.
enum class Phase { Received, Rotated };

struct AuthorityTotals {
  int64_t refresh_calls = 0;
  int64_t rotations = 0;
  int64_t grace_answers = 0;  // a just-spent token inside the grace window: the same successor again
  int64_t replays = 0;        // spent refresh tokens presented again (outside any grace window)
  int64_t invalid_grants = 0;
  int64_t faults = 0;
  int64_t v3_calls = 0;
  int64_t v3_expired = 0;               // v3 calls that carried an expired access token
  int64_t v3_refused = 0;               // other 401s (unknown token, revoked grant)
  int64_t v3_wrong_owner = 0;           // calls naming ?owner=N that carried another connection's token
  int64_t min_gap_ms = INT64_MAX;       // smallest time between two token calls
  int64_t max_calls_in_one_second = 0;  // most token calls in any sliding one-second window
};

class FakeCc final : public http::HttpClient {
 public:
  FakeCc(int connections, const Clock& clock, std::chrono::seconds access_lifetime = std::chrono::hours(24));
  ~FakeCc() override;
  FakeCc(const FakeCc&) = delete;
  FakeCc& operator=(const FakeCc&) = delete;

  int connections() const;
  // The refresh token CC currently accepts for connection i.
  std::string liveRefreshToken(int i) const;
  // An access token of the live generation expiring at `expires` (for seeding the store).
  std::string accessToken(int i, TimePoint expires) const;
  // Whether `token` is an access token of connection i's live generation, unexpired now.
  bool isCurrentAccessToken(int i, const std::string& token) const;
  int64_t generation(int i) const;
  int64_t calls(int i) const;
  int64_t replays(int i) const;
  bool familyRevoked(int i) const;
  AuthorityTotals totals() const;

  // The user revoked the app at CC: every later refresh is invalid_grant.
  void revokeGrant(int i);
  void setFault(Fault fault);
  // A spent token presented again within `grace` of its rotation gets the same successor.
  void setGrace(std::chrono::seconds grace);
  // RFC 9700 §4.14.2 reuse detection: a replayed token revokes the whole family.
  void setRevokeFamilyOnReplay(bool revoke);
  // Runs around each refresh outside the authority's lock (in this process only): it may
  // throw to simulate a crash there, or move the clock and let another holder act (a pause).
  void setHook(std::function<void(int connection, Phase phase)> hook);

  Result<http::ClientResponse> send(const http::ClientRequest& request) override;

 private:
  struct State;
  struct Grant;
  class Lock;
  Grant& grant(int i) const;
  Result<http::ClientResponse> tokenCall(const http::ClientRequest& request);
  http::ClientResponse v3Call(const http::ClientRequest& request);
  void recordCall(int64_t now_ms);

  const Clock& clock_;
  std::chrono::seconds access_lifetime_;
  std::unique_ptr<SharedBlock<State>> state_;
  std::function<void(int, Phase)> hook_;
};

}  // namespace liaison::hub::reliability
