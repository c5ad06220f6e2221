#include "http/client/curl_transfer.h"

#include <mutex>
#include <string_view>

namespace liaison::http::curl {
namespace {

// Feeds a streamed request body to curl as it asks for it.
size_t onUpload(char* out, size_t size, size_t count, void* user) {
  auto got = static_cast<BodyStream*>(user)->read(out, size * count);
  return got ? *got : CURL_READFUNC_ABORT;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  auto* sink = static_cast<HeaderSink*>(user);
  if (line.starts_with("HTTP/")) {
    sink->headers = Headers();  // a new response (e.g. after 100-continue) starts afresh
    const auto space = line.find(' ');
    sink->interim = space != std::string_view::npos && space + 1 < line.size() && line[space + 1] == '1';
    return size * count;
  }
  if (line == "\r\n" || line == "\n") {
    if (!sink->interim) sink->complete = true;
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    sink->headers.add(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

}  // namespace

curl_slist* prepare(CURL* curl, const ClientRequest& request, HeaderSink& sink) {
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : request.headers.pairs()) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  // Suppress curl's automatic "Expect: 100-continue" on larger bodies.
  header_list = curl_slist_append(header_list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (request.body_stream) {
    // CUSTOMREQUEST names the method; POST only makes curl send what the callback reads.
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, onUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, request.body_stream.get());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     request.body_size ? static_cast<curl_off_t>(*request.body_size) : curl_off_t{-1});
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
             request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  // Kept-alive connections are reused, except by a call that must not be made twice (POST,
  // PATCH): curl resends a request by itself when a reused connection turns out closed, and
  // a POST the server carried out just before the connection dropped must come back as "no
  // answer". On a fresh connection curl never resends; on a reused one onRequestSent stops it.
  curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, isRepeatable(request.method) ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  return header_list;
}

Error transportError(CURLcode rc) {
  return makeError(ErrorCode::Unavailable, rc == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport",
                   curl_easy_strerror(rc));
}

// Called each time curl is about to send the request: a second time in one transfer is curl
// resending on its own after a reused connection closed, which is refused (the transfer fails as
// "no answer" and the caller decides, counting the call, whether to send it again).
int onRequestSent(void* user, char*, char*, int, int) {
  return ++*static_cast<int*>(user) > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

void initOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace liaison::http::curl
