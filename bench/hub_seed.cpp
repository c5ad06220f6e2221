// Fills a hub data directory with N connections (sealed tokens, a cached health report each)
// and a hub API key, for bench/hub.sh. Prints the key and one connection id.
// Usage: hub_seed DATA_DIR N
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app/hub_runtime.h"
#include "app/hub_runtime_parts.h"
#include "hub/connections/connect_service.h"
#include "hub/health/health_store.h"
#include "hub/vault/key_encryption_key.h"

using namespace liaison;

namespace {
class NoHttp final : public http::HttpClient {
 public:
  Result<http::ClientResponse> send(const http::ClientRequest&) override {
    return makeError(ErrorCode::Unavailable, "offline", "the seeder calls nobody");
  }
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hub_seed DATA_DIR N\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int n = std::atoi(argv[2]);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  SystemClock clock;
  CryptoRandom random;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "vault.key")) {
    if (!hub::writeKeyFile((std::filesystem::path(dir) / "vault.key").string(), random)) return 1;
  }
  app::HubConfig config;
  config.data_dir = dir;
  config.client_id = "bench-app";
  config.client_secret = Secret("bench-secret");
  config.cc_base_url = "http://127.0.0.1:9";
  config.public_url = "http://127.0.0.1:8700";
  NoHttp http;
  app::HubRuntime hub(config, http, clock, random);
  auto& p = hub.parts();
  hub::HealthStore health(p.db);
  std::string first;
  for (int i = 0; i < n; ++i) {
    hub::Connection c;
    c.id = "conn_" + random.token(15);
    c.app_id = "bench-app";
    c.end_user_id = "user-" + std::to_string(i);
    c.account_id = "acct" + std::to_string(100000 + i);
    c.organization_name = "Business " + std::to_string(i);
    c.user_login = "owner";
    c.scopes = {"account_read", "contact_data", "campaign_data", "offline_access"};
    c.created_at = c.updated_at = c.refresh_token_used_at = clock.now();
    c.access_expires_at = clock.now() + std::chrono::hours(24);
    c.sealed_access_token =
        *p.vault->seal(Secret("eyJ-access-" + random.token(600)), hub::accessTokenContext(c.id));
    c.sealed_refresh_token =
        *p.vault->seal(Secret("refresh-" + random.token(32)), hub::refreshTokenContext(c.id));
    if (auto stored = p.connections.insert(c); !stored) return 1;
    hub::HealthReport report;
    report.connection_id = c.id;
    report.status = hub::HealthStatus::Healthy;
    report.checked_at = clock.now();
    report.cc = {true, true, true, {}, true, false, {clock.now(), "ok"}, ""};
    report.social.push_back(
        {"facebook",
         "fb-" + std::to_string(i),
         c.organization_name,
         R"({"error":null,"has_token":true,"is_active_user":true,"rate_limited":false,"status":null,"token_has_scopes":true,"token_is_valid":true})",
         {{"p-" + std::to_string(i), c.organization_name, "facebook", true, true}},
         true,
         "",
         {}});
    if (auto saved = health.saveReport(report); !saved) return 1;
    if (first.empty()) first = c.id;
  }
  std::printf("%s %s\n", hub.createApiKey("bench").first.c_str(), first.c_str());
  return 0;
}
