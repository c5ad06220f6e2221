#pragma once
// Expected failures are values: every fallible operation returns Result<T>.
// One place (http/status) maps an ErrorCode to an HTTP status; bodies are rendered in the
// caller's wire vocabulary (cc/errors, oauth/errors, or the HTTP server's injected renderer).
#include <string>
#include <utility>
#include <variant>

namespace liaison {

enum class ErrorCode {
  InvalidRequest,        // 400: malformed or invalid input
  Unauthorized,          // 401: missing/invalid credentials or token
  Forbidden,             // 403: authenticated but not allowed (scope, privilege)
  NotFound,              // 404
  MethodNotAllowed,      // 405
  Conflict,              // 409
  Unprocessable,         // 422: well formed, but cannot be done (an idempotency key reused)
  PayloadTooLarge,       // 413
  HeadersTooLarge,       // 431
  UnsupportedMediaType,  // 415
  TooManyRequests,       // 429
  Internal,              // 500
  BadGateway,            // 502: the upstream (CC) gave no usable answer
  Unavailable,           // 503
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  // Machine-readable key in the wire vocabulary of the caller: a CC error_key
  // ("contacts.api.conflict") on /v3, an RFC 6749 error ("invalid_grant") on OAuth endpoints.
  std::string key;
  std::string message;  // Safe to show to the caller: never contains secrets.
  // For logs only, never rendered into a response: what went wrong inside (a database's own
  // message, a file path), which would tell a caller about internals.
  std::string detail;
};

inline Error makeError(ErrorCode code, std::string key, std::string message) {
  return Error{code, std::move(key), std::move(message), {}};
}

// A failure inside the service: the caller sees only `message`; `detail` goes to the log.
inline Error internalError(std::string key, std::string message, std::string detail) {
  return Error{ErrorCode::Internal, std::move(key), std::move(message), std::move(detail)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

struct Unit {};

// Result<void> equivalent.
using Status = Result<Unit>;
inline Status okStatus() { return Unit{}; }

}  // namespace liaison
