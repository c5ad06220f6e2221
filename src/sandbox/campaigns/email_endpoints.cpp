#include "sandbox/campaigns/email_endpoints.h"

#include "cc/errors.h"
#include "core/encoding.h"
#include "sandbox/campaigns/email_rules.h"
#include "sandbox/campaigns/preview_text.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/demo_account.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {


http::Response respond(const Result<json>& result, int status = 200) {
  if (!result) return cc::errorResponse(result.error());
  return http::Response::json(status, *result);
}

http::Response respond(const Status& result) {
  if (!result) return cc::errorResponse(result.error());
  return http::Response::noContent();
}

http::Response badQuery() {
  return cc::errorResponse(badRequestBody("The query string is not valid percent-encoding."));
}

// What the preview shows: the tracking image removed, and a plain-text rendering.
json preview(const json& activity) {
  std::string html = activity.value("html_content", "");
  for (size_t at; (at = html.find("[[trackingImage]]")) != std::string::npos;) html.erase(at, 17);
  json out = {{"campaign_activity_id", activity["campaign_activity_id"]},
              {"preview_html_content", html},
              {"preview_text_content", previewText(html)}};
  for (const char* field : {"from_email", "from_name", "reply_to_email", "subject", "preheader"}) {
    if (activity.contains(field)) out[field] = activity[field];
  }
  return out;
}

void addCampaignRoutes(http::Router& router, ApiGuard& guard, EmailStore& store) {
  guard.add(
      router, "createEmailCampaignUsingPOST",
      [&store](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        return respond(store.createCampaign(call.identity.account_id, *body));  // CC answers 200, not 201
      },
      http::Execution::Blocking);
  guard.add(router, "retrieveEmailCampaignsUsingGET", [&store](http::Request& request, const ApiCall& call) {
    auto query = request.query();
    if (!query) return badQuery();
    return respond(store.listCampaigns(call.identity.account_id, *query));
  });
  guard.add(router, "retrieveXrefMappingsUsingGET", [&store](http::Request& request, const ApiCall& call) {
    auto query = request.query();
    if (!query) return badQuery();
    return respond(store.campaignXrefs(call.identity.account_id, *query));
  });
  guard.add(router, "retrieveEmailCampaignUsingGET", [&store](http::Request& request, const ApiCall& call) {
    return respond(store.getCampaign(call.identity.account_id, request.path_params["campaign_id"]));
  });
  guard.add(
      router, "renameEmailCampaignUsingPATCH",
      [&store](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        return respond(
            store.renameCampaign(call.identity.account_id, request.path_params["campaign_id"], *body));
      },
      http::Execution::Blocking);
  guard.add(router, "removeEmailCampaignUsingDELETE", [&store](http::Request& request, const ApiCall& call) {
    return respond(store.deleteCampaign(call.identity.account_id, request.path_params["campaign_id"]));
  }, http::Execution::Blocking);
}

void addActivityRoutes(http::Router& router, ApiGuard& guard, EmailStore& store) {
  guard.add(router, "retrieveEmailCampaignActivityUsingGET", [&store](http::Request& request, const ApiCall& call) {
    auto query = request.query();
    if (!query) return badQuery();
    auto include = activityIncludes(query->getOr("include"));
    if (!include) return cc::errorResponse(include.error());
    return respond(store.getActivity(call.identity.account_id, request.path_params["campaign_activity_id"], *include));
  });
  guard.add(
      router, "updateEmailCampaignActivityUsingPUT",
      [&store](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        return respond(store.replaceActivity(call.identity.account_id,
                                             request.path_params["campaign_activity_id"], *body));
      },
      http::Execution::Blocking);
  guard.add(router, "retrieveEmailCampaignActivityPreviewUsingGET", [&store](http::Request& request,
                                                                             const ApiCall& call) {
    auto activity = store.getActivity(call.identity.account_id, request.path_params["campaign_activity_id"],
                                      {"html_content"});
    if (!activity) return cc::errorResponse(activity.error());
    return http::Response::json(200, preview(*activity));
  });
  guard.add(router, "retrieveEmailSchedulesUsingGET", [&store](http::Request& request, const ApiCall& call) {
    return respond(store.schedules(call.identity.account_id, request.path_params["campaign_activity_id"]));
  });
  guard.add(
      router, "scheduleEmailCampaignActivityUsingPOST",
      [&store](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        return respond(
            store.schedule(call.identity.account_id, request.path_params["campaign_activity_id"], *body),
            201);
      },
      http::Execution::Blocking);
  guard.add(router, "unscheduleEmailCampaignActivityUsingDELETE", [&store](http::Request& request,
                                                                           const ApiCall& call) {
    return respond(store.unschedule(call.identity.account_id, request.path_params["campaign_activity_id"]));
  }, http::Execution::Blocking);
  guard.add(router, "retrieveEmailSendHistoryUsingGET", [&store](http::Request& request, const ApiCall& call) {
    return respond(store.sendHistory(call.identity.account_id, request.path_params["campaign_activity_id"]));
  });
  guard.add(
      router, "testSendCampaignActivityUsingPOST",
      [&store](http::Request& request, const ApiCall& call) {
        auto body = takeJsonBody(request, call);
        if (!body) return cc::errorResponse(body.error());
        return respond(
            store.testSend(call.identity.account_id, request.path_params["campaign_activity_id"], *body));
      },
      http::Execution::Blocking);
}

}  // namespace

EmailHooks accountEmailHooks(SandboxContext& context, EmailHooks::RecipientsFn recipients) {
  EmailHooks hooks;
  hooks.confirmed_senders = [&context](const std::string& account) {
    std::set<std::string> out;
    if (auto found = context.auth.findAccount(account)) {
      for (const auto& email : found->emails) {
        if (email["confirm_status"] == "CONFIRMED") out.insert(toLower(email["email_address"].get<std::string>()));
      }
    }
    return out;
  };
  hooks.default_footer = [&context](const std::string& account) {
    json footer = json::object();
    if (auto found = context.auth.findAccount(account)) {
      footer = found->summary.value("physical_address", json::object());
      footer["organization_name"] = found->summary.value("organization_name", "");
    }
    return footer;
  };
  hooks.recipients = std::move(recipients);
  return hooks;
}

void addEmailEndpoints(http::Router& router, ApiGuard& guard, EmailStore& store, SandboxContext& context) {
  addCampaignRoutes(router, guard, store);
  addActivityRoutes(router, guard, store);

  // Control API: test emails "sent", and confirming an account email so it can be a sender.
  router.add("GET", "/__sandbox/emails/tests", [&store](http::Request& request) {
    auto query = request.query();
    return http::Response::json(200, store.testSends(query ? query->getOr("account_id", kDemoAccount) : kDemoAccount));
  }, http::Execution::Blocking);
  router.add("POST", "/__sandbox/accounts/{account_id}/emails/confirm", [&context](http::Request& request) {
    json body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    if (!body.is_object() || !body.contains("email_address") || !body["email_address"].is_string()) {
      return cc::errorResponse(makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                                         "The body must be {\"email_address\": \"...\"}."));
    }
    const std::string address = toLower(body["email_address"].get<std::string>());
    json confirmed;
    auto account = context.auth.updateAccount(request.path_params["account_id"], [&](Account& a) -> Status {
      for (auto& email : a.emails) {
        if (toLower(email["email_address"].get<std::string>()) != address) continue;
        email["confirm_status"] = "CONFIRMED";
        email["confirm_time"] = formatIso8601(context.clock.now());
        email["confirm_source_type"] = "SITE_OWNER";
        confirmed = email;
        return okStatus();
      }
      return makeError(ErrorCode::NotFound, "sandbox.not_found", "The account has no such email address.");
    });
    if (!account) return cc::errorResponse(account.error());
    return http::Response::json(200, confirmed);
  }, http::Execution::Blocking);
}

}  // namespace liaison::sandbox
