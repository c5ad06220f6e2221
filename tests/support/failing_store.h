#pragma once
// A DocumentStore whose commits can be made to fail, for docs/ERRORS.md's rule "if a write
// fails, in-memory state is reloaded from the store, and the caller gets 500 — nothing is
// acknowledged that is not durable". It keeps its documents in a MemoryDocumentStore.
#include <atomic>

#include "storage/document_store.h"

namespace liaison::testing {

class FailingDocumentStore final : public storage::DocumentStore {
 public:
  // The next `count` commits fail (and change nothing); later ones succeed again.
  void failNextCommits(int count) { failures_left_ = count; }
  int failedCommits() const { return failed_; }

  Status commit(const std::vector<storage::Write>& writes) override {
    if (failures_left_ > 0) {
      --failures_left_;
      ++failed_;
      return makeError(ErrorCode::Internal, "storage.write_failed", "injected write failure");
    }
    return inner_.commit(writes);
  }
  std::vector<storage::Document> loadAll() override { return inner_.loadAll(); }
  Status clear() override { return inner_.clear(); }

 private:
  storage::MemoryDocumentStore inner_;
  std::atomic<int> failures_left_{0};
  std::atomic<int> failed_{0};
};

}  // namespace liaison::testing
