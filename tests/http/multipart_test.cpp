#include "http/multipart.h"

#include <gtest/gtest.h>

namespace liaison::http {
namespace {

const std::string kType = "multipart/form-data; boundary=----b0undary";

TEST(MultipartTest, SplitsPartsWithNamesFileNamesAndBinarySafeData) {
  const std::string body =
      "------b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\nemail\r\na@x.io\r\n\r\n"
      "------b0undary\r\nContent-Disposition: form-data; name=\"list_ids\"\r\n\r\nL1,L2\r\n"
      "------b0undary--\r\n";
  auto parts = parseMultipartForm(kType, body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  const FormPart* file = findPart(*parts, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename, "c.csv");
  EXPECT_EQ(file->content_type, "text/csv");
  EXPECT_EQ(file->data, "email\r\na@x.io\r\n");
  EXPECT_EQ(findPart(*parts, "list_ids")->data, "L1,L2");
  EXPECT_FALSE(findPart(*parts, "list_ids")->filename.has_value());
  EXPECT_EQ(findPart(*parts, "missing"), nullptr);
}

TEST(MultipartTest, RejectsOtherMediaTypesMissingBoundariesAndTruncatedBodies) {
  EXPECT_EQ(parseMultipartForm("application/json", "{}").error().code, ErrorCode::UnsupportedMediaType);
  EXPECT_EQ(parseMultipartForm("multipart/form-data", "x").error().code, ErrorCode::InvalidRequest);
  EXPECT_FALSE(parseMultipartForm(kType, "no boundary here").ok());
  EXPECT_FALSE(parseMultipartForm(kType, "------b0undary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nopen").ok());
  EXPECT_FALSE(parseMultipartForm(kType, "------b0undary\r\nX: y\r\n\r\nv\r\n------b0undary--").ok());  // no name
  EXPECT_FALSE(parseMultipartForm(kType, "------b0undaryjunk").ok());
}

}  // namespace
}  // namespace liaison::http
