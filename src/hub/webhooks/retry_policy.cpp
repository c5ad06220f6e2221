#include "hub/webhooks/retry_policy.h"

#include <algorithm>
#include <cstdint>

namespace liaison::hub::webhooks {

std::chrono::milliseconds backoffCeiling(int attempt) {
  // Past 2^20 times the base the cap has long been reached; stopping there keeps the shift in range.
  const int doublings = std::clamp(attempt - 1, 0, 20);
  const auto uncapped = kRetryBase * (int64_t{1} << doublings);
  return std::min(uncapped, kRetryCap);
}

std::chrono::milliseconds retryDelay(int attempt, RandomSource& random) {
  const auto ceiling = static_cast<uint32_t>(backoffCeiling(attempt).count());
  return std::chrono::milliseconds(random.uniform(ceiling + 1));
}

std::optional<TimePoint> nextAttempt(TimePoint first_attempt, TimePoint now, int attempts_so_far,
                                     RandomSource& random) {
  const TimePoint next = now + retryDelay(attempts_so_far, random);
  if (next > first_attempt + kRetryWindow) return std::nullopt;
  return next;
}

}  // namespace liaison::hub::webhooks
