#pragma once
// The hub's event log: append-only, read by position (?after=). Appending an event also hands
// it to the webhook queue (the `on_append` hook), in the same order.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "hub/store/hub_database.h"
#include "hub/store/model.h"

namespace liaison::hub {

class EventLog {
 public:
  EventLog(HubDatabase& db, const Clock& clock, RandomSource& random)
      : db_(db), clock_(clock), random_(random) {}

  // `data_json` is the event's data object already rendered (the API layer owns JSON shapes).
  Result<Event> append(const std::string& type, const std::string& connection_id,
                       const std::string& data_json);
  // Events after position `after` (0: from the start), oldest first, at most `limit`.
  Result<std::vector<Event>> list(const std::string& connection_id, int64_t after, int limit);
  // Called after each append commits (webhook fan-out).
  void setOnAppend(std::function<void(const Event&)> hook) { on_append_ = std::move(hook); }
  // Sequence of the event with that id, for ?after=<event id>.
  Result<std::optional<int64_t>> sequenceOf(const std::string& id);

 private:
  HubDatabase& db_;
  const Clock& clock_;
  RandomSource& random_;
  std::function<void(const Event&)> on_append_;
};

}  // namespace liaison::hub
