#pragma once
// A whole-service outage on the virtual clock (POST /__sandbox/outage): until it ends, every
// call but the control API's fails, with 503 or a connection reset. Kept in memory like the
// fault rules; a reset ends it.
#include <nlohmann/json.hpp>

#include <atomic>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"

namespace liaison::sandbox {

class Outage {
 public:
  explicit Outage(const Clock& clock) : clock_(clock) {}
  // body: {"seconds": 1-2592000, "mode": "503" | "reset"}; answers the outage's state.
  Result<nlohmann::json> start(const nlohmann::json& body);
  void end();
  nlohmann::json state() const;
  // The answer for a call while the outage lasts, or nullopt when there is none. Cheap when no
  // outage was ever started: every request asks.
  std::optional<http::Response> answer(const http::Request& request) const;

 private:
  const Clock& clock_;
  std::atomic<int64_t> until_us_{0};  // 0: none
  std::atomic<bool> reset_{false};
};

}  // namespace liaison::sandbox
