#include "sandbox/account/account_endpoints.h"

#include <nlohmann/json.hpp>

#include <array>
#include <set>

#include "cc/email_address.h"
#include "cc/errors.h"
#include "cc/privileges.h"
#include "core/json_fields.h"
#include "sandbox/account/account_rules.h"
#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

http::Response badRequest(const std::string& message) {
  return cc::errorResponse(makeError(ErrorCode::InvalidRequest, "account.api.validation.error", message));
}

Error validation(const std::string& message) {
  return makeError(ErrorCode::InvalidRequest, "account.api.validation.error", message);
}

http::Response accountResult(const Result<Account>& account, const std::function<json(const Account&)>& body,
                             int status = 200) {
  if (!account) return cc::errorResponse(account.error());
  return http::Response::json(status, body(*account));
}

void addAccountWrites(http::Router& router, ApiGuard& guard, SandboxContext& context) {
  guard.add(
      router, "putCustomerById",
      [&context](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        auto account = context.auth.updateAccount(call.identity.account_id,
                                                  [&](Account& a) { return applySummary(a.summary, *body); });
        return accountResult(account, [](const Account& a) {
          json out = a.summary;
          out["encoded_account_id"] = a.id;
          out.erase("physical_address");
          return out;
        });
      },
      http::Execution::Blocking);

  guard.add(router, "getPhysicalAddress", [&context](http::Request&, const ApiCall& call) {
    auto account = context.auth.findAccount(call.identity.account_id);
    if (!account || !account->summary.contains("physical_address")) {
      return cc::errorResponse(
          makeError(ErrorCode::NotFound, "account.api.not_found", "No physical address."));
    }
    return http::Response::json(200, account->summary["physical_address"]);
  });

  guard.add(
      router, "addPhysicalAddress",
      [&context](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        auto account = context.auth.updateAccount(call.identity.account_id, [&](Account& a) -> Status {
          if (a.summary.contains("physical_address")) {
            return makeError(ErrorCode::Conflict, "account.api.conflict",
                             "The account already has a physical address.");
          }
          if (auto status = validateAddress(*body); !status) return status;
          a.summary["physical_address"] = addressOf(*body);
          return okStatus();
        });
        return accountResult(
            account, [](const Account& a) { return a.summary["physical_address"]; }, 201);
      },
      http::Execution::Blocking);

  guard.add(router, "putPhysicalAddress", [&context](http::Request& request, const ApiCall& call) {
    // CC lets only the Account Owner change the physical address.
    auto user = context.auth.findUser(call.identity.user_id);
    if (!user || user->role != "Account Owner") {
      return cc::errorResponse(makeError(ErrorCode::Forbidden, "access_denied",
                                         "Only the Account Owner can change the physical address."));
    }
    auto body = takeJsonBody(request, call);
    if (!body) return cc::errorResponse(body.error());
    auto account = context.auth.updateAccount(call.identity.account_id, [&](Account& a) -> Status {
      if (auto status = validateAddress(*body); !status) return status;
      a.summary["physical_address"] = addressOf(*body);
      return okStatus();
    });
    return accountResult(account, [](const Account& a) { return a.summary["physical_address"]; });
  }, http::Execution::Blocking);

  guard.add(router, "retrieveEmailAddresses", [&context](http::Request& request, const ApiCall& call) {
    auto query = request.query();
    if (!query) return badRequest("The query string is not valid percent-encoding.");
    int filters = query->has("confirm_status") + query->has("role_code") + query->has("email_address");
    if (filters > 1) return badRequest("Use one of confirm_status, role_code or email_address.");
    const std::string confirm = query->getOr("confirm_status");
    const std::string role = query->getOr("role_code");
    if (!confirm.empty() && confirm != "CONFIRMED" && confirm != "UNCONFIRMED") {
      return badRequest("confirm_status must be CONFIRMED or UNCONFIRMED.");
    }
    static const std::set<std::string> kRoles = {"CONTACT", "BILLING", "REPLY_TO", "JOURNALING", "OTHER"};
    if (!role.empty() && !kRoles.count(role)) return badRequest("role_code is not a known role.");
    auto account = context.auth.findAccount(call.identity.account_id);
    json out = json::array();
    for (const auto& email : account ? account->emails : json::array()) {
      if (!confirm.empty() && email["confirm_status"] != confirm) continue;
      if (!role.empty() && std::find(email["roles"].begin(), email["roles"].end(), role) == email["roles"].end()) continue;
      if (query->has("email_address") && toLower(email["email_address"].get<std::string>()) !=
                                              toLower(query->getOr("email_address"))) continue;
      out.push_back(email);
    }
    return http::Response::json(200, out);
  });

  guard.add(
      router, "addAccountEmailAddress",
      [&context](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        json added;
        auto account = context.auth.updateAccount(call.identity.account_id, [&](Account& a) -> Status {
          if (!body->contains("email_address") || !(*body)["email_address"].is_string() ||
              !cc::isEmailAddress((*body)["email_address"].get<std::string>())) {
            return validation("email_address must be a valid email address.");
          }
          const std::string address = (*body)["email_address"];
          int next_id = 1;
          for (const auto& e : a.emails) {
            if (toLower(e["email_address"].get<std::string>()) == toLower(address)) {
              return makeError(ErrorCode::Conflict, "account.api.conflict",
                               "The email address is already on the account.");
            }
            next_id = std::max(next_id, e["email_id"].get<int>() + 1);
          }
          added = {{"email_address", address},
                   {"email_id", next_id},
                   {"confirm_status", "UNCONFIRMED"},
                   {"roles", json::array()},
                   {"pending_roles", json::array()}};
          a.emails.push_back(added);
          return okStatus();
        });
        return accountResult(
            account, [&](const Account&) { return added; }, 201);
      },
      http::Execution::Blocking);
}

}  // namespace

void addAccountEndpoints(http::Router& router, ApiGuard& guard, SandboxContext& context) {
  guard.add(router, "getAccountById", [&context](http::Request& request, const ApiCall& call) {
    auto account = context.auth.findAccount(call.identity.account_id);
    if (!account) {
      return cc::errorResponse(makeError(ErrorCode::NotFound, "account.api.not_found", "Account not found."));
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

  addAccountWrites(router, guard, context);

  guard.add(router, "getUserPrivileges", [&context](http::Request&, const ApiCall& call) {
    auto user = context.auth.findUser(call.identity.user_id);
    if (!user) {
      return cc::errorResponse(makeError(ErrorCode::Unauthorized, "unauthorized", "Unknown user."));
    }
    json body = json::array();
    for (const auto& name : context.auth.userPrivileges(*user)) {
      const auto* info = cc::findPrivilege(name);
      body.push_back({{"privilege_id", info ? info->id : 0}, {"privilege_name", name}});
    }
    return http::Response::json(200, body);
  });
}

}  // namespace liaison::sandbox
