#include "http/status.h"

namespace liaison::http {

int statusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidRequest:
      return 400;
    case ErrorCode::Unauthorized:
      return 401;
    case ErrorCode::Forbidden:
      return 403;
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::MethodNotAllowed:
      return 405;
    case ErrorCode::Conflict:
      return 409;
    case ErrorCode::Unprocessable:
      return 422;
    case ErrorCode::PayloadTooLarge:
      return 413;
    case ErrorCode::HeadersTooLarge:
      return 431;
    case ErrorCode::UnsupportedMediaType:
      return 415;
    case ErrorCode::TooManyRequests:
      return 429;
    case ErrorCode::Internal:
      return 500;
    case ErrorCode::BadGateway:
      return 502;
    case ErrorCode::Unavailable:
      return 503;
  }
  return 500;
}

}  // namespace liaison::http
