#include "sandbox/account_endpoints.h"

#include <nlohmann/json.hpp>

#include "http/error_response.h"
#include "sandbox/privileges.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

http::Response badRequest(const std::string& message) {
  return http::ccErrorResponse(makeError(ErrorCode::InvalidRequest, "account.api.validation.error", message));
}

}  // namespace

void addAccountEndpoints(http::Router& router, ApiGuard& guard, SandboxContext& context) {
  guard.add(router, "getAccountById", [&context](http::Request& request, const ApiCall& call) {
    auto account = context.auth.findAccount(call.identity.account_id);
    if (!account) {
      return http::ccErrorResponse(makeError(ErrorCode::NotFound, "account.api.not_found", "Account not found."));
    }
    auto query = request.query();
    if (!query) return badRequest("The query string is not valid percent-encoding.");
    bool physical_address = false;
    bool company_logo = false;
    for (const auto& field : splitString(query->getOr("extra_fields"), ',')) {
      if (field == "physical_address") {
        physical_address = true;
      } else if (field == "company_logo") {
        company_logo = true;
      } else {
        return badRequest("extra_fields accepts physical_address and company_logo, not '" + field + "'.");
      }
    }
    json body = account->summary;
    body["encoded_account_id"] = account->id;
    if (!physical_address) body.erase("physical_address");
    if (!company_logo) body.erase("company_logo");
    return http::Response::json(200, body);
  });

  guard.add(router, "getUserPrivileges", [&context](http::Request&, const ApiCall& call) {
    auto user = context.auth.findUser(call.identity.user_id);
    if (!user) {
      return http::ccErrorResponse(makeError(ErrorCode::Unauthorized, "unauthorized", "Unknown user."));
    }
    json body = json::array();
    for (const auto& name : context.auth.userPrivileges(*user)) {
      const auto* info = findPrivilege(name);
      body.push_back({{"privilege_id", info ? info->id : 0}, {"privilege_name", name}});
    }
    return http::Response::json(200, body);
  });
}

}  // namespace liaison::sandbox
