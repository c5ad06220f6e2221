#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace liaison::crypto {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

Error openFailed() {
  return makeError(ErrorCode::Internal, "crypto.aead_open_failed",
                   "The sealed value could not be opened: it was altered or sealed under another key.");
}

}  // namespace

std::string aeadSeal(std::string_view key32, std::string_view plaintext, std::string_view aad,
                     RandomSource& random) {
  if (key32.size() != kAeadKeySize) throw std::invalid_argument("aeadSeal: the key must be 32 bytes");
  std::string out(kAeadNonceSize + plaintext.size() + kAeadTagSize, '\0');
  random.fill(bytes(out), kAeadNonceSize);

  auto ctx = newContext();
  int len = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key32), bytes(out)) == 1;
  // Empty inputs skip their update call: an empty string_view may hold a null pointer.
  if (ok && !aad.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  }
  unsigned char* cipher = bytes(out) + kAeadNonceSize;
  if (ok && !plaintext.empty()) {
    ok =
        EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(plaintext), static_cast<int>(plaintext.size())) == 1;
  }
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), cipher + plaintext.size(), &len) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagSize),
                                 cipher + plaintext.size()) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    throw std::runtime_error("aeadSeal: AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::string> aeadOpen(std::string_view key32, std::string_view sealed, std::string_view aad) {
  if (key32.size() != kAeadKeySize || sealed.size() < kAeadOverhead) return openFailed();
  const std::string_view nonce = sealed.substr(0, kAeadNonceSize);
  const std::string_view cipher = sealed.substr(kAeadNonceSize, sealed.size() - kAeadOverhead);
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer; OpenSSL only reads it.
  std::string tag(sealed.substr(sealed.size() - kAeadTagSize));

  auto ctx = newContext();
  std::string plain(cipher.size(), '\0');
  int len = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key32), bytes(nonce)) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  }
  if (ok && !cipher.empty()) {
    ok =
        EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, bytes(cipher), static_cast<int>(cipher.size())) == 1;
  }
  ok = ok &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagSize), tag.data()) == 1;
  // The tag check happens here; until it passes, `plain` is unauthenticated and must not leak.
  unsigned char final_block[16];
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), final_block, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return openFailed();
  }
  return plain;
}

}  // namespace liaison::crypto
