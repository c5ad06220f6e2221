// The governor with many callers at once. Time is a ManualClock that only the governor's sleeping
// call moves, and only when the test lets it (one step at a time), so between steps nothing moves
// and the test reads, from the snapshot, exactly which call went: assertions are about order and
// positions, never about timings. Every thread ends: the steps are opened and all threads joined
// whatever happens, and each wait of the test has a bound.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "hub/budget/local_governor.h"

namespace liaison::hub {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kNoon = fromUnixSeconds(1767268800);  // 2026-01-01T12:00:00Z
constexpr auto kMostRealWait = seconds(20);           // only ever reached when the governor hangs

// The governor's Waiter: sleeps until the test lets it go, then moves the clock by the wait.
class SteppedSleep {
 public:
  explicit SteppedSleep(ManualClock& clock) : clock_(clock) {}
  void sleep(milliseconds wait) {
    std::unique_lock lock(mutex_);
    ++sleeping_;
    woken_.wait(lock, [&] { return steps_ > 0 || open_; });
    if (steps_ > 0) --steps_;
    --sleeping_;
    clock_.advance(wait);
  }
  void step() {
    std::lock_guard lock(mutex_);
    ++steps_;
    woken_.notify_all();
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    woken_.notify_all();
  }
  // One call sleeps for its slot, and the last step was taken.
  bool oneAsleep() {
    std::lock_guard lock(mutex_);
    return sleeping_ == 1 && steps_ == 0;
  }

 private:
  ManualClock& clock_;
  std::mutex mutex_;
  std::condition_variable woken_;
  int sleeping_ = 0;
  int steps_ = 0;
  bool open_ = false;
};

cc::Limits limits(int per_second, int per_day) {
  cc::Limits out;
  out.requests_per_second_per_key = per_second;
  out.requests_per_day_per_key = per_day;
  out.token_requests_per_second_per_client = 1;
  return out;
}

class GovernorThreadsTest : public ::testing::Test {
 protected:
  GovernorThreadsTest(int per_day = 10000)  // NOLINT(google-explicit-constructor)
      : governor(clock, limits(4, per_day), [this](milliseconds wait) { stepped.sleep(wait); }) {}

  ~GovernorThreadsTest() override {
    stepped.open();
    for (auto& t : threads) t.join();
  }

  // Four calls a quarter second apart fill the window: from then on each slot frees on its own,
  // so each step lets exactly one call go.
  void staggerTheWindow() {
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(governor.admit({"app-1", Door::Api, CallClass::Interactive, "warmup"}).admitted);
      if (i < 3) clock.advance(milliseconds(250));
    }
  }

  // A thread making `calls` calls one after the other; each outcome is kept by connection.
  void start(const std::string& connection_id, CallClass call_class, int calls,
             milliseconds max_wait = seconds(60)) {
    ++active;
    threads.emplace_back([this, connection_id, call_class, calls, max_wait] {
      for (int i = 0; i < calls; ++i) {
        const Admission a = governor.acquire({"app-1", Door::Api, call_class, connection_id}, max_wait);
        std::lock_guard lock(outcomes_mutex);
        outcomes[connection_id].push_back(a);
      }
      --active;
    });
  }

  int64_t queued() {
    const auto s = governor.snapshot("app-1");
    return s.queued[0] + s.queued[1] + s.queued[2];
  }

  // Until every running thread waits in the governor with one asleep for its slot, or all ended.
  bool settle() {
    const Stopwatch real;
    while (real.elapsed() < kMostRealWait) {
      if (active == 0) return true;
      if (stepped.oneAsleep() && queued() == active) return true;
      std::this_thread::yield();
    }
    ADD_FAILURE() << "the governor did not settle: " << queued() << " queued, " << active << " running";
    return false;
  }

  std::map<std::string, int64_t> callsByConnection() {
    std::map<std::string, int64_t> out;
    for (const auto& use : governor.snapshot("app-1").top_connections)
      out[use.connection_id] = use.calls_today;
    return out;
  }

  // Lets one call go and says whose it was ("" when none went).
  std::string stepOnce() {
    const auto before = callsByConnection();
    stepped.step();
    if (!settle()) return "";
    std::string went;
    for (const auto& [id, calls] : callsByConnection()) {
      const auto was = before.count(id) ? before.at(id) : 0;
      if (calls == was) continue;
      EXPECT_EQ(calls, was + 1) << id;
      EXPECT_TRUE(went.empty()) << "two calls went in one step: " << went << " and " << id;
      went = id;
    }
    return went;
  }

  ManualClock clock{kNoon};
  SteppedSleep stepped{clock};
  LocalGovernor governor;
  std::atomic<int> active{0};
  std::mutex outcomes_mutex;
  std::map<std::string, std::vector<Admission>> outcomes;
  std::vector<std::thread> threads;
};

TEST_F(GovernorThreadsTest, SingleCallsGoWithinOneRoundOfAFloodFromEightThreads) {
  staggerTheWindow();
  for (int t = 0; t < 8; ++t) start("conn_A", CallClass::Interactive, 20);
  ASSERT_TRUE(settle());
  ASSERT_EQ(queued(), 8);
  // The single calls arrive one by one while the flood waits: B, then C, then D.
  for (const std::string id : {"conn_B", "conn_C", "conn_D"}) {
    start(id, CallClass::Interactive, 1);
    ASSERT_TRUE(settle());
  }
  ASSERT_EQ(queued(), 11);

  std::vector<std::string> order;
  std::map<std::string, size_t> position;  // 1 = the next call to go after all had arrived
  while (position.size() < 3 && order.size() < 20) {
    const std::string went = stepOnce();
    ASSERT_FALSE(went.empty());
    order.push_back(went);
    if (went != "conn_A") position[went] = order.size();
  }
  // The flood's head was asleep for the slot when they arrived; then one turn each.
  EXPECT_EQ(order, (std::vector<std::string>{"conn_A", "conn_B", "conn_C", "conn_D"}));
  for (const auto& [id, at] : position) EXPECT_LE(at, 4u) << id;

  stepped.open();
  for (auto& t : threads) t.join();
  threads.clear();
  EXPECT_EQ(outcomes["conn_A"].size(), 160u);
  for (const auto& [id, list] : outcomes) {
    for (const auto& a : list) EXPECT_TRUE(a.admitted) << id << ": " << a.reason;
  }
  EXPECT_EQ(governor.usage("app-1").api_calls_today, 4 + 160 + 3);
  EXPECT_EQ(outcomes["conn_B"][0].waited, milliseconds(500));  // two slots a quarter second apart
}

TEST_F(GovernorThreadsTest, WaitingInteractiveCallsGoFirstAndNothingJumpsTheQueue) {
  staggerTheWindow();
  start("conn_H", CallClass::Health, 1);  // asleep for the next slot when the others arrive
  ASSERT_TRUE(settle());
  for (const std::string id : {"conn_B", "conn_C", "conn_D"}) {
    start(id, CallClass::Interactive, 1);
    ASSERT_TRUE(settle());
  }
  const auto s = governor.snapshot("app-1");
  EXPECT_EQ(s.queued[static_cast<size_t>(CallClass::Interactive)], 3);
  EXPECT_EQ(s.queued[static_cast<size_t>(CallClass::Health)], 1);
  EXPECT_EQ(s.queued[static_cast<size_t>(CallClass::Background)], 0);

  // Background work does not go ahead of waiting calls, and is paced, not refused.
  const auto background = governor.admit({"app-1", Door::Api, CallClass::Background, "conn_X"});
  EXPECT_FALSE(background.admitted);
  EXPECT_STREQ(background.reason, "per_second");
  // A new interactive call would go fourth, a second from now: past its half second, so no.
  const auto hurried =
      governor.acquire({"app-1", Door::Api, CallClass::Interactive, "conn_E"}, milliseconds(500));
  EXPECT_FALSE(hurried.admitted);
  EXPECT_STREQ(hurried.reason, "max_wait");
  EXPECT_EQ(hurried.retry_after, milliseconds(1000));
  EXPECT_EQ(governor.usage("app-1").refused_today, 1);

  std::vector<std::string> order;
  while (active > 0 && order.size() < 10) {
    const std::string went = stepOnce();
    ASSERT_FALSE(went.empty());
    order.push_back(went);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"conn_B", "conn_C", "conn_D", "conn_H"}));
}

class GovernorThreadsSmallDayTest : public GovernorThreadsTest {
 protected:
  GovernorThreadsSmallDayTest() : GovernorThreadsTest(5) {}
};

TEST_F(GovernorThreadsSmallDayTest, CallsWaitingWhenTheDayRunsOutAreRefusedWithTheResetTime) {
  staggerTheWindow();  // 4 of the day's 5
  for (const std::string id : {"conn_B", "conn_C", "conn_D"}) {
    start(id, CallClass::Interactive, 1);
    ASSERT_TRUE(settle());
  }
  EXPECT_EQ(stepOnce(), "conn_B");  // the day's last call; the others are told at once
  ASSERT_TRUE(settle());
  EXPECT_EQ(active, 0);
  for (const std::string id : {"conn_C", "conn_D"}) {
    std::lock_guard lock(outcomes_mutex);
    ASSERT_EQ(outcomes[id].size(), 1u);
    const Admission& a = outcomes[id][0];
    EXPECT_FALSE(a.admitted);
    EXPECT_STREQ(a.reason, "quota_exceeded");
    EXPECT_EQ(a.resets_at, fromUnixSeconds(1767312000));  // 2026-01-02T00:00:00Z
    EXPECT_GT(a.waited, milliseconds(0));
  }
  EXPECT_EQ(governor.snapshot("app-1").refused_today, 2);
}

}  // namespace
}  // namespace liaison::hub
