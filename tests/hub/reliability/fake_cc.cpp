#include "hub/reliability/fake_cc.h"

#include <algorithm>
#include <charconv>
#include <new>
#include <vector>

#include "core/encoding.h"
#include "hub/store/hub_database.h"

namespace liaison::hub::reliability {

namespace {

constexpr int kRecent = 64;  // token calls remembered for the sliding one-second window

std::vector<int64_t> numbersAfter(std::string_view token, std::string_view prefix) {
  std::vector<int64_t> out;
  if (!token.starts_with(prefix)) return out;
  token.remove_prefix(prefix.size());
  while (!token.empty()) {
    int64_t value = 0;
    auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (error != std::errc()) return {};
    out.push_back(value);
    token.remove_prefix(static_cast<size_t>(end - token.data()));
    if (!token.empty()) {
      if (token.front() != '-') return {};
      token.remove_prefix(1);
    }
  }
  return out;
}

http::ClientResponse json(int status, std::string body) {
  return http::ClientResponse{status, {}, std::move(body)};
}

http::ClientResponse oauthError(int status, const std::string& error) {
  return json(status, R"({"error":")" + error + R"(","error_description":"refused by the fake"})");
}

}  // namespace

struct FakeCc::Grant {
  int64_t generation = 0;
  int64_t rotated_at_ms = 0;
  int64_t access_expires_ms = 0;  // of the access token issued with the live refresh token
  int64_t calls = 0;
  int64_t replays = 0;
  bool revoked = false;
};

struct FakeCc::State {
  explicit State(int n) : connections(n) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    std::fill(std::begin(recent), std::end(recent), INT64_MIN);
    for (int i = 0; i < n; ++i) new (&grants()[i]) Grant();
  }
  ~State() { pthread_mutex_destroy(&mutex); }
  // The grants follow the state in the same mapping (State's alignment suits Grant's).
  Grant* grants() { return reinterpret_cast<Grant*>(this + 1); }

  pthread_mutex_t mutex;
  int connections;
  Fault fault = Fault::None;
  int64_t grace_ms = 0;
  bool revoke_family_on_replay = true;
  AuthorityTotals totals;
  int64_t last_call_ms = INT64_MIN;
  int64_t recent[kRecent];
  int recent_next = 0;
};

class FakeCc::Lock {
 public:
  explicit Lock(State& state) : state_(state) { pthread_mutex_lock(&state_.mutex); }
  ~Lock() { pthread_mutex_unlock(&state_.mutex); }

 private:
  State& state_;
};

FakeCc::FakeCc(int connections, const Clock& clock, std::chrono::seconds access_lifetime)
    : clock_(clock),
      access_lifetime_(access_lifetime),
      state_(std::make_unique<SharedBlock<State>>(
          sizeof(State) + sizeof(Grant) * static_cast<size_t>(connections), connections)) {}

FakeCc::~FakeCc() = default;

FakeCc::Grant& FakeCc::grant(int i) const { return state_->get()->grants()[i]; }

int FakeCc::connections() const { return state_->get()->connections; }

std::string FakeCc::liveRefreshToken(int i) const {
  Lock lock(*state_->get());
  return "rt-" + std::to_string(i) + "-" + std::to_string(grant(i).generation);
}

std::string FakeCc::accessToken(int i, TimePoint expires) const {
  Lock lock(*state_->get());
  grant(i).access_expires_ms = toMillis(expires);
  return "at-" + std::to_string(i) + "-" + std::to_string(grant(i).generation) + "-" +
         std::to_string(toMillis(expires));
}

bool FakeCc::isCurrentAccessToken(int i, const std::string& token) const {
  const auto parts = numbersAfter(token, "at-");
  Lock lock(*state_->get());
  return parts.size() == 3 && parts[0] == i && parts[1] == grant(i).generation &&
         parts[2] > toMillis(clock_.now()) && !grant(i).revoked;
}

int64_t FakeCc::generation(int i) const {
  Lock lock(*state_->get());
  return grant(i).generation;
}
int64_t FakeCc::calls(int i) const {
  Lock lock(*state_->get());
  return grant(i).calls;
}
int64_t FakeCc::replays(int i) const {
  Lock lock(*state_->get());
  return grant(i).replays;
}
bool FakeCc::familyRevoked(int i) const {
  Lock lock(*state_->get());
  return grant(i).revoked;
}
AuthorityTotals FakeCc::totals() const {
  Lock lock(*state_->get());
  return state_->get()->totals;
}

void FakeCc::revokeGrant(int i) {
  Lock lock(*state_->get());
  grant(i).revoked = true;
}
void FakeCc::setFault(Fault fault) {
  Lock lock(*state_->get());
  state_->get()->fault = fault;
}
void FakeCc::setGrace(std::chrono::seconds grace) {
  Lock lock(*state_->get());
  state_->get()->grace_ms = grace.count() * 1000;
}
void FakeCc::setRevokeFamilyOnReplay(bool revoke) {
  Lock lock(*state_->get());
  state_->get()->revoke_family_on_replay = revoke;
}
void FakeCc::setHook(std::function<void(int, Phase)> hook) { hook_ = std::move(hook); }

void FakeCc::recordCall(int64_t now_ms) {
  State& s = *state_->get();
  ++s.totals.refresh_calls;
  if (s.last_call_ms != INT64_MIN)
    s.totals.min_gap_ms = std::min(s.totals.min_gap_ms, now_ms - s.last_call_ms);
  s.last_call_ms = std::max(s.last_call_ms, now_ms);
  s.recent[s.recent_next] = now_ms;
  s.recent_next = (s.recent_next + 1) % kRecent;
  int64_t in_window = 0;
  for (int64_t t : s.recent) {
    if (t != INT64_MIN && t > now_ms - 1000 && t <= now_ms) ++in_window;
  }
  s.totals.max_calls_in_one_second = std::max(s.totals.max_calls_in_one_second, in_window);
}

Result<http::ClientResponse> FakeCc::send(const http::ClientRequest& request) {
  if (request.url.find("/v3/") != std::string::npos) return v3Call(request);
  if (request.url.ends_with("/token")) return tokenCall(request);
  return json(404, "{}");
}

Result<http::ClientResponse> FakeCc::tokenCall(const http::ClientRequest& request) {
  auto form = Params::parse(request.body);
  if (!form || form->getOr("grant_type") != "refresh_token") return oauthError(400, "unsupported_grant_type");
  const auto parts = numbersAfter(form->getOr("refresh_token"), "rt-");
  if (parts.size() != 2 || parts[0] < 0 || parts[0] >= connections()) return oauthError(400, "invalid_grant");
  const int i = static_cast<int>(parts[0]);
  const int64_t presented = parts[1];
  if (hook_) hook_(i, Phase::Received);

  std::string access;
  std::string refresh;
  bool rotated = false;
  bool answer_lost = false;
  {
    State& s = *state_->get();
    Lock lock(s);
    const int64_t now_ms = toMillis(clock_.now());
    recordCall(now_ms);
    Grant& g = grant(i);
    ++g.calls;
    switch (s.fault) {
      case Fault::None:
        break;
      case Fault::AnswerLost:
        answer_lost = true;
        break;
      case Fault::ServiceUnavailable:
        ++s.totals.faults;
        return json(503, "{}");
      case Fault::TooManyRequests:
        ++s.totals.faults;
        return json(429, "{}");
      case Fault::Timeout:
        ++s.totals.faults;
        return makeError(ErrorCode::Unavailable, "timeout", "the request timed out");
      case Fault::TemporarilyUnavailable:
        ++s.totals.faults;
        return oauthError(400, "temporarily_unavailable");
      case Fault::InvalidClient:
        ++s.totals.faults;
        return oauthError(401, "invalid_client");
    }
    if (g.revoked) {
      ++s.totals.invalid_grants;
      return oauthError(400, "invalid_grant");
    }
    if (presented == g.generation) {
      ++g.generation;
      g.rotated_at_ms = now_ms;
      g.access_expires_ms = now_ms + access_lifetime_.count() * 1000;
      ++s.totals.rotations;
      rotated = true;
    } else if (presented == g.generation - 1 && now_ms - g.rotated_at_ms <= s.grace_ms) {
      ++s.totals.grace_answers;  // the identical successor, as issued at the rotation
    } else {
      ++g.replays;
      ++s.totals.replays;
      ++s.totals.invalid_grants;
      if (s.revoke_family_on_replay) g.revoked = true;
      return oauthError(400, "invalid_grant");
    }
    access = "at-" + std::to_string(i) + "-" + std::to_string(g.generation) + "-" +
             std::to_string(g.access_expires_ms);
    refresh = "rt-" + std::to_string(i) + "-" + std::to_string(g.generation);
  }
  if (rotated && hook_) hook_(i, Phase::Rotated);
  if (answer_lost) return makeError(ErrorCode::Unavailable, "timeout", "the answer never arrived");
  return json(200, R"({"access_token":")" + access + R"(","token_type":"Bearer","expires_in":)" +
                       std::to_string(access_lifetime_.count()) + R"(,"refresh_token":")" + refresh +
                       R"(","scope":"account_read contact_data offline_access"})");
}

http::ClientResponse FakeCc::v3Call(const http::ClientRequest& request) {
  const std::string authorization = request.headers.get("Authorization").value_or("");
  const auto parts = numbersAfter(authorization.starts_with("Bearer ") ? authorization.substr(7) : "", "at-");
  State& s = *state_->get();
  Lock lock(s);
  ++s.totals.v3_calls;
  if (parts.size() != 3 || parts[0] < 0 || parts[0] >= s.connections ||
      grant(static_cast<int>(parts[0])).revoked) {
    ++s.totals.v3_refused;
    return json(401, R"({"error_key":"unauthorized"})");
  }
  if (parts[2] <= toMillis(clock_.now())) {
    ++s.totals.v3_expired;
    return json(401, R"({"error_key":"unauthorized","error_message":"expired token"})");
  }
  // A caller may name the connection it acts for: the token must be that connection's.
  if (const auto at = request.url.find("owner="); at != std::string::npos) {
    int64_t owner = -1;
    const char* begin = request.url.data() + at + 6;
    std::from_chars(begin, request.url.data() + request.url.size(), owner);
    if (owner != parts[0]) {
      ++s.totals.v3_wrong_owner;
      return json(403, R"({"error_key":"forbidden","error_message":"another account's token"})");
    }
  }
  return json(200, R"({"owner":)" + std::to_string(parts[0]) + "}");
}

}  // namespace liaison::hub::reliability
