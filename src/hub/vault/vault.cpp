#include "hub/vault/vault.h"

#include <algorithm>

#include "core/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"

namespace liaison::hub {
namespace {

// The check value is an HMAC of a fixed label, not the KEK's hash, so it says nothing about
// the KEK beyond "this one matches"; it is stored once, when the vault is created.
constexpr std::string_view kKeyCheckLabel = "liaison-vault/key-check";

std::string keyCheckValue(const Secret& kek) {
  return base64UrlEncode(crypto::hmacSha256(kek.reveal(), kKeyCheckLabel));
}
// Built by appending: GCC 12 gives a false -Wrestrict warning for "v" + std::to_string(n).
std::string join(std::string_view head, int version, std::string_view tail) {
  std::string out(head);
  out += std::to_string(version);
  out += tail;
  return out;
}
std::string prefix(int version) { return join("v", version, "."); }
std::string wrapAad(int version) { return join("liaison-vault/data-key/v", version, ""); }
std::string sealAad(int version, std::string_view context) {
  return join("liaison-vault/v", version, "/") + std::string(context);
}

Error tampered(std::string detail) {
  return internalError("vault.tampered",
                       "A stored secret could not be opened: it was altered or belongs to another record.",
                       std::move(detail));
}

Error unknownKey(int version, bool retired) {
  return internalError("vault.unknown_key",
                       "A stored secret was sealed with a data key this vault " +
                           std::string(retired ? "has retired" : "does not have") + ".",
                       "data key v" + std::to_string(version));
}

Result<Secret> unwrap(const Secret& kek, const StoredDataKey& stored) {
  auto failed = [&] {
    return internalError(
        "vault.data_key_unwrap",
        "Data key v" + std::to_string(stored.version) +
            " could not be unwrapped with this vault key: the vault's stored keys were altered.",
        "");
  };
  if (stored.version < 1) return failed();
  auto wrapped = base64UrlDecode(stored.wrapped);
  if (!wrapped) return failed();
  auto opened = crypto::aeadOpen(kek.reveal(), *wrapped, wrapAad(stored.version));
  if (!opened) return failed();
  Secret key(std::move(*opened));
  if (key.size() != crypto::kAeadKeySize) return failed();
  return key;
}

}  // namespace

// Seal runs on many threads at once; a RandomSource need not be thread-safe (SeededRandom is not).
class Vault::LockedRandom final : public RandomSource {
 public:
  explicit LockedRandom(RandomSource& inner) : inner_(inner) {}
  void fill(uint8_t* out, size_t size) override {
    std::lock_guard lock(mutex_);
    inner_.fill(out, size);
  }

 private:
  RandomSource& inner_;
  std::mutex mutex_;
};

Vault::Vault(DataKeyRepository& repository, const Secret& kek, RandomSource& random)
    : repository_(repository), kek_(kek), random_(std::make_unique<LockedRandom>(random)) {}

Vault::~Vault() = default;

Result<std::unique_ptr<Vault>> Vault::open(DataKeyRepository& repository, const Secret& kek,
                                           RandomSource& random) {
  if (kek.size() != crypto::kAeadKeySize) {
    return makeError(ErrorCode::Internal, "vault.key_malformed", "The vault key must be 32 bytes.");
  }
  const std::string check = keyCheckValue(kek);
  auto stored_check = repository.keyCheck();
  if (!stored_check) return stored_check.error();
  // First, before any write: a wrong key must leave the stored data exactly as it was.
  if (stored_check->has_value() && !crypto::constantTimeEquals(check, **stored_check)) {
    return makeError(ErrorCode::Internal, "vault.key_mismatch",
                     "LIAISON_VAULT_KEY / key file does not match the key this data was sealed with.");
  }
  auto stored_keys = repository.load();
  if (!stored_keys) return stored_keys.error();
  if (!stored_check->has_value()) {
    if (!stored_keys->empty()) {
      return internalError("vault.key_check_missing",
                           "The vault has data keys but no key check value; refusing to open it.", "");
    }
    if (auto status = repository.setKeyCheck(check); !status) return status.error();
  }

  std::unique_ptr<Vault> vault(new Vault(repository, kek, random));
  if (auto status = vault->load(*stored_keys); !status) return status.error();
  // A fresh vault, or one whose first key was stored but never made current (interrupted start).
  if (vault->current_ == 0) {
    auto created = vault->createDataKey();
    if (!created) return created.error();
  }
  return vault;
}

Status Vault::load(const std::vector<StoredDataKey>& stored_keys) {
  for (const auto& stored : stored_keys) {
    highest_ = std::max(highest_, stored.version);
    if (stored.retired) {
      retired_.insert(stored.version);
      continue;
    }
    auto key = unwrap(kek_, stored);
    if (!key) return key.error();
    keys_.emplace(stored.version, std::move(*key));
    if (stored.current) {
      if (current_ != 0) {
        return internalError("vault.corrupt", "The vault's stored keys name two current data keys.", "");
      }
      current_ = stored.version;
    }
  }
  return okStatus();
}

Result<int> Vault::createDataKey() {
  const int version = highest_ + 1;
  std::string raw(crypto::kAeadKeySize, '\0');
  random_->fill(reinterpret_cast<uint8_t*>(raw.data()), raw.size());
  Secret key(std::move(raw));
  const StoredDataKey stored{
      version, base64UrlEncode(crypto::aeadSeal(kek_.reveal(), key.reveal(), wrapAad(version), *random_)),
      false, false};
  if (auto status = repository_.insert(stored); !status) return status.error();
  {
    std::unique_lock lock(keys_mutex_);
    highest_ = version;
    keys_.emplace(version, std::move(key));
  }
  // Only now current: had makeCurrent failed, the previous key would still be the current one.
  if (auto status = repository_.makeCurrent(version); !status) return status.error();
  std::unique_lock lock(keys_mutex_);
  current_ = version;
  return version;
}

Result<std::string> Vault::seal(const Secret& plaintext, std::string_view context) {
  std::shared_lock lock(keys_mutex_);
  auto it = keys_.find(current_);
  if (it == keys_.end()) return internalError("vault.unknown_key", "The vault has no current data key.", "");
  return prefix(current_) + base64UrlEncode(crypto::aeadSeal(it->second.reveal(), plaintext.reveal(),
                                                             sealAad(current_, context), *random_));
}

Status Vault::reload() {
  std::lock_guard change(change_mutex_);
  auto stored_keys = repository_.load();
  if (!stored_keys) return stored_keys.error();
  std::map<int, Secret> keys;
  std::set<int> retired;
  int current = 0;
  int highest = 0;
  for (const auto& stored : *stored_keys) {
    highest = std::max(highest, stored.version);
    if (stored.retired) {
      retired.insert(stored.version);
      continue;
    }
    auto key = unwrap(kek_, stored);
    if (!key) return key.error();
    keys.emplace(stored.version, std::move(*key));
    if (stored.current) current = stored.version;
  }
  if (current == 0) return okStatus();  // a rotation between its insert and makeCurrent: keep ours
  std::unique_lock lock(keys_mutex_);
  keys_ = std::move(keys);
  retired_ = std::move(retired);
  current_ = current;
  highest_ = std::max(highest_, highest);
  return okStatus();
}

Result<Secret> Vault::open(std::string_view sealed, std::string_view context) {
  const auto version = versionOf(sealed);
  if (!version) return tampered("no version prefix");
  bool known = false;
  {
    std::shared_lock lock(keys_mutex_);
    known = keys_.count(*version) > 0 || retired_.count(*version) > 0;
  }
  // A version newer than any this process has seen was made by another process: read the keys.
  if (!known) (void)reload();
  std::shared_lock lock(keys_mutex_);
  auto it = keys_.find(*version);
  if (it == keys_.end()) return unknownKey(*version, retired_.count(*version) > 0);
  auto body = base64UrlDecode(sealed.substr(prefix(*version).size()));
  if (!body) return tampered("not base64url after the version prefix");
  auto opened = crypto::aeadOpen(it->second.reveal(), *body, sealAad(*version, context));
  if (!opened) {
    return tampered("authentication failed for data key v" + std::to_string(*version) + " in context " +
                    std::string(context));
  }
  return Secret(std::move(*opened));
}

int Vault::currentVersion() const {
  std::shared_lock lock(keys_mutex_);
  return current_;
}

bool Vault::isCurrent(std::string_view sealed) const { return versionOf(sealed) == currentVersion(); }

Result<int> Vault::rotate() {
  std::lock_guard change(change_mutex_);
  return createDataKey();
}

Status Vault::retire(int version, size_t ciphertexts_still_using_it) {
  std::lock_guard change(change_mutex_);
  const std::string name = "data key v" + std::to_string(version);
  if (version == current_) {
    return makeError(ErrorCode::Conflict, "vault.key_in_use",
                     "Cannot retire " + name + ": it is the current key; rotate to a new key first.");
  }
  if (ciphertexts_still_using_it > 0) {
    return makeError(ErrorCode::Conflict, "vault.key_in_use",
                     "Cannot retire " + name + ": " + std::to_string(ciphertexts_still_using_it) +
                         " stored value(s) are still sealed with it; re-seal them first.");
  }
  if (retired_.count(version) > 0) return okStatus();
  if (keys_.count(version) == 0) {
    return makeError(ErrorCode::NotFound, "vault.unknown_key", "The vault has no " + name + ".");
  }
  if (auto status = repository_.retire(version); !status) return status;
  std::unique_lock lock(keys_mutex_);
  keys_.erase(version);
  retired_.insert(version);
  return okStatus();
}

std::optional<int> Vault::versionOf(std::string_view sealed) {
  // "v" + a version without leading zeros (at most 9 digits, so it fits an int) + ".".
  if (sealed.size() < 3 || sealed[0] != 'v' || sealed[1] < '1' || sealed[1] > '9') return std::nullopt;
  int version = 0;
  size_t i = 1;
  for (; i < sealed.size() && i <= 9 && sealed[i] >= '0' && sealed[i] <= '9'; ++i) {
    version = version * 10 + (sealed[i] - '0');
  }
  if (i >= sealed.size() || sealed[i] != '.') return std::nullopt;
  return version;
}

}  // namespace liaison::hub
