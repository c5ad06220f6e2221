#include "sync/connectors/csv_table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "support/temp_dir.h"

using liaison::ErrorCode;
using liaison::sync::CsvOptions;
using liaison::sync::CsvTable;
using liaison::sync::RowWrite;
using liaison::testing::TempDir;

namespace {

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> filesIn(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// UTF-16LE bytes with their BOM, as Excel saves "Unicode text".
std::string utf16le(std::u16string_view text) {
  std::string bytes = "\xFF\xFE";
  for (char16_t unit : text) {
    bytes += char(unit & 0xff);
    bytes += char(unit >> 8);
  }
  return bytes;
}

std::unique_ptr<CsvTable> openTable(CsvOptions options) {
  auto table = CsvTable::open(std::move(options));
  EXPECT_TRUE(table.ok()) << (table.ok() ? "" : table.error().message);
  return table.ok() ? std::move(table).value() : nullptr;
}

RowWrite update(std::string key, liaison::sync::Fields values) {
  return RowWrite{RowWrite::Kind::Update, std::move(key), std::move(values)};
}

RowWrite create(liaison::sync::Fields values, std::string key = "") {
  return RowWrite{RowWrite::Kind::Create, std::move(key), std::move(values)};
}

// Reads the file, applies the writes, and returns the file's bytes afterwards.
std::string readApplyAndLoad(CsvTable& table, const std::string& path, const std::vector<RowWrite>& writes) {
  auto read = table.readAll();
  EXPECT_TRUE(read.ok()) << (read.ok() ? "" : read.error().message);
  auto applied = table.apply(writes);
  EXPECT_TRUE(applied.ok()) << (applied.ok() ? "" : applied.error().message);
  return readBytes(path);
}

}  // namespace

TEST(CsvTable, DetectsSemicolonsAndKeepsThemAndCrlf) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email;name;city\r\na@x.io;Ann;\"Paris; France\"\r\n");
  auto table = openTable({.path = path});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->columns.size(), 3u);
  EXPECT_EQ(read->columns[2].name, "city");
  EXPECT_EQ(read->columns[2].declared_type, "");
  ASSERT_EQ(read->rows.records.size(), 1u);
  EXPECT_TRUE(read->rows.complete);
  EXPECT_EQ(read->rows.records[0].id, "a@x.io");
  EXPECT_EQ(read->rows.records[0].field("city"), "Paris; France");
  ASSERT_TRUE(table->apply({update("a@x.io", {{"name", "Anna"}})}).ok());
  EXPECT_EQ(readBytes(path), "email;name;city\r\na@x.io;Anna;\"Paris; France\"\r\n");
}

TEST(CsvTable, DetectsTabsAndKeepsLfLineEnds) {
  TempDir dir;
  const std::string path = dir.file("people.tsv");
  writeBytes(path, "email\tname\na@x.io\tAnn, the first\nb@x.io\tBob\n");
  auto table = openTable({.path = path});
  auto written = readApplyAndLoad(*table, path, {update("b@x.io", {{"name", "Bobby"}})});
  EXPECT_EQ(written, "email\tname\na@x.io\tAnn, the first\nb@x.io\tBobby\n");
}

TEST(CsvTable, KeepsTheUtf8Bom) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path,
             "\xEF\xBB\xBF"
             "email,name\r\na@x.io,Zoë\r\n");
  auto table = openTable({.path = path});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->columns[0].name, "email");  // the BOM is not part of the first column's name
  EXPECT_EQ(read->rows.records[0].field("name"), "Zoë");
  ASSERT_TRUE(table->apply({create({{"email", "b@x.io"}, {"name", "Bø"}})}).ok());
  EXPECT_EQ(readBytes(path),
            "\xEF\xBB\xBF"
            "email,name\r\na@x.io,Zoë\r\nb@x.io,Bø\r\n");
}

TEST(CsvTable, ReadsUtf16LeAndWritesItBackAsUtf16Le) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, utf16le(u"email\tname\r\na@x.io\tZoë\r\n"));
  auto table = openTable({.path = path});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->rows.records.size(), 1u);
  EXPECT_EQ(read->rows.records[0].field("name"), "Zoë");
  // Beyond the BMP too: a surrogate pair in the file.
  ASSERT_TRUE(table->apply({update("a@x.io", {{"name", "Łukasz 😀"}})}).ok());
  EXPECT_EQ(readBytes(path), utf16le(u"email\tname\r\na@x.io\tŁukasz 😀\r\n"));
}

TEST(CsvTable, ReadsWindows1252AsUtf8AndWritesItBack) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email,name\r\na@x.io,Ren\xE9\r\n");
  auto table = openTable({.path = path});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->rows.records[0].field("name"), "René");
  ASSERT_TRUE(table->apply({update("a@x.io", {{"price", "5 €"}})}).ok());
  EXPECT_EQ(readBytes(path), "email,name,price\r\na@x.io,Ren\xE9,5 \x80\r\n");
}

TEST(CsvTable, GivenLatin1IsReadByteForByte) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email,name\na@x.io,Ren\xE9\n");
  auto table = openTable({.path = path, .encoding = "latin-1"});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->rows.records[0].field("name"), "René");
  EXPECT_FALSE(CsvTable::open({.path = path, .encoding = "ebcdic"}).ok());
}

TEST(CsvTable, QuotedFieldsWithDelimitersQuotesAndLineBreaksRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email,note\r\na@x.io,\"says \"\"hi\"\", then\r\nleaves\"\r\n");
  auto table = openTable({.path = path});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->rows.records[0].field("note"), "says \"hi\", then\r\nleaves");
  const std::string tricky = "a, \"b\"\nc";
  ASSERT_TRUE(table->apply({create({{"email", "b@x.io"}, {"note", tricky}})}).ok());
  EXPECT_EQ(readBytes(path),
            "email,note\r\na@x.io,\"says \"\"hi\"\", then\r\nleaves\"\r\nb@x.io,\"a, \"\"b\"\"\nc\"\r\n");
  auto reread = openTable({.path = path})->readAll();
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  ASSERT_EQ(reread->rows.records.size(), 2u);
  EXPECT_EQ(reread->rows.records[0].field("note"), "says \"hi\", then\r\nleaves");
  EXPECT_EQ(reread->rows.records[1].field("note"), tricky);
}

TEST(CsvTable, UpdatesKeepUnknownColumnsOrderAndShortRowsPadded) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "id,notes,email,name\r\n7,keep me,a@x.io,Ann\r\n8,short\r\n");
  auto table = openTable({.path = path, .key = "id"});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->rows.records[1].field("email"), "");  // the short row is padded
  ASSERT_TRUE(table->apply({update("7", {{"name", "Anna"}}), update("8", {{"email", "b@x.io"}})}).ok());
  EXPECT_EQ(readBytes(path), "id,notes,email,name\r\n7,keep me,a@x.io,Anna\r\n8,short,b@x.io,\r\n");
}

TEST(CsvTable, NewColumnsAreAppendedToTheHeader) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email,name\r\na@x.io,Ann\r\nb@x.io,Bob\r\n");
  auto table = openTable({.path = path});
  auto written = readApplyAndLoad(*table, path, {update("b@x.io", {{"phone", "555"}, {"name", "Bob"}})});
  EXPECT_EQ(written, "email,name,phone\r\na@x.io,Ann,\r\nb@x.io,Bob,555\r\n");
}

TEST(CsvTable, CreatesGetAGeneratedKeyOrTheirEmail) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "id,email\r\n1,a@x.io\r\n");
  auto by_id = openTable({.path = path, .key = "id"});
  ASSERT_TRUE(by_id->readAll().ok());
  auto created =
      by_id->apply({create({{"email", "b@x.io"}}), create({{"id", "given"}, {"email", "c@x.io"}})});
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_EQ(created->size(), 2u);
  const std::string generated = (*created)[0];
  EXPECT_EQ(generated.size(), 16u);
  EXPECT_EQ(generated.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ((*created)[1], "given");
  EXPECT_EQ(readBytes(path), "id,email\r\n1,a@x.io\r\n" + generated + ",b@x.io\r\ngiven,c@x.io\r\n");

  const std::string email_path = dir.file("by_email.csv");
  writeBytes(email_path, "email,name\r\n");
  auto by_email = openTable({.path = email_path});
  auto emailed = by_email->apply({create({{"email", "d@x.io"}, {"name", "Dee"}})});
  ASSERT_TRUE(emailed.ok()) << emailed.error().message;
  EXPECT_EQ(*emailed, std::vector<std::string>{"d@x.io"});
  auto no_email = by_email->apply({create({{"name", "Nobody"}})});
  ASSERT_FALSE(no_email.ok());
  auto again = by_email->apply({create({{"email", "d@x.io"}})});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  EXPECT_EQ(readBytes(email_path), "email,name\r\nd@x.io,Dee\r\n");
}

TEST(CsvTable, AMissingKeyColumnIsAnErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "mail,name\r\na@x.io,Ann\r\n");
  auto read = openTable({.path = path, .key = "customer_no"})->readAll();
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find("'customer_no'"), std::string::npos) << read.error().message;
  auto by_email = openTable({.path = path})->readAll();
  ASSERT_FALSE(by_email.ok());
  EXPECT_NE(by_email.error().message.find("'email'"), std::string::npos) << by_email.error().message;
}

TEST(CsvTable, EmptyAndRepeatedKeysAreReportedAndKeptInTheFile) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  const std::string original = "email,name\r\na@x.io,Ann\r\n,Nobody\r\na@x.io,Ann again\r\nb@x.io,Bob\r\n";
  writeBytes(path, original);
  auto table = openTable({.path = path});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->rows.records.size(), 2u);
  EXPECT_EQ(read->rows.records[0].field("name"), "Ann");
  EXPECT_EQ(read->rows.records[1].id, "b@x.io");
  EXPECT_EQ(table->problems(),
            (std::vector<std::string>{"row 3: empty key", "row 4: key 'a@x.io' repeats row 2"}));
  ASSERT_TRUE(table->apply({update("a@x.io", {{"name", "Anna"}})}).ok());
  EXPECT_EQ(readBytes(path), "email,name\r\na@x.io,Anna\r\n,Nobody\r\na@x.io,Ann again\r\nb@x.io,Bob\r\n");
}

TEST(CsvTable, ALongRowIsAnErrorNamingTheRow) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email,name\r\na@x.io,\"two\nlines\"\r\nb@x.io,Bob,extra\r\n");
  auto read = openTable({.path = path})->readAll();
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find("row 4"), std::string::npos) << read.error().message;
}

TEST(CsvTable, AFileChangedSinceTheReadIsAConflictAndLeftAlone) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email,name\r\na@x.io,Ann\r\n");
  auto table = openTable({.path = path});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->fingerprint.substr(0, 3), "24:");           // size first
  const std::string edited = "email,name\r\na@x.io,Eve\r\n";  // same size: the hash tells
  writeBytes(path, edited);
  auto applied = table->apply({update("a@x.io", {{"name", "Anna"}})});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::Conflict);
  EXPECT_EQ(readBytes(path), edited);
  // Read again, the table writes; its own write does not count as someone else's change.
  auto reread = table->readAll();
  ASSERT_TRUE(reread.ok());
  EXPECT_NE(reread->fingerprint, read->fingerprint);
  ASSERT_TRUE(table->apply({update("a@x.io", {{"name", "Anna"}})}).ok());
  ASSERT_TRUE(table->apply({update("a@x.io", {{"name", "Anne"}})}).ok());
  auto after = table->readAll();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->rows.records[0].field("name"), "Anne");
}

TEST(CsvTable, AFailedWriteLeavesTheFileIntactAndNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  const std::string original = "email,name\r\na@x.io,Ren\xE9\r\n";
  writeBytes(path, original);
  auto table = openTable({.path = path});
  ASSERT_TRUE(table->readAll().ok());
  // Valid writes before the bad one: all or nothing.
  auto applied = table->apply({create({{"email", "b@x.io"}}), update("a@x.io", {{"name", "日本"}})});
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.error().message.find("'name'"), std::string::npos) << applied.error().message;
  EXPECT_NE(applied.error().message.find("'a@x.io'"), std::string::npos) << applied.error().message;
  EXPECT_EQ(readBytes(path), original);
  EXPECT_EQ(filesIn(dir.path()), std::vector<std::string>{"people.csv"});

  auto unknown = table->apply({update("zz@x.io", {{"name", "Zed"}})});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
  EXPECT_EQ(readBytes(path), original);
}

TEST(CsvTable, ASuccessfulWriteReplacesTheFileAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("people.csv");
  writeBytes(path, "email\r\na@x.io\r\n");
  std::filesystem::permissions(path,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto table = openTable({.path = path});
  readApplyAndLoad(*table, path, {create({{"email", "b@x.io"}})});
  EXPECT_EQ(filesIn(dir.path()), std::vector<std::string>{"people.csv"});
  EXPECT_EQ(std::filesystem::status(path).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(CsvTable, AMissingFileIsAnEmptyTableWhoseHeaderTheFirstWriteMakes) {
  TempDir dir;
  const std::string path = dir.file("new.csv");
  auto table = openTable({.path = path, .key = "id"});
  auto read = table->readAll();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(read->columns.empty());
  EXPECT_TRUE(read->rows.records.empty());
  EXPECT_TRUE(read->rows.complete);
  auto created = table->apply({create({{"name", "Ann"}, {"email", "a@x.io"}}, "k1")});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(*created, std::vector<std::string>{"k1"});
  EXPECT_EQ(readBytes(path), "id,email,name\r\nk1,a@x.io,Ann\r\n");
  auto reread = table->readAll();
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  ASSERT_EQ(reread->rows.records.size(), 1u);
  EXPECT_EQ(reread->rows.records[0].field("name"), "Ann");

  EXPECT_FALSE(CsvTable::open({.path = dir.file("no/such/dir.csv")}).ok());
}

TEST(CsvTable, AFileCreatedAfterAReadOfNoFileIsAConflict) {
  TempDir dir;
  const std::string path = dir.file("new.csv");
  auto table = openTable({.path = path});
  ASSERT_TRUE(table->readAll().ok());
  writeBytes(path, "email\r\nx@x.io\r\n");
  auto applied = table->apply({create({{"email", "a@x.io"}})});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::Conflict);
  EXPECT_EQ(readBytes(path), "email\r\nx@x.io\r\n");
}
