#include "sandbox/api_guard.h"

#include "cc/provider.h"

#include <thread>

#include "cc/errors.h"
#include "cc/request_schema.h"
#include "cc/scopes.h"
#include "core/encoding.h"
#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {

namespace {

std::string joinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The error_key CC's validation errors carry for the resource an operation works on.
std::string validationKey(const cc::Operation& operation) {
  static const std::pair<std::string_view, std::string_view> kKeys[] = {
      {"/v3/contact_lists", "contact_lists.api.validation.error"},
      {"/v3/contact_tags", "tags.api.validation.error"},
      {"/v3/contact_custom_fields", "custom_fields.api.validation.error"},
      {"/v3/contacts", "contacts.api.validation.error"},
      {"/v3/activities", "activities.api.validation.error"},
      {"/v3/emails", "campaign.api.validation.error"},
      {"/v3/account", "account.api.validation.error"},
      {"/v3/social", "contacts.api.validation.error"}};
  for (const auto& [prefix, key] : kKeys) {
    if (operation.path.starts_with(prefix)) return std::string(key);
  }
  return "http.status.bad_request";
}

// The body of an operation CC documents one for, parsed and checked against that shape before
// the handler runs: a wrong type, over-long text or a control character is CC's 400 here. A
// body that does not parse as a JSON object is left to the handler, which says what it expected.
Result<std::shared_ptr<nlohmann::json>> checkedBody(const http::Request& request,
                                                    const cc::Operation& operation) {
  const nlohmann::json* schema = cc::requestSchema(operation.id);
  if (!schema || request.body.empty()) return std::shared_ptr<nlohmann::json>();
  auto body = parseJsonObject(request.header("Content-Type").value_or(""), request.body);
  if (!body) return std::shared_ptr<nlohmann::json>();
  if (auto status = cc::checkAgainstSchema(*body, *schema, validationKey(operation)); !status)
    return status.error();
  return std::make_shared<nlohmann::json>(std::move(*body));
}

}  // namespace

ApiGuard::ApiGuard(SandboxContext& context)
    : context_(context),
      faults_(context.random),
      per_second_(
          context.clock,
          context.profile == Profile::Strict ? cc::constantContact().limits.requests_per_second_per_key : 0,
          std::chrono::seconds(1)),
      per_day_(context.clock,
               context.profile == Profile::Strict ? cc::constantContact().limits.requests_per_day_per_key : 0,
               std::chrono::seconds(86400)) {
  for (const auto& operation : cc::operationTable()) {
    requirements_[&operation] = {cc::splitList(operation.scopes), cc::splitList(operation.privileges)};
  }
}

http::Response ApiGuard::serve(http::Request& request, const cc::Operation& operation,
                               const ApiHandler& handler_of_valid_body) {
  std::string account;
  auto call = check(request, operation, &account);
  auto handler = [&](http::Request& r, const ApiCall& c) {
    // CC's largest accepted body is an import's 4 MB; the size is checked before the shape.
    if (r.body.size() >= cc::constantContact().limits.import_bytes_max) {
      return fail(makeError(ErrorCode::PayloadTooLarge, "http.status.payload_too_large",
                            "A request body must be smaller than 4 MB."),
                  account);
    }
    auto body = checkedBody(r, operation);
    if (!body) return fail(body.error(), account);
    ApiCall with_body = c;
    with_body.json_body = std::move(*body);
    return handler_of_valid_body(r, with_body);
  };
  http::Response response;
  std::string fault;
  if (!call) {
    response = fail(call.error(), account);
  } else if (auto action = faults_.match(std::string(operation.id), account, call->identity.client_id)) {
    fault = action->type;
    response = applyFault(
        *action, [&] { return handler(request, *call); },
        [&] {
          auto failure =
              fail(makeError(ErrorCode::Internal, action->error_key, action->error_message), account);
          failure.status = action->status;
          if (action->status == 401 || action->status == 403) {
            failure.body =
                nlohmann::json({{"error_key", action->error_key}, {"error_message", action->error_message}})
                    .dump();
          }
          return failure;
        });
  } else {
    response = handler(request, *call);
  }
  journal_.record({context_.clock.now(), request.method, std::string(request.path()), operation.id, std::move(account),
                   call ? call->identity.client_id : "", response.abort_connection ? 0 : response.status,
                   std::move(fault)});
  return response;
}

Result<nlohmann::json> takeJsonBody(const http::Request& request, const ApiCall& call) {
  if (call.json_body) return std::move(*call.json_body);
  return parseJsonObject(request.header("Content-Type").value_or(""), request.body);
}

void ApiGuard::resetLimits() {
  per_second_.clear();
  per_day_.clear();
}

http::Response ApiGuard::fail(const Error& error, const std::string& account) const {
  if (error.code == ErrorCode::TooManyRequests && object_rate_limit_body_ && object_rate_limit_body_(account)) {
    return http::Response::json(429, {{"error_key", error.key}, {"error_message", error.message}});
  }
  return cc::errorResponse(error);
}

Result<ApiCall> ApiGuard::check(const http::Request& request, const cc::Operation& operation,
                                std::string* account) const {
  const auto unauthorized = makeError(ErrorCode::Unauthorized, "unauthorized",
                                      "Unauthorized: a valid access token is required.");
  auto header = request.header("Authorization");
  if (!header || header->size() <= 7 || !iequals(header->substr(0, 7), "Bearer ")) return unauthorized;
  auto identity = context_.auth.verifyAccessToken(header->substr(7));
  if (!identity) return makeError(ErrorCode::Unauthorized, "unauthorized", identity.error().message);
  if (account) *account = identity->account_id;
  // A request refused for the per-second rate does not count against the daily quota.
  if (!per_second_.tryAcquire(identity->client_id)) {
    return makeError(ErrorCode::TooManyRequests, "throttled",
                     "Too many requests. You exceeded the request rate limit.");
  }
  if (!per_day_.tryAcquire(identity->client_id)) {
    return makeError(ErrorCode::TooManyRequests, "quota_exceeded",
                     "Limit Exceeded: this API key has used its 10,000 requests for the day.");
  }

  const Requirements& needs = requirements_.at(&operation);
  const auto& scopes = needs.scopes;
  if (!scopes.empty()) {
    bool any = false;
    for (const auto& scope : scopes) any = any || cc::hasScope(identity->scopes, scope);
    if (!any) {
      return makeError(ErrorCode::Forbidden, "access_denied",
                       "Request forbidden: the access token lacks the scope " + joinList(scopes) + ".");
    }
  }
  if (!needs.privileges.empty()) {
    auto missing = context_.auth.missingPrivileges(identity->user_id, needs.privileges);
    if (!missing) return unauthorized;
    if (!missing->empty()) {
      return makeError(ErrorCode::Forbidden, "access_denied",
                       "Request forbidden due to insufficient user privileges. Missing: " +
                           joinList(*missing) + ".");
    }
  }
  return ApiCall{std::move(*identity), &operation};
}

void ApiGuard::add(http::Router& router, std::string_view operation_id, ApiHandler handler,
                   http::Execution execution) {
  const cc::Operation* operation = cc::findOperationById(operation_id);
  if (!operation) throw std::logic_error("unknown CC operation " + std::string(operation_id));
  served_.insert(operation->id);
  router.add(std::string(operation->method), std::string(operation->path),
             [this, operation, handler = std::move(handler)](http::Request& request) {
               return serve(request, *operation, handler);
             },
             execution);
}

void ApiGuard::addUnimplemented(http::Router& router) {
  for (const auto& operation : cc::operationTable()) {
    if (served_.count(operation.id)) continue;
    const bool partner = operation.auth != "oauth2";
    router.add(std::string(operation.method), std::string(operation.path),
               [this, &operation, partner](http::Request& request) {
                 if (partner) {
                   return cc::errorResponse(makeError(ErrorCode::Unauthorized, "unauthorized",
                                                      "Technology partner endpoints use partner credentials, "
                                                      "which this sandbox does not issue."));
                 }
                 std::string account;
                 auto call = check(request, operation, &account);
                 if (!call) return fail(call.error(), account);
                 auto response = http::Response::json(
                     501, nlohmann::json::array({{{"error_key", "sandbox.not_implemented"},
                                                  {"error_message", "The sandbox does not emulate " +
                                                                        std::string(operation.id) + " yet."}}}));
                 return response;
               });
  }
}

}  // namespace liaison::sandbox
