#include "hub/health/health_report.h"

namespace liaison::hub {

std::string_view toString(HealthStatus status) {
  switch (status) {
    case HealthStatus::Healthy:
      return "healthy";
    case HealthStatus::Degraded:
      return "degraded";
    case HealthStatus::Broken:
      return "broken";
  }
  return "broken";
}

std::optional<HealthStatus> healthStatusFrom(std::string_view text) {
  if (text == "healthy") return HealthStatus::Healthy;
  if (text == "degraded") return HealthStatus::Degraded;
  if (text == "broken") return HealthStatus::Broken;
  return std::nullopt;
}

}  // namespace liaison::hub
