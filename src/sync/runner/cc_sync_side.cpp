#include "sync/runner/cc_sync_side.h"

namespace liaison::sync {

Result<std::unique_ptr<CcSyncSide>> CcSyncSide::open(std::unique_ptr<CcCaller> caller, const Clock& clock,
                                                     std::function<void(std::chrono::milliseconds)> wait,
                                                     CcSideOptions options) {
  auto side = CcSide::open(*caller, clock, std::move(wait), std::move(options));
  if (!side) return side.error();
  return std::unique_ptr<CcSyncSide>(new CcSyncSide(std::move(caller), std::move(*side)));
}

Result<Catalog> CcSyncSide::catalog() { return Catalog::cc(side_->customFields()); }

Result<SideRead> CcSyncSide::read(const std::optional<ReadCursor>& from) {
  return from ? side_->readChanged(from->since, from->skip) : side_->readAll();
}

Result<ApplyOutcome> CcSyncSide::apply(const std::vector<Write>& writes, const SideRead& current) {
  ApplyOutcome outcome;
  if (writes.empty()) return outcome;
  auto applied = side_->apply(writes, current.records);
  if (!applied) return applied.error();
  outcome.created = std::move(applied->created);
  outcome.failed = std::move(applied->failed);
  outcome.own_window = applied->own_window;
  return outcome;
}

int64_t CcSyncSide::calls() const { return side_->calls(); }

}  // namespace liaison::sync
