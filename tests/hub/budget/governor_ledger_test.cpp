// The governor with a scripted ledger: it waits as long as the ledger says, turns the ledger's
// day refusals into its own, reads the day from it, and when the ledger cannot be reached lets
// no call through and throws nothing.
#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "hub/budget/local_governor.h"

namespace liaison::hub {
namespace {

using Kind = LedgerOutcome::Kind;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kNoon = fromUnixSeconds(1767268800);      // 2026-01-01T12:00:00Z
const TimePoint kMidnight = fromUnixSeconds(1767312000);  // 2026-01-02T00:00:00Z

cc::Limits limits() {
  cc::Limits out;
  out.requests_per_second_per_key = 4;
  out.requests_per_day_per_key = 10000;
  out.token_requests_per_second_per_client = 1;
  return out;
}

CallTicket api(CallClass call_class = CallClass::Interactive) {
  return {"app-1", Door::Api, call_class, "conn_1"};
}

// Answers takes from a script (Taken once it runs out), or fails every call while `down`.
class ScriptedLedger final : public RateLedger {
 public:
  Result<LedgerOutcome> take(const CallTicket& call, TimePoint now, const LedgerLimits& limits,
                             const LeaseRequest&, const LedgerReturn&) override {
    ++takes;
    last_limits = limits;
    if (down) return unreachable();
    LedgerOutcome out;
    if (!script.empty()) {
      out = script.front();
      script.pop_front();
    }
    if (out.kind == Kind::Taken) {
      ++(call.door == Door::Api ? counts.api_today : counts.token_today);
      taken_at.push_back(now);
    }
    out.today = counts;
    return out;
  }
  Status settle(const std::string&, TimePoint, const LedgerReturn&) override {
    if (down) return unreachable();
    return okStatus();
  }
  Status recordRefusal(const std::string&, TimePoint) override {
    if (down) return unreachable();
    ++counts.refused_today;
    return okStatus();
  }
  Result<LedgerUsage> usage(const std::string&, TimePoint) override {
    if (down) return unreachable();
    return LedgerUsage{counts, top};
  }

  static Error unreachable() {
    return internalError("storage", "The shared rate budget could not be reached.", "connection refused");
  }

  bool down = false;
  std::deque<LedgerOutcome> script;
  LedgerCounts counts;
  std::vector<ConnectionUse> top;
  int takes = 0;
  LedgerLimits last_limits;
  std::vector<TimePoint> taken_at;
};

LedgerOutcome wait(milliseconds ms) {
  LedgerOutcome out;
  out.kind = Kind::Wait;
  out.wait = ms;
  return out;
}

class GovernorLedgerTest : public ::testing::Test {
 protected:
  GovernorLedgerTest()
      : governor(
            clock, limits(),
            [this](milliseconds w) {
              sleeps.push_back(w);
              clock.advance(w);
            },
            GovernorSettings{}, &ledger) {}

  ManualClock clock{kNoon};
  std::vector<milliseconds> sleeps;
  ScriptedLedger ledger;
  LocalGovernor governor;
};

TEST_F(GovernorLedgerTest, AStoreThatCannotBeReachedLetsNoCallThroughAndThrowsNothing) {
  ledger.down = true;
  const auto admitted = governor.admit(api(CallClass::Background));
  EXPECT_FALSE(admitted.admitted);
  EXPECT_STREQ(admitted.reason, "store");
  EXPECT_EQ(admitted.retry_after, seconds(1));
  const auto acquired = governor.acquire(api(), seconds(10));
  EXPECT_FALSE(acquired.admitted);
  EXPECT_STREQ(acquired.reason, "store");
  EXPECT_TRUE(sleeps.empty()) << "no waiting for a store that is down";
  EXPECT_STREQ(governor.acquire({"app-1", Door::Token, CallClass::Background, ""}, seconds(10)).reason,
               "store");
  EXPECT_TRUE(ledger.taken_at.empty());
  EXPECT_EQ(ledger.takes, 3) << "every call asked the store; none went unasked";
  EXPECT_NO_THROW(governor.usage("app-1"));
  const auto s = governor.snapshot("app-1");
  EXPECT_EQ(s.used_today, 0);
  EXPECT_EQ(s.refused_today, 0) << "a refusal the store cannot count";

  ledger.down = false;
  EXPECT_TRUE(governor.admit(api()).admitted);
  EXPECT_EQ(governor.usage("app-1").api_calls_today, 1);
}

TEST_F(GovernorLedgerTest, ACallSleepsAsLongAsTheLedgerSaysThenGoes) {
  ledger.script = {wait(milliseconds(300)), wait(milliseconds(50))};
  const auto a = governor.acquire(api(), seconds(10));
  ASSERT_TRUE(a.admitted);
  EXPECT_EQ(sleeps, (std::vector<milliseconds>{milliseconds(300), milliseconds(50)}));
  EXPECT_EQ(a.waited, milliseconds(350));
  ASSERT_EQ(ledger.taken_at.size(), 1u);
  EXPECT_EQ(ledger.taken_at[0], kNoon + milliseconds(350));
  EXPECT_EQ(ledger.last_limits.per_second, 4);
  EXPECT_EQ(ledger.last_limits.per_day, 10000);
  EXPECT_EQ(ledger.last_limits.reserve_percent, 20);
  governor.acquire({"app-1", Door::Token, CallClass::Background, ""}, seconds(10));
  EXPECT_EQ(ledger.last_limits.per_second, 1) << "the token door's limit";
}

TEST_F(GovernorLedgerTest, AdmitTurnsTheLedgersWaitIntoPacingAndALongWaitIsMaxWait) {
  ledger.script = {wait(milliseconds(300))};
  const auto paced = governor.admit(api(CallClass::Background));
  EXPECT_FALSE(paced.admitted);
  EXPECT_STREQ(paced.reason, "per_second");
  EXPECT_EQ(paced.retry_after, milliseconds(300));
  ledger.script = {wait(milliseconds(2000))};
  const auto hurried = governor.acquire(api(), milliseconds(500));
  EXPECT_FALSE(hurried.admitted);
  EXPECT_STREQ(hurried.reason, "max_wait");
  EXPECT_EQ(hurried.retry_after, milliseconds(2000));
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(ledger.counts.refused_today, 1) << "max_wait is counted in the store, pacing is not";
  EXPECT_EQ(governor.usage("app-1").refused_today, 1);
}

TEST_F(GovernorLedgerTest, TheLedgersDayRefusalsAreTheGovernorsAndKnownWithoutAskingAgain) {
  ledger.counts.api_today = 10000;
  LedgerOutcome spent;
  spent.kind = Kind::QuotaExceeded;
  ledger.script = {spent};
  const auto refused = governor.acquire(api(), seconds(10));
  EXPECT_FALSE(refused.admitted);
  EXPECT_STREQ(refused.reason, "quota_exceeded");
  EXPECT_EQ(refused.resets_at, kMidnight);
  EXPECT_EQ(ledger.counts.refused_today, 1);
  const int asked = ledger.takes;
  EXPECT_STREQ(governor.admit(api()).reason, "quota_exceeded");
  EXPECT_EQ(ledger.takes, asked) << "the day's count only grows: the last answer suffices";
  EXPECT_EQ(ledger.counts.refused_today, 2);

  LedgerOutcome reserve;
  reserve.kind = Kind::Reserve;
  ledger.counts.api_today = 0;
  ledger.script = {reserve};
  clock.set(kMidnight);  // a new day: the known count no longer holds
  const auto held = governor.admit(api(CallClass::Health));
  EXPECT_STREQ(held.reason, "reserve");
  EXPECT_EQ(held.resets_at, kMidnight + std::chrono::hours(24));
}

TEST_F(GovernorLedgerTest, TheSnapshotShowsTheSharedDay) {
  ledger.counts = {7, 2, 3};
  ledger.top = {{"conn_x", 5}, {"conn_y", 2}};
  const auto s = governor.snapshot("app-1");
  EXPECT_EQ(s.used_today, 7);
  EXPECT_EQ(s.remaining_today, 10000 - 7);
  EXPECT_EQ(s.token_calls_today, 2);
  EXPECT_EQ(s.refused_today, 3);
  ASSERT_EQ(s.top_connections.size(), 2u);
  EXPECT_EQ(s.top_connections[0].connection_id, "conn_x");
  const auto use = governor.usage("app-1");
  EXPECT_EQ(use.api_calls_today, 7);
  EXPECT_EQ(use.token_calls_today, 2);
  EXPECT_EQ(use.refused_today, 3);
  // Unreachable: the last counts known, not nothing.
  ledger.down = true;
  EXPECT_EQ(governor.snapshot("app-1").used_today, 7);
}

}  // namespace
}  // namespace liaison::hub
