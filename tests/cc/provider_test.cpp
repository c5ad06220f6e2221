// CC as provider data: the compiled-in defaults are CC's real values, configuration in the same
// shape is checked field by field, and the sandbox's endpoint layout mirrors CC's paths.
#include "cc/provider.h"

#include <gtest/gtest.h>

namespace liaison::cc::testing {
namespace {

TEST(ProviderTest, DefaultsAreConstantContactsOwn) {
  const auto& cc = constantContact();
  EXPECT_EQ(cc.id, "constant_contact");
  EXPECT_EQ(cc.endpoints.authorize, "https://authz.constantcontact.com/oauth2/default/v1/authorize");
  EXPECT_EQ(cc.endpoints.token, "https://authz.constantcontact.com/oauth2/default/v1/token");
  EXPECT_EQ(cc.endpoints.device_authorize,
            "https://authz.constantcontact.com/oauth2/default/v1/device/authorize");
  EXPECT_EQ(cc.endpoints.api_base, "https://api.cc.email/v3");
  EXPECT_EQ(cc.limits.requests_per_second_per_key, 4);
  EXPECT_EQ(cc.limits.requests_per_day_per_key, 10000);
  EXPECT_EQ(cc.limits.token_requests_per_second_per_client, 1);
  EXPECT_EQ(cc.limits.page_size_max, 500);
  EXPECT_EQ(cc.limits.import_rows_max, 40000u);
  EXPECT_EQ(cc.limits.import_bytes_max, 4u * 1024 * 1024);
  // What CC does not document is named, so configuration can override it knowingly.
  EXPECT_NE(std::find(cc.unconfirmed.begin(), cc.unconfirmed.end(), "endpoints.revoke"),
            cc.unconfirmed.end());
}

nlohmann::json valid() {
  nlohmann::json data = {{"id", "cc"}};
  for (const char* e : {"authorize", "token", "device_authorize", "device_verification", "revoke", "keys",
                        "issuer", "api_base", "audience"}) {
    data["endpoints"][e] = std::string("http://127.0.0.1:1/") + e;
  }
  for (const char* l :
       {"requests_per_second_per_key", "requests_per_day_per_key", "token_requests_per_second_per_client",
        "page_size_max", "page_size_default", "import_rows_max", "import_bytes_max", "import_lists_max",
        "device_code_lifetime_s", "device_poll_interval_s", "authorization_code_lifetime_s",
        "access_token_lifetime_s", "refresh_token_idle_lifetime_s"}) {
    data["limits"][l] = 7;
  }
  return data;
}

TEST(ProviderTest, ParsesConfigurationInTheSameShape) {
  auto parsed = parseProvider(valid());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->endpoints.revoke, "http://127.0.0.1:1/revoke");
  EXPECT_EQ(parsed->limits.requests_per_day_per_key, 7);
  EXPECT_EQ(parsed->limits.import_bytes_max, 7u);
  EXPECT_EQ(parsed->display_name, "cc");
}

TEST(ProviderTest, EveryFieldIsRequiredAndChecked) {
  auto missing = valid();
  missing["limits"].erase("requests_per_day_per_key");
  auto a = parseProvider(missing);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("limits.requests_per_day_per_key"), std::string::npos);

  auto zero = valid();
  zero["limits"]["requests_per_second_per_key"] = 0;
  EXPECT_FALSE(parseProvider(zero));
  auto text = valid();
  text["limits"]["page_size_max"] = "500";
  EXPECT_FALSE(parseProvider(text));
  auto empty = valid();
  empty["endpoints"]["token"] = "";
  EXPECT_FALSE(parseProvider(empty));
  EXPECT_FALSE(parseProvider(nlohmann::json::array()));
}

TEST(ProviderTest, EndpointsAtAnOriginFollowCcsPaths) {
  const auto e = endpointsAt("http://127.0.0.1:8600");
  EXPECT_EQ(e.token, "http://127.0.0.1:8600/oauth2/default/v1/token");
  EXPECT_EQ(e.device_verification, "http://127.0.0.1:8600/activate");
  EXPECT_EQ(e.api_base, "http://127.0.0.1:8600/v3");
  EXPECT_EQ(e.issuer, "http://127.0.0.1:8600");
}

}  // namespace
}  // namespace liaison::cc::testing
