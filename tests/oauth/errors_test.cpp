// RFC 6749 error bodies: rendered with no-store caching and a Basic challenge on 401, and read back.
#include "oauth/errors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liaison::oauth::testing {
namespace {

using nlohmann::json;

TEST(ErrorResponseTest, BadRequestHasErrorAndDescriptionAndIsNotCached) {
  auto r = errorResponse(makeError(ErrorCode::InvalidRequest, "invalid_grant", "The code has expired."));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r.body),
            json({{"error", "invalid_grant"}, {"error_description", "The code has expired."}}));
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  EXPECT_EQ(r.headers.get("Pragma"), "no-cache");
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
}

TEST(ErrorResponseTest, UnauthorizedCarriesABasicChallenge) {
  auto r =
      errorResponse(makeError(ErrorCode::Unauthorized, "invalid_client", "Client authentication failed."));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body),
            json({{"error", "invalid_client"}, {"error_description", "Client authentication failed."}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Basic realm=\"oauth2\"");
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
}

TEST(ErrorResponseTest, OtherStatusesFollowTheErrorCodeWithoutChallenge) {
  auto forbidden = errorResponse(makeError(ErrorCode::Forbidden, "access_denied", "Denied."));
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.headers.get("WWW-Authenticate"), std::nullopt);
  auto slow_down = errorResponse(makeError(ErrorCode::TooManyRequests, "slow_down", "Poll slower."));
  EXPECT_EQ(slow_down.status, 429);
  EXPECT_EQ(json::parse(slow_down.body)["error"], "slow_down");
  EXPECT_EQ(slow_down.headers.get("Cache-Control"), "no-store");
}

TEST(ParseErrorBodyTest, ReadsWhatTheRendererWrites) {
  auto r =
      errorResponse(makeError(ErrorCode::InvalidRequest, "invalid_grant", "The refresh token was revoked."));
  auto body = parseErrorBody(r.body);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->error, "invalid_grant");
  EXPECT_EQ(body->description, "The refresh token was revoked.");
  EXPECT_FALSE(parseErrorBody(R"([{"error_key":"unauthorized"}])").has_value());
  EXPECT_FALSE(parseErrorBody("not json").has_value());
  EXPECT_EQ(parseErrorBody(R"({"error":"slow_down"})")->description, "");
}

}  // namespace
}  // namespace liaison::oauth::testing
