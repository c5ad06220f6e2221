#include "sandbox/sandbox.h"

#include <mutex>

#include "cc/errors.h"
#include "sandbox/account/account_endpoints.h"
#include "sandbox/api_guard.h"
#include "sandbox/auth/browser_flow.h"
#include "sandbox/auth/oauth_endpoints.h"
#include "sandbox/campaigns/email_endpoints.h"
#include "sandbox/contacts/contact_endpoints.h"
#include "sandbox/control/control_api.h"
#include "sandbox/control/outage.h"
#include "sandbox/control/snapshots.h"
#include "sandbox/demo_business.h"
#include "sandbox/fallbacks.h"
#include "sandbox/social/social_endpoints.h"

namespace liaison::sandbox {

struct Sandbox::Parts {
  Parts(SandboxContext& context, storage::DocumentStore* store)
      : context(context),
        store(store),
        auth(context.auth),
        oauth(context),
        browser(context),
        guard(context),
        contacts(context.clock, context.random, store),
        social(context.clock, context.random, store),
        emails(context.clock, context.random, store,
               accountEmailHooks(context,
                                 [this](const std::string& account, const std::vector<std::string>& lists) {
                                   return contacts.listRecipients(account, lists);
                                 })),
        snapshots(
            context.clock, [this] { return collect(); },
            [this](const std::vector<storage::Document>& docs) { return restore(docs); }),
        outage(context.clock) {}
  std::vector<storage::Document> collect() {
    std::vector<storage::Document> all = auth.documents();
    auto append = [&all](std::vector<storage::Document> part) {
      all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    };
    append(contacts.documents());
    append(social.documents());
    append(emails.documents());
    return all;
  }
  Status restore(const std::vector<storage::Document>& docs) {
    if (auto status = auth.restoreDocuments(docs); !status) return status;  // rewrites the store too
    contacts.restoreDocuments(docs);
    social.restoreDocuments(docs);
    emails.restoreDocuments(docs);
    return okStatus();
  }
  // The demo seed's business (contacts, lists, campaigns), built once: a reset only copies it.
  Result<const DemoBusiness*> demoBusiness() {
    std::lock_guard lock(demo_mutex);  // a reset and the start banner may ask at once
    if (!demo) {
      auto built = buildDemoBusiness(accountEmailHooks(context, nullptr));
      if (!built) return built.error();
      demo = std::move(*built);
    }
    return demo.get();
  }
  Status seedBusiness(SeedKind seed) {
    if (seed != SeedKind::Demo) return okStatus();
    auto built = demoBusiness();
    if (!built) return built.error();
    const DemoBusiness& business = **built;
    if (store) {
      std::vector<storage::Write> writes;
      for (const auto& doc : business.documents) writes.push_back({doc.kind, doc.id, doc.json});
      if (auto status = store->commit(writes); !status) return status;
    }
    contacts.copyFrom(business.contacts);
    emails.copyFrom(*business.emails);
    return okStatus();
  }
  SandboxContext& context;
  storage::DocumentStore* store;
  std::mutex demo_mutex;
  std::unique_ptr<DemoBusiness> demo;  // set once, then only copied from
  AuthServer& auth;
  OAuthEndpoints oauth;
  BrowserFlow browser;
  ApiGuard guard;
  ContactStore contacts;
  SocialStore social;
  EmailStore emails;
  Snapshots snapshots;
  Outage outage;
};

Sandbox::Sandbox(SandboxOptions options, const Clock& base_clock, RandomSource& random,
                 storage::DocumentStore* store)
    : clock_(base_clock),
      auth_(std::make_unique<AuthServer>(options.auth, clock_, random, store, options.seed)),
      context_{*auth_, clock_, random, options.profile, options.auth.issuer},
      parts_(std::make_unique<Parts>(context_, store)),
      in_memory_(store == nullptr) {
  if (auth_->startedFresh()) {
    if (auto seeded = parts_->seedBusiness(options.seed); !seeded) {
      throw std::runtime_error("cannot seed the demo business: " + seeded.error().message);
    }
  }
  parts_->oauth.addRoutes(router_, parts_->guard.faults());
  parts_->browser.addRoutes(router_);
  addAccountEndpoints(router_, parts_->guard, context_);
  addContactEndpoints(router_, parts_->guard, parts_->contacts);
  addSocialEndpoints(router_, parts_->guard, parts_->social);
  addEmailEndpoints(router_, parts_->guard, parts_->emails, context_);
  parts_->guard.setObjectRateLimitBody([this](const std::string& account) {
    return parts_->contacts.quirks(account)["rate_limit_body"] == "object";
  });
  router_.add("POST", "/__sandbox/faults", [this](http::Request& request) {
    auto rule = parts_->guard.faults().add(nlohmann::json::parse(request.body, nullptr, false));
    if (!rule) return cc::errorResponse(rule.error());
    return http::Response::json(201, *rule);
  });
  router_.add("GET", "/__sandbox/faults", [this](http::Request&) {
    return http::Response::json(200, parts_->guard.faults().list());
  });
  router_.add("DELETE", "/__sandbox/faults", [this](http::Request&) {
    parts_->guard.faults().clear();
    return http::Response::noContent();
  });
  router_.add("DELETE", "/__sandbox/faults/{fault_id}", [this](http::Request& request) {
    if (!parts_->guard.faults().remove(request.path_params["fault_id"])) {
      return cc::errorResponse(makeError(ErrorCode::NotFound, "sandbox.not_found", "No such fault rule."));
    }
    return http::Response::noContent();
  });
  router_.add("GET", "/__sandbox/journal", [this](http::Request& request) {
    auto query = request.query();
    const std::string limit = query ? query->getOr("limit", "100") : "100";
    if (limit.empty() || limit.size() > 4 || limit.find_first_not_of("0123456789") != std::string::npos) {
      return cc::errorResponse(makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                                         "limit must be a number up to 1000."));
    }
    return http::Response::json(200, parts_->guard.journal().recent(std::min<size_t>(std::stoul(limit), 1000)));
  });
  router_.add("GET", "/__sandbox/accounts/{account_id}/quirks", [this](http::Request& request) {
    return http::Response::json(200, parts_->contacts.quirks(request.path_params["account_id"]));
  });
  router_.add("PUT", "/__sandbox/accounts/{account_id}/quirks", [this](http::Request& request) {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object()) {
      return cc::errorResponse(makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                                         "The body must be a JSON object of quirk switches."));
    }
    if (!auth_->findAccount(request.path_params["account_id"])) {
      return cc::errorResponse(makeError(ErrorCode::NotFound, "sandbox.not_found", "No such account."));
    }
    auto result = parts_->contacts.setQuirks(request.path_params["account_id"], body);
    if (!result) return cc::errorResponse(result.error());
    return http::Response::json(200, *result);
  }, http::Execution::Blocking);
  addOutageRoutes();
  addAccessControls(router_, context_, [this](const User& user) {
    (void)parts_->social.userChanged(user.account_id, user.email, user.active);
  });
  parts_->snapshots.addRoutes(router_);
  parts_->guard.addUnimplemented(router_);
  addControlApi(router_, context_, ControlHooks{[this](SeedKind seed) {
                  parts_->browser.reset();
                  parts_->oauth.resetLimits();
                  parts_->contacts.reset();
                  parts_->social.reset();
                  parts_->emails.reset();
                  parts_->guard.resetLimits();
                  parts_->guard.faults().clear();
                  parts_->guard.journal().clear();
                  parts_->outage.end();
                  return parts_->seedBusiness(seed);
                }});
  router_.add("GET", "/", [this](http::Request&) {
    return http::Response::json(200, {{"service", "liaison sandbox"},
                                      {"authorization_server", context_.base_url + "/.well-known/oauth-authorization-server"},
                                      {"api", context_.base_url + "/v3"}});
  });
  not_found_ = [](http::Request& request) { return notFound(request); };
  method_not_allowed_ = [this](http::Request& request) {
    return methodNotAllowed(request, router_.allow(request.path()));
  };
  repeated_authorization_ = [](http::Request& request) { return repeatedAuthorization(request); };
}

Sandbox::~Sandbox() = default;

void Sandbox::addOutageRoutes() {
  router_.add("POST", "/__sandbox/outage", [this](http::Request& request) {
    auto started = parts_->outage.start(nlohmann::json::parse(request.body, nullptr, false));
    if (!started) return cc::errorResponse(started.error());
    return http::Response::json(200, *started);
  });
  router_.add("GET", "/__sandbox/outage",
              [this](http::Request&) { return http::Response::json(200, parts_->outage.state()); });
  router_.add("DELETE", "/__sandbox/outage", [this](http::Request&) {
    parts_->outage.end();
    return http::Response::noContent();
  });
  outage_ = [this](http::Request& request) {
    if (auto down = parts_->outage.answer(request)) return *down;
    return (*dispatch(request).handler)(request);  // it ended since the call was dispatched
  };
}

void Sandbox::setBaseUrl(const std::string& base_url) {
  context_.base_url = base_url;
  auth_->setIssuer(base_url);
}

Status Sandbox::loadFixture(const nlohmann::json& fixture) {
  auto imported = parts_->snapshots.importSnapshot("fixture", fixture);
  if (!imported) return imported.error();
  return parts_->snapshots.restore("fixture");
}

nlohmann::json Sandbox::demoSummary() {
  auto demo = parts_->demoBusiness();
  return demo ? (*demo)->summary : nlohmann::json::object();
}

bool Sandbox::emulates(std::string_view operation_id) const { return parts_->guard.serves(operation_id); }

http::Dispatch Sandbox::dispatch(http::Request& request) const {
  if (request.headers.count("Authorization") > 1) return {&repeated_authorization_, http::Execution::Inline};
  if (parts_->outage.answer(request)) return {&outage_, http::Execution::Inline};
  auto match = router_.match(request);
  if (match.route) {
    http::Execution execution = match.route->execution;
    if (execution == http::Execution::Blocking && in_memory_) execution = http::Execution::Inline;
    return {&match.route->handler, execution};
  }
  return {match.path_matched ? &method_not_allowed_ : &not_found_, http::Execution::Inline};
}

http::Response Sandbox::handle(http::Request& request) const {
  auto dispatched = dispatch(request);
  return (*dispatched.handler)(request);
}

}  // namespace liaison::sandbox
