#pragma once
// Webhook signatures: the receiver proves a delivery came from this hub and was not replayed.
// The header carries the signing time and one or more HMAC-SHA256 values over "<time>.<body>":
//   Liaison-Signature: t=1700000000,v1=38877139021993b8...
// Several v1= entries let a receiver accept either of two secrets while one is being rotated.
#include <cstdint>
#include <string>
#include <string_view>

namespace liaison::hub::webhooks {

inline constexpr std::string_view kSignatureHeaderName = "Liaison-Signature";
// How far the signing time may be from the receiver's clock, either way, by default.
inline constexpr int64_t kDefaultSignatureToleranceSeconds = 300;

// "t=<unix_time>,v1=<lower-case hex HMAC-SHA256(secret, "<unix_time>.<body>")>".
std::string signatureHeader(std::string_view secret, int64_t unix_time, std::string_view body);

// True when `header` holds exactly one t= within `tolerance_s` of `now` and any v1= entry equals
// the HMAC of "<t>.<body>" under `secret` (compared in constant time). Unknown entries are ignored.
bool verifySignature(std::string_view header, std::string_view secret, std::string_view body, int64_t now,
                     int64_t tolerance_s = kDefaultSignatureToleranceSeconds);

}  // namespace liaison::hub::webhooks
