// Error -> HTTP response in the two wire vocabularies: CC v3 API errors and OAuth2 errors.
#include "http/error_response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liaison::http::testing {
namespace {

using nlohmann::json;

TEST(StatusForTest, MapsEveryErrorCode) {
  EXPECT_EQ(statusFor(ErrorCode::InvalidRequest), 400);
  EXPECT_EQ(statusFor(ErrorCode::Unauthorized), 401);
  EXPECT_EQ(statusFor(ErrorCode::Forbidden), 403);
  EXPECT_EQ(statusFor(ErrorCode::NotFound), 404);
  EXPECT_EQ(statusFor(ErrorCode::MethodNotAllowed), 405);
  EXPECT_EQ(statusFor(ErrorCode::Conflict), 409);
  EXPECT_EQ(statusFor(ErrorCode::PayloadTooLarge), 413);
  EXPECT_EQ(statusFor(ErrorCode::UnsupportedMediaType), 415);
  EXPECT_EQ(statusFor(ErrorCode::TooManyRequests), 429);
  EXPECT_EQ(statusFor(ErrorCode::Internal), 500);
  EXPECT_EQ(statusFor(ErrorCode::Unavailable), 503);
}

TEST(CcErrorResponseTest, BadRequestIsAnArrayOfOneError) {
  auto r =
      ccErrorResponse(makeError(ErrorCode::InvalidRequest, "contacts.api.validation.error", "Bad email"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r.body),
            json::array({{{"error_key", "contacts.api.validation.error"}, {"error_message", "Bad email"}}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
}

TEST(CcErrorResponseTest, NotFoundIsAnArrayOfOneError) {
  auto r = ccErrorResponse(makeError(ErrorCode::NotFound, "contacts.api.not.found", "Contact not found"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body),
            json::array({{{"error_key", "contacts.api.not.found"}, {"error_message", "Contact not found"}}}));
}

TEST(CcErrorResponseTest, OtherNonAuthErrorsAreArraysToo) {
  for (auto code :
       {ErrorCode::Conflict, ErrorCode::TooManyRequests, ErrorCode::Internal, ErrorCode::MethodNotAllowed}) {
    auto r = ccErrorResponse(makeError(code, "k", "m"));
    EXPECT_EQ(r.status, statusFor(code));
    EXPECT_TRUE(json::parse(r.body).is_array()) << r.body;
    EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
  }
}

TEST(CcErrorResponseTest, UnauthorizedIsASingleObjectWithBearerChallenge) {
  auto r = ccErrorResponse(makeError(ErrorCode::Unauthorized, "unauthorized", "Unauthorized"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body), json({{"error_key", "unauthorized"}, {"error_message", "Unauthorized"}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Bearer realm=\"api.cc.email\"");
  EXPECT_EQ(r.headers.count("WWW-Authenticate"), 1u);
}

TEST(CcErrorResponseTest, ForbiddenIsASingleObjectWithoutChallenge) {
  auto r = ccErrorResponse(makeError(ErrorCode::Forbidden, "forbidden", "Insufficient scope"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body), json({{"error_key", "forbidden"}, {"error_message", "Insufficient scope"}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
}

TEST(CcErrorResponseTest, MessagesAreJsonEscapedNotInjected) {
  auto r = ccErrorResponse(makeError(ErrorCode::InvalidRequest, "k", "quote \" and }] end"));
  EXPECT_EQ(json::parse(r.body)[0]["error_message"], "quote \" and }] end");
}

TEST(OauthErrorResponseTest, BadRequestHasErrorAndDescriptionAndIsNotCached) {
  auto r = oauthErrorResponse(makeError(ErrorCode::InvalidRequest, "invalid_grant", "The code has expired."));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r.body),
            json({{"error", "invalid_grant"}, {"error_description", "The code has expired."}}));
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  EXPECT_EQ(r.headers.get("Pragma"), "no-cache");
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
}

TEST(OauthErrorResponseTest, UnauthorizedCarriesABasicChallenge) {
  auto r = oauthErrorResponse(
      makeError(ErrorCode::Unauthorized, "invalid_client", "Client authentication failed."));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body),
            json({{"error", "invalid_client"}, {"error_description", "Client authentication failed."}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Basic realm=\"oauth2\"");
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
}

TEST(OauthErrorResponseTest, OtherStatusesFollowTheErrorCodeWithoutChallenge) {
  auto forbidden = oauthErrorResponse(makeError(ErrorCode::Forbidden, "access_denied", "Denied."));
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.headers.get("WWW-Authenticate"), std::nullopt);
  auto slow_down = oauthErrorResponse(makeError(ErrorCode::TooManyRequests, "slow_down", "Poll slower."));
  EXPECT_EQ(slow_down.status, 429);
  EXPECT_EQ(json::parse(slow_down.body)["error"], "slow_down");
  EXPECT_EQ(slow_down.headers.get("Cache-Control"), "no-store");
}

}  // namespace
}  // namespace liaison::http::testing
