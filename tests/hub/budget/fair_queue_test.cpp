// The governor's scheduling on its own: who goes next among waiting calls, without time or threads.
#include "hub/budget/fair_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/random.h"

namespace liaison::hub {
namespace {

// Serves every waiting call, in the order the queue picks.
std::vector<FairQueue::Ticket> serveAll(FairQueue& queue) {
  std::vector<FairQueue::Ticket> order;
  while (queue.next()) order.push_back(queue.serve());
  return order;
}

TEST(FairQueue, ASingleCallWaitsOneTurnPerWaitingConnectionNotBehindAFlood) {
  FairQueue queue;
  std::vector<FairQueue::Ticket> flood;
  for (int i = 0; i < 100; ++i) flood.push_back(queue.push(CallClass::Interactive, "conn_A"));
  const auto b = queue.push(CallClass::Interactive, "conn_B");
  const auto c = queue.push(CallClass::Interactive, "conn_C");
  const auto d = queue.push(CallClass::Interactive, "conn_D");
  EXPECT_EQ(queue.position(b), 1);
  EXPECT_EQ(queue.position(c), 2);
  EXPECT_EQ(queue.position(d), 3);
  EXPECT_EQ(queue.position(flood[1]), 4);  // A's second call: after everyone's first turn

  std::vector<FairQueue::Ticket> first_four;
  for (int i = 0; i < 4; ++i) first_four.push_back(queue.serve());
  EXPECT_EQ(first_four, (std::vector<FairQueue::Ticket>{flood[0], b, c, d}));
  // The rest of the flood follows in its own order.
  EXPECT_EQ(serveAll(queue), std::vector<FairQueue::Ticket>(flood.begin() + 1, flood.end()));
}

TEST(FairQueue, AConnectionArrivingDuringAFloodJoinsTheEndOfTheRound) {
  FairQueue queue;
  for (int i = 0; i < 10; ++i) queue.push(CallClass::Interactive, "conn_A");
  for (int i = 0; i < 10; ++i) queue.push(CallClass::Interactive, "conn_B");
  (void)queue.serve();  // A
  (void)queue.serve();  // B
  (void)queue.serve();  // A
  const auto late = queue.push(CallClass::Interactive, "conn_C");
  // B's turn is due, then A's, then C's: C waits one turn for each connection already waiting.
  EXPECT_EQ(queue.position(late), 2);
  (void)queue.serve();
  (void)queue.serve();
  EXPECT_EQ(queue.serve(), late);
}

TEST(FairQueue, InteractiveCallsGoBeforeHealthAndBackground) {
  FairQueue queue;
  const auto background = queue.push(CallClass::Background, "conn_A");
  const auto health = queue.push(CallClass::Health, "conn_B");
  const auto interactive1 = queue.push(CallClass::Interactive, "conn_C");
  const auto interactive2 = queue.push(CallClass::Interactive, "conn_A");
  EXPECT_EQ(queue.position(background), 3);
  EXPECT_EQ(queue.position(health), 2);
  EXPECT_TRUE(queue.waitingAtOrAbove(CallClass::Interactive));
  EXPECT_EQ(serveAll(queue),
            (std::vector<FairQueue::Ticket>{interactive1, interactive2, health, background}));
  EXPECT_FALSE(queue.waitingAtOrAbove(CallClass::Background));
}

TEST(FairQueue, WaitingAtOrAboveLooksOnlyAtTheClassAndMoreUrgentOnes) {
  FairQueue queue;
  queue.push(CallClass::Background, "conn_A");
  EXPECT_FALSE(queue.waitingAtOrAbove(CallClass::Interactive));
  EXPECT_FALSE(queue.waitingAtOrAbove(CallClass::Health));
  EXPECT_TRUE(queue.waitingAtOrAbove(CallClass::Background));
  queue.push(CallClass::Health, "conn_A");
  EXPECT_TRUE(queue.waitingAtOrAbove(CallClass::Health));
  EXPECT_EQ(queue.depth(CallClass::Health), 1);
  EXPECT_EQ(queue.depth(CallClass::Background), 1);
  EXPECT_EQ(queue.depth(CallClass::Interactive), 0);
}

TEST(FairQueue, ACallThatGivesUpLeavesWithoutChangingWhoseTurnItIs) {
  FairQueue queue;
  const auto a1 = queue.push(CallClass::Interactive, "conn_A");
  const auto a2 = queue.push(CallClass::Interactive, "conn_A");
  const auto b1 = queue.push(CallClass::Interactive, "conn_B");
  const auto c1 = queue.push(CallClass::Interactive, "conn_C");
  queue.cancel(b1);  // B's only call: B leaves the round
  EXPECT_FALSE(queue.contains(b1));
  EXPECT_EQ(queue.position(c1), 1);
  queue.cancel(a1);  // A's first call: A keeps its turn with its next call
  EXPECT_EQ(queue.next(), a2);
  queue.cancel(a1);  // twice: nothing happens
  EXPECT_EQ(queue.size(), 2);
  EXPECT_EQ(serveAll(queue), (std::vector<FairQueue::Ticket>{a2, c1}));
  EXPECT_EQ(queue.serve(), 0u);  // nothing waits
}

TEST(FairQueue, AppLevelCallsShareOneLane) {
  FairQueue queue;
  const auto poll1 = queue.push(CallClass::Interactive, "");
  const auto poll2 = queue.push(CallClass::Interactive, "");
  const auto a = queue.push(CallClass::Interactive, "conn_A");
  EXPECT_EQ(serveAll(queue), (std::vector<FairQueue::Ticket>{poll1, a, poll2}));
}

// position() is the promise the governor's bounded queue rests on: for any mix of classes and
// connections, it names the place each call is then served at.
TEST(FairQueue, PositionsArePlacesInTheServedOrder) {
  SeededRandom random(20260101);
  for (int round = 0; round < 50; ++round) {
    FairQueue queue;
    std::vector<FairQueue::Ticket> tickets;
    const int calls = 1 + static_cast<int>(random.uniform(60));
    for (int i = 0; i < calls; ++i) {
      const auto call_class = static_cast<CallClass>(random.uniform(3));
      tickets.push_back(queue.push(call_class, "conn_" + std::to_string(random.uniform(6))));
      // Some calls are served and some give up while others arrive.
      if (random.uniform(5) == 0) (void)queue.serve();
      if (random.uniform(7) == 0)
        queue.cancel(tickets[random.uniform(static_cast<uint32_t>(tickets.size()))]);
    }
    std::map<FairQueue::Ticket, int64_t> promised;
    for (auto ticket : tickets) {
      if (queue.contains(ticket)) promised[ticket] = queue.position(ticket);
    }
    const auto order = serveAll(queue);
    ASSERT_EQ(order.size(), promised.size());
    for (size_t place = 0; place < order.size(); ++place) {
      EXPECT_EQ(promised[order[place]], static_cast<int64_t>(place)) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace liaison::hub
