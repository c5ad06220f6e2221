#pragma once
// A secret (token, client secret, key, code) travels as a Secret: it cannot be streamed, formatted
// or compared by accident, so it never reaches a log line, a metric or an error body unless code
// asks for it by name with reveal(), at the moment of use.
#include <string>
#include <string_view>
#include <utility>

namespace liaison {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      wipe();
      value_ = std::move(other.value_);
      other.wipe();
    }
    return *this;
  }
  ~Secret() { wipe(); }

  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }
  // The plaintext, for the one call that needs it (an Authorization header, a cipher).
  const std::string& reveal() const { return value_; }
  // What logs and diagnostics show instead of the value.
  static constexpr std::string_view redacted() { return "[redacted]"; }

 private:
  void wipe() {
    // volatile stops the compiler from dropping the stores as dead before the buffer is freed.
    volatile char* p = value_.data();
    for (size_t i = 0; i < value_.size(); ++i) p[i] = 0;
    value_.clear();
  }
  std::string value_;
};

}  // namespace liaison
