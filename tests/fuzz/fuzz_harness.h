#pragma once
// A sandbox instance for the fuzz target (sandbox_fuzz_target.cpp): the bare seed (the demo
// account with its users, apps and social links, without the demo business, so that reading
// the whole state around a call stays cheap), a token of the account's owner, and a list, a
// contact and a draft email campaign of its own, plus what a 4xx must leave as it was. Calls go
// through Sandbox::handle, as the server makes them.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "http/message.h"
#include "sandbox/sandbox.h"

namespace liaison::fuzz {

// The demo seed's account, whose owner the harness's token belongs to.
inline constexpr const char* kAccount = "a07e1sandbox01";
inline constexpr const char* kSnapshot = "fuzz";  // taken when a control instance starts

// A broken invariant: recorded for the replay to report (LIAISON_FUZZ_REPLAY), or printed
// before an abort that libFuzzer reports as a crash.
void fail(const std::string& why);
// The first failure since the last call, or "".
std::string takeFailure();

class Harness {
 public:
  // A control instance also has a snapshot (kSnapshot) and a fault rule for an operation the
  // harness never calls, for the control routes that name one; its state includes the
  // control API's own (apps, clock, faults, outage, snapshots, quirks, social posts) and the
  // account's settings.
  explicit Harness(bool control);

  // A call with the owner's token. A handler that throws is what the server answers 500 for:
  // a failure here, and a 500.
  http::Response call(const std::string& method, const std::string& target, std::string body,
                      const std::string& type = "application/json");
  // What a 4xx must not change: every read below, concatenated; a read that does not answer
  // 200 is a failure. Once the account holds more than a few hundred contacts the instance
  // turns stale, so that the reads stay cheap.
  std::string state();
  // After a control call that changed the sandbox (perhaps ending the token's access): every
  // read of state() still answers without a 5xx.
  void probe();
  // Test-send recipients so far today (CC allows 50 a day).
  size_t testRecipients();
  // A known-good value for a control route's path parameter.
  std::string param(const std::string& name) const;

  const bool control;
  bool stale = false;  // rebuilt before its next input
  // state() as it is now, when known: after a 4xx that left it unchanged, or a call that does
  // not reach the sandbox. Anything else forgets it.
  std::optional<std::string> known_state;
  size_t test_recipients = 0;
  std::string token, list_id, contact_id, activity_id, fault_id;

 private:
  std::vector<std::string> reads() const;

  ManualClock clock_;
  CryptoRandom random_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
};

}  // namespace liaison::fuzz
