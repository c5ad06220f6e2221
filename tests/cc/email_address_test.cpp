// CC's email address rule: dot-atom local part, LDH host with an alphabetic top-level label, at
// most 80 characters, and a length check that comes before any parsing.
#include "cc/email_address.h"

#include <gtest/gtest.h>

#include <string>

namespace liaison::cc::testing {
namespace {

TEST(EmailAddressTest, AcceptsDotAtomAddressesOnLdhHosts) {
  for (const char* address :
       {"ada@example.com", "Ada.Lovelace@Example.COM", "a+tag@mail.example.co.uk", "o'brien@example.ie",
        "x_y-z@sub-domain.example.org", "!#$%&'*+-/=?^_`{|}~@example.com", "1@2a.io", "owner@sandbox.test"}) {
    EXPECT_TRUE(isEmailAddress(address)) << address;
  }
}

TEST(EmailAddressTest, RejectsWhatCcRejects) {
  for (const char* address : {"",
                              "@",
                              "a@",
                              "@example.com",
                              "plain",
                              "a@b",
                              "a@localhost",
                              "<script>@x.com",
                              "a b@example.com",
                              "a@-example.com",
                              "a@example-.com",
                              "a@exa_mple.com",
                              "a@example.c",
                              "a@example.c0m",
                              "a@example.123",
                              "a@[192.0.2.1]",
                              "a@example..com",
                              "a@.example.com",
                              "a@example.com.",
                              ".a@example.com",
                              "a.@example.com",
                              "a..b@example.com",
                              "\"quoted\"@example.com",
                              "a@b@example.com",
                              "jos\xc3\xa9@example.com",
                              "a@ex\xc3\xa4mple.com",
                              "a,b@example.com",
                              "a(b)@example.com",
                              "a@example.com>"}) {
    EXPECT_FALSE(isEmailAddress(address)) << address;
  }
}

TEST(EmailAddressTest, RejectsControlCharacters) {
  using namespace std::string_literals;
  for (const std::string& address :
       {"a\0b@example.com"s, "a\x01@example.com"s, "a@exam\nple.com"s, "a\t@example.com"s,
        "a@example.com\r\n"s, "a\x7f@example.com"s, "a\xc2\x85@example.com"s}) {
    EXPECT_FALSE(isEmailAddress(address)) << address;
  }
}

TEST(EmailAddressTest, LengthLimits) {
  const std::string host = "@example.com";  // 12 characters
  EXPECT_TRUE(isEmailAddress(std::string(64, 'a') + host));
  EXPECT_FALSE(isEmailAddress(std::string(65, 'a') + host));  // RFC 5321's 64-character local part
  EXPECT_TRUE(isEmailAddress("a@" + std::string(63, 'b') + ".com"));
  EXPECT_FALSE(isEmailAddress("a@" + std::string(64, 'b') + ".com"));  // a label holds at most 63
  // 80 characters in all at most.
  const std::string eighty = std::string(60, 'c') + "@" + std::string(15, 'd') + ".com";
  ASSERT_EQ(eighty.size(), 80u);
  EXPECT_TRUE(isEmailAddress(eighty));
  EXPECT_FALSE(isEmailAddress("c" + eighty));
  EXPECT_FALSE(isEmailAddress(std::string(10000, 'a') + host));
  EXPECT_FALSE(isEmailAddress(std::string(50000, 'a') + host));
}

}  // namespace
}  // namespace liaison::cc::testing
