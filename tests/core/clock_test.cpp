// ManualClock / OffsetClock movement and the ISO-8601 formatting and parsing helpers.
// Every clock here is driven by hand; nothing reads the system clock.
#include "core/clock.h"

#include <gtest/gtest.h>

namespace liaison::testing {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;

TimePoint at(int64_t unix_seconds) { return fromUnixSeconds(unix_seconds); }

TEST(ManualClockTest, StartsAtTheGivenTimeAndStaysThere) {
  ManualClock clock(at(1'000'000));
  EXPECT_EQ(clock.now(), at(1'000'000));
  EXPECT_EQ(clock.now(), at(1'000'000));
}

TEST(ManualClockTest, AdvanceMovesForwardByTheExactAmount) {
  ManualClock clock(at(1'000'000));
  clock.advance(Seconds(90));
  EXPECT_EQ(toUnixSeconds(clock.now()), 1'000'090);
  clock.advance(microseconds(1500));
  EXPECT_EQ(clock.now(), at(1'000'090) + microseconds(1500));
}

TEST(ManualClockTest, SetJumpsToAnAbsoluteTimeEvenBackwards) {
  ManualClock clock(at(1'000'000));
  clock.set(at(2'000'000));
  EXPECT_EQ(clock.now(), at(2'000'000));
  clock.set(at(500));
  EXPECT_EQ(clock.now(), at(500));
}

TEST(OffsetClockTest, WithoutOffsetFollowsItsBase) {
  ManualClock base(at(1'000'000));
  OffsetClock clock(base);
  EXPECT_EQ(clock.offset(), microseconds(0));
  EXPECT_EQ(clock.now(), at(1'000'000));
  base.advance(Seconds(5));
  EXPECT_EQ(clock.now(), at(1'000'005));
}

TEST(OffsetClockTest, AdvanceAccumulatesAnOffsetWhileBaseKeepsFlowing) {
  ManualClock base(at(1'000'000));
  OffsetClock clock(base);
  clock.advance(hours(24 * 180));
  clock.advance(Seconds(1));
  const auto expected_offset = hours(24 * 180) + Seconds(1);
  EXPECT_EQ(clock.offset(), expected_offset);
  EXPECT_EQ(clock.now(), at(1'000'000) + expected_offset);
  base.advance(Seconds(10));
  EXPECT_EQ(clock.now(), at(1'000'010) + expected_offset);
}

TEST(OffsetClockTest, SetPinsNowToTheTargetAndTimeKeepsFlowingFromThere) {
  ManualClock base(at(1'000'000));
  OffsetClock clock(base);
  clock.set(at(1'457'020'384));
  EXPECT_EQ(clock.now(), at(1'457'020'384));
  EXPECT_EQ(clock.offset(), Seconds(1'456'020'384));
  base.advance(Seconds(3));
  EXPECT_EQ(clock.now(), at(1'457'020'387));
}

TEST(OffsetClockTest, SetToThePastGivesANegativeOffset) {
  ManualClock base(at(1'000'000));
  OffsetClock clock(base);
  clock.set(at(999'000));
  EXPECT_EQ(clock.offset(), Seconds(-1000));
  EXPECT_EQ(clock.now(), at(999'000));
}

TEST(OffsetClockTest, SetOffsetReplacesRatherThanAdds) {
  ManualClock base(at(1'000'000));
  OffsetClock clock(base);
  clock.advance(Seconds(100));
  clock.setOffset(Seconds(7));
  EXPECT_EQ(clock.offset(), Seconds(7));
  EXPECT_EQ(clock.now(), at(1'000'007));
}

TEST(UnixSecondsTest, RoundTripsAndTruncatesSubSeconds) {
  EXPECT_EQ(toUnixSeconds(fromUnixSeconds(1'769'176'124)), 1'769'176'124);
  EXPECT_EQ(toUnixSeconds(fromUnixSeconds(0)), 0);
  EXPECT_EQ(toUnixSeconds(at(42) + milliseconds(999)), 42);
}

TEST(FormatIso8601Test, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(formatIso8601(at(1'769'176'124) + milliseconds(108)), "2026-01-23T13:48:44.108Z");
  EXPECT_EQ(formatIso8601(at(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatIso8601(at(951'868'799)), "2000-02-29T23:59:59.000Z");
}

TEST(FormatIso8601Test, TruncatesMicrosecondsToMilliseconds) {
  EXPECT_EQ(formatIso8601(at(1'457'020'384) + microseconds(999'999)), "2016-03-03T15:53:04.999Z");
}

TEST(FormatIso8601Test, HandlesTimesBeforeTheEpoch) {
  EXPECT_EQ(formatIso8601(at(-1)), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(formatIso8601(at(0) - milliseconds(1)), "1969-12-31T23:59:59.999Z");
}

TEST(ParseIso8601Test, ParsesZuluWithoutFraction) {
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2016-03-03T15:53:04Z", t));
  EXPECT_EQ(t, at(1'457'020'384));
}

TEST(ParseIso8601Test, ParsesLowerCaseZ) {
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2016-03-03T15:53:04z", t));
  EXPECT_EQ(t, at(1'457'020'384));
}

TEST(ParseIso8601Test, ParsesFractionalSecondsOfAnyPrecision) {
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2026-01-23T13:48:44.108Z", t));
  EXPECT_EQ(t, at(1'769'176'124) + milliseconds(108));
  ASSERT_TRUE(parseIso8601("2026-01-23T13:48:44.5Z", t));
  EXPECT_EQ(t, at(1'769'176'124) + milliseconds(500));
  ASSERT_TRUE(parseIso8601("2026-01-23T13:48:44.123456Z", t));
  EXPECT_EQ(t, at(1'769'176'124) + microseconds(123'456));
  // Digits past microseconds are ignored, not rounded.
  ASSERT_TRUE(parseIso8601("2026-01-23T13:48:44.1234569Z", t));
  EXPECT_EQ(t, at(1'769'176'124) + microseconds(123'456));
}

TEST(ParseIso8601Test, AppliesNegativeOffset) {
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2016-03-03T10:53:04-05:00", t));
  EXPECT_EQ(t, at(1'457'020'384));
}

TEST(ParseIso8601Test, AppliesPositiveOffsetWithMinutesAcrossADayBoundary) {
  TimePoint t;
  // 2025-01-01T01:00+05:30 is 2024-12-31T19:30Z.
  ASSERT_TRUE(parseIso8601("2025-01-01T01:00:00+05:30", t));
  EXPECT_EQ(t, at(1'735'673'400));
  ASSERT_TRUE(parseIso8601("2024-12-31T19:30:00+00:00", t));
  EXPECT_EQ(t, at(1'735'673'400));
}

TEST(ParseIso8601Test, CountsDaysAcrossLeapYearsAndALeapSecond) {
  TimePoint t;
  ASSERT_TRUE(parseIso8601("2000-02-29T23:59:59Z", t));
  EXPECT_EQ(t, at(951'868'799));
  ASSERT_TRUE(parseIso8601("1969-12-31T23:59:59Z", t));
  EXPECT_EQ(t, at(-1));
  ASSERT_TRUE(parseIso8601("2016-12-31T23:59:60Z", t));  // as the next second
  EXPECT_EQ(t, at(1'483'228'800));
  ASSERT_TRUE(parseIso8601("1678-01-01T00:00:00Z", t));
  EXPECT_EQ(formatIso8601(t), "1678-01-01T00:00:00.000Z");
}

TEST(ParseIso8601Test, FormatThenParseRoundTrips) {
  const TimePoint original = at(1'769'176'124) + milliseconds(7);
  TimePoint parsed;
  ASSERT_TRUE(parseIso8601(formatIso8601(original), parsed));
  EXPECT_EQ(parsed, original);
}

TEST(ParseIso8601Test, RejectsMalformedInputAndLeavesOutputUntouched) {
  const TimePoint sentinel = at(123);
  for (const char* bad : {
           "",
           "2016-03-03",                  // no time
           "2016-03-03T15:53:04",         // no zone
           "2016-03-03 15:53:04Z",        // space instead of T
           "2016-3-3T15:53:04Z",          // short fields
           "2016-13-03T15:53:04Z",        // month 13
           "2016-00-03T15:53:04Z",        // month 0
           "2016-03-32T15:53:04Z",        // day 32
           "2016-03-03T24:00:00Z",        // hour 24
           "2016-03-03T15:60:04Z",        // minute 60
           "3020-01-01T00:00:00Z",        // past 2261: beyond the clock's nanosecond range
           "1500-01-01T00:00:00Z",        // before 1678, likewise
           "2016-03-03T15:53:04.Z",       // dot without digits
           "2016-03-03T15:53:04+0500",    // offset without colon
           "2016-03-03T15:53:04+05",      // truncated offset
           "2016-03-03T15:53:04Zjunk",    // trailing text
           "2016-03-03T15:53:04-05:00x",  // trailing text after offset
           " 2016-03-03T15:53:04Z",       // a leading space
           "2016-+3-03T15:53:04Z",        // a sign inside a field
           "2016-03-03T15:53:04+05:-1",   // a sign inside the offset
           "2016-02-30T15:53:04Z",        // no such day
           "2015-02-29T15:53:04Z",        // not a leap year
       }) {
    TimePoint t = sentinel;
    EXPECT_FALSE(parseIso8601(bad, t)) << bad;
    EXPECT_EQ(t, sentinel) << bad;
  }
}

TEST(ParseIso8601Test, TellsAYearOutOfRangeFromMalformedText) {
  TimePoint t = at(123);
  EXPECT_EQ(readIso8601("3020-01-01T00:00:00Z", t), Iso8601::OutOfRange);
  EXPECT_EQ(readIso8601("1500-06-30T12:00:00.5+02:00", t), Iso8601::OutOfRange);
  EXPECT_EQ(readIso8601("3020-13-01T00:00:00Z", t), Iso8601::Malformed);  // malformed whatever the year
  EXPECT_EQ(readIso8601("3020-01-01T00:00:00", t), Iso8601::Malformed);
  EXPECT_EQ(t, at(123));
  EXPECT_EQ(readIso8601("2261-12-31T23:59:59Z", t), Iso8601::Ok);
  EXPECT_EQ(formatIso8601(t), "2261-12-31T23:59:59.000Z");
}

}  // namespace
}  // namespace liaison::testing
