#include <curl/curl.h>

#include <mutex>

#include "http/client/http_client.h"

namespace liaison::http {
namespace {

size_t onBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  auto* headers = static_cast<Headers*>(user);
  if (line.starts_with("HTTP/")) {
    *headers = Headers();  // a new response (e.g. after 100-continue) starts afresh
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    headers->add(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<ClientResponse> send(const ClientRequest& request) override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return makeError(ErrorCode::Internal, "curl", "curl_easy_init failed");
    ClientResponse response;
    curl_slist* header_list = nullptr;
    for (const auto& [name, value] : request.headers.pairs()) {
      header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    }
    // Suppress curl's automatic "Expect: 100-continue" on larger bodies.
    header_list = curl_slist_append(header_list, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(header_list);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      return makeError(ErrorCode::Unavailable, rc == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport",
                       curl_easy_strerror(rc));
    }
    response.status = static_cast<int>(status);
    return response;
  }
};

}  // namespace

std::unique_ptr<HttpClient> makeCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

}  // namespace liaison::http
