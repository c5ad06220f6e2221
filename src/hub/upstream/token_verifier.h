#pragma once
// Checks a CC access token before the hub trusts it: RS256 signature by a key of CC's JWKS
// (cached; fetched again when a token names an unknown key, at most once a minute), and the
// `iss`, `aud` and `exp` claims. The issuer is the one the authorization went to, so a token
// from another authorization server is refused (mix-up defence).
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/jwt.h"
#include "hub/upstream/cc_client.h"

namespace liaison::hub {

struct VerifiedToken {
  std::string subject;              // the CC user
  std::string account_id;           // platform_user_id when CC sends it
  std::vector<std::string> scopes;  // scp
  TimePoint expires_at{};
};

class TokenVerifier {
 public:
  TokenVerifier(CcClient& client, const Clock& clock, std::string issuer, std::string audience);
  Result<VerifiedToken> verify(const Secret& access_token);

 private:
  Status refreshKeys();
  CcClient& client_;
  const Clock& clock_;
  std::string issuer_;
  std::string audience_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<crypto::RsaKey>> keys_;  // by kid
  TimePoint fetched_at_{};
};

}  // namespace liaison::hub
