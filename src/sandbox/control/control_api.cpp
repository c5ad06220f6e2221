#include "sandbox/control/control_api.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

#include "cc/errors.h"
#include "cc/privileges.h"
#include "cc/scopes.h"
#include "core/json_fields.h"
#include "sandbox/account/account_rules.h"
#include "sandbox/control/control_json.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

http::Response fail(const Error& error) { return cc::errorResponse(error); }

http::Response invalid(const std::string& message) {
  return fail(makeError(ErrorCode::InvalidRequest, "sandbox.validation.error", message));
}

// The latest time the virtual clock may show. TimePoint counts nanoseconds in 64 bits, which ends
// in April 2262; the decades of margin keep every expiry, schedule and outage computed from the
// clock inside that range.
constexpr const char* kLatestText = "2200-01-01T00:00:00Z";
TimePoint latestTime() { return fromUnixSeconds(7258118400); }

// How far the clock may still be advanced, in whole seconds.
int64_t secondsLeft(TimePoint now) {
  return now >= latestTime() ? 0
                             : std::chrono::duration_cast<std::chrono::seconds>(latestTime() - now).count();
}

json clockJson(const OffsetClock& clock) {
  return {{"now", formatIso8601(clock.now())},
          {"offset_seconds", std::chrono::duration_cast<std::chrono::seconds>(clock.offset()).count()}};
}

json appJson(const App& app) {
  return {{"client_id", app.client_id},
          {"name", app.name},
          {"confidential", app.confidential()},
          {"redirect_uris", app.redirect_uris},
          {"flows", app.flows},
          {"refresh_token_type", app.refresh_type == RefreshTokenType::Rotating ? "rotating" : "long_lived"}};
}

http::Response registerApp(SandboxContext& context, const http::Request& request) {
  auto body = readJson(request);
  if (!body) return fail(body.error());
  AppSpec spec;
  auto client_id = field<std::string>(*body, "client_id", "");
  auto name = field<std::string>(*body, "name", "");
  auto confidential = field<bool>(*body, "confidential", true);
  auto uris = field<std::vector<std::string>>(*body, "redirect_uris", {});
  auto flows = field<std::set<std::string>>(*body, "flows", {"authorization_code"});
  auto refresh = field<std::string>(*body, "refresh_token_type", "rotating");
  auto secret = field<std::string>(*body, "client_secret", "");
  for (const Error* e : {client_id.ok() ? nullptr : &client_id.error(), name.ok() ? nullptr : &name.error(),
                         confidential.ok() ? nullptr : &confidential.error(), uris.ok() ? nullptr : &uris.error(),
                         flows.ok() ? nullptr : &flows.error(), refresh.ok() ? nullptr : &refresh.error(),
                         secret.ok() ? nullptr : &secret.error()}) {
    if (e) return fail(*e);
  }
  if (*refresh != "rotating" && *refresh != "long_lived") {
    return invalid("refresh_token_type must be rotating or long_lived.");
  }
  spec.client_id = *client_id;
  spec.name = *name;
  spec.confidential = *confidential;
  spec.redirect_uris = *uris;
  spec.flows = *flows;
  spec.refresh_type = *refresh == "rotating" ? RefreshTokenType::Rotating : RefreshTokenType::LongLived;
  if (!secret->empty()) spec.client_secret = *secret;
  auto result = context.auth.registerApp(spec);
  if (!result) return fail(result.error());
  json out = appJson(result->first);
  // Shown once, like CC's developer portal; only its hash is kept.
  if (result->first.confidential()) out["client_secret"] = result->second;
  auto response = http::Response::json(201, out);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

http::Response createUser(SandboxContext& context, const http::Request& request) {
  auto body = readJson(request);
  if (!body) return fail(body.error());
  auto account_id = field<std::string>(*body, "account_id", "");
  auto email = field<std::string>(*body, "email", "");
  auto password = field<std::string>(*body, "password", "");
  auto role = field<std::string>(*body, "role", "Account Owner");
  auto privileges = field<std::vector<std::string>>(*body, "privileges", {});
  for (const Error* e : {account_id.ok() ? nullptr : &account_id.error(), email.ok() ? nullptr : &email.error(),
                         password.ok() ? nullptr : &password.error(), role.ok() ? nullptr : &role.error(),
                         privileges.ok() ? nullptr : &privileges.error()}) {
    if (e) return fail(*e);
  }
  UserSpec spec{*account_id, *email, *password, *role, *privileges};
  if (spec.account_id.empty()) {
    // Default to the demo account when there is exactly one account.
    auto owner = context.auth.findUserByEmail("owner@sandbox.test");
    if (owner) spec.account_id = owner->account_id;
  }
  auto user = context.auth.createUser(spec);
  if (!user) return fail(user.error());
  return http::Response::json(201, {{"user_id", user->id},
                                    {"account_id", user->account_id},
                                    {"email", user->email},
                                    {"role", user->role},
                                    {"privileges", context.auth.userPrivileges(*user)}});
}

// POST /__sandbox/accounts: the fields of CC's account summary (and its physical address), each
// checked as PUT /v3/account/summary checks it, plus an optional id. Anything else is refused so
// that nothing reaches /v3/account/summary that CC would not show there.
Result<json> accountSummary(const json& body) {
  static const std::set<std::string> kFields = {
      "encoded_account_id", "physical_address", "contact_email", "contact_phone",
      "country_code",       "first_name",       "last_name",     "organization_name",
      "organization_phone", "state_code",       "time_zone_id",  "website"};
  for (const auto& [name, value] : body.items()) {
    if (!kFields.count(name)) {
      return makeError(ErrorCode::InvalidRequest, "sandbox.validation.error",
                       name + " is not an account summary field.");
    }
  }
  const JsonFields fields(body, "sandbox.validation.error");
  auto id = fields.optionalString("encoded_account_id", {32, false, false});
  if (!id) return id.error();
  if (*id && !std::all_of((*id)->begin(), (*id)->end(),
                          [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
    return fields.invalid("encoded_account_id", "must hold only letters and digits.");
  }
  json summary = json::object();
  if (auto status = applySummary(summary, body, "sandbox.validation.error"); !status) return status.error();
  auto address = fields.optionalObject("physical_address");
  if (!address) return address.error();
  if (*address) {
    if (auto status = validateAddress(**address, "sandbox.validation.error"); !status) return status.error();
    summary["physical_address"] = addressOf(**address);
  }
  if (*id) summary["encoded_account_id"] = **id;
  return summary;
}

http::Response decideDevice(SandboxContext& context, const http::Request& request, bool approve) {
  auto body = readJson(request);
  if (!body) return fail(body.error());
  auto user_code = field<std::string>(*body, "user_code", "");
  auto email = field<std::string>(*body, "email", "owner@sandbox.test");
  if (!user_code) return fail(user_code.error());
  if (!email) return fail(email.error());
  auto device = context.auth.findDeviceByUserCode(*user_code);
  if (!device) {
    return fail(makeError(ErrorCode::NotFound, "sandbox.not_found", "No pending device authorization has that user_code."));
  }
  auto user = context.auth.findUserByEmail(*email);
  if (!user) return fail(makeError(ErrorCode::NotFound, "sandbox.not_found", "No user has that email."));
  auto status = context.auth.decideDevice(device->device_hash, *user, approve);
  if (!status) return fail(status.error());
  return http::Response::json(200, {{"status", approve ? "approved" : "denied"}});
}

}  // namespace

void addControlApi(http::Router& router, SandboxContext& context, ControlHooks hooks) {
  using http::Execution;
  router.add("POST", "/__sandbox/reset", [&context, hooks](http::Request& request) {
    auto body = readJson(request);
    if (!body) return fail(body.error());
    auto seed = field<std::string>(*body, "seed", "demo");
    if (!seed) return fail(seed.error());
    auto kind = parseSeed(*seed);
    if (!kind) return invalid("seed must be demo, bare or empty.");
    auto status = context.auth.reset(*kind);
    if (!status) return fail(status.error());
    context.clock.setOffset(std::chrono::microseconds(0));
    if (hooks.on_reset) {
      if (auto reset = hooks.on_reset(*kind); !reset) return fail(reset.error());
    }
    return http::Response::json(200, {{"status", "reset"}, {"seed", *seed}});
  }, Execution::Long);

  router.add("GET", "/__sandbox/apps", [&context](http::Request&) {
    json out = json::array();
    for (const auto& app : context.auth.listApps()) out.push_back(appJson(app));
    return http::Response::json(200, out);
  });
  router.add("POST", "/__sandbox/apps", [&context](http::Request& request) { return registerApp(context, request); },
             Execution::Blocking);
  router.add("POST", "/__sandbox/accounts", [&context](http::Request& request) {
    auto body = readJson(request);
    if (!body) return fail(body.error());
    auto summary = accountSummary(*body);
    if (!summary) return fail(summary.error());
    auto account = context.auth.createAccount(*summary);
    if (!account) return fail(account.error());
    json out = account->summary;
    out["encoded_account_id"] = account->id;
    return http::Response::json(201, out);
  }, Execution::Long);
  router.add("POST", "/__sandbox/users", [&context](http::Request& request) { return createUser(context, request); },
             Execution::Long);

  router.add("GET", "/__sandbox/clock", [&context](http::Request&) {
    return http::Response::json(200, clockJson(context.clock));
  });
  router.add("POST", "/__sandbox/clock/advance", [&context](http::Request& request) {
    auto body = readJson(request);
    if (!body) return fail(body.error());
    const int64_t most = secondsLeft(context.clock.now());
    if (most < 1)
      return invalid(std::string("The virtual clock is at its latest time, ") + kLatestText + ".");
    // A whole number only: a fraction or a number past the latest time is refused, never converted.
    auto seconds = controlFields(*body).optionalInteger("seconds", 1, most);
    if (!seconds || !*seconds) {
      return invalid("seconds must be a whole number from 1 to " + std::to_string(most) +
                     ": the clock moves forward only, and no further than " + kLatestText + ".");
    }
    context.clock.advance(std::chrono::seconds(**seconds));
    return http::Response::json(200, clockJson(context.clock));
  });
  router.add("POST", "/__sandbox/clock/set", [&context](http::Request& request) {
    auto body = readJson(request);
    if (!body) return fail(body.error());
    auto now = field<std::string>(*body, "now", "");
    if (!now) return fail(now.error());
    const TimePoint current = context.clock.now();
    TimePoint to;
    const Iso8601 parsed = readIso8601(*now, to);
    if (parsed == Iso8601::Malformed) {
      return invalid("now must be an ISO-8601 date-time such as 2027-01-01T00:00:00Z.");
    }
    if (parsed == Iso8601::OutOfRange || to < current || to > latestTime()) {
      return invalid("now must be between the virtual clock's current time (" + formatIso8601(current) +
                     ") and " + kLatestText +
                     ": the clock moves forward only (POST /__sandbox/reset returns it to real time).");
    }
    context.clock.set(to);
    return http::Response::json(200, clockJson(context.clock));
  });

  router.add("POST", "/__sandbox/device/approve",
             [&context](http::Request& request) { return decideDevice(context, request, true); },
             Execution::Blocking);
  router.add("POST", "/__sandbox/device/deny",
             [&context](http::Request& request) { return decideDevice(context, request, false); },
             Execution::Blocking);
}

}  // namespace liaison::sandbox
