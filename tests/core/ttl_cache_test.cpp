#include "core/ttl_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace liaison {
namespace {

using std::chrono::milliseconds;

class TtlCacheTest : public ::testing::Test {
 protected:
  ManualClock clock{fromUnixSeconds(1'800'000'000)};
};

TEST_F(TtlCacheTest, AnEntryServesForItsTimeAndNoLonger) {
  TtlCache<std::string, int> cache(clock, milliseconds(1000));
  EXPECT_FALSE(cache.get("a", 0));
  cache.put("a", 1, 0);
  clock.advance(milliseconds(999));
  EXPECT_EQ(cache.get("a", 0), 1);
  clock.advance(milliseconds(1));
  EXPECT_FALSE(cache.get("a", 0));
}

TEST_F(TtlCacheTest, AnEntryReadBeforeTheOwnersLastWriteIsNotServed) {
  TtlCache<std::string, int> cache(clock, milliseconds(1000));
  cache.put("a", 1, 7);
  EXPECT_FALSE(cache.get("a", 8));
  EXPECT_FALSE(cache.get("a", 7)) << "a stale entry is dropped, not kept for an older version";
  cache.put("a", 2, 8);
  EXPECT_EQ(cache.get("a", 8), 2);
  cache.erase("a");
  EXPECT_FALSE(cache.get("a", 8));
}

TEST_F(TtlCacheTest, ATtlOfZeroKeepsNothing) {
  TtlCache<std::string, int> cache(clock, milliseconds(0));
  cache.put("a", 1, 0);
  EXPECT_FALSE(cache.get("a", 0));
}

TEST_F(TtlCacheTest, WhenFullExpiredEntriesGoFirstThenAll) {
  TtlCache<int, int> cache(clock, milliseconds(1000), 3);
  cache.put(1, 1, 0);
  clock.advance(milliseconds(600));
  cache.put(2, 2, 0);
  cache.put(3, 3, 0);
  clock.advance(milliseconds(500));  // 1 has expired
  cache.put(4, 4, 0);
  EXPECT_EQ(cache.get(2, 0), 2);
  EXPECT_EQ(cache.get(3, 0), 3);
  EXPECT_EQ(cache.get(4, 0), 4);
  cache.put(5, 5, 0);  // full, none expired: starts again
  EXPECT_FALSE(cache.get(2, 0));
  EXPECT_EQ(cache.get(5, 0), 5);
}

}  // namespace
}  // namespace liaison
