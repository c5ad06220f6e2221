// The shared test tools themselves: a tool that silently did nothing would let the tests that
// rely on it pass for the wrong reason.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "core/clock.h"
#include "sandbox/sandbox.h"
#include "support/failing_store.h"
#include "support/in_process_http_client.h"
#include "support/seeded_random.h"
#include "support/temp_dir.h"

namespace liaison::testing {
namespace {

TEST(TempDirTest, IsCreatedEmptyAndRemovedWithItsContents) {
  std::filesystem::path kept;
  {
    TempDir dir;
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    EXPECT_TRUE(std::filesystem::is_empty(kept));
    std::ofstream(dir.file("a.txt")) << "x";
    std::filesystem::create_directories(dir.path() / "sub" / "deeper");
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
  TempDir one, two;
  EXPECT_NE(one.path(), two.path());
}

TEST(FailingDocumentStoreTest, FailsExactlyTheRequestedCommitsAndKeepsNothingFromThem) {
  FailingDocumentStore store;
  ASSERT_TRUE(store.commit({{"k", "1", std::string("{}")}}).ok());
  store.failNextCommits(2);
  EXPECT_FALSE(store.commit({{"k", "2", std::string("{}")}}).ok());
  EXPECT_FALSE(store.commit({{"k", "3", std::string("{}")}}).ok());
  EXPECT_TRUE(store.commit({{"k", "4", std::string("{}")}}).ok());
  EXPECT_EQ(store.failedCommits(), 2);
  std::vector<std::string> ids;
  for (const auto& doc : store.loadAll()) ids.push_back(doc.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "4"}));
}

TEST(SeededRandomSupportTest, SameTestSameStreamAndTheSeedCanBeFixed) {
  TestRandom a, b;
  EXPECT_EQ(a.seed(), b.seed());
  EXPECT_EQ(a.random().token(16), b.random().token(16));
  ::setenv("LIAISON_TEST_SEED", "42", 1);
  EXPECT_EQ(testSeed(), 42u);
  ::unsetenv("LIAISON_TEST_SEED");
  EXPECT_NE(testSeed(), 42u);
}

TEST(InProcessHttpClientTest, TargetIsThePathAndQueryOfTheUrl) {
  EXPECT_EQ(InProcessHttpClient::targetOf("http://h.test:8600/v3/contacts?limit=1"), "/v3/contacts?limit=1");
  EXPECT_EQ(InProcessHttpClient::targetOf("http://h.test"), "/");
  EXPECT_EQ(InProcessHttpClient::targetOf("http://h.test?x=1"), "/?x=1");
  EXPECT_EQ(InProcessHttpClient::targetOf("/already/a/path"), "/already/a/path");
}

TEST(InProcessHttpClientTest, CarriesRequestsToASandboxAndItsAnswersBack) {
  ManualClock clock(fromUnixSeconds(1'800'000'000));
  CryptoRandom random;
  sandbox::SandboxOptions options;
  options.profile = sandbox::Profile::Fast;
  sandbox::Sandbox sandbox(options, clock, random, nullptr);
  InProcessHttpClient client([&](http::Request& r) { return sandbox.handle(r); });
  http::ClientRequest request;
  request.method = "POST";
  request.url = "http://sandbox.test/oauth2/default/v1/device/authorize";
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.body = "client_id=sandbox-public&scope=account_read";
  auto response = client.send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(nlohmann::json::parse(response->body)["user_code"].get<std::string>().size(), 9u);
  EXPECT_EQ(client.sent(), 1);

  // A handler that drops the connection is a transport error, as libcurl reports it.
  InProcessHttpClient dropping([](http::Request&) {
    http::Response r;
    r.abort_connection = true;
    return r;
  });
  EXPECT_FALSE(dropping.send(request).ok());
}

}  // namespace
}  // namespace liaison::testing
