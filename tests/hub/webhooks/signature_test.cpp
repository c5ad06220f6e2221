#include "hub/webhooks/signature.h"

#include <gtest/gtest.h>

namespace liaison::hub::webhooks {
namespace {

// Computed outside this code base:
//   printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
constexpr std::string_view kSecret = "whsec_test";
constexpr int64_t kTime = 1700000000;
constexpr std::string_view kBody = R"({"a":1})";
constexpr std::string_view kKnownHeader =
    "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789";

TEST(WebhookSignature, MatchesAnIndependentlyComputedHmac) {
  EXPECT_EQ(signatureHeader(kSecret, kTime, kBody), kKnownHeader);
}

TEST(WebhookSignature, VerifiesItsOwnHeaderWithinTolerance) {
  EXPECT_TRUE(verifySignature(kKnownHeader, kSecret, kBody, kTime));
  EXPECT_TRUE(verifySignature(kKnownHeader, kSecret, kBody, kTime + 300));
  EXPECT_TRUE(verifySignature(kKnownHeader, kSecret, kBody, kTime - 300));
}

TEST(WebhookSignature, RejectsATamperedBody) {
  EXPECT_FALSE(verifySignature(kKnownHeader, kSecret, R"({"a":2})", kTime));
  EXPECT_FALSE(verifySignature(kKnownHeader, kSecret, R"({"a":1} )", kTime));
}

TEST(WebhookSignature, RejectsTheWrongSecret) {
  EXPECT_FALSE(verifySignature(kKnownHeader, "whsec_other", kBody, kTime));
  EXPECT_FALSE(verifySignature(kKnownHeader, "", kBody, kTime));
}

TEST(WebhookSignature, RejectsATamperedTime) {
  // The time is signed: moving it forward to dodge the tolerance breaks the HMAC.
  const std::string moved =
      "t=1700000100,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789";
  EXPECT_FALSE(verifySignature(moved, kSecret, kBody, kTime + 100));
}

TEST(WebhookSignature, RejectsTimesOutsideTheTolerance) {
  EXPECT_FALSE(verifySignature(kKnownHeader, kSecret, kBody, kTime + 301));
  EXPECT_FALSE(verifySignature(kKnownHeader, kSecret, kBody, kTime - 301));
  EXPECT_TRUE(verifySignature(kKnownHeader, kSecret, kBody, kTime + 3600, 3600));
  EXPECT_FALSE(verifySignature(kKnownHeader, kSecret, kBody, kTime + 3601, 3600));
}

TEST(WebhookSignature, AcceptsAnyOfSeveralV1Entries) {
  const std::string rotating = "t=1700000000,v1=" + std::string(64, '0') +
                               ", v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789, v0=x";
  EXPECT_TRUE(verifySignature(rotating, kSecret, kBody, kTime));
  const std::string none_match = "t=1700000000,v1=" + std::string(64, '0') + ",v1=abc";
  EXPECT_FALSE(verifySignature(none_match, kSecret, kBody, kTime));
}

TEST(WebhookSignature, RejectsMalformedHeaders) {
  const std::string v1 = "v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789";
  EXPECT_FALSE(verifySignature("", kSecret, kBody, kTime));
  EXPECT_FALSE(verifySignature(v1, kSecret, kBody, kTime));                     // no time
  EXPECT_FALSE(verifySignature("t=1700000000", kSecret, kBody, kTime));         // no signature
  EXPECT_FALSE(verifySignature("t=+1700000000," + v1, kSecret, kBody, kTime));  // signed number
  EXPECT_FALSE(verifySignature("t=1700000000,t=1700000000," + v1, kSecret, kBody, kTime));
  // Upper-case hex is not what the hub sends.
  EXPECT_FALSE(
      verifySignature("t=1700000000,v1=38877139021993B830AF32FEEA6E18A8DA83EB2F6E49EE50BD9E4CF4CA4D3789",
                      kSecret, kBody, kTime));
}

TEST(WebhookSignature, DifferentTimesGiveDifferentSignatures) {
  EXPECT_NE(signatureHeader(kSecret, kTime, kBody).substr(14),
            signatureHeader(kSecret, kTime + 1, kBody).substr(14));
}

}  // namespace
}  // namespace liaison::hub::webhooks
