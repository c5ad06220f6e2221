#pragma once
// Which of CC's v3 operations a proxied call is, and whether the connection can make it: the
// scopes the app was granted and the privileges of the CC user who connected. A call that
// cannot succeed is refused by the hub, naming the fix, without spending a CC request.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cc/operations.h"

namespace liaison::hub::proxy {

// The operation of CC's table for `method` and `path` ("/v3/contacts/abc"), preferring the
// template with the most literal segments ("/v3/contacts/counts" over "/v3/contacts/{id}").
// HEAD is matched as GET. nullptr when CC's document has no such operation.
const cc::Operation* matchOperation(std::string_view method, std::string_view path);

struct Refusal {
  std::string key;      // "proxy.missing_scope" or "proxy.missing_privilege"
  std::string message;  // what is missing
  std::string remedy;   // what fixes it, in plain words
};

// Why the connection cannot make `operation`, or nullopt when it can (or when it cannot be
// told: `privileges` unknown is not a refusal — CC decides).
std::optional<Refusal> refusalFor(const cc::Operation& operation, const std::vector<std::string>& scopes,
                                  const std::optional<std::vector<std::string>>& privileges,
                                  const std::string& connection_id);

}  // namespace liaison::hub::proxy
