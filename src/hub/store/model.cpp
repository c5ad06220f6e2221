#include "hub/store/model.h"

#include <array>
#include <utility>

namespace liaison::hub {

namespace {

template <typename E, size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view nameOf(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<ConnectionStatus, std::string_view>, 3> kConnectionStatuses{{
    {ConnectionStatus::Active, "active"},
    {ConnectionStatus::ReauthRequired, "reauth_required"},
    {ConnectionStatus::Disconnected, "disconnected"},
}};
constexpr std::array<std::pair<SessionFlow, std::string_view>, 2> kFlows{{
    {SessionFlow::Redirect, "redirect"},
    {SessionFlow::Device, "device"},
}};
constexpr std::array<std::pair<SessionStatus, std::string_view>, 5> kSessionStatuses{{
    {SessionStatus::Pending, "pending"},
    {SessionStatus::Connected, "connected"},
    {SessionStatus::Denied, "denied"},
    {SessionStatus::Expired, "expired"},
    {SessionStatus::Failed, "failed"},
}};

}  // namespace

std::string_view toString(ConnectionStatus status) { return nameOf(kConnectionStatuses, status); }
std::optional<ConnectionStatus> connectionStatusFrom(std::string_view text) {
  return lookup(kConnectionStatuses, text);
}
std::string_view toString(SessionFlow flow) { return nameOf(kFlows, flow); }
std::string_view toString(SessionStatus status) { return nameOf(kSessionStatuses, status); }
std::optional<SessionFlow> sessionFlowFrom(std::string_view text) { return lookup(kFlows, text); }
std::optional<SessionStatus> sessionStatusFrom(std::string_view text) {
  return lookup(kSessionStatuses, text);
}

}  // namespace liaison::hub
