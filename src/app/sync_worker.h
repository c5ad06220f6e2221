#pragma once
// Where sync runs are carried out: one thread of their own, so a long run (100,000 contacts)
// never holds up the hub's tick (refreshes, health, webhooks) or a request. Runs started through
// the API and runs that fall due queue here, one at a time; a run pending or going on for a sync
// is not queued twice.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace liaison::app {

class SyncWorker {
 public:
  SyncWorker();
  ~SyncWorker();  // finishes the run going on; pending ones are dropped (they stay due)
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

  // Queues `task` for `sync_id`; false when that sync already has one pending or going on.
  bool post(const std::string& sync_id, std::function<void()> task);
  // Waits until nothing is pending or going on (tests; shutdown).
  void drain();

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::pair<std::string, std::function<void()>>> queue_;
  std::set<std::string> busy_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace liaison::app
