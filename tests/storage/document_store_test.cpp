// The DocumentStore contract, checked against both implementations (in-memory and SQLite),
// plus durability of the SQLite store across reopening.
#include "storage/document_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "support/temp_dir.h"

namespace liaison::storage {
// Printing and equality for readable assertions.
inline bool operator==(const Document& a, const Document& b) {
  return std::tie(a.kind, a.id, a.json) == std::tie(b.kind, b.id, b.json);
}
inline void PrintTo(const Document& d, std::ostream* os) {
  *os << "{" << d.kind << ", " << d.id << ", " << d.json << "}";
}
}  // namespace liaison::storage

namespace liaison::storage::testing {
namespace {

using ::liaison::testing::TempDir;

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Write put(std::string kind, std::string id, std::string json) {
  return Write{std::move(kind), std::move(id), std::move(json)};
}
Write erase(std::string kind, std::string id) { return Write{std::move(kind), std::move(id), std::nullopt}; }

struct StoreKind {
  const char* name;
  std::unique_ptr<DocumentStore> (*open)(const TempDir&);
};

class DocumentStoreContractTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_); }
  void commitOk(const std::vector<Write>& writes) {
    auto status = store_->commit(writes);
    ASSERT_TRUE(status.ok()) << status.error().message;
  }

  TempDir dir_;
  std::unique_ptr<DocumentStore> store_;
};

TEST_P(DocumentStoreContractTest, StartsEmpty) { EXPECT_THAT(store_->loadAll(), IsEmpty()); }

TEST_P(DocumentStoreContractTest, CommittedDocumentsAreLoaded) {
  commitOk({put("app", "a1", R"({"name":"one"})"), put("user", "u1", R"({"email":"x@y"})")});
  EXPECT_THAT(store_->loadAll(), UnorderedElementsAre(Document{"app", "a1", R"({"name":"one"})"},
                                                      Document{"user", "u1", R"({"email":"x@y"})"}));
}

TEST_P(DocumentStoreContractTest, SameKindAndIdIsReplaced) {
  commitOk({put("app", "a1", "1")});
  commitOk({put("app", "a1", "2")});
  EXPECT_THAT(store_->loadAll(), UnorderedElementsAre(Document{"app", "a1", "2"}));
}

TEST_P(DocumentStoreContractTest, SameIdUnderDifferentKindsIsDistinct) {
  commitOk({put("app", "x", "A"), put("user", "x", "U")});
  commitOk({erase("app", "x")});
  EXPECT_THAT(store_->loadAll(), UnorderedElementsAre(Document{"user", "x", "U"}));
}

TEST_P(DocumentStoreContractTest, WriteWithoutJsonDeletes) {
  commitOk({put("grant", "g1", "{}"), put("grant", "g2", "{}")});
  commitOk({erase("grant", "g1")});
  EXPECT_THAT(store_->loadAll(), UnorderedElementsAre(Document{"grant", "g2", "{}"}));
}

TEST_P(DocumentStoreContractTest, DeletingAMissingDocumentSucceeds) {
  commitOk({erase("grant", "never-existed")});
  EXPECT_THAT(store_->loadAll(), IsEmpty());
}

TEST_P(DocumentStoreContractTest, WritesInOneCommitApplyInOrder) {
  commitOk({put("k", "put-then-delete", "1"), erase("k", "put-then-delete"), erase("k", "delete-then-put"),
            put("k", "delete-then-put", "2"), put("k", "twice", "first"), put("k", "twice", "second")});
  EXPECT_THAT(store_->loadAll(),
              UnorderedElementsAre(Document{"k", "delete-then-put", "2"}, Document{"k", "twice", "second"}));
}

TEST_P(DocumentStoreContractTest, EmptyCommitChangesNothing) {
  commitOk({put("k", "1", "v")});
  commitOk({});
  EXPECT_THAT(store_->loadAll(), UnorderedElementsAre(Document{"k", "1", "v"}));
}

TEST_P(DocumentStoreContractTest, StoresArbitraryTextVerbatim) {
  const std::string json = "{\"s\":\"caf\xc3\xa9 'quoted' \\\"x\\\" \\n\"}";
  commitOk({put("kind with space", "id/with/slashes?&", json), put("", "", "")});
  EXPECT_THAT(store_->loadAll(), UnorderedElementsAre(Document{"kind with space", "id/with/slashes?&", json},
                                                      Document{"", "", ""}));
}

TEST_P(DocumentStoreContractTest, ClearRemovesEverythingAndTheStoreStaysUsable) {
  commitOk({put("a", "1", "x"), put("b", "2", "y")});
  ASSERT_TRUE(store_->clear().ok());
  EXPECT_THAT(store_->loadAll(), IsEmpty());
  commitOk({put("a", "3", "z")});
  EXPECT_THAT(store_->loadAll(), UnorderedElementsAre(Document{"a", "3", "z"}));
}

std::unique_ptr<DocumentStore> openMemory(const TempDir&) { return std::make_unique<MemoryDocumentStore>(); }
std::unique_ptr<DocumentStore> openSqlite(const TempDir& dir) {
  return openSqliteDocumentStore(dir.file("sandbox.sqlite3"));
}
std::string storeName(const ::testing::TestParamInfo<StoreKind>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Stores, DocumentStoreContractTest,
                         ::testing::Values(StoreKind{"Memory", openMemory}, StoreKind{"Sqlite", openSqlite}),
                         storeName);

TEST(MemoryDocumentStoreTest, CountsCommits) {
  MemoryDocumentStore store;
  EXPECT_EQ(store.commits(), 0u);
  ASSERT_TRUE(store.commit({put("a", "1", "x")}).ok());
  ASSERT_TRUE(store.commit({}).ok());
  EXPECT_EQ(store.commits(), 2u);
}

class SqliteDocumentStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  const std::string path_ = dir_.file("sandbox.sqlite3");
};

TEST_F(SqliteDocumentStoreTest, CreatesTheDatabaseFile) {
  auto store = openSqliteDocumentStore(path_);
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(SqliteDocumentStoreTest, CommittedDataSurvivesReopening) {
  {
    auto store = openSqliteDocumentStore(path_);
    ASSERT_TRUE(store->commit({put("app", "a1", "v1"), put("app", "a2", "v2")}).ok());
    ASSERT_TRUE(store->commit({put("app", "a1", "v1-updated"), erase("app", "a2")}).ok());
  }
  auto reopened = openSqliteDocumentStore(path_);
  EXPECT_THAT(reopened->loadAll(), UnorderedElementsAre(Document{"app", "a1", "v1-updated"}));
}

TEST_F(SqliteDocumentStoreTest, ClearSurvivesReopening) {
  {
    auto store = openSqliteDocumentStore(path_);
    ASSERT_TRUE(store->commit({put("app", "a1", "v1")}).ok());
    ASSERT_TRUE(store->clear().ok());
  }
  EXPECT_THAT(openSqliteDocumentStore(path_)->loadAll(), IsEmpty());
}

TEST_F(SqliteDocumentStoreTest, TwoStoresOnTheSameFileSeeEachOthersCommits) {
  auto writer = openSqliteDocumentStore(path_);
  auto reader = openSqliteDocumentStore(path_);
  ASSERT_TRUE(writer->commit({put("k", "1", "v")}).ok());
  EXPECT_THAT(reader->loadAll(), UnorderedElementsAre(Document{"k", "1", "v"}));
}

TEST_F(SqliteDocumentStoreTest, OpeningAPathInAMissingDirectoryThrows) {
  EXPECT_THROW(openSqliteDocumentStore(dir_.file("missing/sandbox.sqlite3")), std::runtime_error);
}

}  // namespace
}  // namespace liaison::storage::testing
