// Transport-neutral HTTP messages: headers, request accessors and response helpers.
#include "http/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace liaison::http::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Request requestFor(std::string target) {
  Request r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

TEST(HeadersTest, GetIsCaseInsensitiveAndReturnsTheFirstField) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("set-cookie", "b=2");
  EXPECT_EQ(h.get("SET-COOKIE"), "a=1");
  EXPECT_EQ(h.count("Set-Cookie"), 2u);
  EXPECT_EQ(h.get("Missing"), std::nullopt);
  EXPECT_EQ(h.count("Missing"), 0u);
}

TEST(HeadersTest, AddKeepsOrderAndDuplicates) {
  Headers h;
  h.add("A", "1");
  h.add("B", "2");
  h.add("A", "3");
  EXPECT_THAT(h.pairs(),
              ElementsAre(Headers::Pair{"A", "1"}, Headers::Pair{"B", "2"}, Headers::Pair{"A", "3"}));
}

TEST(HeadersTest, SetReplacesEveryFieldOfThatNameWhateverItsCase) {
  Headers h;
  h.add("Cache-Control", "max-age=60");
  h.add("Vary", "Accept");
  h.add("cache-control", "public");
  h.set("CACHE-CONTROL", "no-store");
  EXPECT_EQ(h.count("Cache-Control"), 1u);
  EXPECT_EQ(h.get("cache-control"), "no-store");
  EXPECT_THAT(h.pairs(),
              ElementsAre(Headers::Pair{"Vary", "Accept"}, Headers::Pair{"CACHE-CONTROL", "no-store"}));
}

TEST(RequestTest, PathAndQueryStringSplitAtTheFirstQuestionMark) {
  auto r = requestFor("/v3/contacts?limit=50&status=all");
  EXPECT_EQ(r.path(), "/v3/contacts");
  EXPECT_EQ(r.queryString(), "limit=50&status=all");

  auto plain = requestFor("/v3/contacts");
  EXPECT_EQ(plain.path(), "/v3/contacts");
  EXPECT_EQ(plain.queryString(), "");

  auto empty_query = requestFor("/a?");
  EXPECT_EQ(empty_query.path(), "/a");
  EXPECT_EQ(empty_query.queryString(), "");

  auto two_marks = requestFor("/a?b=?c");
  EXPECT_EQ(two_marks.path(), "/a");
  EXPECT_EQ(two_marks.queryString(), "b=?c");
}

TEST(RequestTest, QueryParsesPercentEncodingAndPlus) {
  auto r = requestFor("/authorize?redirect_uri=https%3A%2F%2Fapp%2Fcb&scope=contact_data+openid&state=a%20b");
  auto q = r.query();
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->get("redirect_uri"), "https://app/cb");
  EXPECT_EQ(q->get("scope"), "contact_data openid");
  EXPECT_EQ(q->get("state"), "a b");
}

TEST(RequestTest, QueryIsEmptyWithoutQuestionMarkAndNulloptWhenMalformed) {
  auto none = requestFor("/a").query();
  ASSERT_TRUE(none.has_value());
  EXPECT_THAT(none->pairs(), IsEmpty());
  EXPECT_EQ(requestFor("/a?state=%E").query(), std::nullopt);
  EXPECT_EQ(requestFor("/a?x=%zz").query(), std::nullopt);
}

TEST(RequestTest, HeaderAndParamAccessors) {
  auto r = requestFor("/x");
  r.headers.add("Authorization", "Bearer t");
  r.path_params["contact_id"] = "c-1";
  EXPECT_EQ(r.header("authorization"), "Bearer t");
  EXPECT_EQ(r.header("Accept"), std::nullopt);
  EXPECT_EQ(r.param("contact_id"), "c-1");
  EXPECT_EQ(r.param("list_id"), "");
}

TEST(RequestTest, CookieFindsNamedValueAmongSeveral) {
  auto r = requestFor("/");
  r.headers.add("Cookie", "theme=dark; liaison_session=abc123; lang=en");
  EXPECT_EQ(r.cookie("liaison_session"), "abc123");
  EXPECT_EQ(r.cookie("theme"), "dark");
  EXPECT_EQ(r.cookie("lang"), "en");
  EXPECT_EQ(r.cookie("missing"), std::nullopt);
}

TEST(RequestTest, CookieNamesMatchExactlyNotByPrefixOrSuffixOrCase) {
  auto r = requestFor("/");
  r.headers.add("Cookie", "xsession=1; session_old=2; SESSION=3");
  EXPECT_EQ(r.cookie("session"), std::nullopt);
  EXPECT_EQ(r.cookie("SESSION"), "3");
}

TEST(RequestTest, CookieSearchesEveryCookieHeaderAndKeepsEqualsInValues) {
  auto r = requestFor("/");
  r.headers.add("cookie", "a=1");
  r.headers.add("COOKIE", "token=x=y==; empty=");
  EXPECT_EQ(r.cookie("a"), "1");
  EXPECT_EQ(r.cookie("token"), "x=y==");
  EXPECT_EQ(r.cookie("empty"), "");
}

TEST(RequestTest, CookieIgnoresOtherHeaders) {
  auto r = requestFor("/");
  r.headers.add("Set-Cookie", "session=evil");
  r.headers.add("X-Cookie", "session=evil");
  EXPECT_EQ(r.cookie("session"), std::nullopt);
}

TEST(ResponseTest, JsonSetsStatusContentTypeAndSerialisedBody) {
  auto r = Response::json(201, {{"id", "c-1"}, {"n", 2}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r.body), json({{"id", "c-1"}, {"n", 2}}));
}

TEST(ResponseTest, HtmlAndTextAreUtf8Typed) {
  auto html = Response::html(200, "<p>hi</p>");
  EXPECT_EQ(html.status, 200);
  EXPECT_EQ(html.headers.get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(html.body, "<p>hi</p>");
  auto text = Response::text(503, "busy");
  EXPECT_EQ(text.status, 503);
  EXPECT_EQ(text.headers.get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(text.body, "busy");
}

TEST(ResponseTest, SeeOtherIs303WithLocation) {
  auto r = Response::seeOther("https://app/cb?code=x");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers.get("Location"), "https://app/cb?code=x");
  EXPECT_EQ(r.body, "");
}

TEST(ResponseTest, FoundIs302WithLocation) {
  auto r = Response::found("/login");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.headers.get("location"), "/login");
}

TEST(ResponseTest, NoContentIs204WithoutBodyOrContentType) {
  auto r = Response::noContent();
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.get("Content-Type"), std::nullopt);
}

TEST(ResponseTest, DefaultResponseIs200) { EXPECT_EQ(Response{}.status, 200); }

}  // namespace
}  // namespace liaison::http::testing

namespace liaison::http {
namespace {

TEST(ResponseTest, JsonBodyWithInvalidUtf8IsReplacedNotThrown) {
  const nlohmann::json body = {{"error_message", std::string("status 'sl\xc3" "ee' is not valid")}};
  Response response = Response::json(400, body);
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD in place of the bad byte
  EXPECT_FALSE(nlohmann::json::parse(response.body, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace liaison::http
