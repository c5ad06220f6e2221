#pragma once
// Which waiting call goes next: the pure scheduling part of the governor, without time or
// threads. Classes go in priority order (every waiting Interactive call before any Health call,
// those before Background). Within a class, connections take turns: round robin, one call per
// connection per round, each connection's calls in arrival order. That is deficit round robin
// with every call costing the same (one request against CC's budget), so no deficit counters are
// needed. A connection flooding the hub with calls then only delays another connection's single
// call by one turn per connection that waits, never by the length of the flood.
#include <array>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "hub/budget/governor.h"

namespace liaison::hub {

class FairQueue {
 public:
  using Ticket = uint64_t;

  Ticket push(CallClass call_class, const std::string& connection_id);
  // The call that goes next, if any waits.
  std::optional<Ticket> next() const;
  // The next call goes: it leaves, and its connection moves to the end of its class's round.
  // Returns it (0 when none waits).
  Ticket serve();
  // A waiting call leaves without going (refused, or gave up); the round stays as it was.
  void cancel(Ticket ticket);
  // How many calls go before this one if no other arrives (0: it is next).
  int64_t position(Ticket ticket) const;
  bool contains(Ticket ticket) const { return places_.count(ticket) > 0; }
  int64_t depth(CallClass call_class) const { return lanes_[index(call_class)].size; }
  int64_t size() const { return static_cast<int64_t>(places_.size()); }
  // Whether a call of this class or of a more urgent one waits.
  bool waitingAtOrAbove(CallClass call_class) const;

 private:
  struct Lane {
    std::list<std::string> round;  // connections with waiting calls, the one whose turn it is first
    std::unordered_map<std::string, std::deque<Ticket>> calls;
    int64_t size = 0;
  };
  struct Place {
    CallClass call_class;
    std::string connection_id;
  };
  static size_t index(CallClass call_class) { return static_cast<size_t>(call_class); }
  void leave(Lane& lane, const std::string& connection_id, Ticket ticket);

  std::array<Lane, kCallClasses> lanes_;
  std::unordered_map<Ticket, Place> places_;
  Ticket next_ticket_ = 1;
};

}  // namespace liaison::hub
