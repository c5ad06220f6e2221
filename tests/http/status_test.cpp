// Every ErrorCode has its HTTP status, in one place.
#include "http/status.h"

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
  EXPECT_EQ(statusFor(ErrorCode::HeadersTooLarge), 431);
  EXPECT_EQ(statusFor(ErrorCode::UnsupportedMediaType), 415);
  EXPECT_EQ(statusFor(ErrorCode::TooManyRequests), 429);
  EXPECT_EQ(statusFor(ErrorCode::Internal), 500);
  EXPECT_EQ(statusFor(ErrorCode::Unavailable), 503);
}

}  // namespace
}  // namespace liaison::http::testing
