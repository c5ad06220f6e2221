#pragma once
// The sync engine's door to CC for one connection: the connection's token (renewed once on a
// 401), the shared budget in the Background class (a call the second has no room for waits its
// turn; the day's reserve or quota ends the run, which resumes on a later schedule), and GETs
// retried on 429 and 5xx. The engine sees answers, never a token.
#include <string>

#include "hub/budget/governor.h"
#include "hub/refresh/refresher.h"
#include "hub/store/connection_repository.h"
#include "hub/upstream/cc_client.h"
#include "sync/connectors/cc_caller.h"

namespace liaison::app {

class SyncCcCaller final : public sync::CcCaller {
 public:
  SyncCcCaller(hub::ConnectionRepository& connections, hub::Refresher& refresher, hub::CcClient& cc,
               hub::Waiter waiter, std::string app_id, std::string connection_id)
      : connections_(connections),
        refresher_(refresher),
        cc_(cc),
        waiter_(std::move(waiter)),
        app_id_(std::move(app_id)),
        connection_id_(std::move(connection_id)) {}

  Result<sync::CcAnswer> call(const sync::CcCall& call) override;

 private:
  hub::ConnectionRepository& connections_;
  hub::Refresher& refresher_;
  hub::CcClient& cc_;
  hub::Waiter waiter_;
  std::string app_id_;
  std::string connection_id_;
};

}  // namespace liaison::app
