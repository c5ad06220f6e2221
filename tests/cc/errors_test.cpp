// CC's v3 error envelope: rendered as CC sends it, and read back in either shape.
#include "cc/errors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/status.h"

namespace liaison::cc::testing {
namespace {

using nlohmann::json;

TEST(ErrorResponseTest, BadRequestIsAnArrayOfOneError) {
  auto r = errorResponse(makeError(ErrorCode::InvalidRequest, "contacts.api.validation.error", "Bad email"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r.body),
            json::array({{{"error_key", "contacts.api.validation.error"}, {"error_message", "Bad email"}}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
}

TEST(ErrorResponseTest, NotFoundIsAnArrayOfOneError) {
  auto r = errorResponse(makeError(ErrorCode::NotFound, "contacts.api.not.found", "Contact not found"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body),
            json::array({{{"error_key", "contacts.api.not.found"}, {"error_message", "Contact not found"}}}));
}

TEST(ErrorResponseTest, OtherNonAuthErrorsAreArraysToo) {
  for (auto code :
       {ErrorCode::Conflict, ErrorCode::TooManyRequests, ErrorCode::Internal, ErrorCode::MethodNotAllowed}) {
    auto r = errorResponse(makeError(code, "k", "m"));
    EXPECT_EQ(r.status, http::statusFor(code));
    EXPECT_TRUE(json::parse(r.body).is_array()) << r.body;
    EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
  }
}

TEST(ErrorResponseTest, UnauthorizedIsASingleObjectWithBearerChallenge) {
  auto r = errorResponse(makeError(ErrorCode::Unauthorized, "unauthorized", "Unauthorized"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body), json({{"error_key", "unauthorized"}, {"error_message", "Unauthorized"}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Bearer realm=\"api.cc.email\"");
  EXPECT_EQ(r.headers.count("WWW-Authenticate"), 1u);
}

TEST(ErrorResponseTest, ForbiddenIsASingleObjectWithoutChallenge) {
  auto r = errorResponse(makeError(ErrorCode::Forbidden, "forbidden", "Insufficient scope"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body), json({{"error_key", "forbidden"}, {"error_message", "Insufficient scope"}}));
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), std::nullopt);
}

TEST(ErrorResponseTest, MessagesAreJsonEscapedNotInjected) {
  auto r = errorResponse(makeError(ErrorCode::InvalidRequest, "k", "quote \" and }] end"));
  EXPECT_EQ(json::parse(r.body)[0]["error_message"], "quote \" and }] end");
}

TEST(ParseErrorsTest, ReadsBothShapesBack) {
  auto list = errorResponse(makeError(ErrorCode::NotFound, "contacts.api.not.found", "Contact not found"));
  EXPECT_EQ(parseErrors(list.body), (std::vector<ApiError>{{"contacts.api.not.found", "Contact not found"}}));
  auto single = errorResponse(makeError(ErrorCode::Unauthorized, "unauthorized", "Unauthorized"));
  EXPECT_EQ(parseErrors(single.body), (std::vector<ApiError>{{"unauthorized", "Unauthorized"}}));
}

TEST(ParseErrorsTest, AnythingElseIsNoEnvelope) {
  EXPECT_TRUE(parseErrors("").empty());
  EXPECT_TRUE(parseErrors("<html>Bad Gateway</html>").empty());
  EXPECT_TRUE(parseErrors(R"({"error":"invalid_grant"})").empty());
  EXPECT_TRUE(parseErrors(R"([{"error_key":"a","error_message":"b"},{"nope":1}])").empty());
  EXPECT_EQ(parseErrors(R"([{"error_key":"a"}])"), (std::vector<ApiError>{{"a", ""}}));
}

}  // namespace
}  // namespace liaison::cc::testing
