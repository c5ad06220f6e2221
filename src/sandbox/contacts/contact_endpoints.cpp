#include "sandbox/contacts/contact_endpoints.h"

#include "cc/provider.h"

#include "cc/errors.h"
#include "core/memory.h"
#include "sandbox/contacts/activities/csv_import.h"
#include "sandbox/contacts/contact_rules.h"
#include "sandbox/demo_account.h"

namespace liaison::sandbox {

using nlohmann::json;
using http::Execution;

namespace {

http::Response answer(const Result<json>& result, int status = 200) {
  if (!result) return cc::errorResponse(result.error());
  return http::Response::json(status, *result);
}

Result<Params> query(const http::Request& request) {
  auto parsed = request.query();
  if (!parsed) return badRequestBody("The query string is not valid percent-encoding.");
  return std::move(*parsed);
}

Result<std::vector<std::string>> includes(const Params& q) {
  auto values = splitString(q.getOr("include"), ',');
  for (const auto& v : values) {
    if (!isContactInclude(v)) {
      return makeError(ErrorCode::InvalidRequest, "contacts.api.bad_request", "include '" + v + "' is not supported.");
    }
  }
  return values;
}

// Ids in paths are UUIDs; anything else is a 404 in CC's words, never a lookup.
std::optional<http::Response> badId(const std::string& id, const char* key, const char* what) {
  if (isUuid(id)) return std::nullopt;
  return cc::errorResponse(
      makeError(ErrorCode::NotFound, key, std::string(what) + " is in an invalid format."));
}

void addFieldAndTagEndpoints(http::Router& router, ApiGuard& guard, ContactStore& store) {
  guard.add(
      router, "postCustomFields",
      [&store](http::Request& request, const ApiCall& call) {
        auto parsed = takeJsonBody(request, call);
        if (!parsed) return cc::errorResponse(parsed.error());
        return answer(store.createCustomField(call.identity.account_id, *parsed), 201);
      },
      Execution::Blocking);
  guard.add(router, "getCustomFields", [&store](http::Request& request, const ApiCall& call) {
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.listCustomFields(call.identity.account_id, *q));
  });
  guard.add(router, "getCustomField", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["custom_field_id"];
    if (auto bad = badId(id, "custom_fields.api.not_found", "custom_field_id")) return *bad;
    return answer(store.getCustomField(call.identity.account_id, id));
  });
  guard.add(router, "putCustomField", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["custom_field_id"];
    if (auto bad = badId(id, "custom_fields.api.not_found", "custom_field_id")) return *bad;
    auto parsed = takeJsonBody(request, call);
    if (!parsed) return cc::errorResponse(parsed.error());
    return answer(store.updateCustomField(call.identity.account_id, id, *parsed));
  }, Execution::Blocking);
  guard.add(router, "deleteCustomField", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["custom_field_id"];
    if (auto bad = badId(id, "custom_fields.api.not_found", "custom_field_id")) return *bad;
    auto status = store.deleteCustomField(call.identity.account_id, id);
    if (!status) return cc::errorResponse(status.error());
    return http::Response::noContent();
  }, Execution::Long);

  guard.add(
      router, "postTag",
      [&store](http::Request& request, const ApiCall& call) {
        auto parsed = takeJsonBody(request, call);
        if (!parsed) return cc::errorResponse(parsed.error());
        return answer(store.createTag(call.identity.account_id, *parsed), 201);
      },
      Execution::Blocking);
  guard.add(router, "getTags", [&store](http::Request& request, const ApiCall& call) {
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.listTags(call.identity.account_id, *q));
  });
  guard.add(router, "getTag", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["tag_id"];
    if (auto bad = badId(id, "tags.api.not_found", "tag_id")) return *bad;
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.getTag(call.identity.account_id, id, q->getOr("include_count") == "true"));
  });
  guard.add(router, "putTag", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["tag_id"];
    if (auto bad = badId(id, "tags.api.not_found", "tag_id")) return *bad;
    auto parsed = takeJsonBody(request, call);
    if (!parsed) return cc::errorResponse(parsed.error());
    return answer(store.renameTag(call.identity.account_id, id, *parsed));
  }, Execution::Blocking);
  guard.add(router, "deleteTag", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["tag_id"];
    if (auto bad = badId(id, "tags.api.not_found", "tag_id")) return *bad;
    auto activity = store.deleteTag(call.identity.account_id, id);
    if (!activity) return cc::errorResponse(activity.error());
    auto response = http::Response::json(202, *activity);
    response.headers.set("Location", (*activity)["_links"]["self"]["href"].get<std::string>());
    return response;
  }, Execution::Long);
}

}  // namespace

void addContactEndpoints(http::Router& router, ApiGuard& guard, ContactStore& store) {
  guard.add(
      router, "createContact",
      [&store](http::Request& request, const ApiCall& call) {
        auto parsed = takeJsonBody(request, call);
        if (!parsed) return cc::errorResponse(parsed.error());
        return answer(store.createContact(call.identity.account_id, *parsed), 201);
      },
      Execution::Blocking);

  guard.add(router, "getContactIdXrefs", [&store](http::Request& request, const ApiCall& call) {
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.contactXrefs(call.identity.account_id, *q));
  });
  guard.add(router, "getListIdXrefs", [&store](http::Request& request, const ApiCall& call) {
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.listXrefs(call.identity.account_id, *q));
  });
  guard.add(router, "getContacts", [&store](http::Request& request, const ApiCall& call) {
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    auto page = store.listContacts(call.identity.account_id, *q);
    if (!page) return cc::errorResponse(page.error());
    http::Response response;
    response.headers.set("Content-Type", "application/json");
    response.body = std::move(*page);
    return response;
  });

  guard.add(router, "countContact", [&store](http::Request&, const ApiCall& call) {
    return http::Response::json(200, store.countContacts(call.identity.account_id));
  });

  guard.add(router, "getContact", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["contact_id"];
    if (auto bad = badId(id, "contacts.api.not_found", "contact_id")) return *bad;
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    auto include = includes(*q);
    if (!include) return cc::errorResponse(include.error());
    return answer(store.getContact(call.identity.account_id, id, *include));
  });

  guard.add(router, "putContact", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["contact_id"];
    if (auto bad = badId(id, "contacts.api.not_found", "contact_id")) return *bad;
    auto parsed = takeJsonBody(request, call);
    if (!parsed) return cc::errorResponse(parsed.error());
    return answer(store.replaceContact(call.identity.account_id, id, *parsed));
  }, Execution::Blocking);

  guard.add(router, "deleteContact", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["contact_id"];
    if (auto bad = badId(id, "contacts.api.not_found", "contact_id")) return *bad;
    auto status = store.deleteContact(call.identity.account_id, id);
    if (!status) return cc::errorResponse(status.error());
    return http::Response::noContent();
  }, Execution::Blocking);

  guard.add(
      router, "createOrUpdateContact",
      [&store](http::Request& request, const ApiCall& call) {
        auto parsed = takeJsonBody(request, call);
        if (!parsed) return cc::errorResponse(parsed.error());
        auto result = store.signUp(call.identity.account_id, *parsed);
        if (!result) return cc::errorResponse(result.error());
        return http::Response::json(result->second ? 201 : 200, result->first);
      },
      Execution::Blocking);

  addFieldAndTagEndpoints(router, guard, store);

  guard.add(
      router, "bulkImportContactsJSON",
      [&store](http::Request& request, const ApiCall& call) {
        auto result = [&]() -> Result<json> {
          auto parsed = takeJsonBody(request, call);
          if (!parsed) return parsed.error();
          return store.importContacts(call.identity.account_id, *parsed);
        }();
        returnFreedMemory();  // the parsed rows and the staged contacts are gone by now
        return answer(result, 201);
      },
      Execution::Long);
  guard.add(router, "resubscribeContact", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["contact_id"];
    if (auto bad = badId(id, "contacts.api.not_found", "contact_id")) return *bad;
    auto parsed = takeJsonBody(request, call);
    if (!parsed) return cc::errorResponse(parsed.error());
    auto status = store.requestResubscribe(call.identity.account_id, id, *parsed);
    if (!status) return cc::errorResponse(status.error());
    return http::Response::text(200, "");
  }, Execution::Blocking);
  router.add("POST", "/__sandbox/contacts/{contact_id}/confirm_resubscribe", [&store](http::Request& request) {
    auto q = request.query();
    const std::string account = q ? q->getOr("account_id", kDemoAccount) : kDemoAccount;
    return answer(store.confirmResubscribe(account, request.path_params["contact_id"]));
  }, Execution::Blocking);
  guard.add(
      router, "contactsCSVImport",
      [&store](http::Request& request, const ApiCall& call) {
        auto result = [&]() -> Result<json> {
          auto parsed = csvImportRequest(request.header("Content-Type").value_or(""), request.body);
          if (!parsed) return parsed.error();
          return store.importContacts(call.identity.account_id, *parsed);
        }();
        returnFreedMemory();
        return answer(result, 201);
      },
      Execution::Long);
  guard.add(
      router, "postContactsExport",
      [&store](http::Request& request, const ApiCall& call) {
        auto parsed = takeJsonBody(request, call);
        if (!parsed) return cc::errorResponse(parsed.error());
        return answer(store.exportContacts(call.identity.account_id, *parsed), 201);
      },
      Execution::Long);
  guard.add(router, "getContactsExport", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["file_export_id"];
    if (auto bad = badId(id, "activities.api.not_found", "file_export_id")) return *bad;
    auto csv = store.exportFile(call.identity.account_id, id);
    if (!csv) return cc::errorResponse(csv.error());
    http::Response response = http::Response::text(200, *csv);
    response.headers.set("Content-Type", "text/csv; charset=utf-8");
    return response;
  });
  for (const auto& [operation, kind] : std::vector<std::pair<const char*, const char*>>{
           {"postContactDelete", "contact_delete"}, {"postListAddContact", "add_list_memberships"},
           {"postListRemoveContact", "remove_list_memberships"}, {"postListDelete", "list_delete"},
           {"postTagAddContact", "contacts_taggings_add"}, {"postTagRemoveContact", "contacts_taggings_remove"},
           {"postTagDelete", "contacts_tags_delete"}, {"postCustomFieldDelete", "custom_fields_delete"}}) {
    guard.add(
        router, operation,
        [&store, kind = std::string(kind)](http::Request& request, const ApiCall& call) {
          auto parsed = takeJsonBody(request, call);
          if (!parsed) return cc::errorResponse(parsed.error());
          return answer(store.bulkActivity(call.identity.account_id, kind, *parsed), 201);
        },
        Execution::Long);
  }
  guard.add(router, "getActivity", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["activity_id"];
    if (auto bad = badId(id, "activities.api.not_found", "activity_id")) return *bad;
    return answer(store.getActivity(call.identity.account_id, id));
  });
  guard.add(router, "getActivityStatusCollection", [&store](http::Request& request, const ApiCall& call) {
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.listActivities(call.identity.account_id, *q));
  });

  guard.add(
      router, "createList",
      [&store](http::Request& request, const ApiCall& call) {
        auto parsed = takeJsonBody(request, call);
        if (!parsed) return cc::errorResponse(parsed.error());
        return answer(store.createList(call.identity.account_id, *parsed), 201);
      },
      Execution::Blocking);

  guard.add(router, "getLists", [&store](http::Request& request, const ApiCall& call) {
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.listLists(call.identity.account_id, *q));
  });

  guard.add(router, "getList", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["list_id"];
    if (auto bad = badId(id, "contact_lists.api.not_found", "list_id")) return *bad;
    auto q = query(request);
    if (!q) return cc::errorResponse(q.error());
    return answer(store.getList(call.identity.account_id, id, q->has("include_membership_count")));
  });

  guard.add(router, "putList", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["list_id"];
    if (auto bad = badId(id, "contact_lists.api.not_found", "list_id")) return *bad;
    auto parsed = takeJsonBody(request, call);
    if (!parsed) return cc::errorResponse(parsed.error());
    return answer(store.updateList(call.identity.account_id, id, *parsed));
  }, Execution::Blocking);

  guard.add(router, "deleteListActivity", [&store](http::Request& request, const ApiCall& call) {
    const auto id = request.path_params["list_id"];
    if (auto bad = badId(id, "contact_lists.api.not_found", "list_id")) return *bad;
    auto activity = store.deleteList(call.identity.account_id, id);
    if (!activity) return cc::errorResponse(activity.error());
    auto response = http::Response::json(202, *activity);
    response.headers.set("Location", (*activity)["_links"]["self"]["href"].get<std::string>());
    return response;
  }, Execution::Long);
}

}  // namespace liaison::sandbox
