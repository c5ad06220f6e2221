#pragma once
// A CC connection as a side of a sync: CC's fields and the account's custom fields as the
// catalogue, contacts read completely or since a time, writes in CC's cheapest calls (CcSide).
#include <memory>

#include "sync/connectors/cc_caller.h"
#include "sync/connectors/cc_side.h"
#include "sync/runner/sync_side.h"

namespace liaison::sync {

class CcSyncSide final : public SyncSide {
 public:
  // Opens the account's catalogue (lists, tags, custom fields) through `caller`, which it keeps.
  static Result<std::unique_ptr<CcSyncSide>> open(std::unique_ptr<CcCaller> caller, const Clock& clock,
                                                  std::function<void(std::chrono::milliseconds)> wait,
                                                  CcSideOptions options);

  Result<Catalog> catalog() override;
  Result<SideRead> read(const std::optional<ReadCursor>& from) override;
  Result<ApplyOutcome> apply(const std::vector<Write>& writes, const SideRead& current) override;
  int64_t calls() const override;
  int64_t fewestCalls() const override { return side_->fewestCalls(); }
  const CcCatalogue& catalogue() const { return side_->catalogue(); }
  // Called with the catalogue as the run leaves it (lists and tags it made included), so a cache
  // of it stays current.
  void onClose(std::function<void(const CcCatalogue&)> hook) { on_close_ = std::move(hook); }
  ~CcSyncSide() override {
    if (on_close_) on_close_(side_->catalogue());
  }

 private:
  CcSyncSide(std::unique_ptr<CcCaller> caller, std::unique_ptr<CcSide> side)
      : caller_(std::move(caller)), side_(std::move(side)) {}

  std::unique_ptr<CcCaller> caller_;
  std::unique_ptr<CcSide> side_;
  std::function<void(const CcCatalogue&)> on_close_;
};

}  // namespace liaison::sync
