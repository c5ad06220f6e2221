#pragma once
// The only door to Constant Contact. Every outbound call names its CC app, the door (the v3 API
// or the token endpoint) and its class, and is admitted or told when to come back. The limits
// are CC's per API key (4 requests/s and 10,000 a day for every account of the key; 1 request/s
// at the token endpoint), from the provider data. Callers see only this interface: a governor
// shared by many hub processes through the store replaces LocalGovernor without touching them.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "cc/provider.h"
#include "core/clock.h"

namespace liaison::hub {

enum class Door { Api, Token };
// Interactive: a person or the host app waits (proxy, connect). Health and Background run on
// schedules and give way: they stop while the day's remaining budget is within the reserve.
enum class CallClass { Interactive, Health, Background };

struct Admission {
  bool admitted = false;
  std::chrono::milliseconds retry_after{0};  // when not admitted
  const char* reason = "";                   // "per_second", "per_day", "reserve"
};

struct BudgetUse {
  int64_t api_calls_today = 0;
  int64_t api_calls_per_day = 0;  // the limit
  int64_t token_calls_today = 0;
  int64_t refused_today = 0;  // calls refused for the day's budget (per-second pacing is not counted)
};

class Governor {
 public:
  virtual ~Governor() = default;
  virtual Admission admit(const std::string& app_id, Door door, CallClass call_class) = 0;
  virtual BudgetUse usage(const std::string& app_id) = 0;
};

// One process's governor: sliding one-second windows and a per-UTC-day count per app.
class LocalGovernor final : public Governor {
 public:
  // `reserve`: share of the day's API calls kept for interactive calls (0.2 = the last 2,000 of
  // 10,000 only serve people and the host app).
  LocalGovernor(const Clock& clock, const cc::Limits& limits, double reserve = 0.2);
  Admission admit(const std::string& app_id, Door door, CallClass call_class) override;
  BudgetUse usage(const std::string& app_id) override;

 private:
  struct AppState {
    std::deque<TimePoint> api_window;
    std::deque<TimePoint> token_window;
    int64_t day = -1;  // days since the epoch (UTC) the counts below belong to
    int64_t api_today = 0;
    int64_t token_today = 0;
    int64_t refused_today = 0;
  };
  void rollDay(AppState& state, TimePoint now);

  const Clock& clock_;
  int api_per_second_;
  int64_t api_per_day_;
  int token_per_second_;
  double reserve_;
  std::mutex mutex_;
  std::map<std::string, AppState> apps_;
};

}  // namespace liaison::hub
