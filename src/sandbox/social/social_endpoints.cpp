#include "sandbox/social/social_endpoints.h"

#include "cc/errors.h"
#include "core/json_fields.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/demo_account.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {


Result<int> intParam(const Params& query, const char* name, int fallback) {
  auto text = query.get(name);
  if (!text) return fallback;
  if (text->empty() || text->size() > 6 || text->find_first_not_of("0123456789") != std::string::npos) {
    return contactValidation(std::string(name) + " must be a whole number.");
  }
  return std::stoi(*text);
}

}  // namespace

void addSocialEndpoints(http::Router& router, ApiGuard& guard, SocialStore& store) {
  guard.add(router, "getSocialConnectionsUsingGET", [&store](http::Request&, const ApiCall& call) {
    http::Response response;
    response.status = 200;
    response.headers.set("Content-Type", "application/json");
    response.body = store.connectionsBody(call.identity.account_id);
    return response;
  });
  guard.add(router, "getSocialProfilesUsingGET", [&store](http::Request& request, const ApiCall& call) {
    auto query = request.query();
    if (!query) return cc::errorResponse(badRequestBody("The query string is not valid percent-encoding."));
    const std::string include = query->getOr("include");
    if (!include.empty() && include != "accessible") {
      return cc::errorResponse(contactValidation("include accepts only accessible."));
    }
    return http::Response::json(200, store.profiles(call.identity.account_id, include == "accessible"));
  });
  guard.add(router, "getSocialHashtagGroupsUsingGET", [&store](http::Request& request, const ApiCall& call) {
    auto query = request.query();
    if (!query) return cc::errorResponse(badRequestBody("The query string is not valid percent-encoding."));
    auto limit = intParam(*query, "limit", 5);
    auto page = intParam(*query, "page", 0);
    if (!limit) return cc::errorResponse(limit.error());
    if (!page) return cc::errorResponse(page.error());
    auto groups = store.hashtagGroups(call.identity.account_id, *limit, *page);
    if (!groups) return cc::errorResponse(groups.error());
    return http::Response::json(200, *groups);
  });
  guard.add(
      router, "createSocialPostUsingPOST",
      [&store](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        auto post = store.createPost(call.identity.account_id, *body);
        if (!post) return cc::errorResponse(post.error());
        return http::Response::json(201, *post);
      },
      http::Execution::Blocking);

  // Control API: what happened to posts, and events on a social link.
  router.add("GET", "/__sandbox/social/posts", [&store](http::Request& request) {
    auto query = request.query();
    const std::string account = query ? query->getOr("account_id", kDemoAccount) : kDemoAccount;
    return http::Response::json(200, store.posts(account));
  }, http::Execution::Blocking);
  router.add("POST", "/__sandbox/social/connections/{network_account_id}/events", [&store](http::Request& request) {
    json body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    if (!body.is_object()) {
      return cc::errorResponse(makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                                         "The body must be a JSON object."));
    }
    auto account = JsonFields(body, "sandbox.validation.error").optionalString("account_id", {64});
    if (!account) return cc::errorResponse(account.error());
    auto result =
        store.applyEvent(account->value_or(kDemoAccount), request.path_params["network_account_id"], body);
    if (!result) return cc::errorResponse(result.error());
    return http::Response::json(200, *result);
  }, http::Execution::Blocking);
}

}  // namespace liaison::sandbox
