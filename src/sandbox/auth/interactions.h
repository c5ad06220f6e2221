#pragma once
// Browser interactions in progress: an authorization request (or a device activation) waiting
// for the person to log in and decide. Kept in memory: a restart only asks them to start again.
// Each interaction is bound to the browser's session cookie, and every form carries a CSRF token.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/random.h"

namespace liaison::sandbox {

enum class InteractionKind { Authorize, Device };

struct Interaction {
  std::string id;
  InteractionKind kind = InteractionKind::Authorize;
  std::string session_hash;  // of the session cookie that started it
  std::string csrf;
  std::string client_id;
  std::vector<std::string> scopes;
  // Authorize only:
  std::string response_type;  // "code" or "token"
  std::string redirect_uri;
  std::string state;
  std::string code_challenge;
  std::string code_challenge_method;
  std::string nonce;
  // Device only:
  std::string device_hash;
  // Set once the person has logged in.
  std::string user_id;
  int64_t expires_at = 0;
};

class InteractionStore {
 public:
  InteractionStore(const Clock& clock, RandomSource& random, int lifetime_s = 900);
  // Fills id, csrf and expiry and stores it.
  Interaction create(Interaction interaction);
  std::optional<Interaction> find(const std::string& id) const;
  void update(const Interaction& interaction);
  void remove(const std::string& id);
  void clear();

 private:
  const Clock& clock_;
  RandomSource& random_;
  int lifetime_s_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Interaction> items_;
};

}  // namespace liaison::sandbox
