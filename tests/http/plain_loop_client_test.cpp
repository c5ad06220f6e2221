// The plain HTTP loop client against servers that behave in every way HTTP/1.1 allows: it keeps
// connections (never for a POST), notices a kept connection the server closed, never sends a call
// twice on its own, reads bodies framed by length, by chunks or by the server closing, skips
// interim answers, and writes only requests that cannot be split. The URL and head it writes are
// checked on their own first.
#include <gtest/gtest.h>

#include "http/client/plain_request.h"
#include "loop_harness.h"
#include "scripted_server.h"

namespace liaison::http::testing {
namespace {

using namespace std::chrono_literals;
using After = ScriptedServer::After;

TEST(PlainRequest, TheUrlGivesHostPortAndTarget) {
  auto t = parsePlainUrl("HTTP://api.example.com:8080/v3/contacts?limit=5#top");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->host, "api.example.com");
  EXPECT_EQ(t->port, 8080);
  EXPECT_EQ(t->authority, "api.example.com:8080");
  EXPECT_EQ(t->path, "/v3/contacts?limit=5");
  EXPECT_EQ(t->key, "api.example.com:8080");
  auto bare = parsePlainUrl("http://[::1]?q=1");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->host, "::1");
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->path, "/?q=1");
  for (const char* bad : {"https://h/", "http:///x", "http://u:p@h/", "http://h:0/", "http://h:70000/",
                          "http://h:8x/", "http://h/a b", "http://h/\r\nX: y", "http://[::1/"}) {
    EXPECT_FALSE(parsePlainUrl(bad)) << bad;
  }
}

TEST(PlainRequest, TheHeadCarriesTheHeadersHostAcceptAndTheBodysLength) {
  ClientRequest request;
  request.method = "POST";
  request.url = "http://h:81/x";
  request.headers.add("Authorization", "Bearer t");
  request.headers.add("Content-Length", "999");  // the client's own framing wins
  request.body = "abc";
  auto head = serializeHead(request, *parsePlainUrl(request.url));
  ASSERT_TRUE(head);
  EXPECT_EQ(*head,
            "POST /x HTTP/1.1\r\nAuthorization: Bearer t\r\nHost: h:81\r\nAccept: */*\r\nContent-Length: "
            "3\r\n\r\n");
  request.method = "GET";
  request.body.clear();
  request.headers = Headers();
  request.headers.add("Accept", "application/json");
  EXPECT_EQ(*serializeHead(request, *parsePlainUrl(request.url)),
            "GET /x HTTP/1.1\r\nAccept: application/json\r\nHost: h:81\r\n\r\n");
}

TEST(PlainRequest, FieldsThatCouldSplitTheRequestAreRefused) {
  const auto target = *parsePlainUrl("http://h/");
  ClientRequest request;
  request.headers.add("X-A", "1\r\nX-Injected: 2");
  EXPECT_EQ(serializeHead(request, target).error().key, "http.bad_header");
  request.headers = Headers();
  request.headers.add("Bad Name", "1");
  EXPECT_EQ(serializeHead(request, target).error().key, "http.bad_header");
  request.headers = Headers();
  request.method = "GET /evil";
  EXPECT_EQ(serializeHead(request, target).error().key, "http.bad_method");
}

std::string ok(const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

class PlainLoopClientTest : public ::testing::Test {
 protected:
  ClientRequest request(const ScriptedServer& server, std::string path, std::string method = "GET") {
    ClientRequest out;
    out.method = std::move(method);
    out.url = server.base() + path;
    out.timeout = 10s;
    return out;
  }
  std::string body(const std::shared_ptr<Outcome>& outcome) {
    if (!outcome) return "<no outcome>";
    if (!outcome->answer) return "<error " + outcome->answer.error().key + ">";
    return LoopHarness::drain(*outcome->answer->body);
  }
  LoopHarness harness_{&makePlainLoopClient, LoopClientOptions{64 * 1024}};
};

TEST_F(PlainLoopClientTest, CallsOneAfterAnotherShareAConnectionAndEachPostTakesANewOne) {
  ScriptedServer server([](const std::string& r, int) { return ScriptedServer::Answer{ok(r.substr(0, 4))}; });
  for (int i = 0; i < 10; ++i) EXPECT_EQ(body(harness_.call(request(server, "/g"))), "GET ");
  EXPECT_EQ(server.connections(), 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(body(harness_.call(request(server, "/p", "POST"))), "POST");
  EXPECT_EQ(server.connections(), 4) << "a POST must never go on a kept connection";
}

TEST_F(PlainLoopClientTest, AnAnswerThatClosesIsNotKeptAndAnHttp10BodyEndsWithTheConnection) {
  ScriptedServer server([](const std::string& r, int) {
    if (r.starts_with("GET /old"))
      return ScriptedServer::Answer{"HTTP/1.0 200 OK\r\n\r\nuntil the end", After::Close};
    return ScriptedServer::Answer{ok("bye", "Connection: close\r\n"), After::Close};
  });
  EXPECT_EQ(body(harness_.call(request(server, "/close"))), "bye");
  EXPECT_EQ(body(harness_.call(request(server, "/close"))), "bye");
  EXPECT_EQ(body(harness_.call(request(server, "/old"))), "until the end");
  EXPECT_EQ(server.connections(), 3);
}

TEST_F(PlainLoopClientTest, AKeptConnectionTheServerClosedWhileIdleIsReplacedNotFailed) {
  ScriptedServer server([](const std::string&, int connection) {
    // The first connection's answer claims keep-alive, then the server closes it anyway.
    return ScriptedServer::Answer{ok("c" + std::to_string(connection)),
                                  connection == 0 ? After::Close : After::Keep};
  });
  EXPECT_EQ(body(harness_.call(request(server, "/"))), "c0");
  // Once the server has closed it, the client's end reads as closed (loopback delivers at once).
  for (int i = 0; i < 2000 && server.closed() == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(server.closed(), 1);
  EXPECT_EQ(body(harness_.call(request(server, "/"))), "c1");
  EXPECT_EQ(server.requests(), 2);
}

TEST_F(PlainLoopClientTest, ACallOnAKeptConnectionThatDropsIsAnErrorAndSentOnlyOnce) {
  std::atomic<int> dropped{0};
  ScriptedServer server([&](const std::string& r, int) {
    if (r.starts_with("PUT /drop")) {
      ++dropped;
      return ScriptedServer::Answer{"", After::Drop};
    }
    return ScriptedServer::Answer{ok("warm")};
  });
  EXPECT_EQ(body(harness_.call(request(server, "/warm"))), "warm");
  auto outcome = harness_.call(request(server, "/drop", "PUT"));
  ASSERT_TRUE(outcome);
  ASSERT_FALSE(outcome->answer) << "answered " << outcome->answer->status;
  EXPECT_EQ(outcome->answer.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(dropped.load(), 1);
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(PlainLoopClientTest, ChunkedBodiesInterimAnswersHeadAndNoContentAreRead) {
  ScriptedServer server([](const std::string& r, int) {
    if (r.starts_with("GET /chunked"))
      return ScriptedServer::Answer{
          "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Id: 7\r\n\r\n"
          "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"};
    if (r.starts_with("HEAD"))
      return ScriptedServer::Answer{"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"};
    return ScriptedServer::Answer{"HTTP/1.1 204 No Content\r\n\r\n"};
  });
  auto chunked = harness_.call(request(server, "/chunked"));
  ASSERT_TRUE(chunked && chunked->answer);
  EXPECT_EQ(chunked->answer->status, 201);
  EXPECT_EQ(chunked->answer->headers.get("x-id"), "7");
  EXPECT_EQ(body(chunked), "hello world");
  auto head = harness_.call(request(server, "/h", "HEAD"));
  ASSERT_TRUE(head && head->answer);
  EXPECT_EQ(head->answer->headers.get("Content-Length"), "1000");
  EXPECT_EQ(body(head), "");
  auto empty = harness_.call(request(server, "/none", "DELETE"));
  ASSERT_TRUE(empty && empty->answer);
  EXPECT_EQ(empty->answer->status, 204);
  EXPECT_EQ(body(empty), "");
  EXPECT_EQ(server.connections(), 1) << "each of these leaves the connection reusable";
}

TEST_F(PlainLoopClientTest, AnAnswerThatBreaksOffIsAnError) {
  ScriptedServer server([](const std::string&, int) {
    return ScriptedServer::Answer{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", After::Close};
  });
  auto outcome = harness_.call(request(server, "/"));
  ASSERT_TRUE(outcome);
  ASSERT_FALSE(outcome->answer);
  EXPECT_EQ(outcome->answer.error().key, "transport");
}

TEST_F(PlainLoopClientTest, BadRequestsFailOnTheLoopWithoutBeingSent) {
  ScriptedServer server([](const std::string&, int) { return ScriptedServer::Answer{ok("x")}; });
  auto split = request(server, "/");
  split.headers.add("X-A", "1\r\nX-B: 2");
  auto outcome = harness_.call(split);
  ASSERT_TRUE(outcome);
  ASSERT_FALSE(outcome->answer);
  EXPECT_EQ(outcome->answer.error().key, "http.bad_header");
  EXPECT_TRUE(outcome->on_loop);
  EXPECT_FALSE(outcome->inside_send);
  auto tls = request(server, "/");
  tls.url = "https://127.0.0.1:1/";
  auto refused = harness_.call(tls);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->answer.error().key, "http.bad_url");
  EXPECT_EQ(server.requests(), 0);
}

TEST(SchemeLoopClient, HttpsGoesToCurlAndHttpToThePlainClient) {
  LoopHarness harness(&makeLoopClient, LoopClientOptions{});
  ScriptedServer server([](const std::string&, int) { return ScriptedServer::Answer{ok("plain")}; });
  ClientRequest plain;
  plain.url = server.base() + "/";
  auto answered = harness.call(plain);
  ASSERT_TRUE(answered && answered->answer);
  EXPECT_EQ(LoopHarness::drain(*answered->answer->body), "plain");
  ClientRequest tls;
  tls.url = "https://127.0.0.1:1/";  // nothing listens: curl's connection failure, not "bad URL"
  auto failed = harness.call(tls);
  ASSERT_TRUE(failed);
  ASSERT_FALSE(failed->answer);
  EXPECT_EQ(failed->answer.error().key, "transport");
}

}  // namespace
}  // namespace liaison::http::testing
