// The authorization server's state as documents: loading it from the store, and the snapshot
// export and restore (never the signing key).
#include <spdlog/spdlog.h>

#include <future>

#include "sandbox/auth/auth_server.h"

namespace liaison::sandbox {

using nlohmann::json;

bool AuthServer::loadFromStore() { return loadDocuments(store_->loadAll()); }

std::vector<storage::Document> AuthServer::documents() const {
  std::shared_lock lock(mutex_);
  std::vector<storage::Document> out;
  auto add = [&](const char* kind, const std::string& id, const json& value) { out.push_back({kind, id, value.dump()}); };
  for (const auto& [id, v] : accounts_) add("account", id, v);
  for (const auto& [id, v] : users_) add("user", id, v);
  for (const auto& [id, v] : apps_) add("app", id, v);
  for (const auto& [id, v] : grants_) add("grant", id, v);
  for (const auto& [id, v] : refresh_) add("refresh", id, v);
  for (const auto& [id, v] : access_) add("access", id, v);
  for (const auto& [id, v] : codes_) add("code", id, v);
  for (const auto& [id, v] : devices_) add("device", id, v);
  return out;
}

Status AuthServer::restoreDocuments(const std::vector<storage::Document>& docs) {
  std::unique_lock lock(mutex_);
  std::vector<storage::Document> kept = docs;
  kept.erase(std::remove_if(kept.begin(), kept.end(), [](const auto& d) { return d.kind == "meta"; }), kept.end());
  if (store_) {
    Writes writes;
    for (const auto& d : kept) writes.push_back({d.kind, d.id, d.json});
    writes.push_back({"meta", "signing_key", json{{"pem", key_.get()->privatePem()}}.dump()});
    writes.push_back({"meta", "initialized", "{}"});
    if (auto status = store_->clear(); !status) return status;
    if (auto status = store_->commit(writes); !status) {
      loadFromStore();
      return makeError(ErrorCode::Internal, "server_error", "The snapshot could not be stored.");
    }
  }
  auto key = key_;
  loadDocuments(kept);
  key_ = key;  // the signing key is not part of a snapshot
  return okStatus();
}

bool AuthServer::loadDocuments(const std::vector<storage::Document>& docs) {
  clearMemory();
  bool initialized = false;
  for (const auto& doc : docs) {
    const json j = json::parse(doc.json);
    if (doc.kind == "account") {
      accounts_[doc.id] = j.get<Account>();
    } else if (doc.kind == "user") {
      auto u = j.get<User>();
      user_by_email_[u.email] = u.id;
      users_[doc.id] = std::move(u);
    } else if (doc.kind == "app") {
      apps_[doc.id] = j.get<App>();
    } else if (doc.kind == "grant") {
      grants_[doc.id] = j.get<Grant>();
    } else if (doc.kind == "refresh") {
      refresh_[doc.id] = j.get<RefreshToken>();
    } else if (doc.kind == "access") {
      access_[doc.id] = j.get<AccessTokenRecord>();
    } else if (doc.kind == "code") {
      codes_[doc.id] = j.get<AuthCode>();
    } else if (doc.kind == "device") {
      auto d = j.get<DeviceAuthorization>();
      device_by_user_code_[d.user_code_hash] = d.device_hash;
      devices_[doc.id] = std::move(d);
    } else if (doc.kind == "meta" && doc.id == "signing_key") {
      auto key = crypto::RsaKey::fromPem(j.at("pem").get<std::string>());
      if (!key) throw std::runtime_error(key.error().message);
      std::promise<std::shared_ptr<crypto::RsaKey>> ready;
      ready.set_value(std::make_shared<crypto::RsaKey>(std::move(key).value()));
      key_ = ready.get_future().share();
    } else if (doc.kind == "meta" && doc.id == "initialized") {
      initialized = true;
    }
  }
  return initialized;
}

}  // namespace liaison::sandbox
