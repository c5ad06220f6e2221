#include "hub/health/health_store.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "hub/health/health_json.h"

namespace liaison::hub {

const storage::Migration kHealthClaimMigration{
    7, "ALTER TABLE connections ADD COLUMN health_claim_until BIGINT;"};

namespace {

using storage::Database;
using storage::Statement;

// CC may send the same status with its keys in another order: compare values, not text.
bool sameStatus(const std::string& a, const std::string& b) {
  const auto left = nlohmann::json::parse(a, nullptr, false);
  const auto right = nlohmann::json::parse(b, nullptr, false);
  if (left.is_discarded() || right.is_discarded()) return a == b;
  return left == right;
}

void appendHistory(Database& raw, const std::string& connection_id, const SocialLinkHealth& link,
                   TimePoint now) {
  Statement stmt(raw,
                 "INSERT INTO social_history(connection_id, network_account_id, status, healthy, at)"
                 " VALUES(?1, ?2, ?3, ?4, ?5)");
  stmt.bind(1, connection_id).bind(2, link.network_account_id).bind(3, link.connection_status_json);
  stmt.bind(4, int64_t{link.healthy ? 1 : 0}).bind(5, toMillis(now));
  stmt.step();
}

}  // namespace

Result<std::optional<HealthReport>> HealthStore::loadReport(const std::string& connection_id) {
  std::optional<std::string> text;
  TimePoint checked_at{};
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, "SELECT report, checked_at FROM health_reports WHERE connection_id = ?1");
    stmt.bind(1, connection_id);
    if (stmt.step()) {
      text = stmt.columnText(0);
      checked_at = fromMillis(stmt.columnInt(1));
    }
    return okStatus();
  });
  if (!status) return status.error();
  if (!text) return std::optional<HealthReport>();
  auto report = parseHealthJson(connection_id, *text);
  if (!report) {
    spdlog::warn("connection {}: stored health report does not read; checking afresh", connection_id);
    return std::optional<HealthReport>();
  }
  report->checked_at = checked_at;  // the column keeps the exact time the text rounds
  return std::optional<HealthReport>(std::move(*report));
}

Status HealthStore::saveReport(const HealthReport& report) {
  const std::string text = renderHealthJson(report);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw,
                   "INSERT INTO health_reports(connection_id, report, checked_at) VALUES(?1, ?2, ?3)"
                   " ON CONFLICT(connection_id) DO UPDATE SET report = excluded.report,"
                   " checked_at = excluded.checked_at");
    stmt.bind(1, report.connection_id).bind(2, text).bind(3, toMillis(report.checked_at));
    stmt.step();
    return okStatus();
  });
}

Result<std::vector<SocialChange>> HealthStore::recordSocialLinks(const std::string& connection_id,
                                                                 const std::vector<SocialLinkHealth>& links,
                                                                 TimePoint now) {
  std::vector<SocialChange> changes;
  auto status = db_.transaction([&](Database& raw) -> Status {
    for (const auto& link : links) {
      Statement seen(
          raw,
          "SELECT status, healthy FROM social_links WHERE connection_id = ?1 AND network_account_id = ?2");
      seen.bind(1, connection_id).bind(2, link.network_account_id);
      const bool known = seen.step();
      const std::string previous = known ? seen.columnText(0) : std::string();
      const bool was_healthy = known && seen.columnInt(1) != 0;
      const bool changed =
          known && (!sameStatus(previous, link.connection_status_json) || was_healthy != link.healthy);

      Statement upsert(
          raw,
          "INSERT INTO social_links(connection_id, network_account_id, network, display_name, status,"
          " healthy, checked_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
          " ON CONFLICT(connection_id, network_account_id) DO UPDATE SET network = excluded.network,"
          " display_name = excluded.display_name, status = excluded.status,"
          " healthy = excluded.healthy, checked_at = excluded.checked_at");
      upsert.bind(1, connection_id).bind(2, link.network_account_id).bind(3, link.network);
      upsert.bind(4, link.display_name).bind(5, link.connection_status_json);
      upsert.bind(6, int64_t{link.healthy ? 1 : 0}).bind(7, toMillis(now));
      upsert.step();

      if (!known || changed) appendHistory(raw, connection_id, link, now);
      if (changed) changes.push_back({link, previous});
    }
    return okStatus();
  });
  if (!status) return status.error();
  return changes;
}

Result<std::vector<SocialHistoryEntry>> HealthStore::socialHistory(const std::string& connection_id,
                                                                   const std::string& network_account_id) {
  std::vector<SocialHistoryEntry> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw,
                   "SELECT status, healthy, at FROM social_history WHERE connection_id = ?1"
                   " AND network_account_id = ?2 ORDER BY id");
    stmt.bind(1, connection_id).bind(2, network_account_id);
    while (stmt.step())
      out.push_back({stmt.columnText(0), stmt.columnInt(1) != 0, fromMillis(stmt.columnInt(2))});
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Result<std::vector<std::string>> HealthStore::claimDueForCheck(TimePoint checked_before, TimePoint now,
                                                               TimePoint claim_until, int limit) {
  std::vector<std::string> out;
  auto status = db_.transaction([&](Database& raw) -> Status {
    Statement select(raw,
                     std::string("SELECT c.id FROM connections c"
                                 " LEFT JOIN health_reports h ON h.connection_id = c.id"
                                 " WHERE c.status = 'active' AND (h.checked_at IS NULL OR h.checked_at <= ?1)"
                                 " AND (c.health_claim_until IS NULL OR c.health_claim_until <= ?2)"
                                 " ORDER BY COALESCE(h.checked_at, 0), c.created_at, c.id LIMIT ?3") +
                         storage::forUpdateOfSkipLocked(raw, "c"));
    select.bind(1, toMillis(checked_before)).bind(2, toMillis(now)).bind(3, static_cast<int64_t>(limit));
    while (select.step()) out.push_back(select.columnText(0));
    select.reset();
    // The rows are this transaction's (locked on PostgreSQL; SQLite lets one writer in).
    Statement claim(raw, "UPDATE connections SET health_claim_until = ?2 WHERE id = ?1");
    for (const auto& id : out) {
      claim.reset();
      claim.bind(1, id).bind(2, toMillis(claim_until));
      claim.step();
    }
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

Status HealthStore::releaseCheckClaims(const std::vector<std::string>& connection_ids) {
  return db_.transaction([&](Database& raw) -> Status {
    Statement release(raw, "UPDATE connections SET health_claim_until = NULL WHERE id = ?1");
    for (const auto& id : connection_ids) {
      release.reset();
      release.bind(1, id);
      release.step();
    }
    return okStatus();
  });
}

}  // namespace liaison::hub
