#pragma once
// When a failed webhook delivery is tried again: exponential backoff with full jitter, for at most
// a day. Full jitter (a uniform draw between zero and the ceiling) spreads the retries of many
// deliveries that failed together, so a receiver coming back up is not hit by all of them at once.
#include <chrono>
#include <optional>

#include "core/clock.h"
#include "core/random.h"

namespace liaison::hub::webhooks {

inline constexpr std::chrono::milliseconds kRetryBase = std::chrono::seconds(10);
inline constexpr std::chrono::milliseconds kRetryCap = std::chrono::hours(1);
// Counted from the first attempt: a delivery still failing after this long is given up.
inline constexpr std::chrono::milliseconds kRetryWindow = std::chrono::hours(24);

// The longest wait after the n-th failed attempt (1-based): min(kRetryBase * 2^(n-1), kRetryCap).
std::chrono::milliseconds backoffCeiling(int attempt);

// The wait after the n-th failed attempt: uniform in [0, backoffCeiling(n)], in whole milliseconds.
std::chrono::milliseconds retryDelay(int attempt, RandomSource& random);

// When to try again after `attempts_so_far` failed attempts, the first made at `first_attempt`;
// nullopt once now + the drawn delay is past first_attempt + kRetryWindow (the delivery has failed).
std::optional<TimePoint> nextAttempt(TimePoint first_attempt, TimePoint now, int attempts_so_far,
                                     RandomSource& random);

}  // namespace liaison::hub::webhooks
