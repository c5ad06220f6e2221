#include "hub/proxy/idempotency_store.h"

#include <nlohmann/json.hpp>

#include "crypto/hash.h"

namespace liaison::hub::proxy {

using storage::Database;
using storage::Statement;

const char* const kIdempotencySchemaSql =
    "CREATE TABLE proxy_idempotency ("
    "  app_id TEXT NOT NULL, key_hash TEXT NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL,"
    "  answer TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, PRIMARY KEY (app_id, key_hash));"
    "CREATE INDEX proxy_idempotency_created ON proxy_idempotency (created_at);";

namespace {

// A request still unanswered after this long belongs to a process that died: the key is free.
constexpr auto kPendingTimeout = std::chrono::minutes(2);

std::string keyHash(const std::string& key) { return crypto::sha256Hex(key); }
std::string context(const std::string& app_id, const std::string& hash) {
  return "proxy_idempotency/" + app_id + "/" + hash;
}

}  // namespace

IdempotencyStore::IdempotencyStore(HubDatabase& db, Vault& vault, const Clock& clock,
                                   std::chrono::seconds window)
    : db_(db), vault_(vault), clock_(clock), window_(window) {}

Result<Claim> IdempotencyStore::begin(const std::string& app_id, const std::string& key,
                                      const std::string& fingerprint) {
  const std::string hash = keyHash(key);
  const int64_t now = toMillis(clock_.now());
  Claim claim;
  std::string sealed;
  auto status = db_.transaction([&](Database& raw) -> Status {
    // An expired answer or an abandoned claim frees the key.
    Statement stale(raw,
                    "DELETE FROM proxy_idempotency WHERE app_id=?1 AND key_hash=?2 AND"
                    " (created_at <= ?3 OR (state='pending' AND created_at <= ?4))");
    stale.bind(1, app_id).bind(2, hash);
    stale.bind(3, now - std::chrono::duration_cast<std::chrono::milliseconds>(window_).count());
    stale.bind(4, now - std::chrono::duration_cast<std::chrono::milliseconds>(kPendingTimeout).count());
    stale.step();
    Statement find(
        raw, "SELECT fingerprint, state, answer FROM proxy_idempotency WHERE app_id=?1 AND key_hash=?2");
    find.bind(1, app_id).bind(2, hash);
    if (find.step()) {
      if (find.columnText(0) != fingerprint) {
        claim.state = ClaimState::Mismatch;
      } else if (find.columnText(1) == "pending") {
        claim.state = ClaimState::InProgress;
      } else {
        claim.state = ClaimState::Replay;
        sealed = find.columnText(2);
      }
      return okStatus();
    }
    Statement insert(raw,
                     "INSERT INTO proxy_idempotency (app_id, key_hash, fingerprint, state, created_at)"
                     " VALUES (?1, ?2, ?3, 'pending', ?4)");
    insert.bind(1, app_id).bind(2, hash).bind(3, fingerprint).bind(4, now);
    insert.step();
    claim.state = ClaimState::Fresh;
    return okStatus();
  });
  if (!status) return status.error();
  if (claim.state != ClaimState::Replay) return claim;
  auto opened = vault_.open(sealed, context(app_id, hash));
  if (!opened) return opened.error();
  const auto json = nlohmann::json::parse(opened->reveal(), nullptr, false);
  if (!json.is_object())
    return internalError("proxy.idempotency_unreadable", "A kept answer could not be read.", "");
  claim.answer.status = json.value("status", 0);
  claim.answer.body = json.value("body", "");
  for (const auto& h : json.value("headers", nlohmann::json::array())) {
    if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string())
      claim.answer.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  }
  return claim;
}

Status IdempotencyStore::finish(const std::string& app_id, const std::string& key,
                                const StoredAnswer& answer) {
  const std::string hash = keyHash(key);
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : answer.headers) headers.push_back({name, value});
  // Bodies are CC's JSON or text; bytes that are not UTF-8 are replaced rather than refused.
  const nlohmann::json record = {{"status", answer.status}, {"headers", headers}, {"body", answer.body}};
  auto sealed = vault_.seal(Secret(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
                            context(app_id, hash));
  if (!sealed) return sealed.error();
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw,
                   "UPDATE proxy_idempotency SET state='done', answer=?3 WHERE app_id=?1 AND key_hash=?2");
    stmt.bind(1, app_id).bind(2, hash).bind(3, *sealed);
    stmt.step();
    return okStatus();
  });
}

Status IdempotencyStore::abandon(const std::string& app_id, const std::string& key) {
  const std::string hash = keyHash(key);
  return db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw, "DELETE FROM proxy_idempotency WHERE app_id=?1 AND key_hash=?2 AND state='pending'");
    stmt.bind(1, app_id).bind(2, hash);
    stmt.step();
    return okStatus();
  });
}

Result<int64_t> IdempotencyStore::purgeExpired() {
  int64_t removed = 0;
  const int64_t cutoff =
      toMillis(clock_.now()) - std::chrono::duration_cast<std::chrono::milliseconds>(window_).count();
  auto status = db_.transaction([&](Database& raw) -> Status {
    Statement stmt(raw, "DELETE FROM proxy_idempotency WHERE created_at <= ?1");
    stmt.bind(1, cutoff);
    stmt.step();
    removed = raw.changes();
    return okStatus();
  });
  if (!status) return status.error();
  return removed;
}

Result<std::vector<std::string>> IdempotencyStore::sealedValues() {
  std::vector<std::string> out;
  auto status = db_.read([&](Database& raw) -> Status {
    Statement stmt(raw, "SELECT answer FROM proxy_idempotency WHERE answer<>''");
    while (stmt.step()) out.push_back(stmt.columnText(0));
    return okStatus();
  });
  if (!status) return status.error();
  return out;
}

}  // namespace liaison::hub::proxy
