#pragma once
// `liaison sandbox`: CC's authorization server and v3 API, emulated in one request handler.
// The app wires it behind the HTTP server; tests call handle() directly, without sockets.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "http/router.h"
#include "sandbox/context.h"

namespace liaison::sandbox {

struct SandboxOptions {
  AuthSettings auth;
  Profile profile = Profile::Strict;
  SeedKind seed = SeedKind::Demo;
};

class Sandbox {
 public:
  // `store` is null for in-memory state.
  Sandbox(SandboxOptions options, const Clock& base_clock, RandomSource& random,
          storage::DocumentStore* store);
  ~Sandbox();

  // Where clients reach the sandbox (scheme://host:port). Becomes the token issuer and the base
  // of the URLs it hands out; set it once the listening port is known.
  void setBaseUrl(const std::string& base_url);
  const std::string& baseUrl() const { return context_.base_url; }

  // Picks the handler for a request, with 404/405 fallbacks in each API's format (405 with
  // Allow), a 400 for a request with several Authorization headers, and where it runs: in
  // memory, work marked Blocking (it may wait on disk) runs inline. A latency fault's delay is
  // the server's to honour (http::Response::delay), so it moves no call off the I/O threads.
  http::Dispatch dispatch(http::Request& request) const;
  // dispatch + run: the whole sandbox as a pure function.
  http::Response handle(http::Request& request) const;

  // Replaces the state with a snapshot in fixture form (GET /__sandbox/snapshots/{name}) and
  // keeps it as the snapshot "fixture", so POST /__sandbox/snapshots/fixture/restore returns to it.
  Status loadFixture(const nlohmann::json& fixture);

  // What the demo seed puts in the demo account (counts), for the start banner.
  nlohmann::json demoSummary();

  // Whether the sandbox emulates a CC operation (by operationId) rather than answering 501.
  bool emulates(std::string_view operation_id) const;

  AuthServer& auth() { return *auth_; }
  OffsetClock& clock() { return clock_; }

 private:
  struct Parts;
  void addOutageRoutes();
  OffsetClock clock_;
  std::unique_ptr<AuthServer> auth_;
  SandboxContext context_;
  std::unique_ptr<Parts> parts_;
  bool in_memory_;  // no disk store: nothing waits on disk
  http::Router router_;
  http::Handler not_found_;
  http::Handler method_not_allowed_;
  http::Handler repeated_authorization_;
  http::Handler outage_;  // answers calls while an outage lasts
};

}  // namespace liaison::sandbox
