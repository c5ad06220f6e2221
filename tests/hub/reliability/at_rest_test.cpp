// T12: tokens at rest. Ten thousand connections are stored with distinct canary tokens, then
// churned (refreshed, disconnected, deleted) so the WAL and free pages hold old versions of rows.
// Must hold: no canary, nor the key-encryption key, appears in hub.db, its WAL or shared-memory
// file, raw or base64-encoded. And every stored ciphertext that is altered (each bit flipped in
// turn), moved to another row or field, or cut short fails to open with an error: never a crash,
// never a plaintext, and through the refresher a reported failure rather than a used token.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "hub/reliability/hub_node.h"
#include "hub/vault/key_encryption_key.h"
#include "support/temp_dir.h"

namespace liaison::hub::reliability {
namespace {

using namespace std::chrono_literals;

constexpr const char* kCanary = "T12CANARY-";

std::string canary(const char* field, int i, RandomSource& random) {
  return std::string(kCanary) + field + "-" + std::to_string(i) + "-" + random.token(12);
}

// What `text` looks like inside base64 of any surrounding bytes: its encoding at each of the
// three alignments, keeping only the characters that depend on `text` alone.
std::vector<std::string> base64Needles(const std::string& text) {
  std::vector<std::string> out;
  for (size_t pad = 0; pad < 3; ++pad) {
    const std::string bytes = std::string(pad, '\0') + text;
    const size_t start = pad == 0 ? 0 : 4;
    const size_t end = bytes.size() * 8 / 6;
    for (const std::string& encoded : {base64Encode(bytes), base64UrlEncode(bytes)}) {
      out.push_back(encoded.substr(start, end - start));
    }
  }
  return out;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Scan {
  int64_t bytes = 0;
  int64_t hits = 0;
  std::vector<std::string> where;
};

// Every file of the store (hub.db, -wal, -shm, any journal) searched for every needle.
Scan scanStore(const std::filesystem::path& dir, const std::vector<std::string>& needles) {
  Scan scan;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("hub.db", 0) != 0) continue;
    const std::string content = readFile(entry.path());
    scan.bytes += static_cast<int64_t>(content.size());
    for (const auto& needle : needles) {
      for (size_t at = content.find(needle); at != std::string::npos; at = content.find(needle, at + 1)) {
        ++scan.hits;
        scan.where.push_back(entry.path().filename().string() + "@" + std::to_string(at));
      }
    }
  }
  return scan;
}

TEST(T12AtRest, NoPlaintextTokenOrKeyInTheDatabaseItsWalOrFreePages) {
  const int kConnections = scaled(10'000, 3'000);
  liaison::testing::TempDir dir("liaison-t12");
  VirtualClock clock(fromUnixSeconds(1'800'000'000));
  LockedRandom random(12);
  FakeCc cc(1, clock);
  const Secret kek = generateKeyEncryptionKey(random);
  auto node = std::make_unique<HubNode>(dir.file("hub.db"), kek, clock, cc, random);
  for (int i = 0; i < kConnections; ++i) {
    node->insert(i, canary("access", i, random), canary("refresh", i, random), clock.now() + 24h);
  }
  // Churn: a tenth refreshed (new canaries), a tenth disconnected, a twentieth deleted.
  for (int i = 0; i < kConnections / 10; ++i) {
    const std::string id = connectionId(i);
    auto lease = node->connections.acquireLease(id, "t12", clock.now(), 60s);
    ASSERT_TRUE(lease.ok() && *lease);
    RefreshedTokens tokens{*node->vault->seal(Secret(canary("access2", i, random)), accessTokenContext(id)),
                           *node->vault->seal(Secret(canary("refresh2", i, random)), refreshTokenContext(id)),
                           clock.now() + 24h,
                           {"account_read"}};
    ASSERT_TRUE(node->connections.storeRefreshed(**lease, tokens, clock.now()).ok());
    ASSERT_TRUE(node->connections.releaseLease(**lease).ok());
  }
  for (int i = kConnections / 10; i < kConnections / 5; ++i) {
    ASSERT_TRUE(node->connections.eraseTokens(connectionId(i), clock.now()).ok());
  }
  node->db.raw().exec("DELETE FROM connections WHERE CAST(substr(id, 6) AS INTEGER) % 20 = 7");

  std::vector<std::string> needles = base64Needles(kCanary);
  needles.push_back(kCanary);
  for (const auto& n : base64Needles(kek.reveal())) needles.push_back(n);
  needles.push_back(kek.reveal());
  needles.push_back(base64UrlEncode(kek.reveal()));

  int64_t free_pages = 0;
  ASSERT_TRUE(node->db.read([&](storage::Database& raw) {
    storage::Statement stmt(raw.handle(), "PRAGMA freelist_count");
    if (stmt.step()) free_pages = stmt.columnInt(0);
    return okStatus();
  }));
  const int64_t wal_bytes = static_cast<int64_t>(std::filesystem::file_size(dir.path() / "hub.db-wal"));
  const Scan open_scan = scanStore(dir.path(), needles);
  node.reset();  // the last connection closes: SQLite checkpoints the WAL into hub.db
  const Scan closed_scan = scanStore(dir.path(), needles);

  EXPECT_EQ(open_scan.hits, 0) << "first at " << (open_scan.where.empty() ? "" : open_scan.where.front());
  EXPECT_EQ(closed_scan.hits, 0) << "first at "
                                 << (closed_scan.where.empty() ? "" : closed_scan.where.front());
  figure("t12.connections_stored", kConnections);
  figure("t12.needles", static_cast<int64_t>(needles.size()));
  figure("t12.bytes_scanned", open_scan.bytes + closed_scan.bytes);
  figure("t12.wal_bytes_while_open", wal_bytes);
  figure("t12.free_pages_while_open", free_pages);
  figure("t12.plaintext_hits", open_scan.hits + closed_scan.hits);

  // Control: the scan does see what the store writes. A canary planted in a plain column shows.
  node = std::make_unique<HubNode>(dir.file("hub.db"), kek, clock, cc, random);
  node->db.raw().exec(std::string("UPDATE connections SET organization_name = '") + kCanary +
                      "planted' WHERE id = '" + connectionId(kConnections - 1) + "'");
  EXPECT_GT(scanStore(dir.path(), needles).hits, 0) << "the scan cannot see the store's pages";
}

// Opens `sealed` as stored for `context`; counts how it ended.
struct TamperTally {
  int64_t attempts = 0;
  int64_t refused = 0;
  int64_t opened = 0;        // an altered value that still opened: a failure of the vault
  int64_t wrong_errors = 0;  // refused, but not as tampered/unknown key

  void open(Vault& vault, std::string_view sealed, std::string_view context) {
    ++attempts;
    auto result = vault.open(sealed, context);
    if (result) {
      ++opened;
    } else {
      ++refused;
      if (result.error().key != "vault.tampered" && result.error().key != "vault.unknown_key") ++wrong_errors;
    }
  }
};

TEST(T12AtRest, EveryFlippedBitSwapAndCutOfAStoredCiphertextFailsToOpen) {
  const int kConnections = scaled(1'000, 300);
  const int kSampled = scaled(24, 8);  // ciphertexts whose every bit is flipped, one at a time
  const int kSwaps = scaled(2'000, 500);
  liaison::testing::TempDir dir("liaison-t12-tamper");
  VirtualClock clock(fromUnixSeconds(1'800'000'000));
  LockedRandom random(121);
  FakeCc cc(kConnections, clock);
  HubNode node(dir.file("hub.db"), generateKeyEncryptionKey(random), clock, cc, random);
  for (int i = 0; i < kConnections; ++i) node.insertFrom(cc, i, clock.now() + 24h);

  TamperTally flips, swaps, cuts;
  for (int k = 0; k < kSampled; ++k) {
    const int i = static_cast<int>(random.uniform(kConnections));
    const Connection row = node.row(i);
    const bool access = k % 2 == 0;
    const std::string sealed = access ? row.sealed_access_token : row.sealed_refresh_token;
    const std::string context = access ? accessTokenContext(row.id) : refreshTokenContext(row.id);
    ASSERT_TRUE(node.vault->open(sealed, context).ok());
    // Every bit of the stored text, and every bit of the ciphertext under its encoding.
    for (size_t at = 0; at < sealed.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string altered = sealed;
        altered[at] = static_cast<char>(altered[at] ^ (1 << bit));
        flips.open(*node.vault, altered, context);
      }
    }
    const size_t dot = sealed.find('.');
    const std::string body = *base64UrlDecode(sealed.substr(dot + 1));
    for (size_t at = 0; at < body.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string altered = body;
        altered[at] = static_cast<char>(altered[at] ^ (1 << bit));
        flips.open(*node.vault, sealed.substr(0, dot + 1) + base64UrlEncode(altered), context);
      }
    }
    for (size_t keep = 0; keep < sealed.size(); keep += 3)
      cuts.open(*node.vault, sealed.substr(0, keep), context);
  }
  for (int k = 0; k < kSwaps; ++k) {
    const int i = static_cast<int>(random.uniform(kConnections));
    const int j = (i + 1 + static_cast<int>(random.uniform(kConnections - 1))) % kConnections;
    const Connection a = node.row(i), b = node.row(j);
    swaps.open(*node.vault, b.sealed_access_token, accessTokenContext(a.id));    // another row's field
    swaps.open(*node.vault, b.sealed_refresh_token, refreshTokenContext(a.id));  // another row's field
    swaps.open(*node.vault, a.sealed_access_token, refreshTokenContext(a.id));   // the row's other field
    swaps.open(*node.vault, a.sealed_refresh_token, accessTokenContext(a.id));   // the row's other field
  }
  for (const TamperTally* t : {&flips, &swaps, &cuts}) {
    EXPECT_EQ(t->opened, 0);
    EXPECT_EQ(t->refused, t->attempts);
    EXPECT_EQ(t->wrong_errors, 0);
  }

  // Through the store: rows whose stored values were altered or swapped are reported, never used.
  const int kTamperedRows = 20;
  int reported_unreadable = 0;
  for (int i = 0; i < kTamperedRows; ++i) {
    const std::string id = connectionId(i);
    const Connection row = node.row(i), other = node.row(kConnections - 1 - i);
    std::string access = row.sealed_access_token;
    access[access.size() / 2] = access[access.size() / 2] == 'A' ? 'B' : 'A';
    const std::string refresh = i % 2 == 0 ? other.sealed_refresh_token : row.sealed_access_token;
    storage::Statement(node.db.raw().handle(), "UPDATE connections SET access_token='" + access +
                                                   "', refresh_token='" + refresh + "' WHERE id='" + id + "'")
        .step();
    auto token = node.refresher->accessToken(id, CallClass::Interactive);
    EXPECT_FALSE(token.ok()) << id << ": an altered access token was handed out";
    EXPECT_FALSE(node.refresher->refresh(id, CallClass::Interactive, true).ok());
    const auto events = node.eventsOf(i, "connection.reauth_required");
    if (node.row(i).status == ConnectionStatus::ReauthRequired && events.size() == 1 &&
        events[0].data_json.find("unreadable") != std::string::npos) {
      ++reported_unreadable;
    }
    EXPECT_EQ(cc.calls(i), 0) << id << ": an unreadable refresh token reached CC";
  }
  EXPECT_EQ(reported_unreadable, kTamperedRows);

  const int64_t attempts = flips.attempts + swaps.attempts + cuts.attempts;
  const int64_t refused = flips.refused + swaps.refused + cuts.refused;
  figure("t12.bit_flips", flips.attempts);
  figure("t12.swaps", swaps.attempts);
  figure("t12.cuts", cuts.attempts);
  figure("t12.tampered_values_opened", flips.opened + swaps.opened + cuts.opened);
  figure("t12.tamper_detection_percent",
         100.0 * static_cast<double>(refused) / static_cast<double>(attempts));
  figure("t12.tampered_rows_reported", reported_unreadable);
}

}  // namespace
}  // namespace liaison::hub::reliability
