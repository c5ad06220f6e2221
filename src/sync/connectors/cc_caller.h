#pragma once
// How the sync engine calls CC's v3 API for one connection. The hub's implementation (wired in
// app/) injects the connection's token, renews it once on a 401, waits for the shared budget in
// the Background class and retries what is safe to repeat; tests call a sandbox directly. The
// engine never sees a token.
#include <string>

#include "core/result.h"

namespace liaison::sync {

struct CcCall {
  std::string method;  // GET, POST, PUT, DELETE
  std::string target;  // "/v3/contacts?status=all&limit=500", or a `_links.next.href` as CC gave it
  std::string body;    // JSON, or empty
};

struct CcAnswer {
  int status = 0;
  std::string body;
};

class CcCaller {
 public:
  virtual ~CcCaller() = default;
  // CC's answer, whatever its status; an Error only when no answer came (transport failure,
  // budget refused: key "budget.quota_exceeded" when the day's calls are spent). A write whose
  // answer was lost ("upstream.no_answer") may have been carried out: reconcile by reading back.
  virtual Result<CcAnswer> call(const CcCall& call) = 0;
};

}  // namespace liaison::sync
