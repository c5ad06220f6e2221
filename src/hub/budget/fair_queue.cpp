#include "hub/budget/fair_queue.h"

#include <algorithm>

namespace liaison::hub {

FairQueue::Ticket FairQueue::push(CallClass call_class, const std::string& connection_id) {
  const Ticket ticket = next_ticket_++;
  Lane& lane = lanes_[index(call_class)];
  auto& calls = lane.calls[connection_id];
  // A connection that had nothing waiting joins at the end of the round: it waits for the
  // connections already waiting to have one turn each, no more.
  if (calls.empty()) lane.round.push_back(connection_id);
  calls.push_back(ticket);
  ++lane.size;
  places_.emplace(ticket, Place{call_class, connection_id});
  return ticket;
}

std::optional<FairQueue::Ticket> FairQueue::next() const {
  for (const Lane& lane : lanes_) {
    if (!lane.round.empty()) return lane.calls.at(lane.round.front()).front();
  }
  return std::nullopt;
}

FairQueue::Ticket FairQueue::serve() {
  for (Lane& lane : lanes_) {
    if (lane.round.empty()) continue;
    const std::string connection_id = lane.round.front();
    auto& calls = lane.calls.at(connection_id);
    const Ticket ticket = calls.front();
    calls.pop_front();
    --lane.size;
    places_.erase(ticket);
    lane.round.pop_front();
    if (calls.empty()) {
      lane.calls.erase(connection_id);
    } else {
      lane.round.push_back(connection_id);  // its next call waits for everyone else's turn
    }
    return ticket;
  }
  return 0;
}

void FairQueue::leave(Lane& lane, const std::string& connection_id, Ticket ticket) {
  auto found = lane.calls.find(connection_id);
  if (found == lane.calls.end()) return;
  auto& calls = found->second;
  calls.erase(std::remove(calls.begin(), calls.end(), ticket), calls.end());
  --lane.size;
  if (calls.empty()) {
    lane.calls.erase(found);
    lane.round.remove(connection_id);
  }
}

void FairQueue::cancel(Ticket ticket) {
  auto place = places_.find(ticket);
  if (place == places_.end()) return;
  leave(lanes_[index(place->second.call_class)], place->second.connection_id, ticket);
  places_.erase(place);
}

int64_t FairQueue::position(Ticket ticket) const {
  auto place = places_.find(ticket);
  if (place == places_.end()) return -1;
  const size_t own_lane = index(place->second.call_class);
  int64_t before = 0;
  for (size_t i = 0; i < own_lane; ++i) before += lanes_[i].size;
  const Lane& lane = lanes_[own_lane];
  const auto& own_calls = lane.calls.at(place->second.connection_id);
  // The call is the k-th of its connection: it goes in round k (counting from 0). Each other
  // connection goes before it once in each earlier round it still has calls for, and in round k
  // too when it comes earlier in the round.
  const int64_t k = std::find(own_calls.begin(), own_calls.end(), ticket) - own_calls.begin();
  bool earlier = true;
  for (const auto& connection_id : lane.round) {
    if (connection_id == place->second.connection_id) {
      earlier = false;
      before += k;
      continue;
    }
    const int64_t waiting = static_cast<int64_t>(lane.calls.at(connection_id).size());
    before += std::min(waiting, k) + (earlier && waiting > k ? 1 : 0);
  }
  return before;
}

bool FairQueue::waitingAtOrAbove(CallClass call_class) const {
  for (size_t i = 0; i <= index(call_class); ++i) {
    if (lanes_[i].size > 0) return true;
  }
  return false;
}

}  // namespace liaison::hub
