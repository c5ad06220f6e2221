// Method + path-template routing: literal-before-template, path parameters, 404 vs 405.
#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace liaison::http::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

Handler replying(std::string name) {
  return [name](Request&) { return Response::text(200, name); };
}

Request request(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

// Runs the matched handler and returns its body, or "<404>" / "<405>".
std::string dispatch(const Router& router, Request& r) {
  const RouteMatch m = router.match(r);
  if (m.route == nullptr) return m.path_matched ? "<405>" : "<404>";
  return m.route->handler(r).body;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Templated route registered first: literal routes must still win.
    router_.add("GET", "/v3/contacts/{contact_id}", replying("get-contact"));
    router_.add("GET", "/v3/contacts/counts", replying("counts"));
    router_.add("PUT", "/v3/contacts/{contact_id}", replying("put-contact"), Execution::Blocking);
    router_.add("GET", "/v3/contacts", replying("list-contacts"));
    router_.add("POST", "/v3/contacts", replying("create-contact"));
    router_.add("GET", "/v3/contact_lists/{list_id}/contacts/{contact_id}", replying("list-member"));
  }
  Router router_;
};

TEST_F(RouterTest, LiteralRouteWinsOverTemplateRegisteredEarlier) {
  auto r = request("GET", "/v3/contacts/counts");
  EXPECT_EQ(dispatch(router_, r), "counts");
  EXPECT_THAT(r.path_params, IsEmpty());
}

TEST_F(RouterTest, TemplateCapturesThePathParameter) {
  auto r = request("GET", "/v3/contacts/c-42");
  EXPECT_EQ(dispatch(router_, r), "get-contact");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("contact_id", "c-42")));
  EXPECT_EQ(r.param("contact_id"), "c-42");
}

TEST_F(RouterTest, SeveralParametersAreCaptured) {
  auto r = request("GET", "/v3/contact_lists/l-1/contacts/c-2");
  EXPECT_EQ(dispatch(router_, r), "list-member");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("contact_id", "c-2"), Pair("list_id", "l-1")));
}

TEST_F(RouterTest, ParametersArePercentDecodedButPlusStaysPlus) {
  auto r = request("GET", "/v3/contacts/a%20b+c%2Fd");
  EXPECT_EQ(dispatch(router_, r), "get-contact");
  EXPECT_EQ(r.param("contact_id"), "a b+c/d");
}

TEST_F(RouterTest, MalformedPercentEncodingInAParameterDoesNotMatch) {
  auto r = request("GET", "/v3/contacts/bad%zz");
  EXPECT_EQ(dispatch(router_, r), "<404>");
}

TEST_F(RouterTest, QueryStringIsIgnoredForMatching) {
  auto r = request("GET", "/v3/contacts?limit=5");
  EXPECT_EQ(dispatch(router_, r), "list-contacts");
  auto p = request("GET", "/v3/contacts/c-1?include=tags");
  EXPECT_EQ(dispatch(router_, p), "get-contact");
  EXPECT_EQ(p.param("contact_id"), "c-1");
}

TEST_F(RouterTest, MethodSelectsAmongRoutesOnTheSamePath) {
  auto get = request("GET", "/v3/contacts");
  auto post = request("POST", "/v3/contacts");
  auto put = request("PUT", "/v3/contacts/c-1");
  EXPECT_EQ(dispatch(router_, get), "list-contacts");
  EXPECT_EQ(dispatch(router_, post), "create-contact");
  EXPECT_EQ(dispatch(router_, put), "put-contact");
}

TEST_F(RouterTest, KnownPathWithWrongMethodIsFlaggedFor405) {
  auto r = request("DELETE", "/v3/contacts");
  const RouteMatch m = router_.match(r);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched);
  auto t = request("DELETE", "/v3/contacts/c-1");
  EXPECT_EQ(dispatch(router_, t), "<405>");
}

TEST_F(RouterTest, AllowListsEveryMethodThePathIsServedUnder) {
  // Literal and templated routes both count; HEAD goes with GET, as match() serves it.
  EXPECT_EQ(router_.allow("/v3/contacts"), "GET, HEAD, POST");
  EXPECT_EQ(router_.allow("/v3/contacts/c-1"), "GET, HEAD, PUT");
  EXPECT_EQ(router_.allow("/v3/contacts/counts"), "GET, HEAD, PUT");  // PUT via the template
  Router post_only;
  post_only.add("POST", "/token", replying("token"));
  EXPECT_EQ(post_only.allow("/token"), "POST");
  EXPECT_EQ(router_.allow("/v3/nothing"), "");
}

TEST_F(RouterTest, UnknownPathIs404NotFlagged) {
  for (const char* target :
       {"/v3/nothing", "/v3/contacts/", "/v3/contacts/a/b", "/v3/contactsx", "/v3", "", "/V3/contacts"}) {
    auto r = request("GET", target);
    const RouteMatch m = router_.match(r);
    EXPECT_EQ(m.route, nullptr) << target;
    EXPECT_FALSE(m.path_matched) << target;
  }
}

TEST_F(RouterTest, HeadIsServedByGetRoutes) {
  auto r = request("HEAD", "/v3/contacts/c-9");
  EXPECT_EQ(dispatch(router_, r), "get-contact");
  auto post_only = Router();
  post_only.add("POST", "/token", replying("token"));
  auto head = request("HEAD", "/token");
  EXPECT_EQ(dispatch(post_only, head), "<405>");
}

TEST_F(RouterTest, MethodsAreCaseSensitive) {
  auto r = request("get", "/v3/contacts");
  EXPECT_EQ(dispatch(router_, r), "<405>");
}

TEST_F(RouterTest, MatchReportsTheRouteAndItsExecution) {
  auto put = request("PUT", "/v3/contacts/c-1");
  const RouteMatch m = router_.match(put);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "PUT");
  EXPECT_EQ(m.route->pattern, "/v3/contacts/{contact_id}");
  EXPECT_EQ(m.route->execution, Execution::Blocking);
  auto get = request("GET", "/v3/contacts");
  EXPECT_EQ(router_.match(get).route->execution, Execution::Inline);
  EXPECT_EQ(router_.routes().size(), 6u);
}

TEST(RouterOrderTest, FirstRegisteredRouteWinsAmongEquals) {
  Router router;
  router.add("GET", "/a/{x}", replying("first"));
  router.add("GET", "/a/{y}", replying("second"));
  auto r = request("GET", "/a/1");
  EXPECT_EQ(dispatch(router, r), "first");
  EXPECT_THAT(r.path_params, ElementsAre(Pair("x", "1")));
}

TEST(RouterOrderTest, EmptyRouterMatchesNothing) {
  Router router;
  auto r = request("GET", "/");
  const RouteMatch m = router.match(r);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_matched);
}

TEST(MatchPatternTest, LiteralPatternsMatchExactly) {
  EXPECT_TRUE(matchPattern("/", "/", nullptr));
  EXPECT_TRUE(matchPattern("/oauth2/token", "/oauth2/token", nullptr));
  EXPECT_FALSE(matchPattern("/oauth2/token", "/oauth2/token/", nullptr));
  EXPECT_FALSE(matchPattern("/oauth2/token", "/oauth2/toke", nullptr));
  EXPECT_FALSE(matchPattern("/oauth2/token", "/oauth2/tokens", nullptr));
}

TEST(MatchPatternTest, ParameterFillsOneNonEmptySegment) {
  std::map<std::string, std::string> params;
  EXPECT_TRUE(matchPattern("/a/{id}/b", "/a/42/b", &params));
  EXPECT_THAT(params, ElementsAre(Pair("id", "42")));
  EXPECT_FALSE(matchPattern("/a/{id}/b", "/a//b", nullptr));
  EXPECT_FALSE(matchPattern("/a/{id}/b", "/a/4/2/b", nullptr));
  EXPECT_FALSE(matchPattern("/a/{id}", "/a/", nullptr));
  EXPECT_FALSE(matchPattern("/a/{id}", "/a", nullptr));
}

TEST(MatchPatternTest, ParameterConsumesTheWholeSegment) {
  // A parameter runs to the next '/', so literal text after it inside one segment never matches.
  EXPECT_FALSE(matchPattern("/files/{name}.json", "/files/report.json", nullptr));
}

TEST(MatchPatternTest, ParamsAreLeftUntouchedOnFailure) {
  std::map<std::string, std::string> params = {{"keep", "me"}};
  EXPECT_FALSE(matchPattern("/a/{id}/b", "/a/42/c", &params));
  EXPECT_THAT(params, ElementsAre(Pair("keep", "me")));
}

}  // namespace
}  // namespace liaison::http::testing
