#pragma once
// An in-process sandbox (bare seed, Fast profile) with what the base requests name: an owner's
// token with every scope, a second account with its own owner's token, a contact on a list, an
// unsubscribed contact, a second list, a tag, a custom field, a campaign whose primary activity
// has recipients, an unconfirmed account email, a pending device code, a helper user and the
// social links the account starts with. Their ids fill the {placeholders} of the base requests.
// state() reads everything a request could change, to prove a refused request changed nothing;
// restore() returns to the state after setup.
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "http/message.h"
#include "sandbox/sandbox.h"

namespace liaison::testing {

struct Call {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;  // empty: no body
  std::string token;         // empty: no Authorization header
};

struct Answer {
  int status = 0;
  std::string body;
  std::string threw;  // what handle() threw, if it did
};

class RequestHarness {
 public:
  RequestHarness();

  // Empty when every setup step worked; otherwise the step that did not.
  const std::string& setupError() const { return setup_error_; }
  const std::map<std::string, std::string>& ids() const { return ids_; }
  const std::string& token(const std::string& who) const;
  bool emulates(const std::string& operation_id) const { return sandbox_->emulates(operation_id); }

  Answer send(const Call& call);
  // Every placeholder `{name}` in `text` replaced by its id.
  std::string fill(std::string text) const;
  nlohmann::json fill(const nlohmann::json& value) const;

  // The account data and the sandbox's own state, as text to compare: every collection through
  // the API with every include, each campaign activity, the account summaries, emails and social
  // links, and through the control API the clock, fault rules, outage, apps, quirks, test sends,
  // social posts and a snapshot of every stored document. The journal is left out: every call,
  // these reads too, adds to it.
  std::string state();
  // state() right after setup.
  const std::string& setupState() const { return setup_state_; }
  // Back to the state right after setup, without rebuilding the sandbox (building one generates
  // its signing key, 100+ ms): the clock's offset, fault rules, outage and snapshots cleared, the
  // snapshot taken after setup restored. Whether state() is setupState() again; if not, the
  // caller builds a new harness.
  bool restore();

 private:
  Answer get(const std::string& target, const std::string& token = "");
  nlohmann::json request(const std::string& method, const std::string& target, const nlohmann::json& body,
                         int expect, const std::string& token = "");
  std::string deviceToken(const std::string& email, const std::string& scope);
  void setup();

  ManualClock clock_;
  CryptoRandom random_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::map<std::string, std::string> ids_;
  std::map<std::string, std::string> tokens_;
  std::string setup_error_;
  std::string setup_state_;
};

}  // namespace liaison::testing
