// Result<T>: a value or an Error, never both.
#include "core/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace liaison::testing {
namespace {

Result<int> half(int n) {
  if (n % 2 != 0) return makeError(ErrorCode::InvalidRequest, "odd", "n must be even");
  return n / 2;
}

TEST(ResultTest, HoldsAValue) {
  auto r = half(8);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 4);
  EXPECT_EQ(*r, 4);
}

TEST(ResultTest, HoldsAnErrorWithCodeKeyAndMessage) {
  auto r = half(3);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, ErrorCode::InvalidRequest);
  EXPECT_EQ(r.error().key, "odd");
  EXPECT_EQ(r.error().message, "n must be even");
}

TEST(ResultTest, ArrowAndMoveOutReachTheValue) {
  Result<std::string> r = std::string("hello");
  EXPECT_EQ(r->size(), 5u);
  Result<std::unique_ptr<int>> owned = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(owned).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, OkStatusIsOkAndDefaultErrorIsInternal) {
  EXPECT_TRUE(okStatus().ok());
  Status failed = Error{};
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::Internal);
}

}  // namespace
}  // namespace liaison::testing
