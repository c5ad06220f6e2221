// The per-second window the governor paces each door with, driven by explicit times.
#include "hub/budget/rate_window.h"

#include <gtest/gtest.h>

namespace liaison::hub {
namespace {

using std::chrono::milliseconds;

const TimePoint kStart = fromUnixSeconds(1767268800);  // 2026-01-01T12:00:00Z

TEST(RateWindow, LetsLimitCallsIntoAnySecondAndSaysWhenTheNextMayGo) {
  RateWindow window(4);
  for (int i = 0; i < 4; ++i) {
    const TimePoint at = kStart + milliseconds(100 * i);
    ASSERT_EQ(window.waitAt(at), milliseconds(0));
    window.take(at);
  }
  // The first call leaves the window one second after it went.
  EXPECT_EQ(window.waitAt(kStart + milliseconds(400)), milliseconds(600));
  EXPECT_EQ(window.waitAt(kStart + milliseconds(999)), milliseconds(1));
  EXPECT_EQ(window.waitAt(kStart + milliseconds(1000)), milliseconds(0));
}

TEST(RateWindow, AMarginWidensTheSecond) {
  RateWindow window(1, milliseconds(1025));
  window.take(kStart);
  EXPECT_EQ(window.waitAt(kStart + milliseconds(1000)), milliseconds(25));
  EXPECT_EQ(window.waitAt(kStart + milliseconds(1025)), milliseconds(0));
  RateWindow ahead(1, milliseconds(1025));
  ahead.take(kStart);
  EXPECT_EQ(ahead.slotAt(kStart, 1), kStart + milliseconds(2050));
}

TEST(RateWindow, SlotsForCallsAheadFollowTheWindow) {
  RateWindow window(2);
  window.take(kStart);
  window.take(kStart + milliseconds(500));
  const TimePoint now = kStart + milliseconds(600);
  EXPECT_EQ(window.slotAt(now, 0), kStart + milliseconds(1000));
  EXPECT_EQ(window.slotAt(now, 1), kStart + milliseconds(1500));
  EXPECT_EQ(window.slotAt(now, 2), kStart + milliseconds(2000));
  EXPECT_EQ(window.slotAt(now, 5), kStart + milliseconds(3500));
  // With room now, the first calls go at once.
  RateWindow empty(4);
  EXPECT_EQ(empty.slotAt(now, 3), now);
  EXPECT_EQ(empty.slotAt(now, 4), now + milliseconds(1000));
}

TEST(RateWindow, WaitsRoundUpSoASleeperFindsTheRoom) {
  RateWindow window(1);
  window.take(kStart + std::chrono::microseconds(300));
  const TimePoint now = kStart + milliseconds(10);
  const auto wait = window.waitAt(now);
  EXPECT_EQ(wait, milliseconds(991));
  EXPECT_EQ(window.waitAt(now + wait), milliseconds(0));
}

}  // namespace
}  // namespace liaison::hub
