#include "app/sync_worker.h"

namespace liaison::app {

SyncWorker::SyncWorker() : thread_([this] { loop(); }) {}

SyncWorker::~SyncWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  thread_.join();
}

bool SyncWorker::post(const std::string& sync_id, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !busy_.insert(sync_id).second) return false;
    queue_.emplace_back(sync_id, std::move(task));
  }
  wake_.notify_one();
  return true;
}

void SyncWorker::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return busy_.empty(); });
}

void SyncWorker::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    auto [sync_id, task] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();  // the runner reports its own failures as run records
    lock.lock();
    busy_.erase(sync_id);
    if (busy_.empty()) idle_.notify_all();
  }
  busy_.clear();
  idle_.notify_all();
}

}  // namespace liaison::app
