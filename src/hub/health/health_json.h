#pragma once
// The health report as JSON: the REST shape of GET /api/v1/connections/{id}/health, which is
// also the form the store keeps the last report in, so a cached report reads back exactly as it
// was served.
#include <string>

#include "core/result.h"
#include "hub/health/health_report.h"

namespace liaison::hub {

// {"status", "checked_at", "remedy"?, "cc": {…}, "social": [{…, "connection_status": CC's
// object verbatim, "profiles": [{profile_id, name, network, connected, accessible}], …}]};
// "remedy" keys appear only when there is something to do.
std::string renderHealthJson(const HealthReport& report);

// Reads a report rendered by renderHealthJson back (the connection id is not part of the
// shape). Fails with "health.unreadable" when the text is not such a report.
Result<HealthReport> parseHealthJson(const std::string& connection_id, const std::string& text);

}  // namespace liaison::hub
